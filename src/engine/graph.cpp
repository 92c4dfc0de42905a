#include "engine/graph.hpp"

#include <algorithm>
#include <limits>
#include <typeinfo>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug {

NodeId Graph::add(std::string_view name, const TaskHash& hash, std::vector<NodeId> dependencies,
                  std::shared_ptr<const TaskBody> body) {
  const auto id = static_cast<NodeId>(nodes_.size());
  for (NodeId d : dependencies) {
    if (d >= id) throw Error("jug: a task depends on a task from another graph");
  }
  // Before the hash is indexed: a throw after it would leave a hash
  // without its node.
  if (dependencies.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw Error(fmt::format("jug: a task '{}' has more than 2^32 dependencies", name));
  }
  hashes_.push_back(hash);
  if (const std::optional<std::uint32_t> existing = index_.insert(id, hashes_)) {
    hashes_.pop_back();
    // Same name and arguments: the same task, unless two different
    // generators share a name, which would mix up their results.
    const TaskBody& existing_body = *nodes_[*existing].body;
    if (body && !existing_body.same_function(*body)) {
      throw Error(fmt::format(
          "jug: two different task generators are both named '{}'; the name is a task's "
          "identity, so give each generator its own name",
          name));
    }
    return *existing;
  }
  std::uint32_t name_id;
  if (!nodes_.empty() && names_[nodes_.back().name_id] == name) {
    name_id = nodes_.back().name_id;  // tasks of one name usually come in runs
  } else if (auto n = name_ids_.find(std::string(name)); n != name_ids_.end()) {
    name_id = n->second;
  } else {
    name_id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(name);
    name_ids_.emplace(std::string(name), name_id);
  }
  NodeId* dependency_ids = nullptr;
  if (!dependencies.empty()) {
    dependency_ids = static_cast<NodeId*>(
        arena_->allocate(dependencies.size() * sizeof(NodeId), alignof(NodeId)));
    std::copy(dependencies.begin(), dependencies.end(), dependency_ids);
  }
  nodes_.emplace_back(Node{dependency_ids, static_cast<std::uint32_t>(dependencies.size()),
                           name_id, std::move(body)});
  return id;
}

NodeId Graph::add_tasklet(const TaskHash& hash, NodeId base,
                          std::shared_ptr<const TaskletBody> body) {
  const bool known = detail::is_tasklet(base) ? (base & ~detail::kTaskletBit) < tasklets_.size()
                                               : base < nodes_.size();
  if (!known) throw Error("jug: a tasklet was made of a task from another graph");
  const NodeId stored = detail::is_tasklet(base) ? tasklet(base).stored : base;
  tasklets_.push_back(Tasklet{base, stored, hash, std::move(body)});
  return static_cast<NodeId>(tasklets_.size() - 1) | detail::kTaskletBit;
}

void Graph::throw_unknown_tasklet() {
  throw Error(
      "jug: a tasklet from another graph was used (a handle kept from an earlier run of the "
      "build function?); make tasks and tasklets anew in each run of it");
}

Graph::Dependents Graph::dependents() const {
  const std::size_t n = nodes_.size();
  Dependents out;
  // Counted, then placed: a node that takes one dependency twice is one of
  // its dependents once (its ids come in order, so the last one placed is it).
  constexpr NodeId kNone = std::numeric_limits<NodeId>::max();
  std::vector<NodeId> last(n, kNone);
  out.starts_.assign(n + 1, 0);
  for (NodeId id = 0; id < n; ++id) {
    for (NodeId d : nodes_[id].dependencies()) {
      if (last[d] == id) continue;
      last[d] = id;
      ++out.starts_[d + 1];
    }
  }
  for (std::size_t i = 0; i < n; ++i) out.starts_[i + 1] += out.starts_[i];
  out.ids_.assign(out.starts_[n], 0);
  std::vector<std::uint64_t> next(out.starts_.begin(), out.starts_.end() - 1);
  std::fill(last.begin(), last.end(), kNone);
  for (NodeId id = 0; id < n; ++id) {
    for (NodeId d : nodes_[id].dependencies()) {
      if (last[d] == id) continue;
      last[d] = id;
      out.ids_[next[d]++] = id;
    }
  }
  return out;
}

}  // namespace jug
