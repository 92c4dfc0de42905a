// Graph::dependents: for each node, the nodes that take it, each once and
// in order, in one array.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/graph.hpp"

namespace {

std::vector<jug::NodeId> as_vector(std::span<const jug::NodeId> ids) {
  return {ids.begin(), ids.end()};
}

TEST(GraphDependents, EachDependentOnceAndInOrder) {
  jug::Graph graph;
  const auto add = [&](int i, std::vector<jug::NodeId> dependencies) {
    return graph.add("t", jug::TaskHash::of("node " + std::to_string(i)), std::move(dependencies),
                     nullptr);
  };
  const jug::NodeId a = add(0, {});
  const jug::NodeId b = add(1, {a});
  const jug::NodeId c = add(2, {a, b, a});  // takes a twice, not in a row
  const jug::NodeId d = add(3, {c});
  const jug::NodeId e = add(4, {a});
  const jug::Graph::Dependents dependents = graph.dependents();
  EXPECT_EQ(as_vector(dependents[a]), (std::vector<jug::NodeId>{b, c, e}));
  EXPECT_EQ(as_vector(dependents[b]), (std::vector<jug::NodeId>{c}));
  EXPECT_EQ(as_vector(dependents[c]), (std::vector<jug::NodeId>{d}));
  EXPECT_TRUE(dependents[d].empty());
  EXPECT_TRUE(dependents[e].empty());
}

TEST(GraphDependents, OfAnEmptyGraph) {
  const jug::Graph graph;
  (void)graph.dependents();
}

}  // namespace
