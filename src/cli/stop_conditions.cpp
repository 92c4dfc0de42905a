#include "cli/stop_conditions.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "cli/stop_signals.hpp"
#include "jug/errors.hpp"

namespace jug::cli {
namespace {

/// A non-negative number from the environment variable `name`, if set.
std::optional<double> number_from_environment(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= 0)) {
    throw Error(fmt::format(
        "jug: {}={} is not a number of at least 0; fix or unset it (or pass "
        "--no-check-environment)",
        name, text));
  }
  return value;
}

bool file_exists(const char* path) { return ::access(path, F_OK) == 0; }

/// Why execute stops when the stop file is there. It stays until removed,
/// and stops every later execute too: say where it is and what to do.
std::string stop_file_reason() {
  std::error_code error;
  const std::filesystem::path directory = std::filesystem::current_path(error);
  return fmt::format(
      "found {} in {}; remove it to carry on (while it is there, every jug execute started here "
      "stops before its next task)",
      kStopFile, error ? std::string(".") : directory.string());
}

}  // namespace

void apply_stop_conditions(ExecuteOptions& options, bool check_environment) {
  std::optional<std::string> exit_if_file;
  if (check_environment) {
    if (auto tasks = number_from_environment("JUG_MAX_TASKS")) {
      options.max_tasks = static_cast<std::size_t>(*tasks);
    }
    double seconds = 0;
    bool limited = false;
    for (const auto& [name, unit] : {std::pair{"JUG_MAX_HOURS", 3600.0},
                                     std::pair{"JUG_MAX_MINUTES", 60.0},
                                     std::pair{"JUG_MAX_SECONDS", 1.0}}) {
      if (auto value = number_from_environment(name)) {
        seconds += *value * unit;
        limited = true;
      }
    }
    if (limited) {
      options.deadline = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(seconds));
    }
    if (const char* path = std::getenv("JUG_EXIT_IF_FILE_EXISTS"); path && *path) {
      exit_if_file = path;
    }
  }
  options.stop_requested = [exit_if_file]() -> std::optional<std::string> {
    if (const int signal = StopSignals::received()) {
      return fmt::format("received {}", signal_name(signal));
    }
    if (file_exists(kStopFile)) return stop_file_reason();
    if (exit_if_file && file_exists(exit_if_file->c_str())) {
      return fmt::format(
          "found {} (JUG_EXIT_IF_FILE_EXISTS); remove it, or unset JUG_EXIT_IF_FILE_EXISTS, to "
          "carry on",
          *exit_if_file);
    }
    return std::nullopt;
  };
}

}  // namespace jug::cli
