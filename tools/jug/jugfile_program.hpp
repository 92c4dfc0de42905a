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
/// it; anything else must be an executable. With `result_json` (`jug show`,
/// `jug export`), a C++ source is built with JUG_RESULT_JSON
/// (include/jug/result_json.hpp), and as usual where that does not compile
/// (a result type whose serialize takes jug's archive only), saying so.
/// Throws ToolError with the message and exit code to give the user.
std::string jugfile_program(const std::string& file,
                            const std::function<const char*(const char*)>& getenv,
                            bool result_json = false);

/// Whether `subcommand` shows results' values (and so wants result_json).
bool shows_result_values(std::string_view subcommand);

}  // namespace jug::tool
