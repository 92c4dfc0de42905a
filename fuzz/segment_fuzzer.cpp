// Fuzz target `segment`: the segment files of a file store and their index
// files (src/store/segment_frame.hpp, segment_index.hpp,
// segment_index_file.hpp), as a reader finds them after damage, a crash
// mid-append, or another program's writes.
//
// Feeds: the first byte is options, the second where a writer is caught
// mid-append (below); the rest is the content of up to four files, split
// before each "jug-cpp segment 1\n" after the first byte, written on a
// MemoryFileSystem as the segments /s/segments/seg.1.2.3.<n> (with
// kIndexFile, the last of them is instead the index file of the first
// segment, its leading segment header dropped). A SegmentIndex reads them
// (refresh, twice when the files grow in two steps), then is asked for every
// task a frame names or it lists (find, find_all, contains, segment_of), for
// damage (which reads unfinished segments to their end), and walks every
// frame (for_each_frame). read_frame and next_whole_frame also run on each
// segment alone. kReseal gives every frame header and the index file a
// valid checksum (and the index the first segment's size), so that what
// the checksums guard is fuzzed, not only damage.
//
// Findings: any exception but posix::IoError; a crash, a sanitizer's
// report, a hang, memory beyond libFuzzer's limit; and an index that breaks
// what it promises: a place beyond its segment's end or, without an index
// file (which the reader trusts as a cache), a place that is not a whole
// result frame of its task; damage or a frame beyond a segment's end;
// counts of results that disagree.

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec/checksum.hpp"
#include "fuzz/fuzz_target.hpp"
#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "store/posix_files.hpp"
#include "store/segment_frame.hpp"
#include "store/segment_index.hpp"
#include "unit/store/memory_file_system.hpp"

