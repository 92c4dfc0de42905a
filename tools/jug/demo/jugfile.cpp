// jug's demo: which numbers in 2..100 are prime, one task each, and how
// many there are, written to output.txt. Each task sleeps a fifth of a
// second, so that several workers visibly share the work:
//
//     jug status                  # 99 tasks ready, 2 waiting
//     jug execute & jug execute   # two workers, one store
//     jug status                  # ...and all finished
//     cat output.txt
//
// Change a line and run `jug execute` again: only what the change touches
// runs again.
#include <jug/jug.hpp>

#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

const jug::TaskGenerator is_prime("is_prime", [](int n) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int j = 2; j * j <= n; ++j) {
    if (n % j == 0) return false;
  }
  return true;
});

const jug::TaskGenerator count_primes("count_primes", [](const std::vector<bool>& flags) {
  int count = 0;
  for (bool prime : flags) count += prime;
  return count;
});

const jug::TaskGenerator write_output("write_output", [](int count) {
  std::ofstream("output.txt") << "Found " << count << " primes <= 100.\n";
  return count;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::Task<bool>> primes;
    for (int n = 2; n <= 100; ++n) primes.push_back(is_prime(n));
    write_output(count_primes(primes));
  });
}
