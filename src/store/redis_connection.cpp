#include "store/redis_connection.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "jug/errors.hpp"

namespace jug {
namespace {

/// How long connecting, and waiting for one reply, may take. A reply to a
/// healthy server's command takes microseconds; the bound only keeps a
/// vanished server from hanging a worker for ever.
constexpr timeval kConnectTimeout{5, 0};
constexpr timeval kReplyTimeout{60, 0};

/// Above this, the buffer of formatted commands is given back after use.
constexpr std::size_t kKeptBufferBytes = 4 << 20;

/// Why connecting failed, said for a user.
std::string connect_failure(const redisContext& context, const RedisUrl& url) {
  const std::string_view error = context.errstr;
  if (error.find("refused") != std::string_view::npos) {
    return "connection refused (is redis-server running there, on that port?)";
  }
  if (!url.socket_path.empty() && error.find("No such file") != std::string_view::npos) {
    return fmt::format("no socket at {} (is redis-server running with unixsocket set?)",
                       url.socket_path);
  }
  if (context.err == REDIS_ERR_OTHER && url.socket_path.empty()) {
    // hiredis reports a failed name lookup as "other", with gai_strerror's text.
    return fmt::format("unknown host `{}` ({})", url.host, error);
  }
  if (error.find("timed out") != std::string_view::npos ||
      error.find("Resource temporarily unavailable") != std::string_view::npos) {
    return "no answer within 5 s (a firewall, or the wrong address?)";
  }
  return std::string(error);
}

/// Whether `reply` is the error a server gives while it loads its data
/// after a restart.
bool is_loading(const redisReply& reply) { return error_of(reply).starts_with("LOADING"); }

/// Why the server refused the connection's set-up, said for a user.
std::string setup_failure(std::string_view error, const RedisUrl& url) {
  if (error.starts_with("NOAUTH")) {
    return "the server requires a password: give it in the URL "
           "(redis://:PASSWORD@host:port/db) or in JUG_REDIS_PASSWORD";
  }
  if (error.starts_with("WRONGPASS") || error.find("invalid password") != std::string_view::npos) {
    return fmt::format("wrong password{} (the server said: {})", url.user.empty() ? "" : " or user",
                       error);
  }
  if (error.find("without any password configured") != std::string_view::npos) {
    return "a password was given, but the server has none set (drop it from the URL and "
           "JUG_REDIS_PASSWORD)";
  }
  if (error.starts_with("DENIED")) {
    return "the server is in protected mode and refuses clients from other machines: give it "
           "a password (requirepass; workers take it from JUG_REDIS_PASSWORD), see "
           "docs/redis.md";
  }
  if (error.find("DB index is out of range") != std::string_view::npos) {
    return fmt::format("the server has no database {} (see `databases` in its redis.conf)", url.db);
  }
  return fmt::format("the server said: {}", error);
}

}  // namespace

void RedisReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }

std::string_view error_of(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ERROR) return {};
  return {reply.str, reply.len};
}

std::string_view text_of(const redisReply& reply) { return {reply.str, reply.len}; }

bool is_nil(const redisReply& reply) { return reply.type == REDIS_REPLY_NIL; }

std::vector<std::string> strings_of(const redisReply& reply) {
  std::vector<std::string> strings;
  strings.reserve(reply.elements);
  for (std::size_t i = 0; i < reply.elements; ++i) strings.emplace_back(text_of(*reply.element[i]));
  return strings;
}

void check_reply(const redisReply& reply, std::string_view where, std::string_view doing) {
  if (const std::string_view error = error_of(reply); !error.empty()) {
    throw StoreError(fmt::format("the Redis store at {} refused {}: {}", where, doing, error));
  }
}

RedisConnection::RedisConnection(const RedisUrl& url) : where_(url.masked()) {
  context_ = url.socket_path.empty()
                 ? redisConnectWithTimeout(url.host.c_str(), url.port, kConnectTimeout)
                 : redisConnectUnixWithTimeout(url.socket_path.c_str(), kConnectTimeout);
  if (context_ == nullptr) {
    throw StoreError(fmt::format("cannot reach the Redis store at {}: out of memory", where_));
  }
  if (context_->err != 0) {
    const std::string why = connect_failure(*context_, url);
    redisFree(context_);
    throw RedisConnectionLost(fmt::format("cannot reach the Redis store at {}: {}", where_, why));
  }
  try {
    if (redisSetTimeout(context_, kReplyTimeout) != REDIS_OK) fail("setting a timeout");
    std::vector<RedisCommand> setup;
    const std::string db = std::to_string(url.db);
    if (!url.password.empty()) {
      if (url.user.empty())
        setup.push_back({"AUTH", url.password});
      else
        setup.push_back({"AUTH", url.user, url.password});
    }
    if (url.db != 0) setup.push_back({"SELECT", db});
    setup.push_back({"PING"});
    for (const RedisReply& reply : pipeline(setup)) {
      if (const std::string_view error = error_of(*reply); !error.empty()) {
        throw StoreError(
            fmt::format("cannot use the Redis store at {}: {}", where_, setup_failure(error, url)));
      }
    }
  } catch (...) {
    redisFree(context_);
    throw;
  }
}

