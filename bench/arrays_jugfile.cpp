// Benchmark jugfile for numeric arrays (bench/arrays): an N x N matrix of
// doubles made, stored, read back and summed, or the same numbers as a
// std::vector<double>, or the matrix given to a task as a plain argument
// (hashed where the task is made). After `--`: N and the kind:
//
//   bench_arrays_jugfile execute -- 4000 matrix     make (Eigen::MatrixXd), total
//   bench_arrays_jugfile execute -- 4000 vector     make_vector, total_vector
//   bench_arrays_jugfile status -- 4000 argument    the matrix made while the graph is
//                                                   built and given to total_of: prints
//                                                   on stderr how long its hash took, and
//                                                   SHA-256 over the same bytes
#include <jug/jug.hpp>
#include <jug/eigen.hpp>

#include <Eigen/Core>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

namespace {

// A cheap generator whose output zstd cannot shrink, as in big_results_jugfile.cpp.
void fill(double* first, double* last) {
  std::uint64_t x = 88172645463325252ull;
  for (double* v = first; v != last; ++v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *v = static_cast<double>(x >> 11) * 0x1.0p-53;
  }
}

Eigen::MatrixXd matrix(std::int64_t n) {
  Eigen::MatrixXd m(n, n);
  fill(m.data(), m.data() + m.size());
  return m;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const jug::TaskGenerator make("make", [](std::int64_t n) { return matrix(n); });
const jug::TaskGenerator total("total", [](const Eigen::MatrixXd& m) { return m.sum(); });
const jug::TaskGenerator total_of("total_of", [](const Eigen::MatrixXd& m) { return m.sum(); });

const jug::TaskGenerator make_vector("make_vector", [](std::int64_t n) {
  std::vector<double> values(static_cast<std::size_t>(n * n));
  fill(values.data(), values.data() + values.size());
  return values;
});
const jug::TaskGenerator total_vector("total_vector", [](const std::vector<double>& values) {
  return std::reduce(values.begin(), values.end(), 0.0);
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const std::int64_t n = args.empty() ? 4000 : std::stoll(args[0]);
    const std::string kind = args.size() > 1 ? args[1] : "matrix";
    if (kind == "vector") {
      total_vector(make_vector(n));
    } else if (kind == "argument") {
      Eigen::MatrixXd m = matrix(n);
      const double bytes = static_cast<double>(m.size() * sizeof(double));
      const auto sha_start = std::chrono::steady_clock::now();
      jug::TaskHash::of({reinterpret_cast<const char*>(m.data()), static_cast<std::size_t>(bytes)});
      const double sha = seconds_since(sha_start);
      const auto start = std::chrono::steady_clock::now();
      total_of(std::move(m));  // moved in: what is timed is the hash
      const double hashed = seconds_since(start);
      std::fprintf(stderr, "HASHED %.0f %.6f %.6f\n", bytes, hashed, sha);
    } else {
      total(make(n));
    }
  });
}
