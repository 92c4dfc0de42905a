#include "cli/progress_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace jug::cli {
namespace {

/// A terminal line is first drawn after this: a quick run prints nothing
/// but its summary.
constexpr std::chrono::milliseconds kFirstDraw{500};
constexpr std::chrono::milliseconds kRedraw{100};

std::size_t terminal_columns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

ProgressStyle progress_style(int fd, bool quiet, double log_every) {
  ProgressStyle style;
  if (quiet) return style;
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::string_view(term) == "dumb";
  if (::isatty(fd) == 1 && !dumb) {
    style.mode = ProgressStyle::Mode::kTerminal;
  } else if (log_every > 0) {
    style.mode = ProgressStyle::Mode::kLog;
    style.log_every = std::chrono::duration<double>(log_every);
  }
  return style;
}

std::string fit_to_width(const std::string& text, std::size_t columns) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_character && ++characters > columns) return text.substr(0, i);
  }
  return text;
}

ProgressLine::ProgressLine(std::ostream& out, std::mutex& mutex, const ProgressTally& tally,
                           ProgressStyle style, int fd)
    : out_(out), mutex_(mutex), tally_(tally), style_(style), fd_(fd) {
  if (style_.mode != ProgressStyle::Mode::kOff) thread_ = std::thread([this] { run(); });
}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    erase_locked();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressLine::erase_locked() {
  if (!drawn_) return;
  out_ << "\r\x1b[K";
  out_.flush();
  drawn_ = false;
}

void ProgressLine::draw_locked() {
  const auto now = ProgressTally::Clock::now();
  if (style_.mode == ProgressStyle::Mode::kTerminal) {
    // One column short of the width: a line that fills it would wrap on
    // some terminals before the cursor returns.
    out_ << '\r' << fit_to_width(tally_.line(now, true), terminal_columns(fd_) - 1) << "\x1b[K";
    drawn_ = true;
  } else {
    out_ << tally_.line(now, false) << '\n';
  }
  out_.flush();
}

void ProgressLine::run() {
  const bool terminal = style_.mode == ProgressStyle::Mode::kTerminal;
  const auto first = std::chrono::steady_clock::now() +
                     (terminal ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(kFirstDraw))
                               : std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     style_.log_every));
  std::unique_lock lock(mutex_);
  auto next = first;
  while (!stopping_) {
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) break;
    draw_locked();
    next += terminal ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(kRedraw)
                     : std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           style_.log_every);
  }
}

}  // namespace jug::cli