namespace jug::fuzz {
namespace {

using segment::FrameKind;
using segment::FrameRead;
using segment::FrameState;
using segment::kFileHeader;
using segment::kFrameHeaderSize;

/// Give every frame header in the files a valid checksum.
constexpr std::uint8_t kReseal = 1;
/// Start each file with the segment file header when it lacks it.
constexpr std::uint8_t kAddFileHeader = 2;
/// Write each file in two steps, the index refreshed in between: a reader
/// meeting a segment while its writer appends.
constexpr std::uint8_t kTwoSteps = 4;
/// Bits 3-4: at most this many files, less one.
constexpr int kFilesShift = 3;
/// damage() is told that the segments' writers are gone: the segments left
/// unfinished are read to their end, what does not read as frames being
/// damage.
constexpr std::uint8_t kWritersGone = 0x20;
/// The last file is the index file of the first segment.
constexpr std::uint8_t kIndexFile = 0x40;

const std::string kDirectory = "/s/segments";

/// What segment_frame.cpp checks a frame header with: the XXH3-64 of its
/// first 56 bytes, stored in the next 8 (segment_frame.hpp).
constexpr std::size_t kHeaderChecksumOffset = 56;

void reseal_frames(std::string& file) {
  const std::string_view magic = "JUGF";
  for (std::size_t at = file.find(magic);
       at != std::string::npos && at + kFrameHeaderSize <= file.size();
       at = file.find(magic, at + 1)) {
    const std::uint64_t sum =
        record::checksum_of(std::string_view(file).substr(at, kHeaderChecksumOffset), 0);
    file.replace(at + kHeaderChecksumOffset, sizeof sum, reinterpret_cast<const char*>(&sum),
                 sizeof sum);
  }
}

/// What the index file of a segment holds, as segment_index_file.hpp lays
/// it out: the segment's size after a header line, an XXH3-64 of the rest
/// at the end. Written here, not through encode_index, so that any bytes
/// can be sealed.
constexpr std::size_t kIndexSizeOffset = 24;
constexpr std::size_t kIndexChecksumSize = 8;

void reseal_index(std::string& index, std::uint64_t segment_size) {
  if (index.size() < kIndexSizeOffset + sizeof segment_size + kIndexChecksumSize) return;
  std::memcpy(index.data() + kIndexSizeOffset, &segment_size, sizeof segment_size);
  const std::size_t checked = index.size() - kIndexChecksumSize;
  const std::uint64_t sum = record::checksum_of(std::string_view(index).substr(0, checked), 0);
  std::memcpy(index.data() + checked, &sum, sizeof sum);
}

/// The files of a segments directory.
struct Files {
  std::vector<std::string> segments;
  /// The first segment's index file, when there is one.
  std::optional<std::string> index;
};

/// The files the input's content makes: split before each file header
/// after the first byte, up to `max_files` of them.
Files files_of(std::string_view content, std::size_t max_files, std::uint8_t options) {
  Files files;
  while (files.segments.size() + 1 < max_files) {
    const std::size_t next = content.find(kFileHeader, 1);
    if (next == std::string_view::npos) break;
    files.segments.emplace_back(content.substr(0, next));
    content.remove_prefix(next);
  }
  files.segments.emplace_back(content);
  if ((options & kIndexFile) != 0 && files.segments.size() > 1) {
    files.index = std::move(files.segments.back());
    files.segments.pop_back();
    if (files.index->starts_with(kFileHeader)) files.index->erase(0, kFileHeader.size());
  }
  for (std::string& file : files.segments) {
    if ((options & kAddFileHeader) != 0 && !file.starts_with(kFileHeader)) {
      file.insert(0, kFileHeader);
    }
    if ((options & kReseal) != 0) reseal_frames(file);
  }
  if (files.index && (options & kReseal) != 0) reseal_index(*files.index, files.segments[0].size());
  return files;
}

std::string name_of(std::size_t i) { return "seg.1.2.3." + std::to_string(4 + i); }

/// Writes `bytes` to an open file of the memory file system, whole.
void write(store_test::MemoryFileSystem& fs, FileHandle file, std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t written = 0;
    expect(fs.write(file, bytes, &written) == 0 && written > 0, "MemoryFileSystem::write failed");
    bytes.remove_prefix(written);
  }
}

/// The tasks the frames of `segments` name, wherever their magic is found,
/// and one no frame names.
std::set<TaskHash> tasks_named(const std::vector<std::string>& segments) {
  std::set<TaskHash> tasks = {TaskHash::of("fuzz: a task no frame names")};
  for (const std::string& file : segments) {
    for (std::size_t at = file.find("JUGF"); at != std::string::npos;
         at = file.find("JUGF", at + 1)) {
      const FrameRead frame = segment::read_frame(std::string_view(file).substr(at));
      if (frame.state == FrameState::whole) tasks.insert(frame.header.hash);
    }
  }
  return tasks;
}

/// read_frame at every offset of a file, and next_whole_frame from each
/// whole frame it finds to the next (not from every offset: each search
/// may run to the end, and the target must stay fast on long inputs).
void check_frames_of(std::string_view file) {
  for (std::size_t at = 0; at < file.size(); ++at) {
    const FrameRead frame = segment::read_frame(file.substr(at));
    if (frame.state != FrameState::whole) continue;
    expect(frame.size == kFrameHeaderSize + frame.body.size() && frame.size <= file.size() - at,
           "read_frame: a whole frame's size is not its header and body within the bytes");
  }
  for (std::size_t from = 0; from < file.size();) {
    const std::size_t next = segment::next_whole_frame(file, from);
    expect(next == file.size() ||
               (next >= from && segment::read_frame(file.substr(next)).state == FrameState::whole),
           "next_whole_frame: not the end, nor a whole frame at or after where it started");
    from = next + 1;
  }
}

/// What the index promises about the files as they are.
void check_index(const SegmentIndex& index, const Files& files, const std::set<TaskHash>& tasks) {
  const auto file_of = [&](const std::string& name) -> const std::string* {
    for (std::size_t i = 0; i < files.segments.size(); ++i) {
      if (name_of(i) == name) return &files.segments[i];
    }
    return nullptr;
  };
  std::size_t live = 0;
  for (const SegmentIndex::SegmentState& state : index.segments()) {
    const std::string* file = file_of(state.name);
    expect(file != nullptr, "the index names a segment that was never written");
    expect(state.read_to <= file->size(), "the index read a segment beyond its end");
    expect(state.live <= state.puts, "a segment has more live results than results");
    for (const SegmentIndex::Damage& damage : state.damage) {
      expect(damage.offset <= file->size() && damage.bytes <= file->size() - damage.offset,
             "damage reported beyond a segment's end");
    }
    live += state.live;
  }
  expect(live == index.result_count(), "the segments' live results do not add up to the count");
  for (const TaskHash& task : tasks) {
    const std::optional<SegmentIndex::Place> place = index.find(task);
    expect(index.contains(task) == place.has_value(), "contains() and find() disagree");
    if (!place) continue;
    const std::string* file = file_of(place->segment);
    expect(file != nullptr && place->offset <= file->size() &&
               place->frame_size <= file->size() - place->offset,
           "find(): a place beyond its segment's end");
    if (!files.index) {
      const FrameRead frame = segment::read_frame(std::string_view(*file).substr(place->offset));
      expect(frame.state == FrameState::whole && frame.header.kind == FrameKind::result &&
                 frame.header.hash == task && frame.size == place->frame_size &&
                 frame.header.put_id == place->put_id,
             "find(): the place is not a whole result frame of the task");
    }
    const std::vector<SegmentIndex::Place> all = index.find_all(task);
    expect(std::any_of(all.begin(), all.end(),
                       [&](const SegmentIndex::Place& p) {
                         return p.segment == place->segment && p.offset == place->offset;
                       }),
           "find_all() lacks the place find() gives");
    expect(index.segment_of(task, place->put_id) == place->segment,
           "segment_of() names another segment than find()");
  }
  index.for_each_result([&](const TaskHash& task) {
    expect(index.contains(task), "for_each_result() visits a task the index does not contain");
  });
}

void read_segments(const Files& files, std::uint8_t options, std::uint8_t first_step) {
  store_test::MemoryFileSystem fs;
  expect(fs.make_directory("/s") == 0 && fs.make_directory(kDirectory) == 0,
         "MemoryFileSystem::make_directory failed");
  if (files.index) {
    FileHandle handle;
    // As its writer publishes it: whole, before a reader looks.
    expect(fs.create_exclusive(kDirectory + "/index." + name_of(0), &handle) == 0,
           "MemoryFileSystem::create_exclusive failed");
    write(fs, handle, *files.index);
    fs.close(handle);
  }
  const std::vector<std::string>& segments = files.segments;
  std::vector<FileHandle> handles(segments.size());
  const bool two_steps = (options & kTwoSteps) != 0;
  const auto first_part = [&](std::size_t i) {
    return two_steps ? fraction_of(segments[i].size(), first_step) : segments[i].size();
  };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    expect(fs.create_exclusive(kDirectory + "/" + name_of(i), &handles[i]) == 0,
           "MemoryFileSystem::create_exclusive failed");
    write(fs, handles[i], std::string_view(segments[i]).substr(0, first_part(i)));
  }
  std::set<TaskHash> tasks = tasks_named(segments);
  SegmentIndex index(fs, kDirectory);
  index.refresh();
  if (two_steps) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      write(fs, handles[i], std::string_view(segments[i]).substr(first_part(i)));
    }
    index.refresh();
  }
  for (FileHandle handle : handles) fs.close(handle);
  // The tasks of an index file too, which no frame may name.
  index.for_each_result([&](const TaskHash& task) { tasks.insert(task); });
  check_index(index, files, tasks);
  const bool writers_gone = (options & kWritersGone) != 0;
  (void)index.damage([&](const std::string&) { return writers_gone; });
  for (std::size_t i = 0; i < segments.size(); ++i) {
    index.read_to_end(name_of(i));
    index.for_each_frame(name_of(i), [&](const FrameRead& frame) {
      expect(frame.state == FrameState::whole && frame.size <= segments[i].size(),
             "for_each_frame() visits a frame that is not whole, or larger than its segment");
    });
  }
  check_index(index, files, tasks);
}

}  // namespace

