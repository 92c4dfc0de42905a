#pragma once
/// What the segment files of a file store hold (docs/store-layout.md,
/// `segments/`): for each result appended there and not removed since, the
/// segment and the place in it. Built by reading the segments' frames (or,
/// for a sealed segment, its index file: segment_index_file.hpp), and
/// brought up to date by refresh(), which reads only what was appended since,
/// and the segments made or deleted since. An index either keeps every
/// result it reads (a store's own) or only those of hashes it was given
/// (one question about many tasks: which of them does the store hold).
///
/// Not thread-safe: the store holds a lock around it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/hash_index.hpp"
#include "engine/hash_positions.hpp"
#include "engine/mapped_vector.hpp"
#include "jug/task_hash.hpp"
#include "store/file_system.hpp"
#include "store/segment_frame.hpp"
#include "store/segment_index_file.hpp"

namespace jug {

class SegmentIndex {
 public:
  /// The segments in `directory` (`<store>/segments`), read through `fs`.
  SegmentIndex(FileSystem& fs, std::string directory);
  /// The same, keeping only the results of `wanted`'s hashes (36 bytes
  /// each, not 76; the others' frames are passed over). `wanted` outlives
  /// the index.
  SegmentIndex(FileSystem& fs, std::string directory, const HashPositions& wanted);

  /// Where one result lives.
  struct Place {
    /// The segment's file name, in the directory.
    std::string segment;
    /// Where its frame starts, and the frame's size (header included).
    std::uint64_t offset = 0;
    std::uint32_t frame_size = 0;
    std::uint64_t put_id = 0;
  };

  /// Reads what was appended to the segments since the last call, and which
  /// segments were made or deleted. Throws posix::IoError.
  void refresh();
  /// refresh() unless the last one is younger than `age`.
  void refresh_if_older(std::chrono::steady_clock::duration age);
  /// A place of the result of `hash`, if the segments hold one.
  std::optional<Place> find(const TaskHash& hash) const;
  /// Whether the segments hold a result of `hash`.
  bool contains(const TaskHash& hash) const;
  /// In an index of wanted hashes: whether the segments hold a result of
  /// the one at `position` of them.
  bool contains_wanted(std::uint32_t position) const;
  /// Whether the segment `name` was read and is still there.
  bool is_present(const std::string& name) const;
  /// Every place of it (a task computed twice, or a copy being packed).
  std::vector<Place> find_all(const TaskHash& hash) const;
  /// Each hash with a result, once.
  void for_each_result(const std::function<void(const TaskHash&)>& visit) const;
  std::size_t result_count() const { return live_; }

  /// A stretch of a segment that holds no frame its checksum accepts: data
  /// damaged on the disk, or the end of a frame a writer was cut short
  /// appending (then `torn_tail`).
  struct Damage {
    std::string segment;
    std::uint64_t offset = 0;
    std::uint64_t bytes = 0;
    bool torn_tail = false;
  };
  /// The damage found so far in segments that are complete (sealed, or
  /// whose writer `writer_gone` says is gone): a stretch of another
  /// segment may be a frame still being written.
  std::vector<Damage> damage(const std::function<bool(const std::string& segment)>& writer_gone);

  /// A segment as read so far.
  struct SegmentState {
    std::string name;
    /// Bytes read and understood: whole frames, and damage passed over.
    std::uint64_t read_to = 0;
    /// Its writer's last frame was read: it never changes again.
    bool sealed = false;
    /// Bytes at read_to that are not (yet) a whole frame.
    std::uint64_t pending = 0;
    /// Damage passed over, in a segment read to its end.
    std::vector<Damage> damage;
    /// Results in it, and those of them not removed since.
    std::size_t puts = 0;
    std::size_t live = 0;
    /// Removal frames in it.
    std::size_t removals = 0;
    bool present = true;
    /// Read from its index file (sealed), not from its frames.
    bool from_index_file = false;
  };
  const std::vector<SegmentState>& segments() const { return segments_; }
  /// The segment `name`, as read so far (one never read: not present).
  SegmentState segment(const std::string& name) const;
  /// Reads the segment `name` to its end, passing over damage: its writer
  /// is gone. Throws posix::IoError.
  void read_to_end(const std::string& name);

  /// Calls `visit` with each whole frame of the segment `name`, up to what
  /// was read of it (for packing). Throws posix::IoError.
  void for_each_frame(const std::string& name,
                      const std::function<void(const segment::FrameRead&)>& visit);

  /// A result this process appended to `segment` at `offset`, known before
  /// the segment is read again. Appended right after what was read of the
  /// segment, it counts as read: a refresh does not read it back.
  void note_put(const std::string& segment, std::uint64_t offset,
                const segment::FrameHeader& header);
  /// A removal this process appended.
  void note_removal(const TaskHash& hash, std::uint64_t put_id);

  /// The index files (their names) whose segment is gone, as last listed.
  std::vector<std::string> orphan_index_files() const;

