#include "commands/last_words.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

namespace jug {
namespace {

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction previous_actions[std::size(kFatalSignals)];

/// The task the thread runs now, if any.
thread_local const LastWordsOfTask* running_here = nullptr;

void write_all(int fd, const char* text, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, text, size);
    if (n <= 0) return;
    text += n;
    size -= static_cast<std::size_t>(n);
  }
}

void write_text(int fd, const char* text) { write_all(fd, text, std::strlen(text)); }

/// `value` in decimal, without the library (which may allocate).
void write_decimal(int fd, long value) {
  char digits[24];
  char* at = digits + sizeof digits;
  do {
    *--at = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  write_all(fd, at, static_cast<std::size_t>(digits + sizeof digits - at));
}

/// Only async-signal-safe calls.
extern "C" void on_fatal_signal(int signal, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (const LastWordsOfTask* words = running_here) {
    write_text(STDERR_FILENO, "\njug: worker ");
    write_decimal(STDERR_FILENO, ::getpid());
    write_text(STDERR_FILENO, " died of ");
    write_text(STDERR_FILENO, describe_fatal_signal(signal));
    write_text(STDERR_FILENO, " while running task ");
    write_all(STDERR_FILENO, words->task().data(), words->task().size());
    write_text(STDERR_FILENO, "\n");
    if (!words->words_path().empty()) {
      const int fd = ::open(words->words_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                            0644);
      if (fd >= 0) {
        write_text(fd, "it died of ");
        write_text(fd, describe_fatal_signal(signal));
        write_text(fd, "\n");
        ::close(fd);
      }
    }
  }
  // The handler from before takes over: raised again when the signal was
  // sent (abort, kill); a fault happens again as the instruction reruns.
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    if (kFatalSignals[i] == signal) ::sigaction(signal, &previous_actions[i], nullptr);
  }
  errno = saved_errno;
  if (info == nullptr || info->si_code <= 0) ::raise(signal);
}

}  // namespace

const char* describe_fatal_signal(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (abort)";
    default: return "a fatal signal";
  }
}

void say_last_words_on_fatal_signals() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
      ::sigaction(kFatalSignals[i], &action, &previous_actions[i]);
    }
  });
}

LastWordsOfTask::LastWordsOfTask(std::string_view task, std::string words_path)
    : task_(task),
      words_path_(std::move(words_path)),
      previous_(running_here) {
  // Whole before the handler, which may run at any point in this thread,
  // can see it.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  running_here = this;
}

LastWordsOfTask::~LastWordsOfTask() { running_here = previous_; }

}  // namespace jug
