#pragma once
/// The store's clock, as leases of other machines are judged by it, asked
/// of the store at most once a minute: on a network filesystem, asking costs
/// a file created and removed on the server, and a waiting worker judges
/// leases many times a second. In between, this host's clock plus the offset
/// last seen; clocks drift by far less than a lease time in a minute.

#include <chrono>
#include <mutex>
#include <optional>

#include "store/store.hpp"

namespace jug {

class StoreClock {
 public:
  explicit StoreClock(Store& store) : store_(store) {}

  /// Thread-safe.
  std::chrono::system_clock::time_point now();

 private:
  static constexpr std::chrono::minutes kRemeasureInterval{1};

  Store& store_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> measured_;
  std::chrono::system_clock::duration offset_{};
};

}  // namespace jug