  /// The segment the put (`hash`, `put_id`) was last read in, removed or
  /// not; nothing when it was never read.
  std::optional<std::string> segment_of(const TaskHash& hash, std::uint64_t put_id) const;

 private:
  enum class PutState : std::uint8_t { live, removed, vanished };
  struct Put {
    std::uint64_t put_id = 0;
    std::uint64_t offset = 0;
    /// Its hash's key (key_for).
    std::uint32_t key = 0;
    std::uint32_t segment = 0;
    std::uint32_t frame_size = 0;
    PutState state = PutState::live;
  };

  /// The names of the segment files in the directory; notes its index
  /// files in index_files_.
  std::vector<std::string> list_segments();
  /// Room in puts_ and first_put_ for the frames of the index files of
  /// segments not read yet: read one by one, they would grow several times.
  /// Throws IoError.
  void reserve_for_index_files();
  /// Adds the segments `names` lists that are new, reads those listed, and
  /// marks the others gone; whether some were.
  bool read_listed(const std::vector<std::string>& names);
  /// Reads segment `index` from where it was read to its end. `complete`:
  /// nobody appends to it any more, so that what does not read as a frame
  /// is damage, passed over.
  void read_segment(std::uint32_t index, bool complete);
  /// Reads segment `index`, `size` bytes long, from its index file; false
  /// when that is missing, damaged or not of this segment. Throws IoError.
  bool read_index_file(std::uint32_t index, std::uint64_t size);
  /// Calls `visit` with each frame the index file of segment `index`
  /// (`size` bytes long) lists; false, having visited nothing or some,
  /// as segment::decode_index. Throws IoError.
  bool visit_index_file(std::uint32_t index, std::uint64_t size,
                        const std::function<void(const segment::IndexedFrame&)>& visit);
  /// for_each_frame of a segment read from its index file, whose `bytes`
  /// are read: each frame where the index file says it is, so that a frame
  /// header damaged since loses nothing (a result's record checks itself,
  /// a removal is all header). False, having visited none, when the index
  /// file no longer reads as the segment's.
  bool for_each_indexed_frame(std::uint32_t index, std::string_view bytes,
                              const std::function<void(const segment::FrameRead&)>& visit);
  /// Applies one whole frame read at `offset` of segment `index`.
  void apply(std::uint32_t index, std::uint64_t offset, const segment::FrameRead& frame);
  void add_put(std::uint32_t segment, std::uint64_t offset, const segment::FrameHeader& header);
  void remove_put(const TaskHash& hash, std::uint64_t put_id);
  /// Calls `visit` with the position of each put of `hash`.
  void for_each_put_of(const TaskHash& hash, const std::function<void(std::uint32_t)>& visit) const;
  void for_each_put_of_key(std::uint32_t key,
                           const std::function<void(std::uint32_t)>& visit) const;
  /// The key of `hash`, under which its puts are kept: a number from 0,
  /// made for each new hash; in an index of wanted hashes, its position
  /// among them, and nothing for any other.
  std::optional<std::uint32_t> key_for(const TaskHash& hash);
  /// The same, for a hash already read: nothing for a new one.
  std::optional<std::uint32_t> key_of(const TaskHash& hash) const;
  const TaskHash& hash_of_key(std::uint32_t key) const;
  bool has_live_put(std::uint32_t key) const;
  Place place_of(const Put& put) const;
  /// The put whose frame starts at `offset` of segment `segment`, if one
  /// was read there (a linear search: for damage only).
  const Put* put_at(std::uint32_t segment, std::uint64_t offset) const;
  /// A segment deleted (packed into another): its results not found
  /// elsewhere are gone.
  void forget_segment(std::uint32_t index);

  FileSystem& fs_;
  std::string directory_;
  std::vector<SegmentState> segments_;
  std::unordered_map<std::string, std::uint32_t> segment_by_name_;
  /// In huge pages: a million results' puts are 32 MB.
  MappedVector<Put> puts_;
  /// The hashes wanted, or nothing: every hash read is kept, under the key
  /// of its place in key_hashes_ (indexed by key_index_).
  const HashPositions* wanted_ = nullptr;
  mutable HashPositions::Cursor wanted_cursor_;
  MappedVector<TaskHash> key_hashes_;
  HashIndex key_index_;
  /// The position of the first put of each key, plus one (0: none).
  MappedVector<std::uint32_t> first_put_;
  /// The other puts of a key whose first is the map's key: rare (a task
  /// computed twice by workers that both thought its lease abandoned).
  std::unordered_multimap<std::uint32_t, std::uint32_t> more_puts_;
  /// Removals read before the put they remove (in another segment, read
  /// later): put id to key.
  std::unordered_multimap<std::uint64_t, std::uint32_t> early_removals_;
  std::size_t live_ = 0;
  std::chrono::steady_clock::time_point refreshed_{};
  /// The index files of the last listing.
  std::unordered_set<std::string> index_files_;
};

}  // namespace jug
