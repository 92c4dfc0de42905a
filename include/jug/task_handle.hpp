#pragma once
/// jug::Task<R>: a handle to a task in the graph being built, whose result
/// has type R, or to a tasklet (a view on such a result, tasklet.hpp). Cheap
/// to copy; pass it to other generators to depend on it.

#include <string>

#include "jug/node.hpp"

namespace jug {

template <class R>
class Task {
 public:
  using result_type = R;

  explicit Task(detail::NodeId id) : id_(id) {}

  /// Copies: the graph's storage moves as tasks are added.
  TaskHash hash() const { return detail::node_hash(id_); }
  std::string name() const { return detail::node_name(id_); }
  detail::NodeId node_id() const { return id_; }

  /// A tasklet (tasklet.hpp) for one element of the result: by position for
  /// a vector, array or string, by key for a map.
  template <class K>
  auto operator[](const K& key) const;

 private:
  detail::NodeId id_;
};

template <class T>
struct is_task : std::false_type {};
template <class R>
struct is_task<Task<R>> : std::true_type {};
template <class T>
inline constexpr bool is_task_v = is_task<T>::value;

}  // namespace jug

#include "jug/tasklet.hpp"  // defines Task<R>::operator[]
