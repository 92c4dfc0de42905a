#pragma once
/// What a lock file of the file store holds: who took the lease, as lines
/// `key=value` after a header (docs/store-layout.md). Unknown keys are
/// skipped, so a later version may add some.

#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace jug {

std::string lease_content(const LeaseOwner& owner);

/// The owner a lock file names, or nullopt when it is incomplete (being
/// written) or not a lease at all.
std::optional<LeaseOwner> parse_lease(std::string_view content);

}  // namespace jug
