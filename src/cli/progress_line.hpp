#pragma once
/// `jug execute`'s progress (progress_tally.hpp says what it counts): on a
/// terminal, one line redrawn in place at most 10 times a second, first
/// drawn after half a second, never scrolling; in a log (not a terminal, or
/// TERM=dumb), a plain line every so often, without control characters.
/// Other messages go through the same lock and erase the line first.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include "cli/progress_tally.hpp"

namespace jug::cli {

struct ProgressStyle {
  enum class Mode { kOff, kTerminal, kLog };
  Mode mode = Mode::kOff;
  /// In a log: a line this often.
  std::chrono::duration<double> log_every{60};
};

/// The style for output to `fd`: off with `quiet`; a terminal unless TERM is
/// "dumb"; else a log, a line every `log_every` seconds (0: never).
ProgressStyle progress_style(int fd, bool quiet, double log_every);

class ProgressLine {
 public:
  /// Draws `tally` to `out`, under `mutex` (which guards both).
  ProgressLine(std::ostream& out, std::mutex& mutex, const ProgressTally& tally,
               ProgressStyle style, int fd);
  /// Stops drawing, and erases the line.
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// Erases the line, if drawn, so that a message can be printed in its
  /// place (it is drawn again on the next tick). The caller holds `mutex`.
  void erase_locked();

 private:
  void run();
  void draw_locked();

  std::ostream& out_;
  std::mutex& mutex_;
  const ProgressTally& tally_;
  ProgressStyle style_;
  int fd_;
  bool drawn_ = false;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread thread_;
};

/// `text` cut to `columns` characters (UTF-8 code points), for a terminal
/// line that must not wrap.
std::string fit_to_width(const std::string& text, std::size_t columns);

}  // namespace jug::cli
