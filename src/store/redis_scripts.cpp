// What the Redis store's scripts need besides their text: their names for
// EVALSHA, and random tokens.

#include "store/redis_scripts.hpp"

#include <fmt/format.h>
#include <nettle/sha1.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace jug {

std::string redis_scripts::random_token() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}", random());
}

std::string_view redis_scripts::sha1_of(std::string_view script) {
  static const std::array<std::string, kAll.size()> hexes = [] {
    std::array<std::string, kAll.size()> out;
    for (std::size_t i = 0; i < kAll.size(); ++i) {
      sha1_ctx context;
      sha1_init(&context);
      sha1_update(&context, kAll[i].size(), reinterpret_cast<const std::uint8_t*>(kAll[i].data()));
      std::array<std::uint8_t, SHA1_DIGEST_SIZE> digest{};
      sha1_digest(&context, digest.size(), digest.data());
      for (std::uint8_t byte : digest) out[i] += fmt::format("{:02x}", byte);
    }
    return out;
  }();
  // By content, not address: a constant's text may have a copy in each
  // translation unit (sanitizer builds keep string literals apart).
  const auto* at = std::find(kAll.begin(), kAll.end(), script);
  if (at == kAll.end()) throw std::logic_error("sha1_of: a script not in redis_scripts::kAll");
  return hexes[static_cast<std::size_t>(at - kAll.begin())];
}

}  // namespace jug
