#pragma once
/// Where a Redis store lives, as a --jugdir names it (docs/redis.md):
///   redis://[user[:password]@]host[:port][/db][?prefix=NAME]
///   unix:///path/to/redis.sock[?db=N][&prefix=NAME]
/// A password may also come from JUG_REDIS_PASSWORD, so that it does not
/// show in `ps`. It is never printed back: masked() writes `***` instead.

#include <string>
#include <string_view>

namespace jug {

struct RedisUrl {
  /// Empty for a TCP server; else the path of the server's unix socket.
  std::string socket_path;
  std::string host;
  int port = 6379;
  int db = 0;
  /// Empty: the default user (AUTH with the password alone).
  std::string user;
  std::string password;
  /// Every key starts with this: `jug:` unless `?prefix=NAME` gives `NAME:`.
  std::string prefix = "jug:";

  /// Whether `jugdir` names a Redis store at all (redis:// or unix://).
  static bool names_redis(std::string_view jugdir);
  /// Parses `url`; a missing password is taken from JUG_REDIS_PASSWORD.
  /// Throws StoreError saying what is wrong (the message masks the password).
  static RedisUrl parse(std::string_view url);

  /// The URL for messages, credentials replaced by `***`:
  /// `redis://***@host:port/db`, `unix:///path?db=N`; a prefix other than
  /// the default is shown as `?prefix=NAME`.
  std::string masked() const;
};

}  // namespace jug
