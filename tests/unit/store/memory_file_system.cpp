#include "unit/store/memory_file_system.hpp"

#include <cerrno>
#include <set>

#include "store/directory_watch.hpp"

namespace jug::store_test {
namespace {

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string child_of(const std::string& directory, const std::string& name) {
  return directory == "/" ? "/" + name : directory + "/" + name;
}

/// Whether `path` lies directly in `directory`.
bool directly_in(const std::string& path, const std::string& directory) {
  return path != directory && parent_of(path) == directory;
}

}  // namespace

MemoryFileSystem::MemoryFileSystem() {
  const InodeNumber root = new_inode(true);
  state_.names["/"] = root;
  state_.synced_names["/"] = root;
}

std::shared_ptr<MemoryFileSystem> MemoryFileSystem::copy() const {
  auto other = std::make_shared<MemoryFileSystem>();
  const std::lock_guard lock(mutex_);
  other->state_ = state_;
  return other;
}

// ---- crashes -------------------------------------------------------------------

void MemoryFileSystem::process_crash() {
  const std::lock_guard lock(mutex_);
  files_.clear();
  listings_.clear();
}

void MemoryFileSystem::power_loss(const CrashChoice& choose) {
  const std::lock_guard lock(mutex_);
  files_.clear();
  listings_.clear();
  // Names: the synced ones, then a prefix of the changes since.
  std::map<std::string, InodeNumber> names = state_.synced_names;
  const std::size_t kept = choose(state_.unsynced.size() + 1);
  for (std::size_t i = 0; i < kept; ++i) {
    const NameChange& change = state_.unsynced[i];
    switch (change.kind) {
      case NameChange::Kind::add:
        names[change.path] = change.inode;
        break;
      case NameChange::Kind::rename:
        if (const auto from = names.find(change.path); from != names.end()) {
          const InodeNumber inode = from->second;
          names.erase(from);
          names[change.to] = inode;
        }
        break;
      case NameChange::Kind::remove:
        names.erase(change.path);
        break;
    }
  }
  // Data: of each file still named, its synced data and what survives of
  // the rest. Files no name reaches are gone.
  std::set<InodeNumber> named;
  for (const auto& [path, inode] : names) named.insert(inode);
  std::map<InodeNumber, Inode> inodes;
  for (const InodeNumber number : named) {
    Inode inode = state_.inodes.at(number);
    if (!inode.directory && inode.data != inode.synced_data) {
      const bool appended = inode.data.starts_with(inode.synced_data);
      const std::size_t added = appended ? inode.data.size() - inode.synced_data.size() : 0;
      // whole, lost, zeros of the right size, cut short: the last two only
      // for data added at the end, and only when they differ from "lost".
      const std::size_t options = !appended ? 2 : added >= 2 ? 4 : 3;
      switch (choose(options)) {
        case 0:
          break;
        case 1:
          inode.data = inode.synced_data;
          break;
        case 2:
          inode.data = inode.synced_data + std::string(added, '\0');
          break;
        default:
          inode.data = inode.synced_data + inode.data.substr(inode.synced_data.size(), added / 2);
          break;
      }
      inode.synced_data = inode.data;
    }
    inodes.emplace(number, std::move(inode));
  }
  state_.inodes = std::move(inodes);
  state_.names = names;
  state_.synced_names = std::move(names);
  state_.unsynced.clear();
}

std::size_t MemoryFileSystem::unsynced_name_changes() const {
  const std::lock_guard lock(mutex_);
  return state_.unsynced.size();
}

void MemoryFileSystem::let_time_pass(std::chrono::system_clock::duration elapsed) {
  const std::lock_guard lock(mutex_);
  for (auto& [number, inode] : state_.inodes) inode.modified -= elapsed;
}

std::map<std::string, std::string> MemoryFileSystem::files() const {
  const std::lock_guard lock(mutex_);
  std::map<std::string, std::string> files;
  for (const auto& [path, number] : state_.names) {
    const Inode& inode = state_.inodes.at(number);
    if (!inode.directory) files.emplace(path, inode.data);
  }
  return files;
}

bool MemoryFileSystem::is_directory(const std::string& path) const {
  const std::lock_guard lock(mutex_);
  const auto found = state_.names.find(path);
  return found != state_.names.end() && state_.inodes.at(found->second).directory;
}

// ---- the state ------------------------------------------------------------------

MemoryFileSystem::Inode* MemoryFileSystem::find(const std::string& path) {
  const auto found = state_.names.find(path);
  return found == state_.names.end() ? nullptr : &state_.inodes.at(found->second);
}

Errno MemoryFileSystem::check_new_name(const std::string& path) const {
  const auto parent = state_.names.find(parent_of(path));
  if (parent == state_.names.end()) return ENOENT;
  if (!state_.inodes.at(parent->second).directory) return ENOTDIR;
  return state_.names.contains(path) ? EEXIST : 0;
}

void MemoryFileSystem::add_name(const std::string& path, InodeNumber inode) {
  state_.names[path] = inode;
  state_.unsynced.push_back({NameChange::Kind::add, path, {}, inode});
}

MemoryFileSystem::InodeNumber MemoryFileSystem::new_inode(bool directory) {
  const InodeNumber number = state_.next_inode++;
  Inode& inode = state_.inodes[number];
  inode.number = number;
  inode.directory = directory;
  inode.modified = std::chrono::system_clock::now();
  return number;
}

FileStatus MemoryFileSystem::status_of_inode(const Inode& inode) {
  FileStatus status;
  status.type = inode.directory ? FileType::directory : FileType::regular;
  status.size = inode.data.size();
  status.modified = inode.modified;
  status.identity = FileIdentity{1, inode.number};
  return status;
}

// ---- files ----------------------------------------------------------------------

Errno MemoryFileSystem::open_inode(const std::string& path, bool writable, FileHandle* file) {
  const auto found = state_.names.find(path);
  if (found == state_.names.end()) return ENOENT;
  const int handle = next_file_++;
  files_[handle] = OpenedFile{found->second, writable};
  file->value = handle;
  return 0;
}

Errno MemoryFileSystem::open_for_reading(const std::string& path, FileHandle* file) {
  const std::lock_guard lock(mutex_);
  return open_inode(path, false, file);
}

Errno MemoryFileSystem::open_for_reading_in(DirectoryHandle directory, const char* name,
                                            FileHandle* file) {
  const std::lock_guard lock(mutex_);
  const auto listing = listings_.find(directory.value);
  if (listing == listings_.end()) return EBADF;
  return open_inode(child_of(listing->second.path, name), false, file);
}

Errno MemoryFileSystem::create_exclusive(const std::string& path, FileHandle* file) {
  const std::lock_guard lock(mutex_);
  if (const Errno err = check_new_name(path)) return err;
  add_name(path, new_inode(false));
  return open_inode(path, true, file);
}

Errno MemoryFileSystem::read(FileHandle file, std::span<char> buffer, std::size_t* got) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  const Inode& inode = state_.inodes.at(opened->second.inode);
  if (inode.directory) return EISDIR;
  const std::size_t at = std::min(opened->second.offset, inode.data.size());
  *got = inode.data.copy(buffer.data(), buffer.size(), at);
  opened->second.offset = at + *got;
  return 0;
}

