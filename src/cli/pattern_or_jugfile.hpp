#pragma once
/// `jug show PATTERN`, `jug why PATTERN` and `jug export PATTERN` take
/// patterns where other subcommands take the jugfile: the first positional
/// argument that names a jugfile (a C++ or Python source, or any file that
/// exists) is the jugfile, the others are patterns, and without one the
/// jugfile is the default one. The jug command and the jugfile's own
/// command line decide alike. (A pattern that is also the name of a file
/// here is given as --target PATTERN.)

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace jug::cli {

inline bool takes_patterns(std::string_view subcommand) {
  return subcommand == "show" || subcommand == "why" || subcommand == "export";
}

inline bool names_a_jugfile(const std::string& argument) {
  const std::string extension = std::filesystem::path(argument).extension().string();
  if (extension == ".cpp" || extension == ".cc" || extension == ".cxx" || extension == ".C" ||
      extension == ".py") {
    return true;
  }
  std::error_code error;
  return std::filesystem::is_regular_file(argument, error);
}

}  // namespace jug::cli
