#include "cli/option_values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

namespace jug::cli {
namespace {

/// Whether all of `text` reads as a number (of any size or sign).
bool is_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && end == text.data() + text.size() &&
         error != std::errc::invalid_argument;
}

/// `text` as a whole number from `min` to `max`, the value of `option`.
unsigned whole_number(std::string_view option, std::string_view text, unsigned min,
                      unsigned max) {
  unsigned long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && end == text.data() + text.size() && error == std::errc() &&
      value >= min && value <= max) {
    return static_cast<unsigned>(value);
  }
  const std::string range =
      max == kNoLimit ? fmt::format("{} or more", min) : fmt::format("from {} to {}", min, max);
  if (!is_number(text)) {
    throw CLI::ValidationError(
        fmt::format("{} must be a whole number {}; '{}' is not a number", option, range, text));
  }
  throw CLI::ValidationError(
      fmt::format("{} must be a whole number {}, got {}", option, range, text));
}

/// `text` as a positive, finite number of seconds, the value of `option`.
std::chrono::duration<double> positive_seconds(std::string_view option, std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && end == text.data() + text.size() && error == std::errc() &&
      std::isfinite(value) && value > 0) {
    return std::chrono::duration<double>(value);
  }
  if (!is_number(text)) {
    throw CLI::ValidationError(fmt::format(
        "{} must be a positive number of seconds; '{}' is not a number", option, text));
  }
  throw CLI::ValidationError(
      fmt::format("{} must be a positive number of seconds, got {}", option, text));
}

}  // namespace

/// Adds the option `names` ("-j,--jobs"), whose value is a whole number
/// from `min` to `max`, stored in `target`.
CLI::Option* add_whole_number(CLI::App& sub, const std::string& names, unsigned& target,
                              unsigned min, unsigned max, const std::string& description) {
  std::string shown = names;  // "-j/--jobs", as messages name it
  std::replace(shown.begin(), shown.end(), ',', '/');
  return sub
      .add_option_function<std::string>(
          names,
          [&target, shown, min, max](const std::string& text) {
            target = whole_number(shown, text, min, max);
          },
          description)
      ->type_name("N");
}

/// Adds the option `name`, whose value is a positive number of seconds,
/// stored in `target`.
CLI::Option* add_seconds(CLI::App& sub, const std::string& name,
                         std::chrono::duration<double>& target, const std::string& description) {
  return sub
      .add_option_function<std::string>(
          name, [&target, name](const std::string& text) { target = positive_seconds(name, text); },
          description)
      ->type_name("SECONDS");
}

}  // namespace jug::cli
