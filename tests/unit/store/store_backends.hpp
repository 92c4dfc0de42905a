#pragma once
/// Every store backend, for tests that must hold on each (the conformance
/// suite, the scheduler's lease and recovery tests): the memory store, the
/// file store on disk and on a file system in memory, and Redis (on a
/// redis-server the tests start themselves).

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.hpp"

namespace jug::store_test {

struct StoreBackend {
  std::string name;
  /// Opens a fresh, empty store; file-based ones put it under `scratch`.
  std::function<std::unique_ptr<Store>(const std::string& scratch)> open;
};

std::vector<StoreBackend> every_store_backend();

/// The backend's name, for parameterized tests' names.
inline std::string backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

/// Names the backend in test output (instead of a dump of its bytes).
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

}  // namespace jug::store_test
