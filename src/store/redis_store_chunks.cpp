// Records larger than one Redis string (512 MB), and big records not in
// memory (a result of several GB, produced as it is sent, in chunks of
// 16 MB): the record's chunks are written first, each under a key of its
// own, then a small manifest naming them is published at
// `<prefix>result:<hex>` in the transaction that would have published the
// record, so that a reader sees all or nothing. The chunks of a record
// replaced or removed are deleted after. A chunked record is read a chunk
// at a time, into the value being decoded (open_record).
//
// A manifest: `jug-chunks 1 <token> <count> <size>\n`; its chunks are
// `<prefix>chunk:<hex>:<token>:<i>`. No record starts like it (the codec's
// records start with their own magic, codec.hpp).

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <exception>

#include "jug/errors.hpp"
#include "store/redis_scripts.hpp"
#include "store/redis_store.hpp"

namespace jug {
namespace {

constexpr std::string_view kManifestMagic = "jug-chunks 1 ";
/// Longer than any manifest: how much of a replaced value is looked at.
constexpr std::string_view kManifestHeadEnd = "127";

struct Manifest {
  std::string token;
  std::size_t count = 0;
  std::size_t size = 0;
};

std::string format_manifest(const Manifest& manifest) {
  return fmt::format("{}{} {} {}\n", kManifestMagic, manifest.token, manifest.count,
                     manifest.size);
}

/// The manifest `value` is, if it is one.
std::optional<Manifest> parse_manifest(std::string_view value) {
  if (!value.starts_with(kManifestMagic)) return std::nullopt;
  value.remove_prefix(kManifestMagic.size());
  Manifest manifest;
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  manifest.token = std::string(value.substr(0, space));
  const char* at = value.data() + space + 1;
  const char* end = value.data() + value.size();
  auto [after_count, count_error] = std::from_chars(at, end, manifest.count);
  if (count_error != std::errc() || after_count == end || *after_count != ' ') return std::nullopt;
  auto [after_size, size_error] = std::from_chars(after_count + 1, end, manifest.size);
  if (size_error != std::errc() || after_size == end || *after_size != '\n') return std::nullopt;
  return manifest;
}

}  // namespace

std::vector<std::string> RedisStore::chunk_keys(const TaskHash& hash, std::string_view token,
                                                std::size_t count) const {
  std::vector<std::string> keys;
  keys.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    keys.push_back(fmt::format("{}chunk:{}:{}:{}", url_.prefix, hash.hex(), token, i));
  }
  return keys;
}

/// Sends a record's bytes as they are produced, a chunk at a time; its
/// start (the header, written last) is put in place by SETRANGE.
class RedisStore::ChunkWriter final : public RecordWriter {
 public:
  ChunkWriter(RedisStore& store, const TaskHash& hash, const Manifest& manifest,
              std::size_t chunk_size)
      : store_(store),
        hash_(hash),
        keys_(store.chunk_keys(hash, manifest.token, manifest.count)),
        size_(manifest.size),
        chunk_size_(chunk_size) {}

  void append(std::string_view piece) override {
    while (!piece.empty()) {
      if (buffer_.empty() && piece.size() >= chunk_size_) {
        // A whole chunk (an array's bytes, a record in memory): sent as it
        // is, not copied through the buffer.
        send(piece.substr(0, chunk_size_));
        piece.remove_prefix(chunk_size_);
        continue;
      }
      const std::size_t take = std::min(piece.size(), chunk_size_ - buffer_.size());
      buffer_.append(piece.substr(0, take));
      piece.remove_prefix(take);
      if (buffer_.size() == chunk_size_) send_buffer();
    }
  }

  void overwrite_start(std::string_view bytes) override {
    // Into the chunks sent (SETRANGE), and the one still being filled.
    for (std::size_t i = 0; !bytes.empty(); ++i) {
      const std::string_view part = bytes.substr(0, chunk_size_);
      bytes.remove_prefix(part.size());
      if (i < sent_) {
        const RedisReply reply = store_.run({"SETRANGE", keys_[i], "0", part});
        check_reply(*reply, store_.url_.masked(), doing(i));
      } else {
        buffer_.replace(0, part.size(), part);
        return;
      }
    }
  }

  /// Sends what is left; checks that the record had as many chunks as its
  /// size says.
  void finish() {
    if (!buffer_.empty()) send_buffer();
    if (sent_ != keys_.size()) {
      throw StoreError(fmt::format("the result of task {} was {} bytes, not the {} announced",
                                   hash_.hex(), sent_bytes_, size_));
    }
  }

  /// Deletes the chunks sent so far (a record that failed half-way).
  void discard() noexcept {
    try {
      RedisCommand command{"DEL"};
      for (std::size_t i = 0; i < std::min(sent_, keys_.size()); ++i) command.push_back(keys_[i]);
      if (command.size() > 1) (void)store_.run(command);
    } catch (const std::exception&) {
      // Left for `jug cleanup`, which deletes chunks no manifest names.
    }
  }