std::vector<Seed> seeds() {
  // Real segments, made by the store: results, a removal, a sealed end;
  // and the index file a sealed segment gets, where the store writes one.
  std::vector<std::string> segments;
  std::vector<std::string> indexes;
  for (int writer = 0; writer < 2; ++writer) {
    const auto fs = std::make_shared<store_test::MemoryFileSystem>();
    {
      FileStore store("/s", fs, FileStore::SmallResults::in_segments);
      for (int i = 0; i < 3; ++i) {
        const TaskHash task = TaskHash::of("fuzz: task " + std::to_string(writer * 3 + i));
        store.put(task, "result " + std::to_string(i));
      }
      if (writer == 1) store.remove(TaskHash::of("fuzz: task 4"));
    }
    for (const auto& [path, content] : fs->files()) {
      if (path.starts_with(kDirectory + "/seg.")) segments.push_back(content);
      if (path.starts_with(kDirectory + "/index.")) indexes.push_back(content);
    }
  }
  expect(segments.size() == 2, "the seeds' stores did not write one segment each");
  const auto seed = [](std::string name, std::uint8_t options, std::uint8_t cut,
                       const std::string& content) {
    return Seed{std::move(name),
                std::string{static_cast<char>(options), static_cast<char>(cut)} + content};
  };
  std::string damaged = segments[0];
  damaged[kFileHeader.size() + kFrameHeaderSize + 20] ^= 0x40;  // a byte of the first record
  damaged[kFileHeader.size() + 10] ^= 0x01;                     // a byte of the first header
  // A segment cut mid-frame, as a writer killed while appending leaves it.
  const std::string torn = segments[0].substr(0, segments[0].size() - 70);
  std::vector<Seed> seeds = {
      seed("one-segment", 0, 0, segments[0]),
      seed("with-removal", kWritersGone, 0, segments[1]),
      seed("two-segments", 1 << kFilesShift, 0, segments[0] + segments[1]),
      seed("two-segments-appended", kTwoSteps | (1 << kFilesShift), 100, segments[1] + segments[0]),
      seed("damaged", kWritersGone, 0, damaged),
      seed("damaged-resealed", kReseal | kWritersGone | kTwoSteps, 200, damaged),
      seed("torn", 0, 0, torn),
      seed("torn-writer-gone", kWritersGone, 0, torn),
      seed("frames-without-file-header", kAddFileHeader | kReseal, 0,
           segments[1].substr(kFileHeader.size())),
  };
  if (indexes.size() == 2) {
    const std::uint8_t with_index = kIndexFile | (1 << kFilesShift);
    seeds.push_back(
        seed("indexed", with_index, 0, segments[1] + std::string(kFileHeader) + indexes[1]));
    seeds.push_back(seed("indexed-damaged-resealed", with_index | kReseal | kWritersGone, 0,
                         damaged + std::string(kFileHeader) + indexes[0]));
  }
  return seeds;
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jug;
  using namespace jug::fuzz;
  FuzzInput input(data, size);
  const std::uint8_t options = input.byte();
  const std::uint8_t first_step = input.byte();
  const Files files = files_of(input.rest(), 1 + ((options >> kFilesShift) & 3), options);
  for (const std::string& segment : files.segments) check_frames_of(segment);
  try {
    read_segments(files, options, first_step);
  } catch (const posix::IoError&) {
    // The documented failure (none is expected of a file system in memory).
  }
  return 0;
}
