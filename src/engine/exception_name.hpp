#pragma once
/// The readable C++ type name of an exception ("std::invalid_argument"), for
/// failure messages.

#include <exception>
#include <string>

namespace jug {

std::string exception_type_name(const std::exception& e);

}  // namespace jug
