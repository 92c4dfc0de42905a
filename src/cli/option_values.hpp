#pragma once
/// Options whose value is a number, read by jug rather than by CLI11, whose
/// messages for a bad value do not say what the option wants ("Could not
/// convert: --retries = -1", "not in range 1 to 4096" for `-j x`, a bound of
/// 300 digits for `--lease-time 0`). A bad value is a CLI::ValidationError
/// whose message says what the option takes and what was given.

#include <chrono>
#include <limits>
#include <string>

#include <CLI/CLI.hpp>

namespace jug::cli {

/// No upper bound for add_whole_number.
inline constexpr unsigned kNoLimit = std::numeric_limits<unsigned>::max();

/// Adds the option `names` ("-j,--jobs"), whose value is a whole number
/// from `min` to `max`, stored in `target`.
CLI::Option* add_whole_number(CLI::App& sub, const std::string& names, unsigned& target,
                              unsigned min, unsigned max, const std::string& description);

/// Adds the option `name`, whose value is a positive number of seconds,
/// stored in `target`.
CLI::Option* add_seconds(CLI::App& sub, const std::string& name,
                         std::chrono::duration<double>& target, const std::string& description);

}  // namespace jug::cli
