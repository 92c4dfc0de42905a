// jug's README example: which numbers in 2..100 are prime, one task each.
// Each task sleeps a second so that running several workers visibly helps.
#include <jug/jug.hpp>

#include <chrono>
#include <thread>

const jug::TaskGenerator is_prime("is_prime", [](int n) {
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int j = 2; j * j <= n; ++j) {
    if (n % j == 0) return false;
  }
  return true;
});

const jug::TaskGenerator count_primes("count_primes", [](const std::vector<bool>& flags) {
  int count = 0;
  for (bool f : flags) count += f;
  return count;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::Task<bool>> primes;
    for (int n = 2; n <= 100; ++n) primes.push_back(is_prime(n));
    count_primes(primes);
  });
}
