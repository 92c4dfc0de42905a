#pragma once
/// This process's segment in a file store (docs/store-layout.md,
/// `segments/`): the file its small results, and its removals of results,
/// are appended to, which no other process writes. Made at the first
/// append; a forked child makes one of its own; sealed (a last frame saying
/// nothing follows) when the store closes, or when it grows past its size.
/// Once sealed, its index file is written (segment_index_file.hpp), from the
/// frames this appender remembers of it: readers then read that instead of
/// the segment. Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_system.hpp"
#include "store/posix_files.hpp"
#include "store/segment_frame.hpp"
#include "store/segment_index_file.hpp"

namespace jug {

class SegmentAppender {
 public:
  /// Segments past this size are sealed and a new one begun: a reader
  /// reads a segment whole at most once, and a packer copies it whole.
  static constexpr std::uint64_t kSegmentSize = std::uint64_t{64} << 20;

  /// Appends to segments in `directory`, through `fs`; `create_file` makes
  /// a new file there exclusively (making the store on ENOENT);
  /// `publish_index` writes the index file of a segment just sealed (its
  /// name, the file's bytes), errors ignored: a cache.
  using PublishIndex = std::function<void(const std::string& segment, const std::string& index)>;
  SegmentAppender(FileSystem& fs, std::string directory,
                  std::function<posix::OpenFile(const std::string& path)> create_file,
                  PublishIndex publish_index);
  /// Seals the segment, errors ignored (unsealed, it reads the same).
  ~SegmentAppender();
  SegmentAppender(const SegmentAppender&) = delete;
  SegmentAppender& operator=(const SegmentAppender&) = delete;

  /// Where a frame was appended.
  struct Appended {
    std::string segment;
    std::uint64_t offset = 0;
  };
  /// Appends one frame. Throws posix::IoError, leaving the segment as it
  /// was (the bytes written cut off again) or, when that fails too, begins
  /// a new segment for the next frame.
  Appended append(const segment::FrameHeader& header, std::string_view body);
  /// Whether this process has appended anything.
  bool appended() const;
  /// Makes what was appended durable (fdatasync). Throws posix::IoError.
  void sync();
  /// Appends the last frame and closes the segment. Throws posix::IoError.
  void seal();
  /// Touches the segment (its modification time becomes now), so that a
  /// pack on another machine does not take it for abandoned while this
  /// process runs a long task; errors ignored (the next append touches it).
  void keep_alive();
  /// The segment being appended to, if any (its file name).
  std::optional<std::string> current() const;

 private:
  /// Opens a new segment when none is open for this process.
  void open_segment();
  void seal_locked();

  FileSystem& fs_;
  const std::string directory_;
  const std::function<posix::OpenFile(const std::string&)> create_file_;
  const PublishIndex publish_index_;
  mutable std::mutex mutex_;
  std::optional<posix::OpenFile> file_;
  std::string name_;
  std::uint64_t size_ = 0;
  /// The process that opened file_: a forked child leaves it to its parent.
  std::int64_t pid_ = 0;
  /// Frames are made here, to be written with one call.
  std::string buffer_;
  /// The frames of the segment, for its index: 56 bytes each, for at most
  /// kSegmentSize bytes of frames (17 MiB for small results; up to 56 MiB
  /// for a segment of removals only).
  std::vector<segment::IndexedFrame> frames_;
  /// frames_ holds every frame of the segment (no allocation failed).
  bool index_complete_ = true;
};

}  // namespace jug
