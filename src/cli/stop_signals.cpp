#include "cli/stop_signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "jug/errors.hpp"

namespace jug::cli {
namespace {

std::atomic<int> first_signal{0};
std::atomic<int> signals_received{0};
std::atomic<int> reactor_fd{-1};

/// Only async-signal-safe calls here: the work is done by react().
extern "C" void on_stop_signal(int signal) {
  const int saved_errno = errno;
  int none = 0;
  first_signal.compare_exchange_strong(none, signal);
  if (++signals_received >= 3) ::_exit(128 + signal);  // the user insists
  const auto byte = static_cast<unsigned char>(signal);
  if (const int fd = reactor_fd.load(); fd >= 0) {
    [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

constexpr unsigned char kStopReacting = 0;

}  // namespace

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

StopSignals::StopSignals(Reactions reactions) : reactions_(std::move(reactions)) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw Error("jug: cannot create a pipe for signals");
  first_signal = 0;
  signals_received = 0;
  reactor_fd = pipe_[1];
  reactor_ = std::thread([this] { react(); });
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  reactor_fd = -1;
  // A byte stops the reactor; should even that fail, the end of the pipe
  // does (its read returns 0): it must never be left waiting.
  ssize_t n;
  do {
    n = ::write(pipe_[1], &kStopReacting, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) {
    ::close(pipe_[1]);
    pipe_[1] = -1;
  }
  reactor_.join();
  ::close(pipe_[0]);
  if (pipe_[1] >= 0) ::close(pipe_[1]);
}

int StopSignals::received() { return first_signal.load(); }

void StopSignals::react() {
  for (int seen = 0;;) {
    unsigned char byte = 0;
    const ssize_t n = ::read(pipe_[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1 || byte == kStopReacting) return;
    ++seen;
    if (seen == 1) {
      if (reactions_.first) reactions_.first(byte);
      continue;
    }
    if (reactions_.second) reactions_.second(byte);
    std::cout.flush();
    std::fflush(nullptr);
    ::_exit(128 + byte);
  }
}

}  // namespace jug::cli
