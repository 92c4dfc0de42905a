/// `jug why` (commands/why.hpp) where the store holds several earlier
/// results of a task's name: it compares with the closest (fewest arguments
/// changed), and of equals with the latest, whatever order the store lists
/// them in.

#include "commands/why.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/build_context.hpp"
#include "engine/results.hpp"
#include "engine/run_metadata_of.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"

namespace {

const jug::TaskGenerator fit("why.fit", [](int degree, int samples) { return degree * samples; });

/// The graph of fit(degree, samples).
jug::Graph fit_graph(jug::Store& store, int degree, int samples) {
  return jug::build_graph([=] { (void)fit(degree, samples); }, store);
}

/// Stores a result of fit(degree, samples) that finished at `finished_ns`.
jug::TaskHash store_earlier(jug::Store& store, int degree, int samples, std::int64_t finished_ns) {
  const jug::Graph graph = fit_graph(store, degree, samples);
  const jug::CurrentGraph current(graph, store);
  jug::RunMetadata run = jug::run_metadata_of(
      graph, 0, {}, {}, jug::argument_identities_of(*graph.node(0).body));
  run.started_ns = finished_ns - 1;
  run.finished_ns = finished_ns;
  jug::save_result(store, graph, 0, std::make_shared<const int>(degree * samples), run);
  return graph.hash(0);
}

std::vector<std::string> reasons_for(jug::Store& store, int degree, int samples) {
  const jug::Graph graph = fit_graph(store, degree, samples);
  const jug::StatusReport status = jug::compute_status(graph, store);
  const std::vector<jug::NodeId> ids{0};
  return jug::explain_tasks(graph, store, ids, status).at(0).reasons;
}

TEST(Why, ComparesWithTheClosestEarlierResult) {
  jug::MemoryStore store;
  // Two arguments changed since the later one, one since the earlier.
  const jug::TaskHash one_change = store_earlier(store, 3, 100, 1'000'000'000);
  store_earlier(store, 5, 200, 2'000'000'000);
  const std::vector<std::string> reasons = reasons_for(store, 3, 150);
  ASSERT_EQ(reasons.size(), 1u) << reasons.front();
  EXPECT_NE(reasons[0].find("argument 2 changed since " + one_change.hex().substr(0, 8)),
            std::string::npos)
      << reasons[0];
}

TEST(Why, OfEqualOnesTheLatestWhateverTheStoresOrder) {
  for (const bool latest_listed_first : {true, false}) {
    SCOPED_TRACE(latest_listed_first ? "latest listed first" : "latest listed last");
    jug::MemoryStore store;
    const jug::TaskHash a = store_earlier(store, 2, 10, 0);
    const jug::TaskHash b = store_earlier(store, 4, 10, 0);
    // Which the store lists first; the other, or it, is made the latest.
    const std::vector<jug::TaskHash> listed = store.list();
    const auto first = std::find_if(listed.begin(), listed.end(),
                                    [&](const jug::TaskHash& h) { return h == a || h == b; });
    const jug::TaskHash first_listed = *first;
    const jug::TaskHash other = first_listed == a ? b : a;
    const jug::TaskHash latest = latest_listed_first ? first_listed : other;
    const int latest_degree = latest == a ? 2 : 4;
    const int older_degree = latest == a ? 4 : 2;
    // Stored again over themselves, with their times: the listing keeps
    // its order.
    store_earlier(store, older_degree, 10, 1'000'000'000);
    store_earlier(store, latest_degree, 10, 2'000'000'000);
    ASSERT_EQ(store.list(), listed);
    const std::vector<std::string> reasons = reasons_for(store, 3, 10);
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_NE(reasons[0].find("argument 1 changed since " + latest.hex().substr(0, 8)),
              std::string::npos)
        << reasons[0];
  }
}

}  // namespace
