// Fuzz target `failures`: the file store's records of a task's troubles
// (src/store/file_store_failures.cpp): `failed/<hash>`, the message of a
// failure; `crashes/<hash>`, a line per worker that died running the task;
// `locks/<hash>.lock.died`, a dead worker's last words. Written by another
// jug version, or damaged, they are read by status, execute and cleanup.
//
// Feeds: the first byte is options, the second and third lengths (below);
// then the description of a crash to record, the name of the files when
// the input gives it (else the task's hash), and their content. The files
// are put on a MemoryFileSystem under a store at /s, which then lists and
// reads them, records a crash on top, takes the last words and clears them.
//
// Findings: any exception but StoreError; a crash, a sanitizer's report, a
// hang; and reads that disagree: a failure listed with another message
// than failure() reads, a crash recorded that crashes() does not return.

#include <algorithm>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "jug/errors.hpp"
#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "unit/store/memory_file_system.hpp"

namespace jug::fuzz {
namespace {

/// Which files hold the content.
constexpr std::uint8_t kFailed = 1;
constexpr std::uint8_t kCrashes = 2;
constexpr std::uint8_t kLastWords = 4;
/// The files' name comes from the input, not from the task's hash: the
/// store's listings parse names too.
constexpr std::uint8_t kNameFromInput = 8;

const std::string kRoot = "/s";

const TaskHash& fixed_task() {
  static const TaskHash hash = TaskHash::of("fuzz: a failed task");
  return hash;
}

/// A file name made of `bytes`: no '/' or NUL, neither "." nor "..".
std::string file_name_of(std::string_view bytes) {
  std::string name(bytes);
  std::replace(name.begin(), name.end(), '/', '_');
  std::replace(name.begin(), name.end(), '\0', '_');
  if (name.empty() || name == "." || name == "..") name += "_";
  return name;
}

void put_file(store_test::MemoryFileSystem& fs, const std::string& path, std::string_view content) {
  FileHandle file;
  expect(fs.create_exclusive(path, &file) == 0, "MemoryFileSystem::create_exclusive failed");
  while (!content.empty()) {
    std::size_t written = 0;
    expect(fs.write(file, content, &written) == 0 && written > 0, "MemoryFileSystem::write failed");
    content.remove_prefix(written);
  }
  fs.close(file);
}

void read_troubles(FileStore& store, const TaskHash& task, std::string_view what) {
  (void)store.failure(task);
  for (const FailureInfo& listed : store.list_failures()) {
    expect(store.failure(listed.hash) == listed.message,
           "list_failures() gives another message than failure() reads");
  }
  (void)store.crashes(task);
  (void)store.list_crashed();
  const std::vector<std::string> recorded = store.record_crash(task, what);
  expect(!recorded.empty() && store.crashes(task) == recorded,
         "crashes() after record_crash() is not what record_crash() returned");
  const std::vector<TaskHash> crashed = store.list_crashed();
  expect(std::find(crashed.begin(), crashed.end(), task) != crashed.end(),
         "a task whose crash was recorded is not listed as crashed");
  (void)store.take_last_words(LeaseInfo{task, LeaseOwner{}, {}});
  (void)store.clear_failure(task);
  (void)store.clear_crashes(task);
}

}  // namespace

std::vector<Seed> seeds() {
  const auto seed = [](std::string name, std::uint8_t options, std::string_view what,
                       std::string_view file_name, std::string_view content) {
    std::string bytes = {static_cast<char>(options), static_cast<char>(what.size()),
                         static_cast<char>(file_name.size())};
    bytes.append(what).append(file_name).append(content);
    return Seed{std::move(name), std::move(bytes)};
  };
  const std::string hex = fixed_task().hex();
  return {
      seed("failure", kFailed, "killed by signal 9", {},
           "std::runtime_error: cannot open features.csv\n  at line 3"),
      seed("crashes", kCrashes, "timed out", {},
           "worker on node7 (pid 4242) died: signal 11\nworker on node8 (pid 17) died\n"),
      seed("crashes-without-last-newline", kCrashes | kFailed, "again", {}, "one\ntwo"),
      seed("last-words", kLastWords, "", {}, "Segmentation fault in features()\n\n"),
      seed("named-python-hash", kFailed | kCrashes | kNameFromInput, "x",
           "0123456789abcdef0123456789abcdef01234567", "a message"),
      seed("named-other", kFailed | kCrashes | kNameFromInput, "x", hex.substr(0, 63) + "G",
           "\n\n\r\n"),
  };
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jug;
  using namespace jug::fuzz;
  FuzzInput input(data, size);
  const std::uint8_t options = input.byte();
  const std::uint8_t what_size = input.byte();
  const std::uint8_t name_size = input.byte();
  const std::string_view what = input.take(what_size);
  const std::string_view name_bytes = input.take(name_size);
  const std::string_view content = input.rest();

  const std::string name =
      (options & kNameFromInput) != 0 ? file_name_of(name_bytes) : fixed_task().hex();
  const TaskHash task = hash_of_name(name).value_or(fixed_task());
  const auto fs = std::make_shared<store_test::MemoryFileSystem>();
  for (const char* directory : {"", "/failed", "/crashes", "/locks"}) {
    expect(fs->make_directory(kRoot + directory) == 0, "MemoryFileSystem::make_directory failed");
  }
  put_file(*fs, kRoot + "/jugdata-format", FileStore::kSegmentsFormatLine);
  if ((options & kFailed) != 0) put_file(*fs, kRoot + "/failed/" + name, content);
  if ((options & kCrashes) != 0) put_file(*fs, kRoot + "/crashes/" + name, content);
  if ((options & kLastWords) != 0) {
    put_file(*fs, kRoot + "/locks/" + name + std::string(kLastWordsSuffix), content);
  }
  try {
    FileStore store(kRoot, fs);
    read_troubles(store, task, what);
  } catch (const StoreError&) {
    // The documented failure (none is expected of a file system in memory).
  }
  return 0;
}