 private:
  std::string doing(std::size_t i) const {
    return fmt::format("storing part {} of {} of the result of task {}", i + 1, keys_.size(),
                       hash_.hex());
  }
  void send(std::string_view chunk) {
    if (sent_ >= keys_.size()) {
      throw StoreError(fmt::format("the result of task {} is longer than announced",
                                   hash_.hex()));
    }
    const RedisReply reply = store_.run({"SET", keys_[sent_], chunk});
    check_reply(*reply, store_.url_.masked(), doing(sent_));
    sent_bytes_ += chunk.size();
    ++sent_;
  }
  void send_buffer() {
    send(buffer_);
    buffer_.clear();
  }

  RedisStore& store_;
  const TaskHash& hash_;
  const std::vector<std::string> keys_;
  const std::size_t size_;
  const std::size_t chunk_size_;
  std::string buffer_;
  std::size_t sent_ = 0;
  std::uint64_t sent_bytes_ = 0;
};

std::string RedisStore::write_chunks(const TaskHash& hash, const RecordBytes& record) {
  const std::optional<std::string_view> whole = record.whole();
  if (whole && whole->size() <= chunk_size_) return {};
  // A record not in memory is produced as it is sent: in chunks small
  // enough to hold beside the value.
  const std::size_t chunk = whole ? chunk_size_ : std::min(chunk_size_, kStreamedChunk);
  const std::size_t size = static_cast<std::size_t>(record.size());
  const Manifest manifest{redis_scripts::random_token(),
                          std::max<std::size_t>(1, (size + chunk - 1) / chunk), size};
  ChunkWriter writer(*this, hash, manifest, chunk);
  try {
    record.write_to(writer);
    writer.finish();
  } catch (...) {
    writer.discard();
    throw;
  }
  return format_manifest(manifest);
}

/// A chunked record, read a chunk at a time where it is asked for (a
/// decoder reads front to back; a compressed record is read twice). Every
/// chunk but the last has the length of the first.
class RedisStore::ChunkedRecord final : public RecordSource {
 public:
  ChunkedRecord(RedisStore& store, const TaskHash& hash, std::string manifest_text,
                const Manifest& manifest)
      : store_(store),
        hash_(hash),
        manifest_text_(std::move(manifest_text)),
        keys_(store.chunk_keys(hash, manifest.token, manifest.count)),
        size_(manifest.size) {}

  std::uint64_t size() const override { return size_; }

  std::size_t read_at(std::uint64_t offset, std::span<char> buffer) override {
    std::size_t filled = 0;
    while (filled < buffer.size() && offset + filled < size_) {
      const std::uint64_t at = offset + filled;
      if (chunk_length_ == 0 && !load(0)) break;
      const std::size_t index = static_cast<std::size_t>(at / chunk_length_);
      if (index != loaded_ && !load(index)) break;
      const std::string_view chunk = text_of(*chunk_);
      const std::size_t within = static_cast<std::size_t>(at - index * chunk_length_);
      if (within >= chunk.size()) break;  // a chunk shorter than it should be
      const std::size_t n = std::min(buffer.size() - filled, chunk.size() - within);
      std::copy_n(chunk.data() + within, n, buffer.data() + filled);
      filled += n;
    }
    return filled;
  }

 private:
  /// Fetches chunk `index`; false when it is missing for good (the record
  /// reads as cut short there: damaged). Throws RecordReplaced when the
  /// record it belongs to was replaced or removed.
  bool load(std::size_t index) {
    if (index >= keys_.size()) return false;
    const std::string doing =
        fmt::format("reading part {} of the result of task {}", index + 1, hash_.hex());
    RedisReply reply = store_.run({"GET", keys_[index]});
    check_reply(*reply, store_.url_.masked(), doing);
    if (is_nil(*reply)) {
      if (store_.string_at(store_.key("result", hash_), doing) != manifest_text_) {
        throw RecordReplaced(fmt::format(
            "the result of task {} was replaced or removed while it was read", hash_.hex()));
      }
      return false;
    }
    chunk_ = std::move(reply);
    loaded_ = index;
    if (index == 0) chunk_length_ = std::max<std::size_t>(1, text_of(*chunk_).size());
    return true;
  }

  RedisStore& store_;
  const TaskHash hash_;
  const std::string manifest_text_;
  const std::vector<std::string> keys_;
  const std::uint64_t size_;
  RedisReply chunk_;
  std::size_t loaded_ = static_cast<std::size_t>(-1);
  std::size_t chunk_length_ = 0;
};

