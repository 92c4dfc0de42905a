/// The file store at the scale of a real project: 100,000 results.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "store/file_store.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

TEST(FileStoreScale, ListsOneHundredThousandResults) {
  constexpr int kResults = 100'000;
  TempDirectory scratch;
  FileStore store(scratch.path() + "/jugdir");
  auto hashes = tasks(kResults);
  for (const auto& hash : hashes) store.put(hash, "r");

  const auto start = std::chrono::steady_clock::now();
  auto listed = store.list();
  const auto took = std::chrono::steady_clock::now() - start;
  const auto ms = std::chrono::duration<double, std::milli>(took).count();
  std::cout << "list() of " << kResults << " results took " << ms << " ms\n";
  RecordProperty("list_ms", std::to_string(ms));

  std::sort(hashes.begin(), hashes.end());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, hashes);
}

}  // namespace
}  // namespace jug::store_test