Errno MemoryFileSystem::write(FileHandle file, std::string_view data, std::size_t* written) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end() || !opened->second.writable) return EBADF;
  write_inode(opened->second.inode, opened->second.offset, data);
  opened->second.offset += data.size();
  *written = data.size();
  return 0;
}

Errno MemoryFileSystem::write_at(FileHandle file, std::uint64_t offset, std::string_view data,
                                 std::size_t* written) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end() || !opened->second.writable) return EBADF;
  write_inode(opened->second.inode, static_cast<std::size_t>(offset), data);
  *written = data.size();
  return 0;
}

void MemoryFileSystem::write_inode(InodeNumber number, std::size_t at, std::string_view data) {
  Inode& inode = state_.inodes.at(number);
  if (inode.data.size() < at + data.size()) inode.data.resize(at + data.size());
  inode.data.replace(at, data.size(), data);
  inode.modified = std::chrono::system_clock::now();
}

Errno MemoryFileSystem::seek(FileHandle file, std::uint64_t offset) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  opened->second.offset = static_cast<std::size_t>(offset);
  return 0;
}

namespace {
/// The bytes a CopiedFile shows, a base so that they are made before it.
struct CopiedBytes {
  std::string bytes;
};
class CopiedFile final : private CopiedBytes, public FileMapping {
 public:
  explicit CopiedFile(std::string bytes)
      : CopiedBytes{std::move(bytes)}, FileMapping(CopiedBytes::bytes) {}
};
}  // namespace

