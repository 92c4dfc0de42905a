#pragma once
/// Readable C++ type names ("std::vector<int>", not "St6vectorIiSaIiEE"),
/// for messages.

#include <exception>
#include <string>

namespace jug {

/// The demangled form of a name typeid gives; the name itself when it does
/// not demangle.
std::string demangled_type_name(const char* mangled);

/// The type of an exception ("std::invalid_argument"), for failure messages.
std::string exception_type_name(const std::exception& e);

}  // namespace jug
