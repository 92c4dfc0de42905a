#pragma once
/// Names of the file store's temporary files that say who writes them:
/// `<what>.<pid>.<process start>.<machine>.<random>`. A writer killed
/// between creating such a file and renaming or removing it leaves it
/// behind; whoever meets it later tells from the name alone whether its
/// writer is gone (the same judgement as a lease's, lease_judge.hpp), and
/// removes it if so.

#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace jug {

/// A new, unique name for a temporary file about `what` (a task's hash,
/// "clock", ...) written by this process.
std::string temp_file_name(std::string_view what);

/// The writer a temp_file_name() names, as a lease owner: one on this
/// machine can be checked for being alive; one elsewhere (or a name of an
/// older format, without a writer) has an owner that can only expire.
LeaseOwner writer_of_temp_file(std::string_view name);

/// Whether temp_file_name() `name` was made by `owner` (its pid, start and
/// machine), on this machine or another.
bool written_by(std::string_view name, const LeaseOwner& owner);

}  // namespace jug
