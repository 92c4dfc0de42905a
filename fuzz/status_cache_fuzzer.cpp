// Fuzz target `status_cache`: the file `jug status --cache` keeps between
// runs (src/commands/status_cache_file.hpp), in the user's directory, where
// anything may have changed it.
//
// Feeds: the first byte is options; the rest is the file's bytes. With
// kReseal, its last 8 bytes are replaced by the checksum of the others, so
// that what follows the checksum is reached.
//
// Findings: a crash, a sanitizer's report, a hang, an allocation beyond
// libFuzzer's limit (a count of tasks the file claims, trusted before its
// bits are found there); and a file read that does not read back: encoded
// again, what was decoded must give the same bytes, with a bit per task.

#include <string>
#include <vector>

#include "commands/status_cache_file.hpp"
#include "fuzz/fuzz_target.hpp"

namespace jug::fuzz {
namespace {

constexpr std::uint8_t kReseal = 1;

StatusCacheKey key_of(std::size_t tasks) {
  StatusCacheKey key{"file store at /home/u/jugfile.jugdata", "token 1", {}, tasks};
  for (std::size_t i = 0; i < key.graph_digest.size(); ++i) {
    key.graph_digest[i] = static_cast<unsigned char>(i * 37);
  }
  return key;
}

std::vector<bool> every_third_finished(std::size_t tasks) {
  std::vector<bool> finished(tasks);
  for (std::size_t i = 0; i < tasks; i += 3) finished[i] = true;
  return finished;
}

}  // namespace

std::vector<Seed> seeds() {
  std::vector<Seed> out;
  for (std::size_t tasks : {0, 1, 8, 13, 200}) {
    out.push_back({"tasks-" + std::to_string(tasks),
                   std::string(1, '\0') +
                       encode_status_cache(key_of(tasks), every_third_finished(tasks))});
  }
  return out;
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jug::fuzz::expect;
  jug::fuzz::FuzzInput input(data, size);
  const std::uint8_t options = input.byte();
  std::string bytes(input.rest());
  if ((options & jug::fuzz::kReseal) != 0 && bytes.size() >= 8) {
    const std::uint64_t checksum =
        jug::status_cache_checksum(std::string_view(bytes).substr(0, bytes.size() - 8));
    for (int i = 0; i < 8; ++i) {
      bytes[bytes.size() - 8 + i] = static_cast<char>(checksum >> (8 * i));
    }
  }
  const std::optional<jug::StatusCacheFile> file = jug::decode_status_cache(bytes);
  if (!file) return 0;
  expect(file->finished.size() == file->key.tasks, "not a bit per task");
  expect(jug::encode_status_cache(file->key, file->finished) == bytes,
         "a cache file decoded does not encode to the same bytes");
  return 0;
}
