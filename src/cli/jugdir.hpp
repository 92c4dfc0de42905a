#pragma once
/// Where a jugfile's results are stored: `--jugdir` with `%(jugfile)s` and
/// `%(date)s` filled in, as Python jug fills them. Shared by the jugfile
/// program and the jug command (which tells a user subcommand, `jug-NAME`,
/// where the store is). Header-only: the jug command links no jug library.

#include <ctime>
#include <string>
#include <string_view>

namespace jug::cli {

/// `path` without its jugfile extension (.cpp, .cc, .cxx, .C, .py).
inline std::string strip_extension(const std::string& path) {
  for (const char* ext : {".cpp", ".cc", ".cxx", ".C", ".py"}) {
    if (path.ends_with(ext) && path.size() > std::string_view(ext).size()) {
      return path.substr(0, path.size() - std::string_view(ext).size());
    }
  }
  return path;
}

/// The store directory: `%(jugfile)s` becomes the jugfile's path without its
/// extension, `%(date)s` today's date (YYYY-MM-DD).
inline std::string expand_jugdir(const std::string& pattern, const std::string& jugfile) {
  std::string out = pattern;
  auto replace_all = [&out](std::string_view from, const std::string& to) {
    for (std::size_t at = out.find(from); at != std::string::npos;
         at = out.find(from, at + to.size())) {
      out.replace(at, from.size(), to);
    }
  };
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &local);
  replace_all("%(jugfile)s", strip_extension(jugfile));
  replace_all("%(date)s", date);
  return out;
}

}  // namespace jug::cli
