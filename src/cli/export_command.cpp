#include "cli/export_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/show_command.hpp"
#include "cli/show_output.hpp"
#include "commands/status.hpp"
#include "commands/task_details.hpp"
#include "engine/build_context.hpp"
#include "jug/errors.hpp"

namespace jug::cli {
namespace {

/// Results larger than this (decoded) are not written as JSON: a value
/// becomes several times its size as text.
constexpr std::uint64_t kLargestExportedResult = 256 << 20;

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

/// A value in a CSV cell: a string as itself; any other value (a number, an
/// array, an object) as its JSON.
std::string csv_value(const std::string& json) {
  if (json.size() < 2 || json.front() != '"') return json;
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(json, nullptr, false);
  return parsed.is_string() ? parsed.get<std::string>() : json;
}

/// A string as a JSON string literal.
std::string json_string(const std::string& text) {
  return nlohmann::ordered_json(text).dump(-1, ' ', false,
                                           nlohmann::ordered_json::error_handler_t::replace);
}

/// Writes through a temporary file renamed into place: a reader of FILE
/// never sees half an export.
class ExportFile {
 public:
  explicit ExportFile(std::string path)
      : path_(std::move(path)), temporary_(fmt::format("{}.{}.tmp", path_, ::getpid())) {
    file_.open(temporary_, std::ios::binary | std::ios::trunc);
    if (!file_) throw Error(fmt::format("jug: export: cannot write {}", temporary_));
  }
  ~ExportFile() {
    if (!committed_) std::filesystem::remove(temporary_, ignored_);
  }
  std::ostream& stream() { return file_; }
  void commit() {
    file_.close();
    if (!file_) throw Error(fmt::format("jug: export: cannot write {} (disk full?)", temporary_));
    std::filesystem::rename(temporary_, path_);
    committed_ = true;
  }

 private:
  std::string path_, temporary_;
  std::ofstream file_;
  bool committed_ = false;
  std::error_code ignored_;
};

}  // namespace

int run_export(const CommandLine& cl, const Graph& graph, Store& store) {
  const std::vector<NodeId> matched = tasks_matching(graph, cl.show.patterns);
  const StatusReport status = status_of(cl, graph, store);
  std::optional<ExportFile> file;
  if (!cl.show.output.empty()) file.emplace(cl.show.output);
  std::ostream& out = file ? file->stream() : std::cout;
  const bool csv = cl.show.format == "csv";
  if (csv) {
    out << "name,hash,value\r\n";
  } else {
    out << "[";
  }
  std::size_t unfinished = 0, written = 0;
  std::vector<std::string> problems;
  const CurrentGraph current(graph, store);
  for (const NodeId id : matched) {
    if (status.states[id] != TaskState::kFinished) {
      ++unfinished;
      continue;
    }
    const std::string task =
        fmt::format("{} {}", graph.name(id), graph.hash(id).hex().substr(0, 8));
    // Each value is written as it is made, one at a time: held as JSON it
    // takes several times its size.
    const std::optional<std::uint64_t> size = stored_result_size(store, graph.hash(id));
    if (size && *size > kLargestExportedResult) {
      problems.push_back(fmt::format(
          "{}: its value is {} bytes, too big to write as JSON (read it with jug::value, or "
          "jug.value in Python)",
          task, *size));
      continue;
    }
    std::string why;
    const std::optional<std::string> json = stored_value_json(graph, store, id, why);
    if (!json) {
      problems.push_back(fmt::format("{}: {}", task, why));
      continue;
    }
    const std::string value = unwrapped_value(*json);
    if (csv) {
      out << csv_field(graph.name(id)) << ',' << graph.hash(id).hex() << ','
          << csv_field(csv_value(value)) << "\r\n";
    } else {
      out << (written == 0 ? "\n" : ",\n") << "  {\"name\": " << json_string(graph.name(id))
          << ", \"hash\": \"" << graph.hash(id).hex() << "\", \"value\": " << value << "}";
    }
    ++written;
  }
  if (!csv) out << (written == 0 ? "]\n" : "\n]\n");
  if (file) file->commit();
  for (const std::string& problem : problems) {
    fmt::print(std::cerr, "jug: export: not written: {}\n", problem);
  }
  if (unfinished > 0) {
    fmt::print(std::cerr,
               "jug: export: {} matching task{} not finished, so not written (jug status; jug "
               "execute)\n",
               unfinished, unfinished == 1 ? " is" : "s are");
  }
  if (!cl.show.output.empty()) {
    fmt::print(std::cerr, "Wrote the results of {} task{} to {}.\n", written,
               written == 1 ? "" : "s", cl.show.output);
  }
  return unfinished + problems.size() == 0 ? 0 : 1;
}

}  // namespace jug::cli
