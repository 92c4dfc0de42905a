// A search that zooms in: each round evaluates 9 points of an interval, and
// the best of them decides the next, narrower interval. The next round's
// tasks are made from the previous round's *value*, so the graph cannot be
// known in advance: jug::bvalue stops building the graph until that value
// is computed, and `jug execute` builds it again and carries on.
#include <jug/jug.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using Point = std::pair<double, double>;  // x, cost(x)

constexpr int kRounds = 5;
constexpr int kPointsPerRound = 9;

/// Stands for an expensive simulation or model fit.
const jug::TaskGenerator evaluate("evaluate", [](double x) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return Point{x, (x - 1.2345) * (x - 1.2345) + 1};
});

const jug::TaskGenerator best_of("best_of", [](const std::vector<Point>& points) {
  Point best = points.front();
  for (const Point& p : points) {
    if (p.second < best.second) best = p;
  }
  return best;
});

const jug::TaskGenerator write_result(
    "write_result", [](const std::string& path, const std::vector<Point>& bests) {
      std::ofstream out(path);
      for (std::size_t round = 0; round < bests.size(); ++round) {
        out << "round " << round + 1 << ": best x = " << bests[round].first
            << ", cost = " << bests[round].second << '\n';
      }
      if (!out) throw std::runtime_error("cannot write " + path);
    });

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    double lo = -10, hi = 10;
    std::vector<jug::Task<Point>> bests;
    for (int round = 0; round < kRounds; ++round) {
      std::vector<jug::Task<Point>> points;
      const double step = (hi - lo) / (kPointsPerRound - 1);
      for (int i = 0; i < kPointsPerRound; ++i) points.push_back(evaluate(lo + i * step));
      bests.push_back(best_of(points));
      // Building stops here until this round's best is known.
      const double x = jug::bvalue(bests.back()).first;
      lo = x - step;
      hi = x + step;
    }
    write_result("search.txt", bests);
  });
}
