#include "engine/graph.hpp"

#include <algorithm>
#include <typeinfo>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug {

NodeId Graph::add(std::string_view name, const TaskHash& hash, std::vector<NodeId> dependencies,
                  std::shared_ptr<const TaskBody> body) {
  const auto [it, inserted] = ids_by_hash_.try_emplace(hash, static_cast<NodeId>(nodes_.size()));
  if (!inserted) {
    // Same name and arguments: the same task, unless two different
    // generators share a name, which would mix up their results.
    const TaskBody& existing = *nodes_[it->second].body;
    if (body && typeid(existing) != typeid(*body)) {
      throw Error(fmt::format(
          "jug: two different task generators are both named '{}'; the name is a task's "
          "identity, so give each generator its own name",
          name));
    }
    return it->second;
  }
  for (NodeId d : dependencies) {
    if (d >= nodes_.size()) throw Error("jug: a task depends on a task from another graph");
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
  nodes_.push_back(Node{hash, name_id, std::move(dependencies), std::move(body)});
  return it->second;
}

std::optional<NodeId> Graph::find(const TaskHash& hash) const {
  if (auto it = ids_by_hash_.find(hash); it != ids_by_hash_.end()) return it->second;
  return std::nullopt;
}

std::vector<TaskHash> Graph::hashes() const {
  std::vector<TaskHash> out;
  out.reserve(nodes_.size());
  for (const Node& n : nodes_) out.push_back(n.hash);
  return out;
}

std::vector<std::vector<NodeId>> Graph::dependents() const {
  std::vector<std::vector<NodeId>> out(nodes_.size());
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    for (NodeId d : nodes_[id].dependencies) {
      auto& list = out[d];
      if (list.empty() || list.back() != id) list.push_back(id);
    }
  }
  return out;
}

}  // namespace jug
