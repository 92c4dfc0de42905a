#include "package_flags.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <utility>

#include "process.hpp"
#include "text.hpp"
#include "tool_error.hpp"

namespace jug::tool {
namespace {

constexpr int kNotStarted = 127;

/// pkg-config `option` of `packages`; its status in `*status`.
std::string ask_pkg_config(const std::string& option, const std::vector<std::string>& packages,
                           int* status) {
  std::vector<std::string> argv{"pkg-config", option};
  argv.insert(argv.end(), packages.begin(), packages.end());
  return run_and_capture(argv, status, /*capture_errors=*/true);
}

[[noreturn]] void throw_missing(std::string_view jugfile, const std::string& package) {
  throw ToolError(
      fmt::format("{}: pkg-config knows no package '{}' (named in '// jug: pkg'). Install "
                  "its development package (on Debian and Ubuntu, `apt-file search {}.pc` "
                  "names it), or, if it is installed elsewhere, add the directory of its {}.pc "
                  "to PKG_CONFIG_PATH",
                  jugfile, package, package, package),
      kExitFailure);
}

}  // namespace

PackageFlags package_flags(const std::vector<std::string>& packages, std::string_view jugfile) {
  if (packages.empty()) return {};
  int status = 0;
  (void)ask_pkg_config("--exists", packages, &status);
  if (status == kNotStarted) {
    throw ToolError(fmt::format("{}: '// jug: pkg' needs pkg-config, which is not installed "
                                "(on Debian and Ubuntu: apt-get install pkg-config)",
                                jugfile),
                    kExitFailure);
  }
  if (status != 0) {
    for (const std::string& package : packages) {  // which one: to say so
      (void)ask_pkg_config("--exists", {package}, &status);
      if (status != 0) throw_missing(jugfile, package);
    }
  }
  PackageFlags flags;
  const std::pair<const char*, std::vector<std::string>*> questions[] = {
      {"--cflags", &flags.cxxflags}, {"--libs", &flags.libs}};
  for (const auto& [option, words] : questions) {
    const std::string output = ask_pkg_config(option, packages, &status);
    if (status != 0) {
      throw ToolError(fmt::format("{}: pkg-config {} of {} failed: {}", jugfile, option,
                                  fmt::join(packages, " "), trim(output)),
                      kExitFailure);
    }
    *words = split_words(output);
  }
  return flags;
}

}  // namespace jug::tool
