#include "unit/store/file_store_operations.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <memory>

#include "codec/record.hpp"
#include "commands/cleanup.hpp"
#include "commands/execute.hpp"
#include "commands/invalidate.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "jug/task_generator.hpp"
#include "store/lease_file.hpp"
#include "unit/dead_process.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

/// A result record as the engine writes it: a torn one fails its checksum.
std::string record_of(const TaskHash& hash, std::string_view value) {
  std::string buffer = record::begin();
  buffer += value;
  record::finish(buffer, hash, "std::string");
  return buffer;
}

/// What a reader gets of task `hash`'s stored record: its value, nothing,
/// or "<corrupt>" when the record fails its checks (never handed to a task).
std::optional<std::string> value_read(FileStore& store, const TaskHash& hash) {
  const std::optional<std::string> stored = store.get(hash);
  if (!stored) return std::nullopt;
  try {
    std::string scratch;
    return std::string(record::open(*stored, hash, "std::string", scratch));
  } catch (const CorruptRecord&) {
    return "<corrupt>";
  }
}

std::string shown(const std::optional<std::string>& value) { return value ? *value : "nothing"; }

// ---- big results ---------------------------------------------------------------

/// While it lives, records above 4 KB take the paths of big ones: written
/// as they are encoded, read in pieces.
struct SmallBigRecords {
  SmallBigRecords() { record::set_big_record_size(4096); }
  ~SmallBigRecords() { record::set_big_record_size(0); }
  SmallBigRecords(const SmallBigRecords&) = delete;
  SmallBigRecords& operator=(const SmallBigRecords&) = delete;
};

