// What each step of a task costs the file store, apart from the engine: for
// N task hashes, the lease alone (acquire_and_read, release), the result
// alone (put), and the whole of what a worker with -j 1 asks of the store per
// task (acquire_and_read, then put_release_and_acquire of the next), in both
// layouts, and with segments for a lone worker (one lease file for all). Says how much of a task's store time its lease file takes (issue
// 13: "if per-task lease files stay, say why and measure their share").
//
//     bench_store_protocol [N] [DIR] [SETUP]   (default 20000 tasks, under /var/tmp)
//
// SETUP ("file per result", "segments" or "lone worker") runs that column
// alone, e.g. under perf or strace.
//
// Each figure is the median of 5 runs: a disk's time for a file create
// varies several fold from one second to the next.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "jug/task_hash.hpp"
#include "store/file_store.hpp"
#include "store/real_file_system.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Layout = jug::FileStore::SmallResults;
using Lone = jug::FileStore::LoneWorker;

/// A store's layout, and whether its one worker takes its leases in the
/// lone worker's file (docs/store-layout.md) or a lock file per task.
struct Setup {
  const char* name;
  Layout layout;
  Lone lone;
};
constexpr Setup kSetups[] = {{"file per result", Layout::in_files, Lone::never},
                             {"segments", Layout::in_segments, Lone::never},
                             {"lone worker", Layout::in_segments, Lone::when_alone}};

std::vector<jug::TaskHash> task_hashes(std::size_t n) {
  std::vector<jug::TaskHash> hashes;
  hashes.reserve(n);
  for (std::size_t i = 0; i < n; ++i) hashes.push_back(jug::TaskHash::of(fmt::format("t{}", i)));
  return hashes;
}

constexpr int kRuns = 5;

/// µs per task of `run` over a new store in `dir`, the final sync included.
double micros_per_task(const std::string& dir, const Setup& setup, std::size_t n,
                       const std::function<void(jug::FileStore&)>& run) {
  std::filesystem::remove_all(dir);
  ::sync();  // earlier runs' writes are not flushed on this one's time
  const auto start = Clock::now();
  {
    jug::FileStore store(dir, jug::real_file_system(), setup.layout, setup.lone);
    run(store);
    store.sync();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::filesystem::remove_all(dir);
  return seconds * 1e6 / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 20000;
  const std::string base = argc > 2 ? argv[2] : "/var/tmp";
  const std::string dir = fmt::format("{}/jug-store-protocol-{}", base, ::getpid());
  std::vector<Setup> setups(std::begin(kSetups), std::end(kSetups));
  if (argc > 3) {
    std::erase_if(setups, [&](const Setup& setup) { return setup.name != std::string(argv[3]); });
    if (setups.empty()) {
      fmt::print(stderr, "bench_store_protocol: no setup is called \"{}\"\n", argv[3]);
      return 2;
    }
  }
  const std::size_t setup_count = setups.size();
  const std::vector<jug::TaskHash> hashes = task_hashes(n);
  // As long as the record of a small result with its metadata (the store
  // does not read what it stores).
  const std::string record(160, 'r');
  const jug::LeaseOwner me = jug::LeaseOwner::self();

  const auto lease_only = [&](jug::FileStore& store) {
    for (const jug::TaskHash& h : hashes) {
      (void)store.acquire_and_read(h, me);
      store.release(h, me);
    }
  };
  const auto result_only = [&](jug::FileStore& store) {
    for (const jug::TaskHash& h : hashes) store.put(h, record);
  };
  const auto whole_task = [&](jug::FileStore& store) {
    (void)store.contains_all(hashes);
    (void)store.acquire_and_read(hashes[0], me);
    for (std::size_t i = 0; i + 1 < n; ++i) {
      (void)store.put_release_and_acquire(hashes[i], record, me, {}, hashes[i + 1]);
    }
    store.put_and_release(hashes[n - 1], record, me, {});
  };

  fmt::print("file store at {}, {} tasks: µs per task, the final sync included (median of {})\n\n",
             base, n, kRuns);
  fmt::print("{:<16}", "");
  for (const Setup& setup : setups) fmt::print(" {:>16}", setup.name);
  fmt::print("\n");
  std::vector<double> whole(setup_count), lease(setup_count);
  for (const auto& [name, run] :
       std::vector<std::pair<std::string, std::function<void(jug::FileStore&)>>>{
           {"lease alone", lease_only}, {"result alone", result_only}, {"whole task", whole_task}}) {
    fmt::print("{:<16}", name);
    for (std::size_t i = 0; i < setup_count; ++i) {
      std::vector<double> runs;
      for (int r = 0; r < kRuns; ++r) runs.push_back(micros_per_task(dir, setups[i], n, run));
      std::nth_element(runs.begin(), runs.begin() + kRuns / 2, runs.end());
      fmt::print(" {:>16.1f}", runs[kRuns / 2]);
      if (name == "lease alone") lease[i] = runs[kRuns / 2];
      if (name == "whole task") whole[i] = runs[kRuns / 2];
    }
    fmt::print("\n");
  }
  fmt::print("\nthe lease's share of the whole task:");
  for (std::size_t i = 0; i < setup_count; ++i) {
    fmt::print(" {:.0f}% ({}){}", 100 * lease[i] / whole[i], setups[i].name,
               i + 1 < setup_count ? "," : "\n");
  }
}
