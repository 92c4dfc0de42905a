// For test_exit_codes.py: a jugfile that can end a run short in each way
// whose exit status the test checks.
//   hold()       with $JUG_TEST_RELEASE set, waits until that file exists
//                (at most 10 minutes), so that a test decides how long its
//                worker holds the lease; the first task any worker takes
//   flaky()      throws std::runtime_error when $JUG_TEST_FAIL is set,
//                first creating the file $JUG_TEST_STOP_FILE names, if set
//   later()      only with `-- later`: one more task before the barrier,
//                made after flaky, so that it is ready once flaky ran
//   -- jug::barrier(): building stops until hold and flaky are done
//   after(v)     made from flaky's value: known only past the barrier
// `-- throw` makes building itself throw a std::runtime_error, before any
// task is made. Each task appends its name to $JUG_TEST_LOG, if set.
#include <jug/jug.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "test_log.hpp"

namespace {
void log_run(const std::string& name) { append_test_log(name, /*required=*/false); }
}  // namespace

const jug::TaskGenerator hold("hold", [] {
  log_run("hold");
  if (const char* release = std::getenv("JUG_TEST_RELEASE")) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (::access(release, F_OK) != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return 1;
});

const jug::TaskGenerator flaky("flaky", [] {
  log_run("flaky");
  if (std::getenv("JUG_TEST_FAIL")) {
    if (const char* stop_file = std::getenv("JUG_TEST_STOP_FILE")) {
      if (std::FILE* f = std::fopen(stop_file, "w")) std::fclose(f);
    }
    throw std::runtime_error("flaky was told to fail");
  }
  return 2;
});

const jug::TaskGenerator later("later", [] {
  log_run("later");
  return 3;
});

const jug::TaskGenerator after("after", [](int x) {
  log_run("after");
  return x + 1;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const bool with_later = !jug::arguments().empty() && jug::arguments()[0] == "later";
    if (!jug::arguments().empty() && jug::arguments()[0] == "throw") {
      throw std::runtime_error("the jugfile was told to throw");
    }
    // Made first, so that it has the smallest id: every worker tries it first.
    (void)hold();
    const auto f = flaky();
    if (with_later) (void)later();
    jug::barrier();
    (void)after(jug::value(f));
  });
}