/// A value of 20,000 bytes that do not compress, named by `seed`.
std::string big_value(char seed) {
  std::string value(20'000, '\0');
  std::uint32_t x = static_cast<unsigned char>(seed) * 2654435761u + 1;
  for (char& c : value) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return value;
}

/// Stores big_value(seed) as the result of `hash`, written as it is encoded.
void put_big(FileStore& store, const TaskHash& hash, char seed) {
  const SmallBigRecords big;
  const std::string value = big_value(seed);
  const RecordBytes record = record::make(
      hash, "std::string", [&value](OutputArchive& ar) { ar(value); });
  ASSERT_FALSE(record.whole()) << "not written as a big record";
  store.put(hash, record);
}

/// What a reader gets of a big result, read in pieces: "big <seed>" for
/// big_value(seed), nothing, or "<corrupt>" when the record fails its checks.
std::optional<std::string> big_value_read(FileStore& store, const TaskHash& hash) {
  const SmallBigRecords big;
  const std::unique_ptr<RecordSource> source = store.open_record(hash);
  if (!source) return std::nullopt;
  std::string value;
  try {
    record::read(*source, hash, "std::string",
                 [&value](InputArchive& ar) { value = decode_from<std::string>(ar); });
  } catch (const CorruptRecord&) {
    return "<corrupt>";
  }
  for (const char seed : {'a', 'b'}) {
    if (value == big_value(seed)) return std::string("big ") + seed;
  }
  return "a value never stored";
}

const LeaseOwner kOther{"node7", 4242, 1, "another-machine/1"};

// ---- a small jugfile, for the commands --------------------------------------

const TaskGenerator crash_square("crashop_square", [](int x) { return x * x; });
const TaskGenerator crash_total("crashop_total", [](const std::vector<int>& xs) {
  int total = 0;
  for (int x : xs) total += x;
  return total;
});

/// Four squares and their total.
Graph jugfile_graph(Store& store) {
  return build_graph(
      [] {
        std::vector<Task<int>> squares;
        for (int i = 0; i < 4; ++i) squares.push_back(crash_square(i));
        (void)crash_total(squares);
      },
      store);
}

/// The stored records of every task of the jugfile, once it ran.
using Records = std::map<TaskHash, std::string>;

void run_jugfile(FileStore& store, Records& records) {
  const Graph graph = jugfile_graph(store);
  ExecuteObserver quiet;
  ASSERT_TRUE(execute(graph, store, ExecuteOptions{}, quiet).complete());
  records.clear();
  for (const TaskHash& hash : graph.hashes()) records[hash] = *store.get(hash);
}

// ---- the operations -----------------------------------------------------------

std::vector<StoreOperation> result_operations() {
  const TaskHash t = task(1);
  const std::string old_record = record_of(t, "old"), new_record = record_of(t, "new");
  return {
      {"put over an old result", [=](FileStore& s, FileSystem&) { s.put(t, old_record); },
       [=](FileStore& s) { s.put(t, new_record); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> v = value_read(s, t);
         if (completed) {
           EXPECT_EQ(v, "new");
         } else {
           // The old record was synced: it is never lost for nothing.
           EXPECT_TRUE(v == "old" || v == "new" || v == "<corrupt>") << shown(v);
         }
       },
       {t.hex()}},
      {"put in a fresh store", [](FileStore&, FileSystem&) {},
       [=](FileStore& s) { s.put(t, new_record); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> v = value_read(s, t);
         if (completed) {
           EXPECT_EQ(v, "new");
         } else {
           EXPECT_TRUE(!v || v == "new" || v == "<corrupt>") << shown(v);
         }
       },
       {t.hex()}},
      {"put a big result over an old one", [=](FileStore& s, FileSystem&) { put_big(s, t, 'a'); },
       [=](FileStore& s) { put_big(s, t, 'b'); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> v = big_value_read(s, t);
         if (completed) {
           EXPECT_EQ(v, "big b");
         } else {
           EXPECT_TRUE(v == "big a" || v == "big b" || v == "<corrupt>") << shown(v);
         }
       },
       {t.hex()}},
      {"remove", [=](FileStore& s, FileSystem&) { s.put(t, old_record); },
       [=](FileStore& s) { s.remove(t); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> v = value_read(s, t);
         if (completed) {
           EXPECT_EQ(v, std::nullopt);
         } else {
           EXPECT_TRUE(!v || v == "old") << shown(v);
         }
       },
       {t.hex()}},
  };
}

std::vector<StoreOperation> lease_operations() {
  const TaskHash t = task(1), next = task(2);
  const std::string new_record = record_of(t, "new");
  // Given back or broken: gone once done, else still the other worker's.
  const auto other_holds_or_none = [t](FileStore& s, bool completed) {
    const std::optional<LeaseInfo> lease = s.lease(t);
    if (completed) {
      EXPECT_FALSE(lease);
    } else if (lease) {
      EXPECT_EQ(lease->owner, kOther);
    }
  };
  // Taken, or taken with its holder not yet written: a lease no one holds,
  // which expires (lease_judge.hpp) and can be broken.
  const auto taken_or_not = [](FileStore& s, const TaskHash& hash, bool completed) {
    const std::optional<LeaseInfo> lease = s.lease(hash);
    if (completed) {
      ASSERT_TRUE(lease);
      EXPECT_EQ(lease->owner, kOther);
    } else if (lease) {
      EXPECT_TRUE(lease->owner == kOther || lease->owner.pid == 0);
    }
  };
  // A finished task: its result stored, its troubles cleared, its lease given
  // back, in that order, so that whoever the release wakes finds the result
  // and no stale trouble.
  const auto finished_in_order = [t](FileStore& s, Ended ended) {
    const bool completed = ended.completed;
    const std::optional<std::string> v = value_read(s, t);
    const std::optional<LeaseInfo> lease = s.lease(t);
    if (completed) {
      EXPECT_EQ(v, "new");
      EXPECT_FALSE(lease);
    }
    EXPECT_TRUE(!v || v == "new" || v == "<corrupt>") << shown(v);
    if (lease) {
      EXPECT_EQ(lease->owner, kOther);
    } else {
      // A power cut may keep the lease's removal and lose the result's
      // frame appended before it (data is not ordered with names): the
      // task is then computed again, as after a torn result file.
      EXPECT_TRUE(v == "new" || v == "<corrupt>" || (ended.power_cut && !v))
          << "released before stored: " << shown(v);
      EXPECT_EQ(s.failure(t), std::nullopt) << "released before its failure was cleared";
      EXPECT_TRUE(s.crashes(t).empty()) << "released before its crashes were cleared";
    }
  };
  const TaskTroubles troubles{"boom", {"killed"}};
  const auto held_with_troubles = [=](FileStore& s, FileSystem&) {
    ASSERT_TRUE(s.acquire(t, kOther));
    s.record_failure(t, "boom");
    s.record_crash(t, "killed");
  };
  return {
      {"acquire", [](FileStore&, FileSystem&) {}, [=](FileStore& s) { s.acquire(t, kOther); },
       [=](FileStore& s, bool completed) { taken_or_not(s, t, completed); }, {t.hex()}},
      {"renew", [=](FileStore& s, FileSystem&) { ASSERT_TRUE(s.acquire(t, kOther)); },
       [=](FileStore& s) { s.renew(t, kOther); },
       [=](FileStore& s, bool) {
         // Renewed or not, never lost: the lease was there before.
         const std::optional<LeaseInfo> lease = s.lease(t);
         ASSERT_TRUE(lease);
         EXPECT_EQ(lease->owner, kOther);
       },
       {t.hex()}},
      {"release", [=](FileStore& s, FileSystem&) { ASSERT_TRUE(s.acquire(t, kOther)); },
       [=](FileStore& s) { s.release(t, kOther); }, other_holds_or_none, {t.hex()}},
      {"break a lease", [=](FileStore& s, FileSystem&) { ASSERT_TRUE(s.acquire(t, kOther)); },
       [=](FileStore& s) {
         if (const std::optional<LeaseInfo> lease = s.lease(t)) s.break_lease(*lease);
       },
       other_holds_or_none, {t.hex()}},
      {"put and release", held_with_troubles,
       [=](FileStore& s) { s.put_and_release(t, new_record, kOther, troubles); },
       finished_in_order, {t.hex()}},
      {"put, release and acquire the next", held_with_troubles,
       [=](FileStore& s) {
         (void)s.put_release_and_acquire(t, new_record, kOther, troubles, next);
       },
       [=](FileStore& s, Ended ended) {
         finished_in_order(s, ended);
         taken_or_not(s, next, ended.completed);
       },
       {t.hex(), next.hex()}},
  };
}

std::vector<StoreOperation> trouble_operations() {
  const TaskHash t = task(1);
  return {
      {"record a crash", [=](FileStore& s, FileSystem&) { s.record_crash(t, "first"); },
       [=](FileStore& s) {
         if (s.crashes(t).size() < 2) s.record_crash(t, "second");
       },
       [=](FileStore& s, bool completed) {
         const std::vector<std::string> crashes = s.crashes(t);
         if (completed) {
           EXPECT_EQ(crashes.size(), 2u);
         }
         // The first was synced; the second is there whole or not at all
         // (a torn line would be a garbled crash, not a lost one).
         EXPECT_GE(crashes.size(), 1u);
         EXPECT_LE(crashes.size(), 2u);
       },
       {t.hex()}},
      {"clear the crashes", [=](FileStore& s, FileSystem&) { s.record_crash(t, "first"); },
       [=](FileStore& s) { s.clear_crashes(t); },
       [=](FileStore& s, bool completed) {
         const std::vector<std::string> crashes = s.crashes(t);
         if (completed) {
           EXPECT_TRUE(crashes.empty());
         } else if (!crashes.empty()) {
           EXPECT_EQ(crashes, std::vector<std::string>{"first"});
         }
       },
       {t.hex()}},
      {"record a failure", [](FileStore&, FileSystem&) {},
       [=](FileStore& s) { s.record_failure(t, "boom"); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> failure = s.failure(t);
         if (completed) {
           EXPECT_EQ(failure, "boom");
         }
       },
       {t.hex()}},
      {"clear a failure", [=](FileStore& s, FileSystem&) { s.record_failure(t, "boom"); },
       [=](FileStore& s) { s.clear_failure(t); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> failure = s.failure(t);
         if (completed) {
           EXPECT_EQ(failure, std::nullopt);
         } else if (failure) {
           EXPECT_EQ(*failure, "boom");
         }
       },
       {t.hex()}},
  };
}

std::vector<StoreOperation> housekeeping_operations() {
  const std::string jugfile = "/home/me/analysis/jugfile.cpp";
  const std::string earlier = "/home/me/earlier/jugfile.cpp";
  const std::string result_record = record_of(task(0), "kept");
  return {
      {"note a user", [=](FileStore& s, FileSystem&) { s.note_user(earlier); },
       [=](FileStore& s) { s.note_user(jugfile); },
       [=](FileStore& s, bool completed) {
         const std::vector<std::string> users = s.list_users();
         const std::vector<std::string> both{jugfile, earlier};  // sorted
         if (completed || users.size() != 1) {
           EXPECT_EQ(users, both);
         } else {
           EXPECT_EQ(users, std::vector<std::string>{earlier});
         }
       },
       {jugfile}},
      {"remove what dead writers left",
       [=](FileStore& s, FileSystem& fs) {
         s.put(task(0), result_record);
         // What writers that died left: half a result, a breaker's file.
         plant_file(fs, kStoreRoot + "/tmp/" + testing_support::dead_writers_name(task(1).hex()),
                    "half a rec");
         plant_file(fs, kStoreRoot + "/locks/" + task(2).hex() + ".lock.break",
                    lease_content(testing_support::dead_worker_here()));
       },
       [](FileStore& s) { s.remove_abandoned_files(kDefaultLeaseTime, /*dry_run=*/false); },
       [=](FileStore& s, bool completed) {
         EXPECT_EQ(value_read(s, task(0)), "kept");
         if (completed) {
           EXPECT_EQ(s.remove_abandoned_files(kDefaultLeaseTime, /*dry_run=*/true), 0u)
               << "left behind";
         }
       },
       {kStoreRoot}},
  };
}

/// The commands, on the jugfile's results.
std::vector<StoreOperation> command_operations() {
  const auto records = std::make_shared<Records>();
  const TaskHash unowned = task(7);
  return {
      {"jug invalidate", [=](FileStore& s, FileSystem&) { run_jugfile(s, *records); },
       [](FileStore& s) { (void)invalidate(jugfile_graph(s), s, "crashop_square"); },
       [=](FileStore& s, bool completed) {
         const Graph graph = jugfile_graph(s);
         const Graph::Dependents dependents = graph.dependents();
         for (NodeId id = 0; id < graph.size(); ++id) {
           const std::optional<std::string> stored = s.get(graph.hash(id));
           if (completed) {
             EXPECT_FALSE(stored) << graph.name(id);
           } else if (stored) {
             EXPECT_EQ(*stored, records->at(graph.hash(id))) << graph.name(id);
           } else {
             // Downstream first: nothing outlives a result it was made from.
             for (NodeId d : dependents[id]) {
               EXPECT_FALSE(s.contains(graph.hash(d))) << graph.name(d);
             }
           }
         }
       },
       {kStoreRoot}},
      {"jug cleanup",
       [=](FileStore& s, FileSystem&) {
         run_jugfile(s, *records);
         s.put(unowned, record_of(unowned, "unowned"));
         ASSERT_TRUE(s.acquire(task(8), testing_support::dead_worker_here()));
       },
       [](FileStore& s) {
         CleanupOptions options;
         options.jugfile = "/home/me/jugfile.cpp";
         (void)cleanup(jugfile_graph(s), s, options);
       },
       [=](FileStore& s, bool completed) {
         for (const auto& [hash, record] : *records) {
           EXPECT_EQ(s.get(hash), record) << "a result the jugfile owns";
         }
         const std::optional<std::string> v = value_read(s, unowned);
         if (completed) {
           EXPECT_EQ(v, std::nullopt);
           EXPECT_FALSE(s.lease(task(8)));
         } else {
           EXPECT_TRUE(!v || v == "unowned") << shown(v);
         }
       },
       {kStoreRoot}},
  };
}

}  // namespace

std::vector<StoreOperation> file_store_operations() {
  std::vector<StoreOperation> all;
  for (auto part : {result_operations, lease_operations, trouble_operations,
                    housekeeping_operations, command_operations}) {
    for (StoreOperation& op : part()) all.push_back(std::move(op));
  }
  return all;
}

void check_usable(FileStore& store) {
  const TaskHash other = task(99);
  store.put(other, record_of(other, "after"));
  EXPECT_EQ(value_read(store, other), "after");
}

std::string test_name_of(std::string_view name) {
  std::string letters;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) letters += c;
  }
  return letters;
}

}  // namespace jug::store_test
