#include "unit/store/store_backends.hpp"

#include "store/file_store.hpp"
#include "store/memory_store.hpp"
#include "store/redis_store.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/redis_server.hpp"

namespace jug::store_test {
namespace {

/// One redis-server for the whole run (started by the first Redis test),
/// each store under a prefix of its own so that none sees another's keys.
std::unique_ptr<Store> open_redis_store() {
  static RedisServer server;
  static int stores = 0;
  return std::make_unique<RedisStore>(server.url("/0?prefix=backend" + std::to_string(++stores)));
}

}  // namespace

std::vector<StoreBackend> every_store_backend() {
  return {
      {"MemoryStore", [](const std::string&) { return std::make_unique<MemoryStore>(); }},
      {"FileStore",
       [](const std::string& scratch) { return std::make_unique<FileStore>(scratch + "/jugdir"); }},
      // A worker alone on the store: its leases in one file, none per task
      // (docs/store-layout.md, "The lone worker").
      {"FileStoreLoneWorker",
       [](const std::string& scratch) {
         return std::make_unique<FileStore>(scratch + "/jugdir", real_file_system(),
                                            FileStore::SmallResults::in_segments,
                                            FileStore::LoneWorker::when_alone);
       }},
      // The file store's logic alone, on a file system in memory.
      {"FileStoreInMemory",
       [](const std::string&) {
         return std::make_unique<FileStore>("/jugdir", std::make_shared<MemoryFileSystem>());
       }},
      // The layout of format 1, a file per result, which stores made before
      // segments keep until packed.
      {"FileStoreOfResultFiles",
       [](const std::string&) {
         return std::make_unique<FileStore>("/jugdir", std::make_shared<MemoryFileSystem>(),
                                            FileStore::SmallResults::in_files);
       }},
      {"RedisStore", [](const std::string&) { return open_redis_store(); }},
  };
}

}  // namespace jug::store_test