Errno MemoryFileSystem::map_read_only(FileHandle file, std::uint64_t size,
                                      std::shared_ptr<const FileMapping>* mapping) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  const Inode& inode = state_.inodes.at(opened->second.inode);
  if (size == 0 || size > inode.data.size()) return EINVAL;
  *mapping = std::make_shared<const CopiedFile>(inode.data.substr(0, size));
  return 0;
}

Errno MemoryFileSystem::status_of(FileHandle file, FileStatus* status) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  *status = status_of_inode(state_.inodes.at(opened->second.inode));
  return 0;
}

Errno MemoryFileSystem::touch(FileHandle file) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  state_.inodes.at(opened->second.inode).modified = std::chrono::system_clock::now();
  return 0;
}

Errno MemoryFileSystem::set_modified(FileHandle file, std::chrono::system_clock::time_point when) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  state_.inodes.at(opened->second.inode).modified = when;
  return 0;
}

Errno MemoryFileSystem::truncate(FileHandle file, std::uint64_t size) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end() || !opened->second.writable) return EBADF;
  Inode& inode = state_.inodes.at(opened->second.inode);
  inode.data.resize(static_cast<std::size_t>(size));
  inode.modified = std::chrono::system_clock::now();
  return 0;
}

Errno MemoryFileSystem::sync_data(FileHandle file) {
  const std::lock_guard lock(mutex_);
  const auto opened = files_.find(file.value);
  if (opened == files_.end()) return EBADF;
  Inode& inode = state_.inodes.at(opened->second.inode);
  inode.synced_data = inode.data;
  return 0;
}

Errno MemoryFileSystem::close(FileHandle file) {
  const std::lock_guard lock(mutex_);
  return files_.erase(file.value) == 1 ? 0 : EBADF;
}

// ---- names ----------------------------------------------------------------------

Errno MemoryFileSystem::status(const std::string& path, FileStatus* status) {
  const std::lock_guard lock(mutex_);
  const Inode* inode = find(path);
  if (inode == nullptr) return ENOENT;
  *status = status_of_inode(*inode);
  return 0;
}

Errno MemoryFileSystem::link_status(const std::string& path, FileStatus* status) {
  return this->status(path, status);  // no symbolic links here
}

Errno MemoryFileSystem::exists(const std::string& path) {
  const std::lock_guard lock(mutex_);
  return find(path) == nullptr ? ENOENT : 0;
}

Errno MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  const std::lock_guard lock(mutex_);
  const auto source = state_.names.find(from);
  if (source == state_.names.end()) return ENOENT;
  // The store renames files only; moving a directory's subtree is not modelled.
  if (state_.inodes.at(source->second).directory) return EINVAL;
  if (const Errno err = check_new_name(to); err != 0 && err != EEXIST) return err;
  if (const Inode* target = find(to); target != nullptr && target->directory) return EISDIR;
  if (from == to) return 0;
  const InodeNumber inode = source->second;
  state_.names.erase(source);
  state_.names[to] = inode;
  state_.unsynced.push_back({NameChange::Kind::rename, from, to, 0});
  return 0;
}

Errno MemoryFileSystem::unlink(const std::string& path) {
  const std::lock_guard lock(mutex_);
  const Inode* inode = find(path);
  if (inode == nullptr) return ENOENT;
  if (inode->directory) return EISDIR;
  state_.names.erase(path);
  state_.unsynced.push_back({NameChange::Kind::remove, path, {}, 0});
  return 0;
}

