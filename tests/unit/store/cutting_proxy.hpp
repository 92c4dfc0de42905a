#pragma once
/// A TCP relay between the Redis store and a real redis-server that can cut
/// a connection at the worst moment: after the server has run a command,
/// before its reply reaches the client. That is what a network that drops,
/// or a server killed just after a write, looks like to a client, which
/// cannot tell whether its command ran; the store must then send it again
/// without doing it twice. Nothing is mocked: every command reaches the
/// real server.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace jug::store_test {

class CuttingProxy {
 public:
  /// Relays 127.0.0.1:port() to the server at 127.0.0.1:`server_port`.
  explicit CuttingProxy(int server_port) : server_port_(server_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (listener_ < 0 ||
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        ::pipe(stop_pipe_) != 0) {
      throw std::runtime_error("cannot start the cutting proxy");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { relay(); });
  }
  ~CuttingProxy() {
    const char byte = 0;
    (void)!::write(stop_pipe_[1], &byte, 1);
    thread_.join();
    for (const Pair& pair : pairs_) {
      ::close(pair.client);
      ::close(pair.server);
    }
    ::close(listener_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
  }
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& rest = "/") const {
    return "redis://127.0.0.1:" + std::to_string(port_) + rest;
  }
  /// The next reply the server sends, on any connection, is thrown away and
  /// that connection closed on both sides.
  void cut_next_reply() { cut_next_.store(true); }
  /// How many connections were cut so far.
  int cuts() const { return cuts_.load(); }

 private:
  struct Pair {
    int client;
    int server;
  };

  static sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    return address;
  }

  void relay() {
    while (true) {
      std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
      for (const Pair& pair : pairs_) {
        fds.push_back({pair.client, POLLIN, 0});
        fds.push_back({pair.server, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents != 0) return;
      std::vector<Pair> kept;
      for (std::size_t i = 0; i < pairs_.size(); ++i) {
        const Pair pair = pairs_[i];
        bool open = true;
        if (fds[2 + 2 * i].revents != 0) open = forward(pair.client, pair.server, false);
        if (open && fds[3 + 2 * i].revents != 0) open = forward(pair.server, pair.client, true);
        if (open) {
          kept.push_back(pair);
        } else {
          ::close(pair.client);
          ::close(pair.server);
        }
      }
      pairs_ = std::move(kept);
      // Last: fds has entries only for the pairs polled.
      if (fds[1].revents & POLLIN) accept_one();
    }
  }

  void accept_one() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in address = loopback(server_port_);
    if (server < 0 ||
        ::connect(server, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(client);  // the server is down: so is the relay
      if (server >= 0) ::close(server);
      return;
    }
    pairs_.push_back({client, server});
  }

  /// Copies what `from` has to `to`; false when the pair is to be closed.
  bool forward(int from, int to, bool is_reply) {
    char buffer[65536];
    const ssize_t got = ::read(from, buffer, sizeof buffer);
    if (got <= 0) return false;
    if (is_reply && cut_next_.exchange(false)) {
      ++cuts_;
      return false;
    }
    for (ssize_t done = 0; done < got;) {
      const ssize_t wrote =
          ::send(to, buffer + done, static_cast<std::size_t>(got - done), MSG_NOSIGNAL);
      if (wrote <= 0) return false;
      done += wrote;
    }
    return true;
  }

  const int server_port_;
  int listener_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> cut_next_{false};
  std::atomic<int> cuts_{0};
  std::vector<Pair> pairs_;  // only the relay thread touches it
  std::thread thread_;       // last: starts once everything above is ready
};

}  // namespace jug::store_test
