/// A small `jug execute` on the file store killed at every step (issue 20).
/// The run (six squares, their total, a sentence about the total) is first
/// run whole, to count its file system calls and to keep what it leaves.
/// Then, for every call position, the run is made again in a child process
/// that dies there (FaultyFileSystem::die_at: that call and all after it
/// never happen) and exits; this process takes up what the child left, as
/// the next worker finds it: once as after a killed process (everything
/// written stays), and after power cuts (MemoryFileSystem::power_loss), a
/// few outcomes drawn per position (many with JUG_CRASH_SWEEP=all). A cut
/// of the store's disk, that is: this machine keeps its boot, so the dead
/// worker's leases are still judged by its process (after a reboot, every
/// lease of before waits out the lease time). The next worker runs execute
/// to the end, and then:
///
/// - a result the crashed run stored (a killed process) or made durable
///   (its execute reported everything done, which it does after its sync)
///   is still there, right, and not run again;
/// - no damaged record is handed to a task: the tasks check their inputs
///   and fail on a wrong one; a record a power cut tore fails its checksum
///   and is run again when a task reads it, and one no task reads (the
///   last result) is found by `execute --verify`, which the docs
///   (recovery.md) say to run after a crash of the machine;
/// - no task is stuck behind a lease: the next worker, starting 11 s after
///   the crash (kNextWorkerStartsAfter), gives up within 0.2 s if it has to
///   wait for one;
/// - one plain execute leaves the store holding the results and nothing
///   else: no lease, temporary file, crash or failure record; once every
///   result is right each task's record is the uncrashed run's but for its
///   metadata (when and by which process it ran, same_record), and with a
///   file per result the store is the uncrashed run's file for file.
///
/// Both layouts: small results appended to a segment (a crash leaves a
/// frame cut short, or a power cut loses frames not synced), and a file per
/// result (a store of format 1).
///
/// The crashed run is a process of its own so that its leases and temporary
/// files name a process that is gone, as a killed worker's do: the next
/// worker judges them by that. The test prints how many crash states it
/// explored.

#include "commands/execute.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "codec/checksum.hpp"
#include "codec/record.hpp"
#include "codec/record_header.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/codec.hpp"
#include "jug/task_generator.hpp"
#include "store/file_store.hpp"
#include "store/memory_store.hpp"
#include "unit/forked_child.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/memory_file_system.hpp"

namespace {

using namespace std::chrono_literals;
using jug::store_test::FaultyFileSystem;
using jug::store_test::MemoryFileSystem;
/// Every regular file of a store, by path, with its content.
using Files = std::map<std::string, std::string>;

const std::string kRoot = "/jugdir";
using Layout = jug::FileStore::SmallResults;

// ---- the run: six squares, their total, a sentence about it ----------------------

constexpr int kSquares = 6;
constexpr int kTotal = 0 + 1 + 4 + 9 + 16 + 25;

const jug::TaskGenerator square("crashrun_square", [](int i) { return i * i; });
/// Takes only the right squares: a damaged or wrong record handed to it
/// fails the task, and so the test.
const jug::TaskGenerator total("crashrun_total", [](const std::vector<int>& squares) {
  if (squares.size() != kSquares) {
    throw std::logic_error(fmt::format("crashrun_total was handed {} squares", squares.size()));
  }
  int sum = 0;
  for (int i = 0; i < kSquares; ++i) {
    if (squares[i] != i * i) {
      throw std::logic_error(
          fmt::format("crashrun_total was handed {} as the square of {}", squares[i], i));
    }
    sum += squares[i];
  }
  return sum;
});
const jug::TaskGenerator describe("crashrun_describe", [](int sum) {
  if (sum != kTotal) {
    throw std::logic_error(fmt::format("crashrun_describe was handed the total {}", sum));
  }
  return fmt::format("the squares add up to {}", sum);
});

struct Pipeline {
  std::vector<jug::Task<int>> squares;
  std::optional<jug::Task<int>> sum;
  std::optional<jug::Task<std::string>> sentence;

