#include "cli/stop_conditions.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug::cli {
namespace {

std::atomic<int> received_signal{0};

extern "C" void on_stop_signal(int signal) {
  if (received_signal.exchange(signal) == SIGINT && signal == SIGINT) {
    ::_exit(128 + SIGINT);  // a second Ctrl-C: the user wants out now
  }
}

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
      return fmt::format("received {}", signal == SIGINT ? "SIGINT" : "SIGTERM");
    }
    if (file_exists(kStopFile)) return fmt::format("found {}", kStopFile);
    if (exit_if_file && file_exists(exit_if_file->c_str())) {
      return fmt::format("found {} (JUG_EXIT_IF_FILE_EXISTS)", *exit_if_file);
    }
    return std::nullopt;
  };
}

StopSignals::StopSignals() {
  received_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

int StopSignals::received() { return received_signal.load(); }

}  // namespace jug::cli
