// Records larger than one Redis string (512 MB): the record's chunks are
// written first, each under a key of its own, then a small manifest naming
// them is published at `<prefix>result:<hex>` in the transaction that would
// have published the record, so that a reader sees all or nothing. The
// chunks of a record replaced or removed are deleted after.
//
// A manifest: `jug-chunks 1 <token> <count> <size>\n`; its chunks are
// `<prefix>chunk:<hex>:<token>:<i>`. No record starts like it (the codec's
// records start with their own magic, codec.hpp).

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <charconv>

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

std::string RedisStore::write_chunks(const TaskHash& hash, std::string_view record) {
  if (record.size() <= chunk_size_) return {};
  const Manifest manifest{redis_scripts::random_token(),
                          (record.size() + chunk_size_ - 1) / chunk_size_, record.size()};
  const std::vector<std::string> keys = chunk_keys(hash, manifest.token, manifest.count);
  for (std::size_t i = 0; i < manifest.count; ++i) {
    const RedisReply reply = run({"SET", keys[i], record.substr(i * chunk_size_, chunk_size_)});
    check_reply(*reply, url_.masked(),
                fmt::format("storing part {} of {} of the result of task {}", i + 1,
                            manifest.count, hash.hex()));
  }
  return format_manifest(manifest);
}

std::vector<RedisReply> RedisStore::publish(const TaskHash& hash, std::string_view record,
                                            const std::vector<RedisCommand>& extra,
                                            std::string_view doing,
                                            const std::vector<RedisCommand>& after,
                                            const std::vector<RedisCommand>* after_again) {
  const std::string manifest = write_chunks(hash, record);
  const std::string result_key = key("result", hash), results = key("results"), hex = hash.hex();
  // What is replaced is looked at in the same transaction: if it was a
  // chunked record, its chunks are deleted after.
  std::vector<RedisCommand> commands{{"GETRANGE", result_key, "0", kManifestHeadEnd},
                                     {"SET", result_key, manifest.empty() ? record : manifest},
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
  // Whole in memory: the Redis store does not yet take a big record in pieces.
  std::string storage;
  publish(hash, record.bytes(storage), {},
          fmt::format("storing the result of task {}", hash.hex()));
}

bool RedisStore::remove(const TaskHash& hash) {
  const std::string result_key = key("result", hash);
  const RedisReply done =
      transaction({{"GETRANGE", result_key, "0", kManifestHeadEnd},
                   {"DEL", result_key},
                   {"SREM", key("results"), hash.hex()}},
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
