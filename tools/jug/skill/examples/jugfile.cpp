// A small pipeline: load each input, clean it, summarize all of them, and
// write a report. Run it: jug execute & jug execute; then jug status.
#include <jug/jug.hpp>

#include <fstream>
#include <numeric>
#include <string>
#include <vector>

const jug::TaskGenerator load("load", [](int i) {
  std::vector<double> values(1000);
  std::iota(values.begin(), values.end(), i);
  return values;
});

const jug::TaskGenerator clean("clean", [](const std::vector<double>& values) {
  std::vector<double> kept;
  for (double v : values) {
    if (static_cast<long>(v) % 7 != 0) kept.push_back(v);
  }
  return kept;
});

const jug::TaskGenerator mean("mean", [](const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / values.size();
});

const jug::TaskGenerator report("report", [](const std::string& path,
                                             const std::vector<double>& means) {
  std::ofstream out(path);
  for (double m : means) out << m << '\n';
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::Task<double>> means;
    for (int i = 0; i < 20; ++i) means.push_back(mean(clean(load(i))));
    report("report.txt", means);
  });
}