Errno MemoryFileSystem::link(const std::string& existing, const std::string& new_path) {
  const std::lock_guard lock(mutex_);
  const auto source = state_.names.find(existing);
  if (source == state_.names.end()) return ENOENT;
  if (state_.inodes.at(source->second).directory) return EPERM;
  if (const Errno err = check_new_name(new_path)) return err;
  add_name(new_path, source->second);
  return 0;
}

Errno MemoryFileSystem::make_directory(const std::string& path) {
  const std::lock_guard lock(mutex_);
  if (const Errno err = check_new_name(path)) return err;
  add_name(path, new_inode(true));
  return 0;
}

// ---- listing --------------------------------------------------------------------

Errno MemoryFileSystem::open_listing(const std::string& path, DirectoryHandle* directory) {
  const Inode* inode = find(path);
  if (inode == nullptr) return ENOENT;
  if (!inode->directory) return ENOTDIR;
  Listing listing{path, {{".", FileType::directory}, {"..", FileType::directory}}};
  // Names sort so that a directory's entries follow it: start there.
  for (auto it = state_.names.upper_bound(path); it != state_.names.end(); ++it) {
    if (!it->first.starts_with(path)) break;
    if (!directly_in(it->first, path)) continue;
    const bool is_directory = state_.inodes.at(it->second).directory;
    listing.entries.emplace_back(it->first.substr(it->first.rfind('/') + 1),
                                 is_directory ? FileType::directory : FileType::regular);
  }
  const std::uintptr_t handle = next_listing_++;
  listings_.emplace(handle, std::move(listing));
  directory->value = handle;
  return 0;
}

Errno MemoryFileSystem::open_directory(const std::string& path, DirectoryHandle* directory) {
  const std::lock_guard lock(mutex_);
  return open_listing(path, directory);
}

Errno MemoryFileSystem::open_directory_in(DirectoryHandle parent, const char* name,
                                          DirectoryHandle* directory) {
  const std::lock_guard lock(mutex_);
  const auto listing = listings_.find(parent.value);
  if (listing == listings_.end()) return EBADF;
  return open_listing(child_of(listing->second.path, name), directory);
}

Errno MemoryFileSystem::next_entry(DirectoryHandle directory, DirectoryEntry* entry) {
  const std::lock_guard lock(mutex_);
  const auto found = listings_.find(directory.value);
  if (found == listings_.end()) return EBADF;
  Listing& listing = found->second;
  if (listing.next == listing.entries.size()) {
    entry->name = nullptr;
    return 0;
  }
  const auto& [name, type] = listing.entries[listing.next++];
  entry->name = name.c_str();
  entry->type = type;
  return 0;
}

void MemoryFileSystem::close_directory(DirectoryHandle directory) {
  const std::lock_guard lock(mutex_);
  listings_.erase(directory.value);
}

// ---- durability -------------------------------------------------------------------

Errno MemoryFileSystem::sync_filesystem(DirectoryHandle directory) {
  const std::lock_guard lock(mutex_);
  if (!listings_.contains(directory.value)) return EBADF;
  state_.synced_names = state_.names;
  for (auto& [number, inode] : state_.inodes) inode.synced_data = inode.data;
  state_.unsynced.clear();
  return 0;
}

std::unique_ptr<DirectoryWatch> MemoryFileSystem::watch_directory(const std::string&) {
  return nullptr;
}

// ---- walking every outcome ----------------------------------------------------------

std::size_t EveryOutcome::choose(std::size_t options) {
  if (depth_ == steps_.size()) steps_.push_back({0, options});
  return steps_[depth_++].chosen;
}

bool EveryOutcome::next() {
  depth_ = 0;
  while (!steps_.empty() && steps_.back().chosen + 1 == steps_.back().options) steps_.pop_back();
  if (steps_.empty()) return false;
  ++steps_.back().chosen;
  return true;
}

}  // namespace jug::store_test
