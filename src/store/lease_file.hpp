#pragma once
/// What a lease holds: who took it, as lines `key=value` after a header, in
/// a lock file of the file store (docs/store-layout.md) or a value of the
/// Redis store (docs/redis.md). Unknown keys are skipped, so a later
/// version may add some.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace jug {

/// The lease of `owner` as the Redis store keeps it. Its breakers compare
/// a lease's value with this text made from the owner they read: a change
/// of its layout would leave the leases of an older jug unbreakable.
std::string lease_content(const LeaseOwner& owner);
/// The same lines, ordered for a lock file, whose data a power cut may cut
/// short: read whole, or as naming no one (see lease_file.cpp). The file
/// store reads owners, never compares texts, so the order may differ.
std::string lock_file_content(const LeaseOwner& owner);

/// The owner a lock file names, or nullopt when it is incomplete (being
/// written) or not a lease at all.
std::optional<LeaseOwner> parse_lease(std::string_view content);

/// The lone worker's lease (`locks/lone-worker.lock`, docs/store-layout.md):
/// the lines of lock_file_content(owner), then a line `task=<hex>` for each
/// task it runs now, then padding to at least `at_least` bytes, so that the
/// file, rewritten in place, never needs cutting short (parse_lease skips
/// these lines).
std::string lone_lease_content(const LeaseOwner& owner, std::span<const TaskHash> tasks,
                               std::size_t at_least);
/// The tasks a lone worker's lease names.
std::vector<TaskHash> lone_lease_tasks(std::string_view content);

}  // namespace jug
