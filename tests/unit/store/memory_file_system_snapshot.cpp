// MemoryFileSystem's state as bytes, and back: what a forked child that ran
// the store on it hands its parent (see memory_file_system.hpp). The bytes
// are the codec's (jug/codec.hpp) of the state put in standard types. Both
// ends are one binary, so no version is kept; open files are not carried,
// as copy() carries none.

#include <cstdint>
#include <tuple>

#include "jug/codec.hpp"
#include "unit/store/memory_file_system.hpp"

namespace jug::store_test {
namespace {

/// Directory or not, data, synced data, modification time (ns since the
/// epoch).
using InodeBytes = std::tuple<bool, std::string, std::string, std::int64_t>;
/// Kind, path, new path (of a rename), inode (of an addition).
using NameChangeBytes = std::tuple<std::uint8_t, std::string, std::string, std::uint64_t>;
/// Next inode number, inodes, names, synced names, unsynced name changes.
using StateBytes =
    std::tuple<std::uint64_t, std::map<std::uint64_t, InodeBytes>,
               std::map<std::string, std::uint64_t>, std::map<std::string, std::uint64_t>,
               std::vector<NameChangeBytes>>;

std::int64_t nanoseconds_of(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

std::chrono::system_clock::time_point time_of(std::int64_t nanoseconds) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(nanoseconds)));
}

}  // namespace

std::string MemoryFileSystem::serialize() const {
  const std::lock_guard lock(mutex_);
  StateBytes bytes;
  auto& [next_inode, inodes, names, synced_names, unsynced] = bytes;
  next_inode = state_.next_inode;
  for (const auto& [number, inode] : state_.inodes) {
    inodes.emplace(number, InodeBytes{inode.directory, inode.data, inode.synced_data,
                                      nanoseconds_of(inode.modified)});
  }
  names.insert(state_.names.begin(), state_.names.end());
  synced_names.insert(state_.synced_names.begin(), state_.synced_names.end());
  for (const NameChange& change : state_.unsynced) {
    unsynced.emplace_back(static_cast<std::uint8_t>(change.kind), change.path, change.to,
                          change.inode);
  }
  return jug::encode(bytes);
}

std::shared_ptr<MemoryFileSystem> MemoryFileSystem::deserialize(std::string_view serialized) {
  const auto [next_inode, inodes, names, synced_names, unsynced] =
      jug::decode<StateBytes>(serialized);
  auto fs = std::make_shared<MemoryFileSystem>();
  State& state = fs->state_;
  state.next_inode = next_inode;
  state.inodes.clear();
  for (const auto& [number, inode] : inodes) {
    const auto& [directory, data, synced_data, modified] = inode;
    state.inodes.emplace(number, Inode{number, directory, data, synced_data, time_of(modified)});
  }
  state.names = {names.begin(), names.end()};
  state.synced_names = {synced_names.begin(), synced_names.end()};
  for (const auto& [kind, path, to, inode] : unsynced) {
    state.unsynced.push_back({static_cast<NameChange::Kind>(kind), path, to, inode});
  }
  return fs;
}

}  // namespace jug::store_test
