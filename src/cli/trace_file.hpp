#pragma once
/// `jug execute --trace FILE`: one tab-separated row per task run, as
/// Nextflow's trace file has: which task, where and when it ran, how it
/// ended, for how long, and the worker's peak memory. Rows are appended as
/// tasks end, each in one write to a file opened for appending, so several
/// workers can share one FILE on a local disk (NFS does not keep appends
/// whole); the header is written, under a lock, when the file is empty.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/graph.hpp"

namespace jug::cli {

class TraceFile {
 public:
  /// Opens (creates) `path` for appending; throws jug::Error saying why it
  /// cannot.
  explicit TraceFile(const std::string& path);
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  void started(NodeId id);
  /// A row for a run of `id` that ended: finished, or failed with
  /// `failure`. A row that cannot be written gives a warning, once.
  void finished(const Graph& graph, NodeId id, const std::optional<std::string>& failure);

  /// The header row, and the columns in order.
  static const char* header();

 private:
  std::mutex mutex_;
  int fd_ = -1;
  std::string path_;
  bool warned_ = false;
  std::unordered_map<NodeId, std::chrono::system_clock::time_point> started_;
};

}  // namespace jug::cli
