// `jug pack` on the file store: the live results of segments nobody appends
// to any more, and the small result files of the older layout, copied into
// fresh segments; then what they came from is deleted. Copies keep their put
// ids, so that a removal appended meanwhile by another process (naming the
// put it removes) removes the copy too, and readers take the copy and the
// original for one result while both are there. Layout and the argument for
// safety while workers run: docs/store-layout.md.

#include <unordered_set>

#include <fmt/format.h>

#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/lease_judge.hpp"
#include "store/posix_files.hpp"

namespace jug {

using namespace posix;

namespace {

/// The lease only one pack holds at a time, kept among the tasks' leases.
const TaskHash& pack_lease() {
  static const TaskHash hash = TaskHash::of("jug pack");
  return hash;
}

/// A result file copied into a segment, to be deleted once the copy is
/// durable.
struct PackedFile {
  TaskHash hash;
  std::uint64_t put_id;
};

}  // namespace

FileStore::PackSummary FileStore::pack(std::chrono::duration<double> lease_time) {
  const LeaseOwner self = LeaseOwner::self();
  if (!acquire(pack_lease(), self)) {
    const std::optional<LeaseInfo> held = lease(pack_lease());
    const std::optional<std::string> gone =
        held ? abandoned_lease(*held, self, lease_time, [this] { return now(); })
             : std::optional<std::string>("");
    if (!gone || (held && !break_lease(*held)) || !acquire(pack_lease(), self)) {
      throw StoreError(fmt::format(
          "another jug pack is packing {} ({}): wait for it to finish.", root_,
          held ? describe_holder(held->owner) : std::string("its holder unknown")));
    }
  }
  PackSummary summary;
  auto renewed = std::chrono::steady_clock::now();
  const auto keep_lease = [&] {
    if (std::chrono::steady_clock::now() - renewed < lease_renewal_interval(lease_time)) return;
    renew(pack_lease(), self);
    renewed = std::chrono::steady_clock::now();
  };
  try {
    // Segments first: a segment this pack writes is its own, and no input.
    appender_.seal();
    std::vector<SegmentIndex::SegmentState> inputs;
    {
      std::lock_guard lock(index_mutex_);
      index_.refresh();
      for (const SegmentIndex::SegmentState& state : index_.segments()) {
        if (!state.present) continue;
        if (state.sealed || segment_writer_gone(state.name, lease_time)) {
          inputs.push_back(state);
        } else {
          ++summary.segments_in_use;
        }
      }
    }
    // One segment holding only live results is packed already.
    if (inputs.size() == 1 && inputs[0].removals == 0 && inputs[0].damage.empty() &&
        inputs[0].puts == inputs[0].live) {
      inputs.clear();
    }
    std::unordered_set<std::string> input_names;
    for (const auto& state : inputs) input_names.insert(state.name);
    std::unordered_set<std::uint64_t> copied;
    for (const SegmentIndex::SegmentState& input : inputs) {
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
            if (live && copied.insert(header.put_id).second) {
              frames.emplace_back(header, std::string(frame.body));
            }
          } else if (header.kind == segment::FrameKind::removal) {
            // Kept while the result it removes may be in a segment not
            // packed now: the removal must go on applying to it.
            const std::optional<std::string> in = index_.segment_of(header.hash, header.put_id);
            if (!in || !input_names.contains(*in)) frames.emplace_back(header, std::string());
          }
        });
      }
      for (const auto& [header, body] : frames) {
        const SegmentAppender::Appended appended = appender_.append(header, body);
        std::lock_guard lock(index_mutex_);
        if (header.kind == segment::FrameKind::result) {
          index_.note_put(appended.segment, appended.offset, header);
          ++summary.results;
        }
        summary.bytes_after += segment::kFrameHeaderSize + body.size();
      }
      summary.bytes_before += input.read_to;
      keep_lease();
    }
    // The small result files of the older layout.
    std::vector<PackedFile> files;
    for (const TaskHash& hash : list_files()) {
      const std::string path = result_path(hash);
      FileStatus status;
      if (const Errno err = fs_->status(path, &status)) {
        if (err == ENOENT) continue;  // removed meanwhile
        throw IoError{err, path};
      }
      if (status.size > kSegmentRecordLimit) continue;
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
      files.push_back(PackedFile{hash, header.put_id});
      ++summary.results;
      summary.bytes_before += record->size();
      summary.bytes_after += segment::kFrameHeaderSize + record->size();
      keep_lease();
    }
    // The copies are on the disk before any original goes.
    appender_.seal();
    sync();
    for (const PackedFile& file : files) {
      const std::string path = result_path(file.hash);
      const Errno err = fs_->unlink(path);
      if (err == 0) {
        ++summary.result_files;
      } else if (err == ENOENT) {
        // Removed (invalidated) while it was copied: so is the copy.
        const segment::FrameHeader header{
            .kind = segment::FrameKind::removal, .put_id = file.put_id, .hash = file.hash};
        appender_.append(header, {});
        std::lock_guard lock(index_mutex_);
        index_.note_removal(file.hash, file.put_id);
        --summary.results;
      } else {
        throw IoError{err, path};
      }
    }
    appender_.seal();
    sync();
    for (const SegmentIndex::SegmentState& input : inputs) {
      const std::string path = root_ + "/segments/" + input.name;
      if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
      ++summary.segments;
    }
    {
      std::lock_guard lock(index_mutex_);
      index_.refresh();
    }
  } catch (const IoError& e) {
    release(pack_lease(), self);
    throw store_error("cannot pack the results", e, Access::write, root_);
  } catch (...) {
    release(pack_lease(), self);
    throw;
  }
  release(pack_lease(), self);
  return summary;
}

}  // namespace jug