  void build() {
    for (int i = 0; i < kSquares; ++i) squares.push_back(square(i));
    sum = total(squares);
    sentence = describe(*sum);
  }
};

// ---- how the runs are made --------------------------------------------------------

/// The crashed run makes the same calls every time, so that position N is
/// the same step in every run: one thread, and leases not renewed during
/// the run (the renewal thread would add calls at moments of its own). Nor
/// does the background sync come, every second (Scheduler::kSyncInterval):
/// a run takes milliseconds.
jug::ExecuteOptions crashed_run_options() {
  jug::ExecuteOptions options;
  options.jobs = 1;
  options.lease_time = 1h;
  return options;
}

/// The next worker gives up after 0.2 s of waiting for another worker (a
/// run without a wait takes milliseconds): a task stuck behind a lease fails
/// the test instead of holding it up.
jug::ExecuteOptions recovery_options(bool verify) {
  jug::ExecuteOptions options = crashed_run_options();
  options.wait_cycle_time = 50ms;
  options.nr_wait_cycles = 4;
  options.poll_interval = 10ms;
  options.verify = verify;
  return options;
}

/// How long after the crash the next worker starts: past the 10 s in which
/// a lock file whose owner is not written yet counts as held
/// (lease_judge.cpp). A worker killed between creating its lock file and
/// writing its name in it (or a power cut that lost the name) leaves the
/// one lease that can only be judged by its age; every other lease of a
/// dead worker on this machine is broken at once, whatever the time.
constexpr auto kNextWorkerStartsAfter = 11s;

/// Power-cut outcomes drawn per call position: each draws, for every file
/// and for the names, what the cut keeps of what was not synced.
std::size_t power_cuts_per_position() {
  const char* sweep = std::getenv("JUG_CRASH_SWEEP");
  return sweep != nullptr && std::string(sweep) == "all" ? 64 : 4;
}

/// Tells which tasks a run stored (one thread: no lock).
class StoredTasks final : public jug::ExecuteObserver {
 public:
  void task_finished(const jug::Graph&, jug::NodeId id, double) override { ids.push_back(id); }
  std::vector<std::uint64_t> ids;
};

/// What a run that died at one call left, as its process reported it.
struct CrashedRun {
  /// It reached the call it was to die at (else it ended first).
  bool died = false;
  /// execute() reported every task done (and so made durable).
  bool completed = false;
  /// Calls made from the run's start (all of them when it did not die).
  std::size_t calls = 0;
  /// Tasks whose result it stored.
  std::vector<jug::NodeId> stored;
  /// The files as the dead process left them, synced or not.
  std::shared_ptr<MemoryFileSystem> fs;
};

/// CrashedRun as the child sends it: died, completed, calls, stored tasks,
/// the file system's state.
using CrashedRunBytes =
    std::tuple<bool, bool, std::uint64_t, std::vector<std::uint64_t>, std::string>;

enum class Crash { killed_process, power_cut };

/// What of a record two runs must agree on, when it is intact: its header
/// but for the checksum and trailer length, and its payload (its metadata
/// says when and by which process it ran: never the same twice); "" for a
/// record that is not intact.
std::string lasting_part(const std::string& bytes) {
  try {
    const jug::record::Header h = jug::record::parse_header(bytes, bytes.size());
    const std::string_view header = std::string_view(bytes).substr(0, jug::record::kHeaderSize);
    const std::string_view rest = std::string_view(bytes).substr(jug::record::kHeaderSize);
    if (jug::record::checksum_of(rest, jug::record::checksum_seed(header)) != h.checksum) return "";
    return bytes.substr(0, 24) + bytes.substr(32, 40) +
           bytes.substr(jug::record::kHeaderSize, h.stored_length);
  } catch (const jug::CorruptRecord&) {
    return "";
  }
}

/// Whether two records hold the same result, intact.
bool same_record(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return false;
  const std::string lasting = lasting_part(*a);
  return !lasting.empty() && lasting == lasting_part(*b);
}

/// The same files, the records among them holding the same (same_record).
bool same_files(const Files& a, const Files& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first) return false;
    const bool same = i->first.find("/results/") == std::string::npos
                          ? i->second == j->second
                          : same_record(i->second, j->second);
    if (!same) return false;
  }
  return true;
}

