#include "commands/argument_view.hpp"

#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace jug {
namespace {

/// How many elements of a structure are described before "and N more".
constexpr std::size_t kElementsDescribed = 3;

/// Reads an argument's bytes front to back; every read checked.
class Bytes {
 public:
  explicit Bytes(std::string_view bytes) : rest_(bytes) {}
  bool empty() const { return rest_.empty(); }
  std::optional<char> tag() {
    if (rest_.empty()) return std::nullopt;
    const char t = rest_.front();
    rest_.remove_prefix(1);
    return t;
  }
  std::optional<std::uint64_t> u64() {
    if (rest_.size() < 8) return std::nullopt;
    std::uint64_t v;
    std::memcpy(&v, rest_.data(), sizeof v);
    rest_.remove_prefix(8);
    return v;
  }
  std::optional<std::string_view> take(std::uint64_t n) {
    if (n > rest_.size()) return std::nullopt;
    const std::string_view out = rest_.substr(0, static_cast<std::size_t>(n));
    rest_.remove_prefix(static_cast<std::size_t>(n));
    return out;
  }

 private:
  std::string_view rest_;
};

std::string task_text(const TaskHash& hash, const Graph& graph, std::vector<NodeId>& tasks) {
  if (const std::optional<NodeId> id = graph.find(hash)) {
    tasks.push_back(*id);
    return fmt::format("task {} {}", graph.name(*id), hash.hex().substr(0, 8));
  }
  return fmt::format("task {} (not in this graph: a view of a task's result, or a task of "
                     "another build)",
                     hash.hex().substr(0, 8));
}

std::string key_text(std::string_view key) {
  if (const std::optional<InputFileKey> file = parse_input_file_key(key)) {
    if (file->sha256) {
      return fmt::format("input file {} (contents sha256 {})", file->path,
                         file->sha256->substr(0, 16));
    }
    std::string modified = file->mtime_ns.value_or("?");
    try {
      modified = utc_time_text(std::stoll(modified));
    } catch (const std::exception&) {
    }
    return fmt::format("input file {} ({} bytes, modified {})", file->path,
                       file->size.value_or("?"), modified);
  }
  const bool printable = key.size() <= 80 && key.find_first_of("\n\r\t") == std::string::npos;
  return printable ? fmt::format("hashed as \"{}\"", key)
                   : fmt::format("hashed as a key of {} bytes", key.size());
}

/// Reads one argument (recursively for structures) into `view`; false when
/// the bytes do not hold one.
bool read_argument(Bytes& bytes, const Graph& graph, ArgumentView& view, int depth) {
  const std::optional<char> tag = bytes.tag();
  if (!tag || depth > 64) return false;
  switch (*tag) {
    case 'V': {
      const auto n = bytes.u64();
      if (!n || !bytes.take(*n)) return false;
      view.kind = "value";
      view.text = fmt::format("a value of {} byte{}", *n, *n == 1 ? "" : "s");
      return true;
    }
    case 'D': {
      const auto n = bytes.u64();
      if (!n || !bytes.take(16)) return false;
      view.kind = "big value";
      view.text = fmt::format("a value of {} bytes (hashed by its digest)", *n);
      return true;
    }
    case 'T': {
      const auto raw = bytes.take(TaskHash::kSize);
      if (!raw) return false;
      TaskHash h;
      std::memcpy(h.bytes.data(), raw->data(), TaskHash::kSize);
      view.kind = graph.find(h) ? "task" : "tasklet";
      view.text = task_text(h, graph, view.tasks);
      return true;
    }
    case 'N':
      view.kind = "unhashed";
      view.text = "left out of the hash (jug::unhashed)";
      return true;
    case 'K': {
      const auto n = bytes.u64();
      const auto key = n ? bytes.take(*n) : std::nullopt;
      if (!key) return false;
      view.kind = parse_input_file_key(*key) ? "input file" : "key";
      view.text = key_text(*key);
      return true;
    }
    case 'S':
    case 'M':
    case 'U': {
      const auto count = bytes.u64();
      if (!count) return false;
      std::vector<std::string> described;
      for (std::uint64_t i = 0; i < *count; ++i) {
        ArgumentView element;
        if (*tag == 'M') {
          ArgumentView key;
          if (!read_argument(bytes, graph, key, depth + 1)) return false;
        }
        if (!read_argument(bytes, graph, element, depth + 1)) return false;
        view.tasks.insert(view.tasks.end(), element.tasks.begin(), element.tasks.end());
        if (described.size() < kElementsDescribed) described.push_back(element.text);
      }
      const char* what = *tag == 'S' ? "a sequence" : *tag == 'M' ? "a map" : "a tuple";
      view.kind = "structure";
      view.text = fmt::format("{} of {}{}{}{}", what, *count, described.empty() ? "" : ": ",
                              fmt::join(described, ", "),
                              *count > described.size()
                                  ? fmt::format(", and {} more", *count - described.size())
                                  : "");
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

ArgumentView view_argument(std::string_view identity, const Graph& graph) {
  if (identity.size() >= 2 && identity.front() == '#') {
    const char shape = identity[1];
    const char* what = shape == 'V' || shape == 'D' ? "a value"
                       : shape == 'K'               ? "a key or input file"
                                                    : "a structure";
    return ArgumentView{"digest", fmt::format("{} too long to keep (its digest is kept)", what),
                        {}};
  }
  Bytes bytes(identity);
  ArgumentView view;
  if (!read_argument(bytes, graph, view, 0) || !bytes.empty()) {
    // Another front end's bytes (a Python jugfile's), or damaged ones.
    return ArgumentView{"opaque",
                        fmt::format("an argument of {} bytes in the task's hash", identity.size()),
                        {}};
  }
  return view;
}

std::optional<InputFileKey> parse_input_file_key(std::string_view key) {
  std::size_t end = key.find('\n');
  const std::string_view kind = key.substr(0, end);
  if (kind != "file" && kind != "file-content") return std::nullopt;
  InputFileKey out;
  bool has_path = false;
  while (end != std::string_view::npos) {
    const std::size_t start = end + 1;
    end = key.find('\n', start);
    const std::string_view line = key.substr(start, end == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : end - start);
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view field = line.substr(0, equals);
    const std::string value(line.substr(equals + 1));
    if (field == "path") {
      out.path = value;
      has_path = true;
    } else if (field == "size") {
      out.size = value;
    } else if (field == "mtime_ns") {
      out.mtime_ns = value;
    } else if (field == "sha256") {
      out.sha256 = value;
    }
  }
  if (!has_path) return std::nullopt;
  return out;
}

std::string utc_time_text(std::int64_t unix_ns) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return "?";
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

}  // namespace jug
