// The jugfile of the crash sweep (test_crash_sweep.py): 50 squares, their
// total, and a task writing the total to total.txt in the working directory.
#include <jug/jug.hpp>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

const jug::TaskGenerator square("square", [](std::int64_t x) { return x * x; });

const jug::TaskGenerator total("total", [](const std::vector<std::int64_t>& squares) {
  std::int64_t sum = 0;
  for (std::int64_t s : squares) sum += s;
  return sum;
});

// Checks that the file was written, as a careful user's task does: a full
// disk must fail the task (and so have it run again), not leave it empty.
const jug::TaskGenerator write_total("write_total", [](std::int64_t sum) {
  std::ofstream out("total.txt");
  out << sum << '\n';
  out.close();
  if (!out) throw std::runtime_error("cannot write total.txt");
  return std::string("total.txt");
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::Task<std::int64_t>> squares;
    for (std::int64_t i = 0; i < 50; ++i) squares.push_back(square(i));
    write_total(total(squares));
  });
}
