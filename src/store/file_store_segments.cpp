// The file store's segments (docs/store-layout.md, `segments/`): small
// results appended to a file per process instead of a file each, found
// again through the SegmentIndex; their removals appended the same way.

#include <fmt/format.h>

#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/lease_judge.hpp"
#include "store/posix_files.hpp"
#include "store/segment_index_file.hpp"
#include "store/writer_tag.hpp"

namespace jug {

using namespace posix;

namespace {

/// How often a record is looked for again when its segment was deleted
/// (packed into another) between finding it and reading it.
constexpr int kReadAttempts = 3;

/// A result found in the segments is trusted without reading them again for
/// this long: another process's removal of it (jug invalidate) is seen
/// within it. A result not found is always looked for again, so that one
/// another worker stored before giving back its lease is never missed.
constexpr std::chrono::milliseconds kFoundStaysTrue{100};

}  // namespace

OpenFile FileStore::create_segment_file(const std::string& path) {
  const std::string directory = root_ + "/segments";
  if (!segments_format_) {
    // A jug from before segments must refuse this store rather than miss
    // their results: the format says 2 before the first segment is made.
    // Synced, so that a power cut cannot keep the segment and lose it.
    if (const Errno err = fs_->exists(root_); err == ENOENT) {
      create_directory(directory);  // a new store: of format 2 or 3
    } else if (err != 0) {
      throw IoError{err, root_};
    }
    if (!segments_format_) {
      write_format(kSegmentsFormatLine, true);
      segments_format_ = true;
    }
  }
  return create_new_file(path, directory);
}

void FileStore::publish_segment_index(const std::string& segment, const std::string& index) {
  try {
    // A store deleted while this process ran is not made again for it.
    if (fs_->exists(root_ + "/segments/" + segment) != 0) return;
    publish(TaskHash::of(segment), index,
            root_ + "/segments/" + segment::index_file_name(segment));
  } catch (...) {
    // Called from the appender's destructor too: nothing may escape. Readers
    // read the segment instead, until a pack copies it into one that has
    // an index.
  }
}

void FileStore::put_in_segment(const TaskHash& hash, std::string_view record) {
  const segment::FrameHeader header{.kind = segment::FrameKind::result,
                                    .body_size = static_cast<std::uint32_t>(record.size()),
                                    .put_id = segment::new_put_id(),
                                    .hash = hash};
  // The result stored before, if one is (a damaged one stored again): a
  // put replaces it, so it is removed once the new one is there. Readers
  // then never choose between two values.
  std::vector<SegmentIndex::Place> before;
  {
    std::lock_guard lock(index_mutex_);
    look_again_at_segments(false);
    before = index_.find_all(hash);
  }
  const SegmentAppender::Appended appended = appender_.append(header, record);
  {
    std::lock_guard lock(index_mutex_);
    index_.note_put(appended.segment, appended.offset, header);
  }
  remove_places(hash, before);
}

void FileStore::remove_places(const TaskHash& hash,
                              const std::vector<SegmentIndex::Place>& places) {
  for (const SegmentIndex::Place& place : places) {
    const segment::FrameHeader header{
        .kind = segment::FrameKind::removal, .put_id = place.put_id, .hash = hash};
    appender_.append(header, {});
    std::lock_guard lock(index_mutex_);
    index_.note_removal(hash, place.put_id);
  }
}

std::optional<std::string> FileStore::segment_record(const TaskHash& hash, bool refresh) {
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    std::optional<SegmentIndex::Place> place;
    {
      std::lock_guard lock(index_mutex_);
      look_again_at_segments(refresh || attempt > 0);
      place = index_.find(hash);
    }
    if (!place) return std::nullopt;
    const std::string path = root_ + "/segments/" + place->segment;
    OpenFile file = open_for_reading(*fs_, path);
    if (!file) {
      // Packed into another meanwhile (ESTALE: by another NFS client).
      if (file.error() == ENOENT || file.error() == ESTALE) continue;
      throw IoError{file.error(), path};
    }
    const std::uint64_t body = place->offset + segment::kFrameHeaderSize;
    if (const Errno err = fs_->seek(file.handle(), body)) throw IoError{err, path};
    std::string record(place->frame_size - segment::kFrameHeaderSize, '\0');
    // Checked when it was indexed; damaged since, the record's own checksum
    // tells (a record cut short by the file's end too).
    record.resize(read_into(file, record, path));
    return record;
  }
  return std::nullopt;
}

bool FileStore::in_segments(const TaskHash& hash, bool refresh) {
  std::lock_guard lock(index_mutex_);
  look_again_at_segments(refresh);
  return index_.contains(hash);
}

void FileStore::look_again_at_segments(bool refresh) {
  if (refresh) {
    index_.refresh();
  } else {
    index_.refresh_if_older(kFoundStaysTrue);
  }
}

bool FileStore::remove_from_segments(const TaskHash& hash, bool refresh) {
  std::vector<SegmentIndex::Place> places;
  {
    std::lock_guard lock(index_mutex_);
    look_again_at_segments(refresh);
    places = index_.find_all(hash);
  }
  remove_places(hash, places);
  return !places.empty();
}

bool FileStore::segment_writer_gone(const std::string& name,
                                    std::chrono::duration<double> lease_time) {
  if (appender_.current() == name) return false;
  const std::string path = root_ + "/segments/" + name;
  const std::optional<LeaseInfo> written = temp_file_writer(path, name);
  if (!written) return true;  // deleted: nobody appends to it
  return abandoned_lease(*written, LeaseOwner::self(), lease_time, [this] { return now(); })
      .has_value();
}

std::vector<std::string> FileStore::damage(std::chrono::duration<double> lease_time) {
  std::vector<SegmentIndex::Damage> damage;
  const auto damage_in = [&](SegmentIndex& segments) {
    segments.refresh();
    return segments.damage(
        [&](const std::string& name) { return segment_writer_gone(name, lease_time); });
  };
  try {
    std::unique_lock lock(index_mutex_);
    if (index_.segments().empty()) {
      // Not read yet (execute asks first): read for the damage alone,
      // keeping no result; a no-op execute need not index a million.
      lock.unlock();
      const HashPositions none({});
      SegmentIndex segments(*fs_, root_ + "/segments", none);
      damage = damage_in(segments);
    } else {
      damage = damage_in(index_);
    }
  } catch (const IoError& e) {
    throw store_error("cannot read the segments", e, Access::read, root_);
  }
  std::vector<std::string> found;
  for (const SegmentIndex::Damage& d : damage) {
    const std::string path = root_ + "/segments/" + d.segment;
    found.push_back(
        d.torn_tail
            ? fmt::format("{}: its last {} bytes are a frame cut short (its writer died "
                          "appending it): ignored, and dropped by jug pack",
                          path, d.bytes)
            : fmt::format("{}: {} bytes at offset {} are damaged (their checksum fails): the "
                          "results there are computed again; jug pack drops the damage",
                          path, d.bytes, d.offset));
  }
  return found;
}

}  // namespace jug
