#include "webstatus.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "jug_tool/embedded_files.hpp"
#include "process.hpp"
#include "status_history.hpp"
#include "tool_error.hpp"

namespace jug::tool {
namespace {

/// A graph drawing is made again at most this often.
constexpr std::chrono::seconds kGraphKept{10};
/// Requests served at once.
constexpr std::size_t kServerThreads = 16;

struct WebstatusOptions {
  int port = 8080;
  std::string bind = "127.0.0.1";
  double interval = 1.0;
  /// For `jug status` and `jug graph`: the jugfile and its options.
  std::vector<std::string> passed_on;
};

/// The value of option `name` at args[i] ("--port 80" or "--port=80"), or
/// nullopt when args[i] is not it; advances i past a separate value.
std::optional<std::string> option_value(std::span<const std::string> args, std::size_t& i,
                                        std::string_view name) {
  const std::string& arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) {
      throw ToolError(fmt::format("webstatus: {} needs a value", name), kExitUsage);
    }
    return args[++i];
  }
  if (arg.starts_with(std::string(name) + "=")) return arg.substr(name.size() + 1);
  return std::nullopt;
}

WebstatusOptions parse(std::span<const std::string> args) {
  WebstatusOptions o;
  bool after_separator = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (after_separator || args[i] == "--") {
      after_separator = true;
      o.passed_on.push_back(args[i]);
      continue;
    }
    try {
      if (auto v = option_value(args, i, "--port")) {
        std::size_t used = 0;
        o.port = std::stoi(*v, &used);
        if (used != v->size() || o.port < 0 || o.port > 65535) throw std::invalid_argument(*v);
      } else if (auto b = option_value(args, i, "--bind")) {
        o.bind = *b;
      } else if (auto s = option_value(args, i, "--interval")) {
        std::size_t used = 0;
        o.interval = std::stod(*s, &used);
        if (used != s->size() || !(o.interval >= 0.1)) throw std::invalid_argument(*s);
      } else {
        o.passed_on.push_back(args[i]);
      }
    } catch (const std::logic_error&) {
      throw ToolError(fmt::format("webstatus: {}: not a valid value (--port: 0 to 65535, 0 for "
                                  "any free port; --interval: seconds, at least 0.1)",
                                  args[i]),
                      kExitUsage);
    }
  }
  return o;
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address == "::1" || address.starts_with("127.");
}

/// What a command printed on stdout and stderr, and how it ended.
struct Ran {
  std::string out, err;
  int status = 0;
  double seconds = 0;
};

Ran run_capturing(const std::vector<std::string>& argv) {
  Ran ran;
  // stderr into memory, read after the exit: a pipe of its own would need
  // reading both at once.
  const int errors = ::memfd_create("jug-webstatus-errors", MFD_CLOEXEC);
  const auto start = std::chrono::steady_clock::now();
  ran.out = run_and_capture(argv, &ran.status, errors);
  ran.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (errors >= 0) {
    char buffer[4096];
    for (off_t at = 0;;) {
      const ssize_t got = ::pread(errors, buffer, sizeof buffer, at);
      if (got <= 0) break;
      ran.err.append(buffer, static_cast<std::size_t>(got));
      at += got;
    }
    ::close(errors);
  }
  return ran;
}

std::string why_it_failed(const Ran& ran) {
  std::string why = ran.err.empty() ? fmt::format("exit {}", ran.status) : ran.err;
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return why;
}

class Webstatus {
 public:
  Webstatus(WebstatusOptions options, std::string self)
      : options_(std::move(options)), self_(std::move(self)) {}

  /// Reads the first status: a jugfile that does not build, or a store
  /// that cannot be read, is said at once rather than served.
  void read_first_status() {
    const Ran ran = run_capturing(command("status", {"--json"}));
    if (ran.status != 0) {
      throw ToolError(fmt::format("webstatus: jug status failed: {}", why_it_failed(ran)),
                      kExitFailure);
    }
    try {
      history_.add(ran.out, StatusHistory::Clock::now(), ran.seconds);
    } catch (const std::exception& e) {
      throw ToolError(fmt::format("webstatus: jug status --json printed no status: {}",
                                  e.what()),
                      kExitFailure);
    }
  }

  int serve() {
    configure();
    int port = options_.port;
    if (port == 0) {
      port = server_.bind_to_any_port(options_.bind);
    } else if (!server_.bind_to_port(options_.bind, port)) {
      port = -1;
    }
    if (port < 0) {
      throw ToolError(fmt::format("webstatus: cannot listen on {}:{} ({}): choose another "
                                  "--port, or --port 0 for any free one",
                                  options_.bind, options_.port, std::strerror(errno)),
                      kExitFailure);
    }
    if (!is_loopback(options_.bind)) {
      fmt::print(stderr,
                 "jug: warning: webstatus listens on {}: the page has no authentication, so "
                 "anyone who can reach this address can read it (task names, hosts, failure "
                 "messages)\n",
                 options_.bind);
    }
    fmt::print("Serving the status at http://{}:{}/ (Ctrl-C to stop)\n",
               options_.bind.find(':') != std::string::npos ? "[" + options_.bind + "]"
                                                            : options_.bind,
               port);
    std::fflush(stdout);
    std::thread poller([this] { poll(); });
    std::thread stopper([this] { stop_on_signal(); });
    server_.listen_after_bind();
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    poller.join();
    // The stopper waits for a signal; one is sent to it when the server
    // stopped otherwise.
    if (!signalled_) ::kill(::getpid(), SIGTERM);
    stopper.join();
    return 0;
  }

