/// StoreClock (src/commands/store_clock.hpp): leases of other machines are
/// judged by the store's clock, which is asked for rarely.

#include "commands/store_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "unit/commands/fault_store.hpp"

namespace {

using namespace std::chrono_literals;
using jug_test::FaultStore;
using jug_test::StoreMethod;

TEST(StoreClock, FollowsTheStoresClockNotThisHosts) {
  FaultStore store;
  store.set_clock_offset(1h);  // the file server's clock is an hour ahead
  jug::StoreClock clock(store);
  const auto difference = clock.now() - std::chrono::system_clock::now();
  EXPECT_GT(difference, 59min);
  EXPECT_LT(difference, 61min);
}

TEST(StoreClock, AsksTheStoreOnceForManyReadings) {
  FaultStore store;
  store.set_clock_offset(-30s);
  jug::StoreClock clock(store);
  for (int i = 0; i < 1000; ++i) {
    const auto difference = clock.now() - std::chrono::system_clock::now();
    ASSERT_LT(difference, -29s);
    ASSERT_GT(difference, -31s);
  }
  EXPECT_EQ(store.calls(StoreMethod::kNow), 1u);
}

}  // namespace