RedisConnection::~RedisConnection() { redisFree(context_); }

void RedisConnection::fail(std::string_view doing) {
  broken_ = true;
  const std::string why = context_->err == REDIS_ERR_EOF ? "the server closed the connection"
                          : context_->errstr[0] != '\0'  ? std::string(context_->errstr)
                                                         : std::string("unknown error");
  throw RedisConnectionLost(
      fmt::format("lost the connection to the Redis store at {} while {}: {}", where_, doing, why));
}

void RedisConnection::append(const RedisCommand& command) {
  // Written out here rather than by redisAppendCommandArgv, which formats
  // each argument's length with a printf of its own: a status of 100,000
  // tasks sends as many arguments.
  std::string& out = formatted_;
  std::size_t size = 16;
  for (const std::string_view arg : command) size += arg.size() + 16;
  out.reserve(out.size() + size);  // one allocation for a command of 10,000 names
  const auto put_count = [&out](char kind, std::size_t n) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
    out += kind;
    out.append(digits.data(), end);
    out += "\r\n";
  };
  put_count('*', command.size());
  for (const std::string_view arg : command) {
    put_count('$', arg.size());
    out += arg;
    out += "\r\n";
  }
}

void RedisConnection::flush() {
  // Straight to the socket, not through hiredis's output buffer: hiredis
  // copies the commands in, and after each partial write moves what is left
  // to the buffer's front, which makes a pipeline of many megabytes (a
  // status of 100,000 tasks sends 7 MB) cost quadratic time. Anything
  // hiredis holds goes first.
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) fail("sending commands");
  }
  std::string_view left = formatted_;
  while (!left.empty()) {
    const ssize_t sent = ::send(context_->fd, left.data(), left.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      formatted_.clear();
      broken_ = true;
      throw RedisConnectionLost(fmt::format(
          "lost the connection to the Redis store at {} while sending commands: {}", where_,
          err == EAGAIN || err == EWOULDBLOCK ? "timed out" : std::strerror(err)));
    }
    left.remove_prefix(static_cast<std::size_t>(sent));
  }
  formatted_.clear();
  // A status's megabytes are not kept for the connection's life in the pool.
  if (formatted_.capacity() > kKeptBufferBytes) formatted_.shrink_to_fit();
}

void RedisConnection::send_all(const std::vector<RedisCommand>& commands) {
  if (broken_) fail("reusing a failed connection");
  formatted_.clear();
  for (const RedisCommand& command : commands) {
    append(command);
    if (formatted_.size() >= kSendChunkBytes) flush();
  }
  flush();
}

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<RedisCommand>& commands) {
  send_all(commands);
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(context_, &reply) != REDIS_OK || reply == nullptr) {
      fail("waiting for a reply");
    }
    replies.emplace_back(static_cast<redisReply*>(reply));
  }
  // A server that restarted answers LOADING to everything until its data
  // is read back: nothing ran, so all may be sent again, on a new
  // connection.
  for (const RedisReply& reply : replies) {
    if (is_loading(*reply)) {
      broken_ = true;
      throw RedisConnectionLost(fmt::format(
          "the Redis store at {} is loading its data (it just restarted)", where_));
    }
  }
  return replies;
}

RedisReply RedisConnection::command(const RedisCommand& command) {
  return std::move(pipeline({command}).front());
}

void RedisConnection::send(const RedisCommand& command) {
  if (broken_) fail("reusing a failed connection");
  formatted_.clear();
  append(command);
  flush();
}

RedisReply RedisConnection::next_reply(std::chrono::milliseconds timeout) {
  if (broken_) fail("reusing a failed connection");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    void* reply = nullptr;
    if (redisReaderGetReply(context_->reader, &reply) != REDIS_OK) fail("reading a message");
    if (reply != nullptr) return RedisReply(static_cast<redisReply*>(reply));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return nullptr;
    pollfd fd{context_->fd, POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      broken_ = true;
      throw RedisConnectionLost(fmt::format(
          "lost the connection to the Redis store at {} while waiting for a message", where_));
    }
    if (ready > 0 && redisBufferRead(context_) != REDIS_OK) fail("reading a message");
  }
}

}  // namespace jug
