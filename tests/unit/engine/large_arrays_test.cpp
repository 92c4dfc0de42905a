// The graph's and the store's big arrays and indexes: MappedVector (grows
// in place), ChunkedArray (never moves an element), HashIndex (hash bits in
// its slots), HashPositions (lookups in list order first).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/hash_index.hpp"
#include "engine/hash_positions.hpp"
#include "engine/chunked_array.hpp"
#include "engine/mapped_vector.hpp"

namespace {

jug::TaskHash hash_of(std::size_t i) { return jug::TaskHash::of("task " + std::to_string(i)); }

std::vector<jug::TaskHash> hashes_of(std::size_t count) {
  std::vector<jug::TaskHash> hashes;
  for (std::size_t i = 0; i < count; ++i) hashes.push_back(hash_of(i));
  return hashes;
}

TEST(MappedVector, KeepsEveryValueAsItGrowsPastTheHeapIntoMappings) {
  // 600,000 eight-byte values: from malloc, across kLargeAllocation, and
  // through several mremaps.
  jug::MappedVector<std::uint64_t> values;
  for (std::uint64_t i = 0; i < 600'000; ++i) values.push_back(i * 7);
  ASSERT_EQ(values.size(), 600'000u);
  for (std::uint64_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], i * 7) << i;
  values.pop_back();
  EXPECT_EQ(values.back(), 599'998u * 7);
}

TEST(MappedVector, PushesBackAValueItHoldsWhileGrowing) {
  jug::MappedVector<std::uint64_t> values;
  values.push_back(41);
  while (values.size() < values.capacity()) values.push_back(1);
  values.push_back(values[0]);  // a reference into what is about to move
  EXPECT_EQ(values.back(), 41u);
}

TEST(MappedVector, CopiesMovesAndAssigns) {
  jug::MappedVector<std::uint32_t> a;
  a.assign(300'000, 5);
  jug::MappedVector<std::uint32_t> b = a;
  b[0] = 6;
  EXPECT_EQ(a[0], 5u);
  EXPECT_EQ(b.size(), 300'000u);
  jug::MappedVector<std::uint32_t> c = std::move(b);
  EXPECT_EQ(c[0], 6u);
  EXPECT_EQ(c[299'999], 5u);
  EXPECT_TRUE(b.empty());
  a = std::move(c);
  EXPECT_EQ(a[0], 6u);
}

TEST(ChunkedArray, NeverMovesAnElementAndDestroysEach) {
  jug::ChunkedArray<std::shared_ptr<int>> array;
  std::vector<const std::shared_ptr<int>*> addresses;
  const auto counted = std::make_shared<int>(3);
  for (int i = 0; i < 100'000; ++i) {
    addresses.push_back(&array.emplace_back(counted));
  }
  ASSERT_EQ(array.size(), 100'000u);
  for (std::size_t i = 0; i < array.size(); ++i) ASSERT_EQ(&array[i], addresses[i]) << i;
  EXPECT_EQ(counted.use_count(), 100'001);
  array.pop_back();
  EXPECT_EQ(counted.use_count(), 100'000);
  { const jug::ChunkedArray<std::shared_ptr<int>> moved(std::move(array)); }
  EXPECT_EQ(counted.use_count(), 1);
}

TEST(HashIndex, FindsEveryHashInsertedAndNoOther) {
  const std::vector<jug::TaskHash> hashes = hashes_of(50'000);
  jug::HashIndex index;
  for (std::uint32_t i = 0; i < hashes.size(); ++i) {
    ASSERT_FALSE(index.insert(i, hashes).has_value()) << i;
  }
  for (std::uint32_t i = 0; i < hashes.size(); ++i) ASSERT_EQ(index.find(hashes[i], hashes), i);
  EXPECT_FALSE(index.find(hash_of(50'000), hashes).has_value());
}

TEST(HashIndex, InsertingAHashAgainGivesItsFirstPosition) {
  std::vector<jug::TaskHash> hashes = hashes_of(10);
  hashes.push_back(hashes[3]);
  const jug::HashIndex index = jug::HashIndex::of(hashes);
  EXPECT_EQ(index.find(hashes[3], hashes), 3u);
  jug::HashIndex growing;
  for (std::uint32_t i = 0; i < 10; ++i) growing.insert(i, hashes);
  EXPECT_EQ(growing.insert(10, hashes), 3u);
}

TEST(HashIndex, TellsApartHashesThatShareTheBitsItKeeps) {
  // Equal in the bytes that choose the slot and in those kept in it: only
  // the hashes themselves tell them apart.
  std::vector<jug::TaskHash> hashes = hashes_of(3000);
  for (std::size_t i = 1; i < hashes.size(); ++i) {
    std::memcpy(hashes[i].bytes.data(), hashes[0].bytes.data(), 12);
  }
  const jug::HashIndex index = jug::HashIndex::of(hashes);
  for (std::uint32_t i = 0; i < hashes.size(); ++i) ASSERT_EQ(index.find(hashes[i], hashes), i);
  jug::TaskHash other = hash_of(5000);
  std::memcpy(other.bytes.data(), hashes[0].bytes.data(), 12);
  EXPECT_FALSE(index.find(other, hashes).has_value());
}

TEST(HashPositions, FindsHashesInAnyOrderAndNotOthers) {
  const std::vector<jug::TaskHash> hashes = hashes_of(5000);
  const jug::HashPositions positions(hashes);
  jug::HashPositions::Cursor cursor;
  // In order, with gaps (one worker of several), then backwards: passes
  // over the list, then the index.
  for (std::uint32_t i = 0; i < hashes.size(); i += 3) {
    ASSERT_EQ(positions.find(hashes[i], cursor), i);
  }
  for (std::uint32_t i = hashes.size(); i-- > 0;) ASSERT_EQ(positions.find(hashes[i], cursor), i);
  EXPECT_FALSE(positions.find(hash_of(9999), cursor).has_value());
  EXPECT_EQ(positions.find(hashes[17]), 17u);
  EXPECT_FALSE(positions.find(hash_of(9999)).has_value());
}

TEST(HashPositions, OfNoHashesFindsNone) {
  const jug::HashPositions none({});
  jug::HashPositions::Cursor cursor;
  EXPECT_FALSE(none.find(hash_of(1), cursor).has_value());
  EXPECT_FALSE(none.find(hash_of(1)).has_value());
}

}  // namespace
