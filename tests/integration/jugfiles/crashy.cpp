// A task that kills its worker: `poison(0)` segfaults (unless
// $JUG_TEST_CURE is set), among 20 ordinary tasks `plain(i)`; `after_poison`
// needs poison's result. With $JUG_TEST_COMPANIONS set, two tasks
// `companion(i)` of 0.5 s come just before poison, so that a worker with
// -j 3 runs them beside it. Every task appends `start NAME PID` and
// `end NAME PID` lines to $JUG_TEST_LOG (poison only gets to `start`).
#include <jug/jug.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "test_log.hpp"

namespace {
/// `what` and this worker's pid.
void log_event(const std::string& what) { append_test_log(what + " " + std::to_string(::getpid())); }
}  // namespace

const jug::TaskGenerator plain("plain", [](int i) {
  log_event("start plain" + std::to_string(i));
  log_event("end plain" + std::to_string(i));
  return i * 10;
});

const jug::TaskGenerator poison("poison", [](int x) {
  log_event("start poison");
  if (std::getenv("JUG_TEST_CURE") == nullptr) {
    // Dies of SIGSEGV as a segfault would, through jug's handler (which
    // names the task on the way down). Raised rather than provoked: the
    // sanitizer builds catch a null write themselves (and exit 1); the
    // tests turn their SIGSEGV handler off (ASAN_OPTIONS=handle_segv=0).
    std::raise(SIGSEGV);
  }
  log_event("end poison");
  return x + 1;
});

const jug::TaskGenerator companion("companion", [](int i) {
  log_event("start companion" + std::to_string(i));
  ::usleep(500'000);
  log_event("end companion" + std::to_string(i));
  return i;
});

const jug::TaskGenerator after_poison("after_poison", [](int x) {
  log_event("start after_poison");
  log_event("end after_poison");
  return x * 2;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    // Poison in the middle: the first worker runs some tasks before it dies.
    for (int i = 0; i < 10; ++i) plain(i);
    if (std::getenv("JUG_TEST_COMPANIONS") != nullptr) {
      for (int i = 0; i < 2; ++i) companion(i);
    }
    after_poison(poison(7));
    for (int i = 10; i < 20; ++i) plain(i);
  });
}
