#include "cli/submit_values.hpp"

#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace jug::cli {
namespace {

/// All of `text` as a whole number.
std::optional<std::uint64_t> whole(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  using std::chrono::seconds;
  if (text.empty()) return std::nullopt;
  if (std::isalpha(static_cast<unsigned char>(text.back()))) {
    const std::optional<std::uint64_t> n = whole(text.substr(0, text.size() - 1));
    if (!n) return std::nullopt;
    switch (std::tolower(static_cast<unsigned char>(text.back()))) {
      case 's':
        return seconds(*n);
      case 'm':
        return seconds(*n * 60);
      case 'h':
        return seconds(*n * 3600);
      case 'd':
        return seconds(*n * 86400);
      default:
        return std::nullopt;
    }
  }
  std::uint64_t days = 0;
  if (const std::size_t dash = text.find('-'); dash != std::string_view::npos) {
    const std::optional<std::uint64_t> d = whole(text.substr(0, dash));
    if (!d) return std::nullopt;
    days = *d;
    text.remove_prefix(dash + 1);
  }
  std::vector<std::uint64_t> parts;
  while (true) {
    const std::size_t colon = text.find(':');
    const std::optional<std::uint64_t> part = whole(text.substr(0, colon));
    if (!part) return std::nullopt;
    parts.push_back(*part);
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  std::uint64_t total = 0;
  if (parts.size() == 3) {
    if (parts[1] >= 60 || parts[2] >= 60) return std::nullopt;
    total = parts[0] * 3600 + parts[1] * 60 + parts[2];
  } else if (parts.size() == 2 && days == 0) {
    if (parts[1] >= 60) return std::nullopt;
    total = parts[0] * 60 + parts[1];  // MM:SS, as SLURM reads it
  } else {
    return std::nullopt;  // a bare number: minutes to SLURM, seconds to others
  }
  total += days * 86400;
  if (total == 0) return std::nullopt;
  return seconds(total);
}

std::optional<std::uint64_t> parse_memory_mib(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::optional<std::uint64_t> n = whole(text.substr(0, digits));
  if (!n || *n == 0) return std::nullopt;
  const std::string unit = lower(text.substr(digits));
  constexpr std::uint64_t kKiB = 1, kMiB = 1024, kGiB = 1024 * kMiB, kTiB = 1024 * kGiB;
  std::uint64_t kib_per_unit = 0;
  if (unit.empty() || unit == "m" || unit == "mb" || unit == "mib") {
    kib_per_unit = kMiB;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    kib_per_unit = kKiB;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    kib_per_unit = kGiB;
  } else if (unit == "t" || unit == "tb" || unit == "tib") {
    kib_per_unit = kTiB;
  } else {
    return std::nullopt;
  }
  const std::uint64_t kib = *n * kib_per_unit;
  return (kib + kMiB - 1) / kMiB;
}

}  // namespace jug::cli
