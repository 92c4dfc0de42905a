/// Tests of what `jug graph` writes (src/cli/graph_output.hpp) for names
/// dot's language must quote; the drawing itself is tested through the
/// command (tests/integration/test_graph.py).

#include "cli/graph_output.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/build_context.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"

namespace {

const jug::TaskGenerator odd_name("say \"hi\"\\now", [](int x) { return x; });
const jug::TaskGenerator plain_name("graph_plain", [](int x) { return x + 1; });

void jugfile() { (void)plain_name(odd_name(1)); }

TEST(GraphOutput, NamesAreQuotedForDotAndJson) {
  jug::MemoryStore store;
  const jug::Graph graph = jug::build_graph(jugfile, store);
  const jug::StatusReport status = jug::compute_status(graph, store);
  jug::cli::GraphDrawing drawing;
  drawing.status = &status;
  std::ostringstream dot;
  jug::cli::print_graph_dot(dot, graph, drawing);
  EXPECT_NE(dot.str().find(R"("say \"hi\"\\now" [label="say \"hi\"\\now\n1 ready")"),
            std::string::npos)
      << dot.str();
  EXPECT_NE(dot.str().find(R"("say \"hi\"\\now" -> "graph_plain" [label="1"];)"),
            std::string::npos)
      << dot.str();
  std::ostringstream json;
  jug::cli::print_graph_json(json, graph, drawing);
  const auto parsed = nlohmann::json::parse(json.str());
  EXPECT_EQ(parsed["nodes"][0]["name"], "say \"hi\"\\now");
  EXPECT_EQ(parsed["edges"][0]["from"], "say \"hi\"\\now");
}

}  // namespace
