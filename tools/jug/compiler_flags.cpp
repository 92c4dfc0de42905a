#include "compiler_flags.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <system_error>

namespace jug::tool {

namespace fs = std::filesystem;

namespace {

/// Options whose value is a directory and may be attached (`-Iinclude`) or
/// the next word (`-I include`).
constexpr std::array<std::string_view, 5> kDirectoryOptions{"-I", "-L", "-iquote", "-isystem",
                                                            "-idirafter"};
/// Of those, the ones where `#include "..."` looks.
constexpr std::array<std::string_view, 4> kIncludeOptions{"-I", "-iquote", "-isystem",
                                                          "-idirafter"};
/// Options whose separate value is a file.
constexpr std::array<std::string_view, 2> kFileOptions{"-include", "-imacros"};
/// Options whose separate value is not a path: that value must be left alone
/// even though it does not start with '-'.
constexpr std::array<std::string_view, 15> kOtherValueOptions{
    "-D", "-U",  "-x",  "-l",  "-o", "-Xlinker", "-Xpreprocessor", "-Xassembler",
    "-u", "-MT", "-MQ", "-MF", "-e", "-T",       "-aux-info"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& options, std::string_view word) {
  return std::find(options.begin(), options.end(), word) != options.end();
}

/// If `word` is a directory option with its value attached, the option.
std::optional<std::string_view> attached_directory_option(std::string_view word) {
  // Longest first, so that "-isystemdir" is not read as an unknown "-i...".
  for (std::string_view option : {"-idirafter", "-isystem", "-iquote", "-I", "-L"}) {
    if (word.size() > option.size() && word.starts_with(option)) return option;
  }
  return std::nullopt;
}

std::string resolved(std::string_view path, const fs::path& base) {
  const fs::path p(path);
  if (p.is_absolute()) return std::string(path);
  return (base / p).lexically_normal().string();
}

/// What the previous word says about the next one.
enum class Next { kAnyWord, kPathValue, kOtherValue };

}  // namespace

std::vector<std::string> resolve_relative_paths(std::span<const std::string> flags,
                                                const fs::path& base) {
  std::vector<std::string> out;
  out.reserve(flags.size());
  Next next = Next::kAnyWord;
  for (const std::string& word : flags) {
    if (next != Next::kAnyWord) {
      out.push_back(next == Next::kPathValue ? resolved(word, base) : word);
      next = Next::kAnyWord;
    } else if (one_of(kDirectoryOptions, word) || one_of(kFileOptions, word)) {
      out.push_back(word);
      next = Next::kPathValue;
    } else if (one_of(kOtherValueOptions, word)) {
      out.push_back(word);
      next = Next::kOtherValue;
    } else if (auto option = attached_directory_option(word)) {
      out.push_back(std::string(*option) +
                    resolved(std::string_view(word).substr(option->size()), base));
    } else if (!word.starts_with('-')) {
      out.push_back(resolved(word, base));
    } else {
      out.push_back(word);
    }
  }
  return out;
}

std::vector<fs::path> include_directories(std::span<const std::string> flags) {
  std::vector<fs::path> directories;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    const std::string& word = flags[i];
    if (one_of(kIncludeOptions, word)) {
      if (i + 1 < flags.size()) directories.emplace_back(flags[++i]);
    } else if (auto option = attached_directory_option(word); option && *option != "-L") {
      directories.emplace_back(word.substr(option->size()));
    }
  }
  return directories;
}

std::vector<fs::path> named_files(std::span<const std::string> flags) {
  std::vector<fs::path> files;
  for (const std::string& word : flags) {
    if (word.empty() || word.starts_with('-')) continue;
    std::error_code error;
    if (!fs::is_regular_file(word, error)) continue;
    const fs::path file(word);
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }
  return files;
}

}  // namespace jug::tool
