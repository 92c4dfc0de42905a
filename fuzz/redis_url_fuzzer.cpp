// Fuzz target `redis_url`: where a Redis store lives (src/store/redis_url.hpp),
// as a --jugdir, a jugrc file or a job script names it.
//
// Feeds: the whole input, as the URL, to names_redis and RedisUrl::parse;
// what it parses to masked().
//
// Findings: any exception but StoreError; a crash, a sanitizer's report, a
// hang; and a parsed URL outside what the header allows: a port outside
// 1-65535, a negative database, a TCP URL without a host, a socket path
// that is not absolute, a key prefix that does not end with ':', a masked
// form that shows credentials.

#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "jug/errors.hpp"
#include "store/redis_url.hpp"

namespace jug::fuzz {

std::vector<Seed> seeds() {
  return {
      {"tcp", "redis://localhost"},
      {"tcp-full", "redis://alice:p%40ss@redis.example.org:6380/3?prefix=analysis"},
      {"ipv6", "redis://:secret@[::1]:6379/0"},
      {"unix", "unix:///run/redis/redis.sock?db=2&prefix=exp"},
      {"bad-port", "redis://host:65536"},
      {"bad-percent", "redis://us%4:pw@host"},
      {"not-redis", "/home/me/analysis.jugdata"},
  };
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jug::fuzz::expect;
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  (void)jug::RedisUrl::names_redis(url);
  jug::RedisUrl parsed;
  try {
    parsed = jug::RedisUrl::parse(url);
  } catch (const jug::StoreError&) {
    return 0;
  }
  expect(parsed.port >= 1 && parsed.port <= 65535, "a port outside 1-65535");
  expect(parsed.db >= 0, "a negative database");
  expect(parsed.socket_path.empty() ? !parsed.host.empty() : parsed.socket_path.front() == '/',
         "a TCP URL without a host, or a socket path that is not absolute");
  expect(parsed.prefix.size() >= 2 && parsed.prefix.back() == ':',
         "a key prefix that is not a name and ':'");
  const std::string masked = parsed.masked();
  expect(
      (parsed.password.empty() && parsed.user.empty()) || masked.find("***@") != std::string::npos,
      "masked() of a URL with credentials does not mask them");
  return 0;
}
