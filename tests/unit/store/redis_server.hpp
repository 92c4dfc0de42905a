#pragma once
/// A redis-server of the test's own: Debian's binary on a free loopback
/// port (and a unix socket) in a scratch directory, no persistence, stopped
/// by its pid when the object goes. Tests never use a Redis they did not
/// start, and never mock one.

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "unit/store/store_test_support.hpp"

namespace jug::store_test {

/// A loopback port nobody listens on now.
inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

class RedisServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";

  /// Starts a server (with `extra` arguments, e.g. {"--requirepass", "pw"})
  /// and waits until it answers. Throws std::runtime_error when
  /// redis-server is not installed or does not start.
  explicit RedisServer(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
    if (::access(kBinary, X_OK) != 0) {
      throw std::runtime_error(std::string(kBinary) +
                               " is missing: the Redis store tests need it. Run "
                               "scripts/install-deps.sh (it installs redis-server).");
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_loopback_port();
      start(extra_);
      if (wait_until_answering()) return;
      stop();  // most likely someone took the port in between: another one
    }
    throw std::runtime_error("redis-server did not start; its log:\n" +
                             read_whole_file(dir_.path() + "/redis.log"));
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer() { stop(); }

  /// Stops the server (its data is lost: no persistence) and starts a new
  /// one on the same port, as a server restart looks to its clients.
  void restart() {
    stop();
    start_again();
  }
  /// Kills the server as a crash would (SIGKILL).
  void crash() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  /// Starts the server again, on the same port, after crash() or restart.
  void start_again() {
    start(extra_);
    if (!wait_until_answering()) {
      throw std::runtime_error("redis-server did not start again; its log:\n" +
                               read_whole_file(dir_.path() + "/redis.log"));
    }
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string socket_path() const { return dir_.path() + "/redis.sock"; }
  /// `redis://127.0.0.1:<port>` followed by `rest` ("/0?prefix=t1").
  std::string url(const std::string& rest = "/") const {
    return "redis://127.0.0.1:" + std::to_string(port_) + rest;
  }

 private:
  void start(const std::vector<std::string>& extra) {
    // clang-format off
    std::vector<std::string> args{kBinary,
        "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_.path(),
        "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--unixsocket", socket_path(), "--unixsocketperm", "700"};
    // clang-format on
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string log = dir_.path() + "/redis.log";
    ::unlink(socket_path().c_str());  // an earlier attempt's
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Dies with the test process, however that ends: nothing left running.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(kBinary, argv.data());
      ::_exit(127);
    }
  }

  bool wait_until_answering() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (answers_ping()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  /// Whether our server answers at all (NOAUTH counts: it is up). Asked
  /// through its unix socket, which only our server makes, and only once
  /// it has its TCP port: a server another test started on the same port
  /// in between cannot be taken for ours.
  bool answers_ping() const {
    redisContext* context = redisConnectUnixWithTimeout(socket_path().c_str(), timeval{1, 0});
    bool answered = false;
    if (context != nullptr && context->err == 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(context, "PING"));
      answered = reply != nullptr;
      if (reply != nullptr) freeReplyObject(reply);
    }
    if (context != nullptr) redisFree(context);
    return answered;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 250; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::vector<std::string> extra_;
  TempDirectory dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace jug::store_test
