// A small diamond-shaped pipeline for invalidate, cleanup, failure and
// corruption tests. Every task run appends its name to $JUG_TEST_LOG.
//   load(i) -> clean(i) -> summarize(all cleans) -> report
//   boom: throws when JUG_TEST_FAIL is set; `after_boom` depends on it.
// `-- N` sets the number of inputs (default 4).
#include <jug/jug.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace {
void log_run(const std::string& what) {
  if (const char* path = std::getenv("JUG_TEST_LOG")) std::ofstream(path, std::ios::app) << what << '\n';
}
}  // namespace

const jug::TaskGenerator load("load", [](int i) {
  log_run("load " + std::to_string(i));
  return std::vector<double>(100, i * 1.5);
});

const jug::TaskGenerator clean("clean", [](const std::vector<double>& v) {
  log_run("clean");
  double s = 0;
  for (double x : v) s += x;
  return s;
});

const jug::TaskGenerator summarize("summarize", [](const std::vector<double>& sums) {
  log_run("summarize");
  double s = 0;
  for (double x : sums) s += x;
  return s;
});

const jug::TaskGenerator report("report", [](const std::string& path, double total) {
  log_run("report");
  std::ofstream(path) << "total " << total << '\n';
});

const jug::TaskGenerator boom("boom", [](int x) {
  log_run("boom");
  if (std::getenv("JUG_TEST_FAIL")) throw std::invalid_argument("boom was told to fail");
  return x;
});

const jug::TaskGenerator after_boom("after_boom", [](int x) {
  log_run("after_boom");
  return x + 1;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const int n = jug::arguments().empty() ? 4 : std::stoi(jug::arguments()[0]);
    std::vector<jug::Task<double>> cleaned;
    for (int i = 0; i < n; ++i) cleaned.push_back(clean(load(i)));
    report("report.txt", summarize(cleaned));
    after_boom(boom(7));
  });
}
