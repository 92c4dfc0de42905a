#pragma once
/// The task graph: nodes in creation order. A task can only depend on tasks
/// created before it, so creation order is a topological order.

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/hash_index.hpp"
#include "engine/chunked_array.hpp"
#include "engine/large_memory.hpp"
#include "engine/mapped_vector.hpp"
#include "jug/node.hpp"

namespace jug {

using NodeId = detail::NodeId;

class Graph {
 public:
  Graph() = default;
  Graph(Graph&&) = default;
  /// Deleted: assigning member by member would free the arena before the
  /// nodes whose bodies live in it. Build a new Graph instead.
  Graph& operator=(Graph&&) = delete;
  /// 32 bytes, the dependencies in the graph's arena: a million nodes of
  /// std::vectors took 48 MB, and as many allocations.
  struct Node {
    /// In the order the body expects their values; may repeat a node.
    std::span<const NodeId> dependencies() const { return {dependency_ids, dependency_count}; }
    const NodeId* dependency_ids;
    std::uint32_t dependency_count;
    std::uint32_t name_id;
    std::shared_ptr<const TaskBody> body;
  };

  /// Adds a node, or returns the id of the node with the same hash.
  NodeId add(std::string_view name, const TaskHash& hash, std::vector<NodeId> dependencies,
             std::shared_ptr<const TaskBody> body);

  /// Room for `count` nodes in all, made at once. At least doubles, as
  /// adding one by one would: many small reserves stay linear.
  void reserve(std::size_t count) {
    if (count > hashes_.capacity()) hashes_.reserve(std::max(count, 2 * hashes_.capacity()));
    index_.reserve(count, hashes_);  // (its sizes are powers of two: it doubles)
  }

  /// Adds a tasklet (node.hpp) of `base`, a node or another tasklet, and
  /// returns its id (kTaskletBit set). Tasklets are no nodes: size(),
  /// node() and the commands never see them.
  NodeId add_tasklet(const TaskHash& hash, NodeId base, std::shared_ptr<const TaskletBody> body);
  struct Tasklet {
    NodeId base;
    /// The node at the end of the chain of bases: whose result it reads.
    NodeId stored;
    TaskHash hash;
    std::shared_ptr<const TaskletBody> body;
  };
  /// Throws jug::Error for an id this graph did not make (a handle kept
  /// from an earlier build of the jugfile).
  const Tasklet& tasklet(NodeId id) const {
    const NodeId index = id & ~detail::kTaskletBit;
    if (index >= tasklets_.size()) throw_unknown_tasklet();
    return tasklets_[index];
  }

  std::size_t size() const { return nodes_.size(); }
  const Node& node(NodeId id) const { return nodes_[id]; }
  const TaskHash& hash(NodeId id) const { return hashes_[id]; }
  const std::string& name(NodeId id) const { return names_[nodes_[id].name_id]; }
  /// Distinct task names, in order of first appearance; Node::name_id indexes it.
  const std::vector<std::string>& names() const { return names_; }
  std::optional<NodeId> find(const TaskHash& hash) const { return index_.find(hash, hashes_); }
  /// Every node's hash, indexed by NodeId.
  const MappedVector<TaskHash>& hashes() const { return hashes_; }

  /// Memory for task bodies: they live as long as the graph.
  Arena& arena() { return *arena_; }

  /// Where building stopped, at a barrier whose tasks were not all done
  /// ("the barrier at jugfile.cpp:12"): the graph holds only the tasks made
  /// before it. Nothing when the build function ran to its end.
  const std::optional<std::string>& stopped_at() const { return stopped_at_; }
  void stop_at(std::string where) { stopped_at_ = std::move(where); }

  /// A task whose stored result the build function read and found
  /// unreadable (where building then stopped), with why: it is not
  /// finished, whatever the store lists.
  struct Unreadable {
    NodeId id;
    std::string why;
  };
  const std::optional<Unreadable>& unreadable() const { return unreadable_; }
  void stop_at_unreadable(NodeId id, std::string why) { unreadable_ = Unreadable{id, std::move(why)}; }

  /// For each node, the nodes that depend on it (each once, in order), all
  /// in one array: a vector of vectors cost 56 bytes and an allocation per
  /// node at a million tasks, this 8 bytes and 4 a dependent.
  class Dependents {
   public:
    std::span<const NodeId> operator[](NodeId id) const {
      return {ids_.data() + starts_[id], ids_.data() + starts_[id + 1]};
    }

   private:
    friend class Graph;
    /// Where the dependents of each node start in ids_, and where the last
    /// one's end.
    MappedVector<std::uint64_t> starts_;
    MappedVector<NodeId> ids_;
  };
  Dependents dependents() const;

 private:
  [[noreturn]] static void throw_unknown_tasklet();

  // Declared first, destroyed last: the bodies and dependencies of nodes_
  // live in it.
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  /// Never moved as they grow: a million nodes are not copied, nor held
  /// twice.
  ChunkedArray<Node> nodes_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> name_ids_;
  MappedVector<TaskHash> hashes_;
  HashIndex index_;
  std::vector<Tasklet> tasklets_;
  std::optional<std::string> stopped_at_;
  std::optional<Unreadable> unreadable_;
};

}  // namespace jug
