// Tasks on both sides of two barriers, for tests that count what execute
// did round by round. `-- MS` (default 0) makes `slow` sleep MS ms.
//   slow(MS)       needs nothing; jug::bvalue(gate) does not wait for it
//   gate()         building stops at jug::bvalue(gate) until it is done
//   step(i, gate)  4 tasks made from gate's value
//   -- jug::barrier(): building stops until everything above is done
//   finish(sum)    made from the steps' values
// So `execute` runs three rounds: {slow, gate}, then the steps, then
// finish. Each task appends "name pid" to $JUG_TEST_LOG, if set.
#include <jug/jug.hpp>

#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_log.hpp"

namespace {
void log_run(const std::string& name) {
  append_test_log(name + " " + std::to_string(::getpid()), /*required=*/false);
}
}  // namespace

const jug::TaskGenerator slow("slow", [](int milliseconds) {
  std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  log_run("slow");
  return milliseconds;
});

const jug::TaskGenerator gate("gate", [] {
  log_run("gate");
  return 10;
});

const jug::TaskGenerator step("step", [](int i, int from) {
  log_run("step");
  return from + i;
});

const jug::TaskGenerator finish("finish", [](int sum) {
  log_run("finish");
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const int milliseconds = jug::arguments().empty() ? 0 : std::stoi(jug::arguments()[0]);
    (void)slow(milliseconds);
    const int from = jug::bvalue(gate());
    std::vector<jug::Task<int>> steps;
    for (int i = 0; i < 4; ++i) steps.push_back(step(i, from));
    jug::barrier();
    int sum = 0;
    for (const auto& s : steps) sum += jug::value(s);
    (void)finish(sum);
  });
}
