#include "cli/jugrc.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug::cli {
namespace {

namespace fs = std::filesystem;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string option_key(std::string_view key) {
  std::string out(trimmed(key));
  for (char& c : out) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

}  // namespace

bool jugrc_true(std::string_view value) {
  std::string lower(trimmed(value));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !(lower.empty() || lower == "0" || lower == "false" || lower == "off");
}

std::vector<JugrcSetting> parse_jugrc(std::string_view text, const std::string& path,
                                      std::size_t file) {
  std::vector<JugrcSetting> settings;
  std::string section;
  std::size_t number = 0;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string_view content = trimmed(line);
    if (content.empty() || content.front() == '#' || content.front() == ';') continue;
    const bool indented = std::isspace(static_cast<unsigned char>(line.front())) != 0;
    if (indented && !settings.empty() && settings.back().section == section) {
      // A value's next line. (Appended in two steps: g++ 12 at -O3 warns of
      // a false overlap in `"\n" + std::string(content)`.)
      settings.back().value += '\n';
      settings.back().value += content;
      continue;
    }
    if (content.front() == '[') {
      if (content.back() != ']' || content.size() < 3) {
        throw Error(fmt::format("jug: {}:{}: a section header is written [name]: {}", path,
                                number, content));
      }
      section = std::string(content.substr(1, content.size() - 2));
      continue;
    }
    const std::size_t delimiter = content.find_first_of("=:");
    if (delimiter == std::string_view::npos || delimiter == 0) {
      throw Error(fmt::format("jug: {}:{}: neither a [section] nor a `key = value`: {}", path,
                              number, content));
    }
    if (section.empty()) {
      throw Error(fmt::format("jug: {}:{}: a setting before any [section] (options for every "
                              "subcommand go under [main])",
                              path, number));
    }
    settings.push_back(JugrcSetting{section, option_key(content.substr(0, delimiter)),
                                    std::string(trimmed(content.substr(delimiter + 1))),
                                    fmt::format("{}:{}", path, number), file});
  }
  return settings;
}

std::vector<fs::path> jugrc_files(const fs::path& working_directory, const char* home) {
  std::vector<fs::path> files;
  if (home != nullptr && *home != '\0') {
    for (const char* relative : {".config/jug/jugrc", ".config/jugrc", ".jug/configrc"}) {
      const fs::path global = fs::path(home) / relative;
      if (is_file(global)) {
        files.push_back(global);
        break;  // the first that exists, alone
      }
    }
  }
  // From the working directory up to the git root, then weighed the other
  // way round: the closest counts most.
  std::vector<fs::path> directories{working_directory};
  std::error_code error;
  for (fs::path d = working_directory; !fs::is_directory(d / ".git", error);) {
    if (!d.has_parent_path() || d.parent_path() == d) {
      directories.resize(1);  // no git root: the working directory alone
      break;
    }
    d = d.parent_path();
    directories.push_back(d);
  }
  for (auto d = directories.rbegin(); d != directories.rend(); ++d) {
    for (const char* name : {"jugrc", ".jugrc"}) {
      if (is_file(*d / name)) files.push_back(*d / name);
    }
  }
  return files;
}

std::vector<JugrcSetting> read_jugrc_settings() {
  std::error_code error;
  const fs::path cwd = fs::current_path(error);
  if (error) return {};
  std::vector<JugrcSetting> settings;
  const std::vector<fs::path> files = jugrc_files(cwd, std::getenv("HOME"));
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::ifstream in(files[i]);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      throw Error(fmt::format("jug: cannot read the configuration file {}", files[i].string()));
    }
    for (JugrcSetting& s : parse_jugrc(text.str(), files[i].string(), i)) {
      settings.push_back(std::move(s));
    }
  }
  return settings;
}

}  // namespace jug::cli
