#pragma once
/// A worker that dies of a signal while it runs a task (a segfault, an
/// abort(), a floating-point trap) says which task on its way down: on
/// stderr, and in the store's last-words file (Store::last_words_path), so
/// that the worker taking the task over records how it died with the crash.
/// Without this, the dying worker names nothing, and only the next run says
/// "taking over task ...".

#include <string>
#include <string_view>

namespace jug {

/// Installs the handlers of SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT
/// (once per process; later calls do nothing). Each writes its words, then
/// gives the signal to the handler that was there before (the default's
/// death and core dump, or a sanitizer's report).
void say_last_words_on_fatal_signals();

/// While alive, the calling thread runs `task` ("nap (3f2a9c01ab12)"):
/// a fatal signal in this thread is reported as the death of that task's
/// worker, and written to `words_path` unless it is empty.
class LastWordsOfTask {
 public:
  LastWordsOfTask(std::string_view task, std::string words_path);
  ~LastWordsOfTask();
  LastWordsOfTask(const LastWordsOfTask&) = delete;
  LastWordsOfTask& operator=(const LastWordsOfTask&) = delete;

  /// Read by the signal handler: made in full before it is published.
  const std::string& task() const { return task_; }
  const std::string& words_path() const { return words_path_; }

 private:
  std::string task_;
  std::string words_path_;
  const LastWordsOfTask* previous_;
};

/// "SIGSEGV (segmentation fault)": how a fatal signal is named in messages.
/// Async-signal-safe (a fixed table).
const char* describe_fatal_signal(int signal);

}  // namespace jug
