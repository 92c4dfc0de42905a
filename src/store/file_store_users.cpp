// The file store's users: `users/<hash>` stands for one jugfile that ran
// `jug execute` on the store. The name is the SHA-256 of the jugfile's
// absolute path (so noting it again finds the same file, whichever host or
// process does), the content that path and a newline. Published whole, like
// results: a reader never sees half a path.

#include <algorithm>

#include <fmt/format.h>

#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/posix_files.hpp"

namespace jug {

using namespace posix;

std::string FileStore::user_path(std::string_view jugfile) const {
  return fmt::format("{}/users/{}", root_, TaskHash::of(jugfile).hex());
}

void FileStore::note_user(std::string_view jugfile) {
  const std::string path = user_path(jugfile);
  const std::string content = std::string(jugfile) + '\n';
  try {
    // Every execute notes its jugfile: once noted, a read and no write.
    if (read_file(*fs_, path) == content) return;
    publish(TaskHash::of(jugfile), content, path, Durable::before_rename);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot note in the store that {} uses it", jugfile), e,
                      Access::write, root_);
  }
}

std::vector<std::string> FileStore::list_users() {
  std::vector<std::string> users;
  const std::string directory = root_ + "/users";
  try {
    Directory dir = open_directory(*fs_, directory);
    if (!dir) return users;
    while (const DirectoryEntry* entry = dir.next(directory)) {
      if (!hash_of_name(entry->name)) continue;
      const std::string path = directory + "/" + entry->name;
      const OpenFile file = open_for_reading_in(dir, entry->name);
      if (!file) {
        if (file.error() == ENOENT) continue;  // removed since the directory was read
        throw IoError{file.error(), path};
      }
      std::string jugfile = read_all(file, path);
      // One torn by a power cut before this version synced them names no
      // jugfile: the next execute of its jugfile notes it again.
      if (!jugfile.ends_with('\n')) continue;
      jugfile.pop_back();
      if (TaskHash::of(jugfile).hex() != entry->name) continue;
      users.push_back(std::move(jugfile));
    }
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the jugfiles using {}", root_), e, Access::read,
                      root_);
  }
  std::sort(users.begin(), users.end());
  return users;
}

}  // namespace jug
