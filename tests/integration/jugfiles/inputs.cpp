// For `jug show` and `jug why`: tasks whose inputs a test changes between
// runs, one of each kind: an input file, a plain value, a code version.
//   read_data(input_file("data.txt")) -> scale(data, factor) -> total
// The factor is JUG_TEST_FACTOR (default 2), scale's code version
// JUG_TEST_SCALE_VERSION (default 0).
#include <jug/jug.hpp>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {
std::uint64_t scale_version() {
  const char* text = std::getenv("JUG_TEST_SCALE_VERSION");
  return text != nullptr ? std::stoull(text) : 0;
}
}  // namespace

const jug::TaskGenerator read_data("read_data", [](const std::string& path) {
  std::ifstream in(path);
  std::vector<double> values;
  for (double x; in >> x;) values.push_back(x);
  return values;
});

const jug::TaskGenerator scale(
    "scale",
    [](const std::vector<double>& values, double factor) {
      std::vector<double> out;
      for (double x : values) out.push_back(x * factor);
      return out;
    },
    {.version = scale_version()});

const jug::TaskGenerator total("total", [](const std::vector<double>& values) {
  double sum = 0;
  for (double x : values) sum += x;
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const char* factor = std::getenv("JUG_TEST_FACTOR");
    total(scale(read_data(jug::input_file("data.txt")), factor ? std::stod(factor) : 2.0));
  });
}