/// Each task's record as a reader finds it (nullopt: none).
using Records = std::vector<std::optional<std::string>>;

class ExecuteCrashes : public ::testing::TestWithParam<Layout> {
 protected:
  ExecuteCrashes() : graph_(jug::build_graph([this] { pipeline_.build(); }, build_store_)) {}

  std::unique_ptr<jug::FileStore> open_store(std::shared_ptr<jug::FileSystem> fs) const {
    return std::make_unique<jug::FileStore>(kRoot, std::move(fs), GetParam());
  }

  /// The records a reader finds in `fs`, read from a copy of it so that
  /// reading changes nothing.
  Records records_in(const MemoryFileSystem& fs) const {
    const std::unique_ptr<jug::FileStore> store = open_store(fs.copy());
    Records records;
    for (jug::NodeId id = 0; id < graph_.size(); ++id) {
      records.push_back(store->get(graph_.hash(id)));
    }
    return records;
  }

  /// Whether the store holds no file but its format, results, and (with
  /// segments) the segments they are in and their index files: no lease,
  /// temporary file, crash or failure record.
  bool only_results(const Files& files) const {
    if (GetParam() == Layout::in_files) return paths_of(files) == paths_of(reference_);
    for (const auto& [path, content] : files) {
      if (path != kRoot + "/jugdata-format" && !path.starts_with(kRoot + "/segments/seg.") &&
          !path.starts_with(kRoot + "/segments/index.seg.")) {
        ADD_FAILURE() << "left in the store: " << path;
        return false;
      }
    }
    return true;
  }

  /// Runs the whole run once, uncrashed: keeps what it leaves in reference_
  /// and returns how many file system calls it makes.
  std::size_t uncrashed_run_calls() {
    const auto fs = std::make_shared<MemoryFileSystem>();
    const auto faulty = std::make_shared<FaultyFileSystem>(fs);
    std::size_t calls = 0;
    {
      const std::unique_ptr<jug::FileStore> store = open_store(faulty);
      faulty->heal();
      jug::ExecuteObserver observer;
      const jug::ExecuteReport report =
          jug::execute(graph_, *store, crashed_run_options(), observer);
      execute_calls_ = faulty->calls();
      expect_ran_to_the_end(report);
      EXPECT_EQ(report.executed, graph_.size());
    }
    // Closing the store is part of the run: it seals its segment.
    calls = faulty->calls();
    expect_right_values(*open_store(fs->copy()));
    reference_ = fs->files();
    reference_records_ = records_in(*fs);
    // The format file and one record per task, or one segment and its
    // index file, nothing else.
    std::set<std::string> expected{kRoot + "/jugdata-format"};
    const std::unique_ptr<jug::FileStore> store = open_store(fs->copy());
    for (jug::NodeId id = 0; id < graph_.size(); ++id) {
      const std::optional<jug::Store::RecordPlace> place = store->record_place(graph_.hash(id));
      EXPECT_TRUE(place.has_value());
      if (!place) continue;
      expected.insert(place->file);
      const std::size_t name = place->file.rfind("/seg.");
      if (name != std::string::npos) {
        expected.insert(kRoot + "/segments/index." + place->file.substr(name + 1));
      }
    }
    EXPECT_EQ(paths_of(reference_), expected);
    EXPECT_EQ(expected.size(), GetParam() == Layout::in_files ? 1 + graph_.size() : 3);
    EXPECT_EQ(reference_[kRoot + "/jugdata-format"], GetParam() == Layout::in_files
                                                         ? jug::FileStore::kFormatLine
                                                         : jug::FileStore::kSegmentsFormatLine);
    return calls;
  }