std::unique_ptr<RecordSource> RedisStore::open_record(const TaskHash& hash) {
  std::optional<std::string> value =
      string_at(key("result", hash), fmt::format("reading the result of task {}", hash.hex()));
  if (!value) return nullptr;
  if (const std::optional<Manifest> manifest = parse_manifest(*value)) {
    return std::make_unique<ChunkedRecord>(*this, hash, std::move(*value), *manifest);
  }
  return std::make_unique<RecordInMemory>(std::move(*value));
}

std::vector<RedisReply> RedisStore::publish(const TaskHash& hash, const RecordBytes& record,
                                            const std::vector<RedisCommand>& extra,
                                            std::string_view doing,
                                            const std::vector<RedisCommand>& after,
                                            const std::vector<RedisCommand>* after_again) {
  const std::string manifest = write_chunks(hash, record);
  const std::string result_key = key("result", hash), results = key("results"), hex = hash.hex();
  // What is replaced is looked at in the same transaction: if it was a
  // chunked record, its chunks are deleted after.
  std::vector<RedisCommand> commands{{"GETRANGE", result_key, "0", kManifestHeadEnd},
                                     {"SET", result_key, manifest.empty() ? *record.whole() : manifest},
                                     {"SADD", results, hex}};
  commands.insert(commands.end(), extra.begin(), extra.end());
  std::vector<RedisReply> replies = transaction_then(commands, doing, after, after_again);
  const std::string_view replaced = text_of(*replies.front()->element[0]);
  if (replaced != manifest) drop_chunks(hash, replaced);
  replies.erase(replies.begin());
  return replies;
}

void RedisStore::drop_chunks(const TaskHash& hash, std::string_view replaced) {
  const std::optional<Manifest> manifest = parse_manifest(replaced);
  if (!manifest) return;
  const std::vector<std::string> keys = chunk_keys(hash, manifest->token, manifest->count);
  RedisCommand command{"DEL"};
  command.insert(command.end(), keys.begin(), keys.end());
  const RedisReply reply = run(command);
  check_reply(*reply, url_.masked(),
              fmt::format("deleting the parts of a replaced result of task {}", hash.hex()));
}

std::optional<std::string> RedisStore::get(const TaskHash& hash) {
  const std::string doing = fmt::format("reading the result of task {}", hash.hex());
  // Twice at most: a record replaced between reading its manifest and its
  // chunks is read again, whole.
  for (int attempt = 0;; ++attempt) {
    std::optional<std::string> value = string_at(key("result", hash), doing);
    if (!value) return std::nullopt;
    const std::optional<Manifest> manifest = parse_manifest(*value);
    if (!manifest) return value;
    const std::vector<std::string> keys = chunk_keys(hash, manifest->token, manifest->count);
    std::vector<RedisCommand> commands;
    for (const std::string& k : keys) commands.push_back({"GET", k});
    const std::vector<RedisReply> chunks = run(commands);
    std::string record;
    record.reserve(manifest->size);
    bool whole = true;
    for (const RedisReply& chunk : chunks) {
      check_reply(*chunk, url_.masked(), doing);
      whole = whole && !is_nil(*chunk);
      record.append(text_of(*chunk));
    }
    if (whole || attempt == 1) {
      // A part lost for good leaves a record cut short, which fails its
      // checks: reported as damaged, and computed again, like a damaged file.
      return record;
    }
  }
}

void RedisStore::put(const TaskHash& hash, const RecordBytes& record) {
  publish(hash, record, {}, fmt::format("storing the result of task {}", hash.hex()));
}

bool RedisStore::remove(const TaskHash& hash) {
  const std::string result_key = key("result", hash);
  const RedisReply done =
      transaction({{"GETRANGE", result_key, "0", kManifestHeadEnd},
                   {"DEL", result_key},
                   {"SREM", key("results"), hash.hex()},
                   // The removal generation changes with the removal, in one step.
                   {"INCR", key("removals")}},
                  fmt::format("removing the result of task {}", hash.hex()));
  drop_chunks(hash, text_of(*done->element[0]));
  return done->element[1]->integer > 0;
}

std::size_t RedisStore::drop_orphan_chunks(bool dry_run) {
  std::size_t orphans = 0;
  for (const std::string& name : keys_of_kind("chunk")) {
    // <hex>:<token>:<index>
    const std::size_t colon = name.find(':');
    const std::optional<TaskHash> hash = TaskHash::from_hex(name.substr(0, colon));
    if (!hash || colon == std::string::npos) continue;
    const std::string token = name.substr(colon + 1, name.find(':', colon + 1) - colon - 1);
    const std::string chunk = key("chunk") + ":" + name;
    const RedisReply dropped =
        script(redis_scripts::kDropOrphanChunk, {chunk, key("result", *hash), key("lease", *hash)},
               {token, dry_run ? "look" : "fix"}, "deleting parts of large results no result uses");
    orphans += dropped->integer == 1 ? 1 : 0;
  }
  return orphans;
}

}  // namespace jug
