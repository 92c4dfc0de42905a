#pragma once
/// Every operation of the file store, and the commands built on them, as the
/// crash and fault tests run them (issue 20): each on a state of its own,
/// with a check of what the store may show when the operation was cut short
/// (a crash, an injected error) and what it must show once it returned.
/// file_store_crash_test.cpp kills it at every call, file_store_fault_test.cpp
/// fails every call in every way; both use the same checks, since "the old
/// state or the new, never anything else" is what both promise.

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_store.hpp"
#include "store/file_system.hpp"

namespace jug::store_test {

/// Where the tests keep the store, on a MemoryFileSystem.
inline const std::string kStoreRoot = "/jugdir";

/// How an operation ended, for its check.
struct Ended {
  /// It returned: what it did is known to be there.
  bool completed = false;
  /// A power cut followed: what was not synced may be lost, and a file's
  /// appended data (a segment's) apart from the order of names.
  bool power_cut = false;
  /// What most checks ask.
  operator bool() const { return completed; }  // NOLINT(google-explicit-constructor)
};

struct StoreOperation {
  std::string name;
  /// Makes the state the operation starts from (synced by the caller),
  /// through the store or, for what no store operation makes (files a
  /// killed writer left), the file system under it.
  std::function<void(FileStore&, FileSystem&)> prepare;
  /// The operation; idempotent, so that it can be run again after a fault.
  std::function<void(FileStore&)> run;
  /// Checks the store as the next worker finds it. `completed`: the
  /// operation returned (and what it did is known to be there); otherwise
  /// it may have done all of it, part of it as its contract allows, or none.
  std::function<void(FileStore&, Ended ended)> check;
  /// Every error the operation reports says one of these (the tasks it is
  /// about, or the store).
  std::vector<std::string> error_names;
};

std::vector<StoreOperation> file_store_operations();

/// How gtest names an operation in its messages.
inline void PrintTo(const StoreOperation& op, std::ostream* out) { *out << op.name; }

/// Whatever happened before, the store goes on: it takes and gives back a
/// new result.
void check_usable(FileStore& store);

/// A test's name made of `name`'s letters and digits.
std::string test_name_of(std::string_view name);

}  // namespace jug::store_test
