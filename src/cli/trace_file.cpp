#include "cli/trace_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>

#include <fmt/format.h>

#include "engine/run_metadata_of.hpp"
#include "jug/errors.hpp"
#include "store/store.hpp"

namespace jug::cli {
namespace {

/// "2026-12-05T03:14:07.123Z".
std::string iso_time(std::chrono::system_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, ms % 1000);
}

/// A field without the tabs and line breaks that would break its row.
std::string field(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

const char* TraceFile::header() {
  return "name\thash\thost\tpid\tbatch_job\tstatus\tfailure\tstart\tend\tseconds\tpeak_rss\n";
}

TraceFile::TraceFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    throw Error(fmt::format("jug: --trace: cannot open {}: {}", path, std::strerror(errno)));
  }
  // Workers started together each find the file empty: the lock lets one
  // write the header.
  ::flock(fd_, LOCK_EX);
  struct stat st {};
  const std::string_view h = header();
  const bool wrote = ::fstat(fd_, &st) != 0 || st.st_size != 0 ||
                     ::write(fd_, h.data(), h.size()) == static_cast<ssize_t>(h.size());
  const int error = errno;
  ::flock(fd_, LOCK_UN);
  if (!wrote) {
    ::close(fd_);
    throw Error(fmt::format("jug: --trace: cannot write {}: {}", path,
                            error != 0 ? std::strerror(error) : "a short write (disk full?)"));
  }
}

TraceFile::~TraceFile() {
  if (fd_ >= 0) ::close(fd_);
}

void TraceFile::started(NodeId id) {
  std::lock_guard lock(mutex_);
  started_[id] = std::chrono::system_clock::now();
}

void TraceFile::finished(const Graph& graph, NodeId id,
                         const std::optional<std::string>& failure) {
  const auto end = std::chrono::system_clock::now();
  const LeaseOwner self = LeaseOwner::self();
  std::lock_guard lock(mutex_);
  const auto at = started_.find(id);
  const auto start = at != started_.end() ? at->second : end;
  if (at != started_.end()) started_.erase(at);
  const std::string row = fmt::format(
      "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.3f}\t{}\n", field(graph.name(id)),
      graph.hash(id).hex(), field(self.host), self.pid, field(self.batch_job),
      failure ? "FAILED" : "COMPLETED", failure ? field(*failure) : "", iso_time(start),
      iso_time(end), std::chrono::duration<double>(end - start).count(), peak_rss_bytes());
  // One write per row: with O_APPEND on a local disk, rows of workers
  // sharing the file never interleave (NFS does not promise it).
  errno = 0;
  if (::write(fd_, row.data(), row.size()) != static_cast<ssize_t>(row.size()) && !warned_) {
    warned_ = true;
    std::cerr << "jug: warning: --trace: cannot write " << path_ << ": "
              << (errno != 0 ? std::strerror(errno) : "a short write (disk full?)")
              << " (the run goes on without its trace)\n";
  }
}

}  // namespace jug::cli
