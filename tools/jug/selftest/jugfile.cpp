// The jugfile `jug test-jug` runs to check an installation: 20 squares and
// their sum, shared by two workers. Past the barrier (once both are done)
// the sum is read back from the store and checked: a wrong value fails
// the command. The number after `--` salts every task's hash, so that each
// check computes anew, even on a store that has seen one before.
#include <jug/jug.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

const jug::TaskGenerator square("test_jug.square", [](std::int64_t salt, std::int64_t x) {
  (void)salt;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the workers share them
  return x * x;
});

const jug::TaskGenerator total("test_jug.total", [](const std::vector<std::int64_t>& values) {
  std::int64_t sum = 0;
  for (std::int64_t v : values) sum += v;
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const std::int64_t salt = jug::arguments().empty() ? 0 : std::stoll(jug::arguments()[0]);
    std::vector<jug::Task<std::int64_t>> squares;
    for (std::int64_t x = 1; x <= 20; ++x) squares.push_back(square(salt, x));
    const jug::Task<std::int64_t> sum = total(squares);
    jug::barrier();
    if (jug::value(sum) != 2870) {
      throw std::runtime_error("the sum read back from the store is " +
                               std::to_string(jug::value(sum)) + ", not 2870");
    }
  });
}
