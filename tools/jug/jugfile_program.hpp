#pragma once
/// From a jugfile to the program to run: compiled sources come from the
/// build cache, built programs are run as they are.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace jug::tool {

/// True for a name the compiler takes as C++: .cpp, .cc, .cxx, .C.
bool is_cpp_source(const std::filesystem::path& file);

/// The program for the jugfile `file` (as the user wrote it, relative to
/// the working directory): a C++ source is compiled, unless the cache has
/// it; anything else must be an executable. Throws ToolError with the
/// message and exit code to give the user.
std::string jugfile_program(const std::string& file,
                            const std::function<const char*(const char*)>& getenv);

}  // namespace jug::tool
