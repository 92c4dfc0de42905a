#pragma once
/// `jug pack`: gathers the store's small results into few files (Python
/// jug's pack, for our segments: FileStore::pack, docs/store-layout.md).

#include "cli/command_line.hpp"
#include "store/store.hpp"

namespace jug::cli {

/// Packs the store and says what it did; the exit status. Needs no graph:
/// what is packed is every live result, whichever jugfile made it.
int run_pack(const CommandLine& cl, Store& store);

}  // namespace jug::cli
