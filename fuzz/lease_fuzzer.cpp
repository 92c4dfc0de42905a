// Fuzz target `lease`: what a lease holds (src/store/lease_file.hpp), as a
// breaker reads it from a lock file of the file store or a value of the
// Redis store: written by another jug version, damaged, or cut short by a
// power cut.
//
// Feeds: the whole input, as the content, to parse_lease and to
// lone_lease_tasks (the lone worker's lease, docs/store-layout.md).
//
// Findings: a crash, a sanitizer's report, an exception (parse_lease
// throws none), a hang; and broken promises about an owner it reads: the
// content jug writes for that owner (lock_file_content, lease_content)
// must read back as that owner, and a lock file cut short anywhere must
// name nobody, or the same owner without its batch job (the optional line
// after the required ones). The lone worker's lease jug writes for that
// owner and the tasks read reads back as both, padded or not.

#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "store/lease_file.hpp"

namespace jug::fuzz {
namespace {

void check_written_back(const LeaseOwner& owner) {
  expect(parse_lease(lease_content(owner)) == owner,
         "lease_content of an owner parse_lease read does not read back as that owner");
  const std::string lock_file = lock_file_content(owner);
  expect(parse_lease(lock_file) == owner,
         "lock_file_content of an owner parse_lease read does not read back as that owner");
  LeaseOwner without_job = owner;
  without_job.batch_job.clear();
  for (std::size_t cut = 0; cut < lock_file.size(); ++cut) {
    const std::optional<LeaseOwner> read = parse_lease(std::string_view(lock_file).substr(0, cut));
    expect(!read || *read == without_job,
           "a lock file cut short names an owner, and not the one it was written for");
  }
}

void check_lone_lease(const LeaseOwner& owner, const std::vector<TaskHash>& tasks) {
  for (std::size_t at_least : {std::size_t{0}, std::size_t{4096}}) {
    const std::string lone = lone_lease_content(owner, tasks, at_least);
    expect(lone.size() >= at_least, "a lone worker's lease shorter than asked");
    expect(parse_lease(lone) == owner, "a lone worker's lease does not read back as its owner");
    expect(lone_lease_tasks(lone) == tasks, "a lone worker's lease does not name its tasks");
  }
}

}  // namespace

std::vector<Seed> seeds() {
  LeaseOwner owner{"node7.cluster", 4242, 1700000000123456789, "boot-id:4026531836", {}};
  LeaseOwner in_job = owner;
  in_job.batch_job = "SLURM job 4242";
  const std::string lock_file = lock_file_content(owner);
  const std::vector<TaskHash> running{TaskHash::of("a"), TaskHash::of("b")};
  return {
      {"lock-file", lock_file},
      {"lock-file-in-job", lock_file_content(in_job)},
      {"redis-value", lease_content(in_job)},
      {"cut-short", lock_file.substr(0, lock_file.size() - 3)},
      {"unknown-keys", "jug-lease 1\nhost=h\nfuture=yes\npid=-1\nstart=0\n"},
      {"bad-number", "jug-lease 1\nhost=h\npid=12x\nstart=99999999999999999999\n"},
      {"not-a-lease", "jug-lease 2\nhost=h\n"},
      {"lone-worker", lone_lease_content(owner, running, 400)},
  };
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const std::vector<jug::TaskHash> tasks = jug::lone_lease_tasks(content);
  if (const std::optional<jug::LeaseOwner> owner = jug::parse_lease(content)) {
    jug::fuzz::check_written_back(*owner);
    jug::fuzz::check_lone_lease(*owner, tasks);
  }
  return 0;
}
