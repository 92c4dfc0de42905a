#include "cli/graph_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/graph_output.hpp"
#include "cli/jugdir.hpp"
#include "commands/status.hpp"
#include "jug/errors.hpp"
#include "submit/child_process.hpp"

namespace jug::cli {
namespace {

constexpr std::string_view kNoDot =
    "Graphviz's dot is not installed (Debian, Ubuntu: apt-get install graphviz)";

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(fmt::format("jug: cannot write {}", path));
}

/// `dot -T<format> <dot_file>`'s output; throws Error with what dot said.
std::string rendered(const std::string& dot_file, const std::string& format) {
  const submit::Finished dot = submit::run_captured({"dot", "-T" + format, dot_file});
  if (dot.status != 0) {
    throw Error(fmt::format("jug: Graphviz's dot could not render {} as {}: {}", dot_file, format,
                            dot.err.empty() ? fmt::format("exit {}", dot.status) : dot.err));
  }
  return dot.out;
}

/// Python jug's way: <jugfile>.dot, then <jugfile>.png beside it.
int write_python_jugs_files(const CommandLine& cl, const std::string& dot_text) {
  const std::string stem = strip_extension(cl.jugfile);
  const std::string dot_file = stem + ".dot";
  write_file(dot_file, dot_text);
  if (submit::find_on_path("dot").empty()) {
    fmt::print(std::cout,
               "Wrote {}. {}, so there is no {}.png: install it, or render the file "
               "elsewhere (dot -Tpng {} -o {}.png).\n",
               dot_file, kNoDot, stem, dot_file, stem);
    return 0;
  }
  write_file(stem + ".png", rendered(dot_file, "png"));
  fmt::print(std::cout, "Wrote {} and {}.png.\n", dot_file, stem);
  return 0;
}

}  // namespace

int run_graph(const CommandLine& cl, const Graph& graph, Store& store) {
  const GraphFlags& flags = cl.graph;
  GraphDrawing drawing;
  drawing.tasks = flags.tasks;
  if (!cl.target.empty()) drawing.selected = tasks_and_what_they_need(graph, cl.target);
  const std::size_t drawn = drawn_tasks(graph, drawing);
  if (drawn == 0 && !cl.target.empty()) {
    throw Error(
        fmt::format("jug: no task matches --target {} (jug count lists the names)", cl.target));
  }
  if (drawing.tasks && drawn > flags.max_tasks) {
    throw Error(fmt::format(
        "jug: graph --tasks would draw {} tasks, more than a drawing can show (--max-tasks {}): "
        "draw one node per task name (without --tasks), or only some tasks (--target PATTERN: "
        "those matching and what they need)",
        drawn, flags.max_tasks));
  }
  std::optional<StatusReport> status;
  if (!flags.no_status) {
    status = compute_status(graph, store, StatusOptions{cl.execute.lease_time});
    drawing.status = &*status;
  }

  std::ostringstream text;
  if (flags.format == "json") {
    print_graph_json(text, graph, drawing);
  } else {
    print_graph_dot(text, graph, drawing);
  }
  if (flags.format.empty()) return write_python_jugs_files(cl, text.str());

  std::string bytes = text.str();
  if (flags.format != "json" && flags.format != "dot") {
    if (submit::find_on_path("dot").empty()) {
      throw Error(
          fmt::format("jug: graph --format {} needs Graphviz: {}. --format dot writes the "
                      "graph in dot's language, which needs nothing.",
                      flags.format, kNoDot));
    }
    // Given to dot as a file: its output may be binary (png).
    const std::string dot_file =
        flags.output.empty()
            ? (std::filesystem::temp_directory_path() / fmt::format("jug-graph.{}.dot", ::getpid()))
                  .string()
            : flags.output + ".dot.tmp";
    write_file(dot_file, bytes);
    try {
      bytes = rendered(dot_file, flags.format);
    } catch (...) {
      std::remove(dot_file.c_str());
      throw;
    }
    std::remove(dot_file.c_str());
  }
  if (flags.output.empty()) {
    std::cout << bytes << std::flush;
  } else {
    write_file(flags.output, bytes);
  }
  return 0;
}

}  // namespace jug::cli
