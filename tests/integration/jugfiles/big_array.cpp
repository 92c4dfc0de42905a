// One big array and its reader: `produce` returns `-- COUNT` doubles
// (default 200,000), `random` ones zstd cannot shrink or, with `-- COUNT
// smooth`, ones it can; `consume` sums them and appends "sum <COUNT> <SUM>"
// to $JUG_TEST_LOG. Every run of `produce` appends "produce". With `view`
// among the arguments, `consume_view` reads the array through a view (a
// std::span parameter) instead, and logs first "viewing <where>": "file"
// when the elements lie in a mapped file, "memory" otherwise; then, if
// $JUG_TEST_WAIT_FOR names a file, it waits for that file before reading.
#include <jug/jug.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {
void log_run(const std::string& what) {
  if (const char* path = std::getenv("JUG_TEST_LOG")) std::ofstream(path, std::ios::app) << what << '\n';
}
/// Whether `address` lies in a file mapped into this process.
bool in_mapped_file(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode;
    fields >> range >> perms >> offset >> device >> inode;
    const std::size_t dash = range.find('-');
    if (at >= std::stoull(range.substr(0, dash), nullptr, 16) &&
        at < std::stoull(range.substr(dash + 1), nullptr, 16)) {
      return inode != "0";
    }
  }
  return false;
}

template <class Values>
double sum_and_log(const Values& values) {
  long double sum = 0;
  for (double v : values) sum += v;
  char line[64];
  std::snprintf(line, sizeof line, "sum %zu %.1Lf", values.size(), sum);
  log_run(line);
  return static_cast<double>(sum);
}
}  // namespace

const jug::TaskGenerator produce("produce", [](long count, bool smooth) {
  log_run("produce");
  std::vector<double> values(static_cast<std::size_t>(count));
  std::uint64_t x = 88172645463325252ull;
  for (std::size_t i = 0; i < values.size(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Smooth: small integers, which zstd shrinks; else 53 random bits.
    values[i] = smooth ? static_cast<double>(i % 1000) : static_cast<double>(x >> 11);
  }
  return values;
});

const jug::TaskGenerator consume("consume", [](const std::vector<double>& values) {
  return sum_and_log(values);
});

const jug::TaskGenerator consume_view("consume_view", [](std::span<const double> values) {
  log_run(std::string("viewing ") + (in_mapped_file(values.data()) ? "file" : "memory"));
  if (const char* wait_for = std::getenv("JUG_TEST_WAIT_FOR")) {
    while (!std::filesystem::exists(wait_for)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return sum_and_log(values);
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const long count = args.empty() ? 200'000 : std::stol(args[0]);
    const auto given = [&](const char* word) {
      return std::find(args.begin(), args.end(), word) != args.end();
    };
    const auto array = produce(count, given("smooth"));
    if (given("view")) {
      consume_view(array);
    } else {
      consume(array);
    }
  });
}
