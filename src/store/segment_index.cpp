#include "store/segment_index.hpp"

#include <algorithm>
#include <utility>

#include "store/posix_files.hpp"
#include "store/segment_index_file.hpp"

namespace jug {

using namespace posix;
using segment::FrameKind;
using segment::FrameRead;
using segment::FrameState;
using segment::kFileHeader;
using segment::kFrameHeaderSize;

namespace {

/// Segments are read in pieces of this size, or of one frame when longer.
constexpr std::size_t kReadPiece = std::size_t{1} << 20;

/// Segments are named as temporary files are (writer_tag.hpp), so that the
/// name says who writes them.
bool is_segment_name(std::string_view name) { return name.starts_with("seg."); }

/// The file's bytes from `offset` on, up to `size` of them, into `bytes`
/// (whose memory a reader of many pieces reuses).
void read_range_into(const OpenFile& file, std::uint64_t offset, std::uint64_t size,
                     const std::string& path, std::string& bytes) {
  bytes.resize(size);
  if (const Errno err = file.fs().seek(file.handle(), offset)) throw IoError{err, path};
  bytes.resize(read_into(file, bytes, path));
}

std::string read_range(const OpenFile& file, std::uint64_t offset, std::uint64_t size,
                       const std::string& path) {
  std::string bytes;
  read_range_into(file, offset, size, path, bytes);
  return bytes;
}

/// Whether the segment, `size` bytes long, ends with its writer's seal: it
/// is complete, and what does not read as frames in it is damage.
bool ends_sealed(const OpenFile& file, std::uint64_t size, const std::string& path) {
  if (size < kFileHeader.size() + kFrameHeaderSize) return false;
  const std::string last = read_range(file, size - kFrameHeaderSize, kFrameHeaderSize, path);
  const FrameRead frame = segment::read_frame(last);
  return frame.state == FrameState::whole && frame.header.kind == FrameKind::sealed;
}

SegmentIndex::SegmentState new_segment(const std::string& name) {
  SegmentIndex::SegmentState state;
  state.name = name;
  return state;
}

}  // namespace

SegmentIndex::SegmentIndex(FileSystem& fs, std::string directory)
    : fs_(fs), directory_(std::move(directory)) {}

SegmentIndex::SegmentIndex(FileSystem& fs, std::string directory, const HashPositions& wanted)
    : fs_(fs), directory_(std::move(directory)), wanted_(&wanted) {
  first_put_.assign(wanted.hashes().size(), 0);
}

std::vector<std::string> SegmentIndex::list_segments() {
  std::vector<std::string> names;
  std::unordered_set<std::string> index_files;
  Directory dir = open_directory(fs_, directory_);
  if (!dir) {
    index_files_.clear();
    return names;
  }
  while (const DirectoryEntry* entry = dir.next(directory_)) {
    if (is_segment_name(entry->name)) {
      names.emplace_back(entry->name);
    } else if (segment::indexed_segment(entry->name)) {
      index_files.emplace(entry->name);
    }
  }
  index_files_ = std::move(index_files);
  return names;
}

std::vector<std::string> SegmentIndex::orphan_index_files() const {
  std::vector<std::string> orphans;
  for (const std::string& name : index_files_) {
    const std::string segment(*segment::indexed_segment(name));
    // Not listed: gone, unless the listing missed it, which only a look at
    // its name tells (as in read_listed).
    if (!is_present(segment) && fs_.exists(directory_ + "/" + segment) == ENOENT) {
      orphans.push_back(name);
    }
  }
  return orphans;
}

namespace {

/// A frame as its segment's index file lists it: whole, its body not read.
FrameRead as_frame_read(const segment::IndexedFrame& frame) {
  FrameRead as_read;
  as_read.state = FrameState::whole;
  as_read.header = segment::FrameHeader{
      .kind = frame.kind,
      .body_size = frame.frame_size - static_cast<std::uint32_t>(kFrameHeaderSize),
      .put_id = frame.put_id,
      .hash = frame.hash};
  as_read.size = frame.frame_size;
  return as_read;
}

}  // namespace

bool SegmentIndex::visit_index_file(std::uint32_t index, std::uint64_t size,
                                    const std::function<void(const segment::IndexedFrame&)>& visit) {
  const std::string name = segment::index_file_name(segments_[index].name);
  if (!index_files_.contains(name)) return false;
  const std::string path = directory_ + "/" + name;
  OpenFile file = open_for_reading(fs_, path);
  if (!file) return false;
  FileStatus status;
  if (const Errno err = fs_.status_of(file.handle(), &status)) throw IoError{err, path};
  return segment::decode_index(
      status.size,
      [&](std::uint64_t offset, std::size_t bytes, std::string& into) {
        read_range_into(file, offset, bytes, path, into);
      },
      size, visit);
}

bool SegmentIndex::read_index_file(std::uint32_t index, std::uint64_t size) {
  const auto apply_frame = [&](const segment::IndexedFrame& frame) {
    apply(index, frame.offset, as_frame_read(frame));
  };
  // A reading cut short after some frames were taken: the segment is read
  // instead, which takes them again as the same puts, but counts them anew.
  const std::size_t puts_before = segments_[index].puts;
  const std::size_t removals_before = segments_[index].removals;
  const auto cut_short = [&] {
    segments_[index].puts = puts_before;
    segments_[index].removals = removals_before;
    return false;
  };
  bool read = false;
  try {
    read = visit_index_file(index, size, apply_frame);
  } catch (const IoError&) {
    // A cache: unreadable (deleted by pack on NFS: ESTALE), the segment is
    // read.
    return cut_short();
  }
  // A damaged index, or one of another size: the segment is read (its
  // index stays as it is until a pack copies the segment).
  if (!read) return cut_short();
  SegmentState& state = segments_[index];
  state.read_to = size;
  state.sealed = true;
  state.from_index_file = true;
  state.pending = 0;
  return true;
}

bool SegmentIndex::read_listed(const std::vector<std::string>& names) {
  std::vector<bool> listed(segments_.size(), false);
  for (const std::string& name : names) {
    auto [at, added] = segment_by_name_.try_emplace(name, segments_.size());
    if (added) {
      segments_.push_back(new_segment(name));
      listed.push_back(true);
    } else {
      listed[at->second] = true;
    }
  }
  reserve_for_index_files();
  bool some_gone = false;
  for (std::uint32_t i = 0; i < segments_.size(); ++i) {
    SegmentState& state = segments_[i];
    if (!state.present) continue;
    // Not listed: gone, unless the listing is older than the file (a
    // network filesystem's cache), which only a look at the name tells.
    if (!listed[i] && fs_.exists(directory_ + "/" + state.name) == ENOENT) {
      state.present = false;
    } else if (!state.sealed) {
      read_segment(i, false);
    }
    some_gone = some_gone || !state.present;
  }
  return some_gone;
}

void SegmentIndex::reserve_for_index_files() {
  std::uint64_t frames = 0;
  for (const SegmentState& state : segments_) {
    if (!state.present || state.read_to != 0) continue;
    const std::string name = segment::index_file_name(state.name);
    if (!index_files_.contains(name)) continue;
    FileStatus status;
    const std::string path = directory_ + "/" + name;
    if (const Errno err = fs_.status(path, &status)) {
      if (err == ENOENT || err == ESTALE) continue;  // deleted since: the segment is read
      throw IoError{err, path};
    }
    frames += segment::frames_in_index_of(status.size);
  }
  if (frames < 1024) return;  // a few: grown as they come
  const std::size_t total = puts_.size() + frames;
  const auto make_room = [total](auto& vector) {
    if (total > vector.capacity()) vector.reserve(std::max(total, vector.capacity() * 3 / 2));
  };
  make_room(puts_);
  if (wanted_ != nullptr) return;  // a key per wanted hash, made at the start
  make_room(key_hashes_);
  make_room(first_put_);
  key_index_.reserve(total, key_hashes_);
}

void SegmentIndex::refresh_if_older(std::chrono::steady_clock::duration age) {
  if (std::chrono::steady_clock::now() - refreshed_ >= age) refresh();
}

void SegmentIndex::refresh() {
  // Taken before reading, kept only once the reading went through: a
  // refresh that failed half-way is made again by the next look.
  const auto started = std::chrono::steady_clock::now();
  refreshed_ = {};
  if (read_listed(list_segments())) {
    // Segments are deleted once packed into another, made before. A listing
    // may miss files made or deleted while it runs: one made after it began
    // finds the new segment for sure.
    read_listed(list_segments());
  }
  // Every time, not only when a segment was found gone just now: a refresh
  // that failed after marking one gone left its results to forget.
  for (std::uint32_t i = 0; i < segments_.size(); ++i) {
    if (!segments_[i].present && segments_[i].live > 0) forget_segment(i);
  }
  refreshed_ = started;
}

void SegmentIndex::read_segment(std::uint32_t index, bool complete) {
  SegmentState& state = segments_[index];
  const std::string path = directory_ + "/" + state.name;
  OpenFile file = open_for_reading(fs_, path);
  if (!file) {
    // ESTALE: deleted by another NFS client.
    if (file.error() == ENOENT || file.error() == ESTALE) {
      state.present = false;
      return;
    }
    throw IoError{file.error(), path};
  }
  FileStatus status;
  if (const Errno err = fs_.status_of(file.handle(), &status)) throw IoError{err, path};
  const std::uint64_t size = status.size;
  if (size <= state.read_to) return;
  if (state.read_to == 0 && read_index_file(index, size)) return;
  if (state.read_to == 0) {
    const std::string header = read_range(file, 0, kFileHeader.size(), path);
    if (header != kFileHeader) {
      if (!complete && kFileHeader.starts_with(header)) {
        state.pending = size;  // being made
        return;
      }
      // Not a segment of this format, or its start is damaged: nothing in
      // it can be trusted to be a frame.
      state.damage.push_back(Damage{state.name, 0, size, false});
      state.read_to = size;
      state.sealed = true;
      state.pending = 0;
      return;
    }
    state.read_to = kFileHeader.size();
  }
  std::string piece;
  std::uint64_t size_to_read = size;
  while (state.read_to < size_to_read) {
    const std::uint64_t wanted = std::max<std::uint64_t>(
        std::min<std::uint64_t>(kReadPiece, size_to_read - state.read_to), piece.size());
    piece = read_range(file, state.read_to, wanted, path);
    if (piece.size() < wanted) {
      // The file is shorter than it was (its writer cut off a frame it
      // failed to append): read to where it ends now.
      size_to_read = state.read_to + piece.size();
      if (piece.empty()) break;
    }
    std::string_view rest = piece;
    std::uint64_t at = state.read_to;
    while (!rest.empty()) {
      const FrameRead frame = segment::read_frame(rest);
      if (frame.state == FrameState::whole) {
        apply(index, at, frame);
        at += frame.size;
        rest.remove_prefix(frame.size);
        continue;
      }
      if (frame.state == FrameState::incomplete && at + rest.size() < size_to_read) {
        break;  // the rest of it is in the next piece
      }
      // Not a whole frame, up to the end of the file read: a frame being
      // appended, unless the segment is complete. Then it is damage, and the
      // next whole frame is searched for.
      if (!complete && !ends_sealed(file, size_to_read, path)) {
        state.read_to = at;
        state.pending = size_to_read - at;
        return;
      }
      const std::string tail = read_range(file, at, size_to_read - at, path);
      const std::size_t next = segment::next_whole_frame(tail, 1);
      state.damage.push_back(Damage{state.name, at, next, next == tail.size()});
      at += next;
      rest = {};
    }
    if (at == state.read_to) {
      // A frame longer than the piece: read it whole next time round.
      piece.resize(piece.size() * 2);
      continue;
    }
    state.read_to = at;
  }
  state.pending = 0;
}

void SegmentIndex::note_put(const std::string& segment, std::uint64_t offset,
                            const segment::FrameHeader& header) {
  auto [at, added] = segment_by_name_.try_emplace(segment, segments_.size());
  if (added) segments_.push_back(new_segment(segment));
  SegmentState& state = segments_[at->second];
  // The segment's first frame follows its header, known without a read.
  if (state.read_to == 0 && state.pending == 0 && offset == kFileHeader.size()) {
    state.read_to = offset;
  }
  if (state.read_to != offset || state.pending != 0) {
    add_put(at->second, offset, header);  // read again when the segment is
    return;
  }
  // The frame right after what was read: taken as read, so that the next
  // refresh does not read back what this process just wrote.
  FrameRead frame;
  frame.state = FrameState::whole;
  frame.header = header;
  frame.size = kFrameHeaderSize + header.body_size;
  apply(at->second, offset, frame);
  state.read_to = offset + frame.size;
}

void SegmentIndex::note_removal(const TaskHash& hash, std::uint64_t put_id) {
  remove_put(hash, put_id);
}

void SegmentIndex::apply(std::uint32_t index, std::uint64_t offset, const FrameRead& frame) {
  switch (frame.header.kind) {
    case FrameKind::result:
      ++segments_[index].puts;
      add_put(index, offset, frame.header);
      break;
    case FrameKind::removal:
      ++segments_[index].removals;
      remove_put(frame.header.hash, frame.header.put_id);
      break;
    case FrameKind::sealed:
      segments_[index].sealed = true;
      break;
  }
}

std::optional<std::uint32_t> SegmentIndex::key_of(const TaskHash& hash) const {
  if (wanted_ != nullptr) return wanted_->find(hash, wanted_cursor_);
  return key_index_.find(hash, key_hashes_);
}

std::optional<std::uint32_t> SegmentIndex::key_for(const TaskHash& hash) {
  if (wanted_ != nullptr) return key_of(hash);
  // One look in the table, as inserting, for the common case of a new hash.
  const auto key = static_cast<std::uint32_t>(key_hashes_.size());
  key_hashes_.push_back(hash);
  if (const std::optional<std::uint32_t> known = key_index_.insert(key, key_hashes_)) {
    key_hashes_.pop_back();
    return known;
  }
  first_put_.push_back(0);
  return key;
}

const TaskHash& SegmentIndex::hash_of_key(std::uint32_t key) const {
  return wanted_ != nullptr ? wanted_->hashes()[key] : key_hashes_[key];
}

void SegmentIndex::for_each_put_of(const TaskHash& hash,
                                   const std::function<void(std::uint32_t)>& visit) const {
  if (const std::optional<std::uint32_t> key = key_of(hash)) for_each_put_of_key(*key, visit);
}

void SegmentIndex::for_each_put_of_key(std::uint32_t key,
                                       const std::function<void(std::uint32_t)>& visit) const {
  const std::uint32_t first = first_put_[key];
  if (first == 0) return;
  visit(first - 1);
  if (more_puts_.empty()) return;  // as it nearly always is: no hashing
  const auto [begin, end] = more_puts_.equal_range(first - 1);
  for (auto it = begin; it != end; ++it) visit(it->second);
}

void SegmentIndex::add_put(std::uint32_t segment, std::uint64_t offset,
                           const segment::FrameHeader& header) {
  const std::optional<std::uint32_t> key = key_for(header.hash);
  if (!key) return;  // not wanted
  const std::uint64_t put_id = header.put_id;
  const auto frame_size = static_cast<std::uint32_t>(segment::kFrameHeaderSize + header.body_size);
  const auto position = static_cast<std::uint32_t>(puts_.size());
  if (const std::uint32_t first = first_put_[*key]; first != 0) {
    // The same put read again: a copy made by packing, which keeps its id.
    std::optional<std::uint32_t> same;
    for_each_put_of_key(*key, [&](std::uint32_t i) {
      if (puts_[i].put_id == put_id) same = i;
    });
    if (same) {
      Put& put = puts_[*same];
      if (put.state == PutState::removed) return;
      if (put.state == PutState::live) --segments_[put.segment].live;
      if (put.state == PutState::vanished) ++live_;
      put.segment = segment;
      put.offset = offset;
      put.frame_size = frame_size;
      put.state = PutState::live;
      ++segments_[segment].live;
      return;
    }
    more_puts_.emplace(first - 1, position);
  } else {
    first_put_[*key] = position + 1;
  }
  puts_.push_back(Put{put_id, offset, *key, segment, frame_size, PutState::live});
  // Removed already, by a removal read earlier in another segment.
  const auto [begin, end] = early_removals_.equal_range(put_id);
  for (auto it = begin; it != end; ++it) {
    if (it->second == *key) {
      puts_[position].state = PutState::removed;
      early_removals_.erase(it);
      return;
    }
  }
  ++live_;
  ++segments_[segment].live;
}

void SegmentIndex::remove_put(const TaskHash& hash, std::uint64_t put_id) {
  const std::optional<std::uint32_t> key = key_for(hash);
  if (!key) return;  // of a result not wanted
  bool found = false;
  for_each_put_of_key(*key, [&](std::uint32_t i) {
    Put& put = puts_[i];
    if (put.put_id != put_id) return;
    found = true;
    if (put.state == PutState::live) {
      --live_;
      --segments_[put.segment].live;
    }
    put.state = PutState::removed;
  });
  if (!found) early_removals_.emplace(put_id, *key);
}

void SegmentIndex::forget_segment(std::uint32_t index) {
  for (Put& put : puts_) {
    if (put.state == PutState::live && put.segment == index) {
      put.state = PutState::vanished;
      --live_;
    }
  }
  segments_[index].live = 0;
}

const SegmentIndex::Put* SegmentIndex::put_at(std::uint32_t segment, std::uint64_t offset) const {
  for (const Put& put : puts_) {
    if (put.segment == segment && put.offset == offset) return &put;
  }
  return nullptr;
}

SegmentIndex::Place SegmentIndex::place_of(const Put& put) const {
  return Place{segments_[put.segment].name, put.offset, put.frame_size, put.put_id};
}

std::optional<SegmentIndex::Place> SegmentIndex::find(const TaskHash& hash) const {
  // The latest put (put ids grow with time, segment_frame.hpp): a result
  // stored again replaces the one before, whichever segment is read first.
  std::optional<std::uint32_t> last;
  for_each_put_of(hash, [&](std::uint32_t i) {
    if (puts_[i].state == PutState::live && (!last || puts_[i].put_id > puts_[*last].put_id)) {
      last = i;
    }
  });
  if (!last) return std::nullopt;
  return place_of(puts_[*last]);
}

bool SegmentIndex::contains(const TaskHash& hash) const {
  const std::optional<std::uint32_t> key = key_of(hash);
  return key && has_live_put(*key);
}

bool SegmentIndex::contains_wanted(std::uint32_t position) const { return has_live_put(position); }

bool SegmentIndex::has_live_put(std::uint32_t key) const {
  bool found = false;
  for_each_put_of_key(key,
                      [&](std::uint32_t i) { found = found || puts_[i].state == PutState::live; });
  return found;
}

bool SegmentIndex::is_present(const std::string& name) const {
  const auto at = segment_by_name_.find(name);
  return at != segment_by_name_.end() && segments_[at->second].present;
}

std::vector<SegmentIndex::Place> SegmentIndex::find_all(const TaskHash& hash) const {
  std::vector<Place> places;
  for_each_put_of(hash, [&](std::uint32_t i) {
    if (puts_[i].state == PutState::live) places.push_back(place_of(puts_[i]));
  });
  return places;
}

std::optional<std::string> SegmentIndex::segment_of(const TaskHash& hash,
                                                    std::uint64_t put_id) const {
  std::optional<std::string> segment;
  for_each_put_of(hash, [&](std::uint32_t i) {
    if (puts_[i].put_id == put_id) segment = segments_[puts_[i].segment].name;
  });
  return segment;
}

void SegmentIndex::for_each_result(const std::function<void(const TaskHash&)>& visit) const {
  for (std::uint32_t i = 0; i < puts_.size(); ++i) {
    if (puts_[i].state != PutState::live) continue;
    const std::uint32_t key = puts_[i].key;
    if (more_puts_.contains(first_put_[key] - 1)) {
      // A hash with several puts is visited at its first live one.
      std::optional<std::uint32_t> first_live;
      for_each_put_of_key(key, [&](std::uint32_t j) {
        if (!first_live && puts_[j].state == PutState::live) first_live = j;
      });
      if (first_live != i) continue;
    }
    visit(hash_of_key(key));
  }
}

std::vector<SegmentIndex::Damage> SegmentIndex::damage(
    const std::function<bool(const std::string& segment)>& writer_gone) {
  std::vector<Damage> found;
  for (std::uint32_t i = 0; i < segments_.size(); ++i) {
    SegmentState& state = segments_[i];
    if (!state.present) continue;
    if (state.pending > 0 && writer_gone(state.name)) read_segment(i, true);
    found.insert(found.end(), state.damage.begin(), state.damage.end());
  }
  return found;
}

SegmentIndex::SegmentState SegmentIndex::segment(const std::string& name) const {
  const auto at = segment_by_name_.find(name);
  if (at != segment_by_name_.end()) return segments_[at->second];
  SegmentState unknown = new_segment(name);
  unknown.present = false;
  return unknown;
}

void SegmentIndex::read_to_end(const std::string& name) {
  const auto at = segment_by_name_.find(name);
  if (at != segment_by_name_.end() && segments_[at->second].present) {
    read_segment(at->second, true);
  }
}

bool SegmentIndex::for_each_indexed_frame(std::uint32_t index, std::string_view bytes,
                                          const std::function<void(const FrameRead&)>& visit) {
  // All listed before any is visited: an index file that fails now (gone,
  // changed) leaves the segment to be parsed, each frame visited once.
  std::vector<segment::IndexedFrame> frames;
  try {
    if (!visit_index_file(index, segments_[index].read_to,
                          [&](const segment::IndexedFrame& frame) { frames.push_back(frame); })) {
      return false;
    }
  } catch (const IoError&) {
    return false;
  }
  for (const segment::IndexedFrame& listed : frames) {
    if (listed.offset + listed.frame_size > bytes.size()) return false;  // cut shorter since
  }
  for (const segment::IndexedFrame& listed : frames) {
    FrameRead frame = as_frame_read(listed);
    frame.body = bytes.substr(listed.offset + kFrameHeaderSize, frame.header.body_size);
    visit(frame);
  }
  return true;
}

void SegmentIndex::for_each_frame(const std::string& name,
                                  const std::function<void(const FrameRead&)>& visit) {
  const auto at = segment_by_name_.find(name);
  if (at == segment_by_name_.end()) return;
  const SegmentState& state = segments_[at->second];
  const std::string path = directory_ + "/" + name;
  OpenFile file = open_for_reading(fs_, path);
  if (!file) throw IoError{file.error(), path};
  const std::string bytes = read_range(file, 0, state.read_to, path);
  if (state.from_index_file && for_each_indexed_frame(at->second, bytes, visit)) return;
  std::string_view rest = std::string_view(bytes).substr(std::min(bytes.size(), kFileHeader.size()));
  while (!rest.empty()) {
    FrameRead frame = segment::read_frame(rest);
    if (frame.state != FrameState::whole) {
      // A result whose frame header was damaged after this process read
      // the segment: what it read still says where its record is (which
      // checks itself).
      if (const Put* put = put_at(at->second, bytes.size() - rest.size());
          put != nullptr && put->frame_size <= rest.size()) {
        frame.state = FrameState::whole;
        frame.header = segment::FrameHeader{
            .kind = FrameKind::result,
            .body_size = static_cast<std::uint32_t>(put->frame_size - kFrameHeaderSize),
            .put_id = put->put_id,
            .hash = hash_of_key(put->key)};
        frame.body = rest.substr(kFrameHeaderSize, frame.header.body_size);
        frame.size = put->frame_size;
        visit(frame);
        rest.remove_prefix(frame.size);
        continue;
      }
      const std::size_t next = segment::next_whole_frame(rest, 1);
      rest.remove_prefix(next);
      continue;
    }
    visit(frame);
    rest.remove_prefix(frame.size);
  }
}

}  // namespace jug
