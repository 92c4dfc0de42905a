#pragma once
/// What is known about the run that made a result: kept in its record's
/// trailer (record.hpp), written with the result in the same write, and read
/// alone, without the result, by what tells of runs (`jug show`, `jug why`,
/// execute's estimate of the time left). Never part of a task's identity:
/// two runs of one task store the same payload and different metadata.
///
/// Encoded with the codec (docs/codec.md), after a u16 format version; a
/// reader given a newer version than it knows says so instead of guessing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jug {

struct RunMetadata {
  std::string task_name;
  /// When the task started and ended, in ns since the Unix epoch (the
  /// worker's clock).
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  std::string host;
  std::int64_t pid = 0;
  /// "SLURM job 4242", or empty outside a batch job.
  std::string batch_job;
  /// The jug that ran it ("0.1.0").
  std::string jug_version;
  /// The most memory the worker process held, up to the task's end (the
  /// kernel's peak resident set size; the whole worker's, so with -j N it
  /// counts the tasks running beside it).
  std::uint64_t peak_rss_bytes = 0;
  /// The generator's code version ({.version = N}).
  std::uint64_t code_version = 0;
  /// Each argument as it entered the task's hash (argument_identity): what
  /// `jug why` compares with the arguments of today's task of that name.
  std::vector<std::string> argument_identities;

  friend bool operator==(const RunMetadata&, const RunMetadata&) = default;
};

/// The metadata's bytes, at most kMaxRunMetadataSize: argument identities
/// beyond it are left out (`jug why` then says it cannot tell).
std::string encode_run_metadata(const RunMetadata& metadata);
inline constexpr std::size_t kMaxRunMetadataSize = 1 << 20;

/// Reads metadata back; nullopt when it is in a newer format than this jug
/// reads. Throws CorruptRecord for bytes that do not decode.
std::optional<RunMetadata> decode_run_metadata(std::string_view bytes);

/// An argument's bytes in its task's hash (TaskBody::argument_fingerprints)
/// made short enough to keep: as they are up to 256 bytes, else '#', their
/// first byte (the argument's shape, docs/hashing.md) and their 16-byte
/// XXH3-128. Equal bytes give equal identities; different ones, different
/// identities but by accident.
std::string argument_identity(std::string_view hash_bytes);

}  // namespace jug