 private:
  std::vector<std::string> command(const std::string& subcommand,
                                   std::vector<std::string> options) const {
    std::vector<std::string> argv{self_, subcommand};
    argv.insert(argv.end(), options.begin(), options.end());
    // The user's jugfile and options; theirs after `--` stay last.
    argv.insert(argv.end(), options_.passed_on.begin(), options_.passed_on.end());
    return argv;
  }

  void configure() {
    // Not httplib's default SO_REUSEPORT: a second webstatus on a port in
    // use must be told so, not share it.
    server_.set_socket_options([](socket_t sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // Connections that say nothing are dropped soon: each holds one of the
    // threads meanwhile.
    server_.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    server_.set_keep_alive_timeout(1);
    server_.set_read_timeout(2, 0);
    server_.set_write_timeout(5, 0);
    server_.set_keep_alive_max_count(20);
    server_.set_payload_max_length(4096);
    server_.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(embedded::kWebstatusPage, "text/html; charset=utf-8");
    });
    server_.Get("/status.json", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      res.set_content(history_.status_text(), "application/json");
    });
    server_.Get("/page.json", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      res.set_content(history_.page(StatusHistory::Clock::now()).dump(
                          -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                      "application/json");
    });
    server_.Get("/graph.svg", [this](const httplib::Request&, httplib::Response& res) {
      const auto [ok, text] = graph_svg();
      res.status = ok ? 200 : 503;
      res.set_content(text, ok ? "image/svg+xml" : "text/plain; charset=utf-8");
    });
    server_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      res.set_content(fmt::format("{} {}: no such page here (try /, /status.json, /graph.svg)\n",
                                  res.status, req.path),
                      "text/plain; charset=utf-8");
    });
  }

  /// The drawing, or what went wrong; made again at most every kGraphKept.
  std::pair<bool, std::string> graph_svg() {
    std::lock_guard lock(graph_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!graph_ || now - graph_made_ > kGraphKept) {
      const Ran ran = run_capturing(command("graph", {"--format", "svg"}));
      graph_ = ran.status == 0 ? std::pair(true, ran.out) : std::pair(false, why_it_failed(ran));
      graph_made_ = now;
    }
    return *graph_;
  }

  void poll() {
    std::unique_lock lock(mutex_);
    double last_seconds = 0;
    while (!stopping_) {
      // Never more than half the time in `jug status`: a big graph on a
      // slow store is read less often.
      const double wait = std::max(options_.interval, 2 * last_seconds);
      if (wake_.wait_for(lock, std::chrono::duration<double>(wait), [this] { return stopping_; })) {
        break;
      }
      lock.unlock();
      const Ran ran = run_capturing(command("status", {"--json"}));
      lock.lock();
      last_seconds = ran.seconds;
      if (ran.status != 0) {
        history_.failed(why_it_failed(ran), StatusHistory::Clock::now());
        continue;
      }
      try {
        history_.add(ran.out, StatusHistory::Clock::now(), ran.seconds);
      } catch (const std::exception& e) {
        history_.failed(fmt::format("jug status --json printed no JSON: {}", e.what()),
                        StatusHistory::Clock::now());
      }
    }
  }

  /// Waits for SIGINT or SIGTERM (blocked in every thread, see webstatus())
  /// and stops the server.
  void stop_on_signal() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    int received = 0;
    while (sigwait(&signals, &received) != 0) {
    }
    signalled_ = true;
    server_.stop();
  }

  WebstatusOptions options_;
  std::string self_;
  httplib::Server server_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> signalled_{false};
  StatusHistory history_;
  std::mutex graph_mutex_;
  std::optional<std::pair<bool, std::string>> graph_;
  std::chrono::steady_clock::time_point graph_made_;
};

}  // namespace

constexpr const char* kUsage =
    "usage: jug webstatus [JUGFILE] [--port 8080] [--bind 127.0.0.1] [--interval SECONDS]\n"
    "                     [--jugdir STORE] [-- JUGFILE ARGUMENTS]\n"
    "A live page of the computation's status (read-only), at http://BIND:PORT/; /status.json\n"
    "is `jug status --json`, /graph.svg the graph. --port 0 takes any free port. The page has\n"
    "no authentication: --bind another address than loopback only on a network you trust.\n";

int webstatus(std::span<const std::string> args, const std::string& self) {
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    }
  }
  WebstatusOptions options = parse(args);
  // Every thread started from here on inherits the mask: only the stopper
  // takes the signals, by sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Webstatus server(std::move(options), self);
  server.read_first_status();
  return server.serve();
}

}  // namespace jug::tool
