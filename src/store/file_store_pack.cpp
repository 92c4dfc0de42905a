// `jug pack` on the file store: the live results of segments nobody appends
// to any more, and the small result files of the older layout, copied into
// fresh segments; then what they came from is deleted. Copies keep their put
// ids, so that a removal appended meanwhile by another process (naming the
// put it removes) removes the copy too, and readers take the copy and the
// original for one result while both are there. Layout and the argument for
// safety while workers run: docs/store-layout.md.

#include <set>
#include <utility>

#include <fmt/format.h>

#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/lease_judge.hpp"
#include "store/posix_files.hpp"

namespace jug {

using namespace posix;

/// One run of pack: what it copied, to delete once the copies are durable.
struct FileStore::PackRun {
  std::chrono::duration<double> lease_time;
  PackSummary summary;
  std::vector<SegmentIndex::SegmentState> inputs;
  struct CopiedFile {
    TaskHash hash;
    std::uint64_t put_id;
    FileStatus status;
  };
  std::vector<CopiedFile> files;
  std::function<void()> keep_lease;
};

void FileStore::take_pack_lease(std::chrono::duration<double> lease_time) {
  const LeaseOwner self = LeaseOwner::self();
  if (acquire(pack_lease(), self)) return;
  const std::optional<LeaseInfo> held = lease(pack_lease());
  const std::optional<std::string> gone =
      held ? abandoned_lease(*held, self, lease_time, [this] { return now(); })
           : std::optional<std::string>("");
  if (gone && (!held || break_lease(*held)) && acquire(pack_lease(), self)) return;
  throw StoreError(fmt::format("another jug pack is packing {} ({}): wait for it to finish.",
                               root_,
                               held ? describe_holder(held->owner) : "its holder unknown"));
}

FileStore::PackSummary FileStore::pack(std::chrono::duration<double> lease_time) {
  take_pack_lease(lease_time);
  const LeaseOwner self = LeaseOwner::self();
  PackRun run;
  run.lease_time = lease_time;
  auto renewed = std::chrono::steady_clock::now();
  run.keep_lease = [&] {
    if (std::chrono::steady_clock::now() - renewed < lease_renewal_interval(lease_time)) return;
    renew(pack_lease(), self);
    renewed = std::chrono::steady_clock::now();
  };
  try {
    pack_segments(run);
    pack_result_files(run);
    delete_packed(run);
  } catch (const IoError& e) {
    release(pack_lease(), self);
    throw store_error("cannot pack the results", e, Access::write, root_);
  } catch (...) {
    release(pack_lease(), self);
    throw;
  }
  release(pack_lease(), self);
  return run.summary;
}

void FileStore::pack_segments(PackRun& run) {
  // A segment this pack writes is its own, and no input.
  appender_.seal();
  {
    std::lock_guard lock(index_mutex_);
    index_.refresh();
    for (const SegmentIndex::SegmentState& state : index_.segments()) {
      if (!state.present) continue;
      if (!state.sealed && !segment_writer_gone(state.name, run.lease_time)) {
        ++run.summary.segments_in_use;
        continue;
      }
      // To its end: what follows damage is copied too.
      if (!state.sealed) index_.read_to_end(state.name);
      run.inputs.push_back(index_.segment(state.name));
    }
  }
  // One segment holding only live results is packed already.
  if (run.inputs.size() == 1 && run.inputs[0].removals == 0 && run.inputs[0].damage.empty() &&
      run.inputs[0].puts == run.inputs[0].live) {
    run.inputs.clear();
  }
  // By task and put id: two tasks' results may share a put id (drawn in
  // the same millisecond, 20 random bits each).
  std::set<std::pair<TaskHash, std::uint64_t>> copied;
  for (const SegmentIndex::SegmentState& input : run.inputs) {
    std::vector<std::pair<segment::FrameHeader, std::string>> frames;
    {
      std::lock_guard lock(index_mutex_);
      index_.for_each_frame(input.name, [&](const segment::FrameRead& frame) {
        const segment::FrameHeader& header = frame.header;
        if (header.kind == segment::FrameKind::result) {
          bool live = false;
          for (const SegmentIndex::Place& place : index_.find_all(header.hash)) {
            live = live || place.put_id == header.put_id;
          }
          if (live && copied.emplace(header.hash, header.put_id).second) {
            frames.emplace_back(header, std::string(frame.body));
          }
        } else if (header.kind == segment::FrameKind::removal) {
          // Dropped only once the result it removes is in no segment: a
          // removal dropped while its result's segment could survive this
          // pack (an unlink that fails, a crash between two) would bring
          // that result back.
          const std::optional<std::string> in = index_.segment_of(header.hash, header.put_id);
          if (!in || index_.is_present(*in)) frames.emplace_back(header, std::string());
        }
      });
    }
    for (const auto& [header, body] : frames) {
      const SegmentAppender::Appended appended = appender_.append(header, body);
      std::lock_guard lock(index_mutex_);
      if (header.kind == segment::FrameKind::result) {
        index_.note_put(appended.segment, appended.offset, header);
        ++run.summary.results;
      }
      run.summary.bytes_after += segment::kFrameHeaderSize + body.size();
    }
    run.summary.bytes_before += input.read_to;
    run.keep_lease();
  }
}

void FileStore::pack_result_files(PackRun& run) {
  for (const TaskHash& hash : list_files()) {
    const std::string path = result_path(hash);
    FileStatus status;
    if (const Errno err = fs_->status(path, &status)) {
      if (err == ENOENT) continue;  // removed meanwhile
      throw IoError{err, path};
    }
    if (status.size > kSegmentRecordLimit) continue;
    {
      // A result in a segment hides the file (get() looks there first):
      // the file is only deleted.
      std::lock_guard lock(index_mutex_);
      if (index_.find(hash)) {
        run.files.push_back({hash, 0, status});
        continue;
      }
    }
    const std::optional<std::string> record = read_file(*fs_, path);
    if (!record) continue;
    const segment::FrameHeader header{.kind = segment::FrameKind::result,
                                      .body_size = static_cast<std::uint32_t>(record->size()),
                                      .put_id = segment::new_put_id(),
                                      .hash = hash};
    const SegmentAppender::Appended appended = appender_.append(header, *record);
    {
      std::lock_guard lock(index_mutex_);
      index_.note_put(appended.segment, appended.offset, header);
    }
    run.files.push_back({hash, header.put_id, status});
    ++run.summary.results;
    run.summary.bytes_before += record->size();
    run.summary.bytes_after += segment::kFrameHeaderSize + record->size();
    run.keep_lease();
  }
}

void FileStore::delete_packed(PackRun& run) {
  // The copies are on the disk before any original goes.
  appender_.seal();
  sync();
  for (const PackRun::CopiedFile& file : run.files) {
    const std::string path = result_path(file.hash);
    FileStatus now_status;
    Errno err = fs_->status(path, &now_status);
    // Replaced since it was copied (stored again): the file is the value.
    const bool replaced = err == 0 && (now_status.size != file.status.size ||
                                       now_status.modified != file.status.modified);
    if (err == 0 && !replaced) err = fs_->unlink(path);
    if (err == 0 && !replaced) {
      ++run.summary.result_files;
      continue;
    }
    if (err != 0 && err != ENOENT) throw IoError{err, path};
    if (file.put_id == 0) continue;  // not copied
    // Removed (invalidated) or replaced while it was copied: the copy
    // goes too, as a removal (status --cache learns of it:
    // file_store_removals.cpp).
    const std::shared_lock marked = hold_removal_mark();
    SegmentIndex::Place copy;
    copy.put_id = file.put_id;
    remove_places(file.hash, {copy});
    --run.summary.results;
  }
  appender_.seal();
  sync();
  for (const SegmentIndex::SegmentState& input : run.inputs) {
    const std::string path = root_ + "/segments/" + input.name;
    // A segment judged abandoned that grew since it was copied has a live
    // writer after all: it stays (its copies are the same puts).
    FileStatus status;
    if (const Errno err = fs_->status(path, &status)) {
      if (err == ENOENT) continue;
      throw IoError{err, path};
    }
    if (!input.sealed && status.size != input.read_to + input.pending) continue;
    if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
    ++run.summary.segments;
  }
  // The index files of the segments deleted, now or by a pack that died
  // before it got to them.
  std::vector<std::string> orphans;
  {
    std::lock_guard lock(index_mutex_);
    index_.refresh();
    orphans = index_.orphan_index_files();
  }
  // Litter, not results: one that cannot be removed now is by the next pack.
  for (const std::string& name : orphans) (void)fs_->unlink(root_ + "/segments/" + name);
  removals_done();
}

}  // namespace jug
