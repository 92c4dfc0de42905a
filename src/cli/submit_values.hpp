#pragma once
/// The values of `jug submit`'s options as a cluster user types them:
/// durations as the batch systems write them ("2:00:00", "1-12:00:00") or
/// with a unit ("90m", "2h"), memory with a unit ("4G", "500M").

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jug::cli {

/// "H:MM:SS", "D-H:MM:SS", "MM:SS", or a whole number with a unit s, m, h
/// or d ("90m"); nothing for anything else (a bare number has no unit
/// every batch system agrees on).
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

/// A whole number with a unit K, M, G or T (powers of 1024, as SLURM and
/// Grid Engine count; "KB", "MiB" and lower case too), in MiB rounded up;
/// a bare number is MiB, as SLURM's --mem reads it. Nothing for anything
/// else, and for zero.
std::optional<std::uint64_t> parse_memory_mib(std::string_view text);

}  // namespace jug::cli
