#pragma once
/// One connection to a Redis server, over hiredis's blocking API: connect,
/// authenticate and select the database (each failure one clear line), then
/// send commands in pipelines (one round trip for many commands).
///
/// A connection whose socket failed is broken() for good; its owner drops
/// it and opens another (RedisStore's pool does), which is the reconnect.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jug/errors.hpp"
#include "store/redis_url.hpp"

struct redisContext;
struct redisReply;

namespace jug {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const;
};
/// A reply as hiredis parsed it (type, str/len, integer, element[]).
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

/// One command: its arguments, binary-safe.
using RedisCommand = std::vector<std::string_view>;

/// The server could not be reached or answered a command that may work
/// again later: the connection was refused, dropped or timed out, or the
/// server is still loading its data after a restart. Who sent the command
/// may reconnect and send it again (RedisStore does, for a bounded time).
class RedisConnectionLost : public StoreError {
 public:
  using StoreError::StoreError;
};

class RedisConnection {
 public:
  /// Connects to `url`. Throws StoreError with one line naming the masked
  /// URL and why: refused, unknown host, wrong password, no such database
  /// (RedisConnectionLost for those that may pass: refused, unknown host,
  /// timed out, loading).
  explicit RedisConnection(const RedisUrl& url);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  /// Sends `commands` in one round trip; their replies, in order. An error
  /// reply is returned like any other (see error_of), but for LOADING (a
  /// server still reading its data back); that, or a failed socket, throws
  /// RedisConnectionLost and leaves the connection broken().
  std::vector<RedisReply> pipeline(const std::vector<RedisCommand>& commands);
  RedisReply command(const RedisCommand& command);
  /// pipeline() of commands that each answer an array of integers
  /// (SMISMEMBER): all their elements, in order, read without a reply
  /// object for each (redis_integer_arrays.cpp). Throws StoreError when a
  /// reply is an error or not such an array, RedisConnectionLost as
  /// pipeline() does.
  std::vector<long long> integer_arrays(const std::vector<RedisCommand>& commands);

  /// Sends `command` without waiting for its reply (SUBSCRIBE).
  void send(const RedisCommand& command);
  /// The next reply the server sends (a published message), or nullptr when
  /// none came within `timeout`. Throws StoreError when the socket failed.
  RedisReply next_reply(std::chrono::milliseconds timeout);

  bool broken() const { return broken_; }
  /// The server's URL, masked, for messages.
  const std::string& where() const { return where_; }

 private:
  /// Formatted commands are sent once they make this much: the buffer stays
  /// small and its memory is reused (fresh memory costs a page fault every
  /// 4 KiB), and the server starts on the first commands meanwhile.
  static constexpr std::size_t kSendChunkBytes = 256 << 10;

  [[noreturn]] void fail(std::string_view doing);
  /// Adds `command`, in the protocol's form, to formatted_.
  void append(const RedisCommand& command);
  /// Writes formatted_ to the server, and empties it.
  void flush();
  /// Sends `commands` (formatted and written out a chunk at a time).
  void send_all(const std::vector<RedisCommand>& commands);

  redisContext* context_ = nullptr;
  std::string where_;
  bool broken_ = false;
  /// The commands append() wrote out, until flush() sends them (kept: its
  /// memory is reused).
  std::string formatted_;
};

/// The error text of `reply`, or empty when it is no error reply.
std::string_view error_of(const redisReply& reply);

/// The bytes of a string (or status) reply.
std::string_view text_of(const redisReply& reply);
/// Whether `reply` is nil (GET of a missing key).
bool is_nil(const redisReply& reply);
/// The strings of an array reply (LRANGE), in order.
std::vector<std::string> strings_of(const redisReply& reply);

/// Throws StoreError when `reply` is an error: "the Redis store at X
/// refused <doing>: <error>".
void check_reply(const redisReply& reply, std::string_view where, std::string_view doing);

}  // namespace jug