  /// Makes the run in a child process that dies at call `at`.
  CrashedRun run_dying_at(std::size_t at) {
    const std::string bytes = jug::testing_support::run_in_child([this, at] {
      const auto fs = std::make_shared<MemoryFileSystem>();
      const auto faulty = std::make_shared<FaultyFileSystem>(fs);
      StoredTasks observer;
      bool completed = false;
      {
        const std::unique_ptr<jug::FileStore> store = open_store(faulty);
        faulty->die_at(at);
        try {
          const jug::ExecuteReport report =
              jug::execute(graph_, *store, crashed_run_options(), observer);
          completed = report.complete() && !report.fatal_error;
        } catch (const std::exception&) {
          // What execute passes on of its store's failures: the same death.
        }
      }
      return jug::encode(CrashedRunBytes{faulty->dead(), completed, faulty->calls(),
                                         observer.ids, fs->serialize()});
    });
    const auto [died, completed, calls, stored, fs] = jug::decode<CrashedRunBytes>(bytes);
    return CrashedRun{died, completed, calls, {stored.begin(), stored.end()},
                      MemoryFileSystem::deserialize(fs)};
  }

  /// The next worker, `kNextWorkerStartsAfter` later, runs execute to the
  /// end on what the crash left in `fs`; checks it and what it leaves.
  void recover_and_check(const std::shared_ptr<MemoryFileSystem>& fs, const CrashedRun& run,
                         Crash crash) {
    const Records before = records_in(*fs);
    // Of each task's result: whether the crash left one, and the right one.
    std::size_t present = 0, intact = 0;
    for (jug::NodeId id = 0; id < graph_.size(); ++id) {
      present += before[id].has_value();
      intact += same_record(before[id], reference_records_[id]);
    }
    if (crash == Crash::killed_process) {
      EXPECT_EQ(intact, present) << "a killed process tore a record";
      for (const jug::NodeId id : run.stored) {
        EXPECT_TRUE(same_record(before[id], reference_records_[id]))
            << "task " << graph_.name(id) << " was stored, and its result is lost";
      }
    }
    if (run.completed) {
      EXPECT_EQ(intact, graph_.size()) << "the run reported everything done, and lost some of it";
    }

    fs->let_time_pass(kNextWorkerStartsAfter);
    const jug::ExecuteReport plain = recover(fs, /*verify=*/false);
    expect_ran_to_the_end(plain);
    EXPECT_TRUE(only_results(without_removal_token(fs->files())))
        << "the store does not hold exactly the results";
    const Records after = records_in(*fs);
    // A torn record no task read is still there as it was: never read as a
    // value, never replaced but by the right one.
    std::size_t torn_left = 0;
    for (jug::NodeId id = 0; id < graph_.size(); ++id) {
      EXPECT_TRUE(after[id].has_value()) << "task " << graph_.name(id) << " has no result";
      if (!after[id] || same_record(after[id], reference_records_[id])) continue;
      ++torn_left;
      EXPECT_EQ(before[id], after[id])
          << "task " << graph_.name(id)
          << " holds neither the right record nor the one the crash left";
    }
    if (crash == Crash::killed_process) {
      EXPECT_EQ(torn_left, 0u);
    }
    // Exactly what the crash lost ran again, and every torn record read.
    EXPECT_EQ(plain.executed, graph_.size() - intact - torn_left);
    EXPECT_EQ(plain.recomputed, present - intact - torn_left);
    if (torn_left > 0) {
      const jug::ExecuteReport verified = recover(fs, /*verify=*/true);
      expect_ran_to_the_end(verified);
      EXPECT_EQ(verified.executed, torn_left);
    }
    const Records repaired = records_in(*fs);
    for (jug::NodeId id = 0; id < graph_.size(); ++id) {
      EXPECT_TRUE(same_record(repaired[id], reference_records_[id]))
          << "task " << graph_.name(id) << " holds a wrong record";
    }
    if (GetParam() == Layout::in_files) {
      EXPECT_TRUE(same_files(without_removal_token(fs->files()), reference_));
    }
    expect_right_values(*open_store(fs));
  }

  jug::ExecuteReport recover(const std::shared_ptr<MemoryFileSystem>& fs, bool verify) {
    const std::unique_ptr<jug::FileStore> store = open_store(fs);
    jug::ExecuteObserver observer;
    return jug::execute(graph_, *store, recovery_options(verify), observer);
  }

