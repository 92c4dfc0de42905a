#include "store/redis_url.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "jug/errors.hpp"

namespace jug {
namespace {

constexpr std::string_view kRedisScheme = "redis://";
constexpr std::string_view kUnixScheme = "unix://";

/// What a user wrote, with anything after `://` up to the last `@` hidden:
/// a URL that cannot be parsed must not print its password either.
std::string masked_input(std::string_view url) {
  const auto scheme = url.find("://");
  const auto at = url.rfind('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) {
    return std::string(url);
  }
  return fmt::format("{}://***{}", url.substr(0, scheme), url.substr(at));
}

[[noreturn]] void bad_url(std::string_view url, std::string_view why) {
  throw StoreError(fmt::format(
      "cannot use the Redis store {}: {}. Write redis://[user[:password]@]host[:port][/db] "
      "or unix:///path/to/redis.sock[?db=N], optionally with ?prefix=NAME (see docs/redis.md).",
      masked_input(url), why));
}

bool parse_number(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// `%40` -> `@`, so that a password may hold any character.
std::string percent_decoded(std::string_view url, std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      bad_url(url, "a `%` in the user or password is not followed by two hex digits");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

/// Applies `?key=value&...` to `parsed`.
void parse_query(std::string_view url, std::string_view query, RedisUrl& parsed) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto equals = pair.find('=');
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    if (key == "prefix") {
      if (value.empty()) bad_url(url, "`prefix=` needs a name");
      parsed.prefix = fmt::format("{}:", value);
    } else if (key == "db") {
      if (!parse_number(value, parsed.db) || parsed.db < 0) {
        bad_url(url, fmt::format("the database `{}` is not a number", value));
      }
    } else {
      bad_url(url, fmt::format("unknown option `{}` (known: prefix, db)", key));
    }
  }
}

}  // namespace

bool RedisUrl::names_redis(std::string_view jugdir) {
  return jugdir.starts_with(kRedisScheme) || jugdir.starts_with(kUnixScheme);
}

RedisUrl RedisUrl::parse(std::string_view url) {
  RedisUrl parsed;
  std::string_view rest = url;
  const auto question = rest.find('?');
  if (question != std::string_view::npos) {
    parse_query(url, rest.substr(question + 1), parsed);
    rest = rest.substr(0, question);
  }
  if (rest.starts_with(kUnixScheme)) {
    rest.remove_prefix(kUnixScheme.size());
    if (!rest.starts_with('/')) bad_url(url, "the socket path must be absolute (unix:///path)");
    parsed.socket_path = std::string(rest);
  } else if (rest.starts_with(kRedisScheme)) {
    rest.remove_prefix(kRedisScheme.size());
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (!path.empty() && (!parse_number(path, parsed.db) || parsed.db < 0)) {
      bad_url(url, fmt::format("the database `{}` is not a number", path));
    }
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      authority.remove_prefix(at + 1);
      // `user:password`, `:password`, or (as many clients read it) a lone
      // `password`.
      const auto colon = userinfo.find(':');
      if (colon == std::string_view::npos) {
        parsed.password = percent_decoded(url, userinfo);
      } else {
        parsed.user = percent_decoded(url, userinfo.substr(0, colon));
        parsed.password = percent_decoded(url, userinfo.substr(colon + 1));
      }
    }
    std::string_view port;
    if (authority.starts_with('[')) {  // [::1]:6379
      const auto close = authority.find(']');
      if (close == std::string_view::npos) bad_url(url, "a `[` in the host is not closed");
      parsed.host = std::string(authority.substr(1, close - 1));
      authority.remove_prefix(close + 1);
      if (authority.starts_with(':'))
        port = authority.substr(1);
      else if (!authority.empty())
        bad_url(url, "unexpected text after the host");
    } else {
      const auto colon = authority.find(':');
      parsed.host = std::string(authority.substr(0, colon));
      if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (parsed.host.empty()) bad_url(url, "no host given");
    if (!port.empty() &&
        (!parse_number(port, parsed.port) || parsed.port < 1 || parsed.port > 65535)) {
      bad_url(url, fmt::format("the port `{}` is not a number from 1 to 65535", port));
    }
  } else {
    bad_url(url, "it is neither redis:// nor unix://");
  }
  if (parsed.password.empty()) {
    if (const char* password = std::getenv("JUG_REDIS_PASSWORD")) parsed.password = password;
  }
  return parsed;
}

std::string RedisUrl::masked() const {
  const std::string prefix_option =
      prefix == "jug:"
          ? std::string{}
          : fmt::format("prefix={}", std::string_view(prefix).substr(0, prefix.size() - 1));
  if (!socket_path.empty()) {
    std::string query = fmt::format("db={}", db);
    if (!prefix_option.empty()) query += "&" + prefix_option;
    return fmt::format("unix://{}{}?{}", password.empty() ? "" : "***@", socket_path, query);
  }
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}{}:{}/{}{}", password.empty() && user.empty() ? "" : "***@",
                     ipv6 ? "[" : "", host, ipv6 ? "]" : "", port, db,
                     prefix_option.empty() ? "" : "?" + prefix_option);
}

}  // namespace jug
