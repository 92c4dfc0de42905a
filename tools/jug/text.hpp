#pragma once
/// Small string helpers shared by the jug command's parsers.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

/// `text` without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view text);

/// The lines of `text`, without their '\n'; a final line without '\n'
/// counts, an empty text has none.
std::vector<std::string_view> split_lines(std::string_view text);

/// The whitespace-separated words of `text`. There is no quoting: flags are
/// split the way a Makefile variable is, so a path with a space cannot be
/// given (say so in the docs rather than half-implement a shell).
std::vector<std::string> split_words(std::string_view text);

/// The whole content of a file; throws ToolError naming the file if it
/// cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace jug::tool