  /// Everything done, nothing failed, no waiting for a lease.
  static void expect_ran_to_the_end(const jug::ExecuteReport& report) {
    EXPECT_TRUE(report.complete()) << report.done() << " of " << report.selected << " done";
    for (const jug::TaskFailure& failure : report.failures) ADD_FAILURE() << failure.message;
    EXPECT_TRUE(report.failed_elsewhere.empty());
    EXPECT_EQ(report.fatal_error, std::nullopt);
    EXPECT_FALSE(report.gave_up_waiting) << "a task is stuck behind a lease";
  }

  /// What a user reads of the results.
  void expect_right_values(jug::Store& store) {
    jug::CurrentGraph current(graph_, store);
    try {
      for (int i = 0; i < kSquares; ++i) EXPECT_EQ(jug::value(pipeline_.squares[i]), i * i);
      EXPECT_EQ(jug::value(*pipeline_.sum), kTotal);
      EXPECT_EQ(jug::value(*pipeline_.sentence), fmt::format("the squares add up to {}", kTotal));
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }

  /// The files but `removals/token`, which a recovery that removed a torn
  /// result leaves (Store::removal_generation); no remover's mark stays.
  static Files without_removal_token(Files files) {
    files.erase(kRoot + "/removals/token");
    return files;
  }

  static std::set<std::string> paths_of(const Files& files) {
    std::set<std::string> paths;
    for (const auto& [path, content] : files) paths.insert(path);
    return paths;
  }

  jug::MemoryStore build_store_;
  Pipeline pipeline_;
  const jug::Graph graph_;
  /// The calls the uncrashed run made until execute() returned, before the
  /// store was closed.
  std::size_t execute_calls_ = 0;
  /// What the uncrashed run leaves: its files, and each task's record.
  Files reference_;
  Records reference_records_;
};

TEST_P(ExecuteCrashes, AtEveryCallAsAKilledProcessAndAsPowerCuts) {
  const std::size_t calls = uncrashed_run_calls();
  ASSERT_FALSE(HasFailure());
  const std::size_t cuts = power_cuts_per_position();
  std::size_t killed = 0, power_cuts = 0;
  // Position `calls` is the run done, then the crash.
  for (std::size_t at = 0; at <= calls; ++at) {
    SCOPED_TRACE(fmt::format("died at call {} of {}", at, calls));
    const CrashedRun run = run_dying_at(at);
    ASSERT_EQ(run.died, at < calls) << "the run does not make the same calls each time (did it "
                                       "last over a second, and sync in the background?)";
    if (!run.died) {
      ASSERT_EQ(run.calls, calls) << "the run does not make the same calls each time";
    }
    EXPECT_EQ(run.completed, at >= execute_calls_)
        << "reported done when it was not, or the reverse";
    {
      SCOPED_TRACE("killed");
      const auto fs = run.fs->copy();
      fs->process_crash();
      recover_and_check(fs, run, Crash::killed_process);
      ++killed;
    }
    for (std::size_t cut = 0; cut < cuts; ++cut) {
      const std::uint64_t seed = at * 1000 + cut;
      SCOPED_TRACE(fmt::format("power cut, seed {}", seed));
      const auto fs = run.fs->copy();
      fs->power_loss(jug::store_test::seeded_outcome(seed));
      recover_and_check(fs, run, Crash::power_cut);
      ++power_cuts;
    }
    if (HasFailure()) return;  // one position's failures are enough to read
  }
  std::cout << "[ explored ] execute of " << graph_.size() << " tasks"
            << (GetParam() == Layout::in_files ? ", a file per result: " : ", in a segment: ")
            << calls << " calls, " << killed << " killed processes, " << power_cuts
            << " power cuts\n";
}

INSTANTIATE_TEST_SUITE_P(Layouts, ExecuteCrashes,
                         ::testing::Values(Layout::in_segments, Layout::in_files),
                         [](const ::testing::TestParamInfo<Layout>& info) {
                           return info.param == Layout::in_files ? "ResultFiles" : "Segments";
                         });

}  // namespace
