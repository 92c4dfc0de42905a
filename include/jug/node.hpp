#pragma once
/// The seam between a front end and the engine. The engine sees a task as a
/// hash, a name, its dependencies and a TaskBody; it knows no C++ types, so
/// another front end (Python bindings, say) can drive it unchanged.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "jug/task_hash.hpp"

namespace jug {

/// A result in memory, type-erased. The front end that made it knows its type.
using AnyValue = std::shared_ptr<const void>;

/// What the engine can do with one task, supplied by the front end.
class TaskBody {
 public:
  virtual ~TaskBody() = default;
  /// Runs the task; `dependency_values` are the results of the dependencies,
  /// in the order they were given to add_node.
  virtual AnyValue run(std::span<const AnyValue> dependency_values) const = 0;
  /// Appends the payload bytes of a result (see codec.hpp) to `out`; the
  /// caller may have put a record header in front.
  virtual void encode(const AnyValue& value, std::string& out) const = 0;
  /// The name of the result's C++ type (as typeid gives it): stored with
  /// each result, so that one is never decoded as another type.
  virtual std::string_view result_type() const = 0;
  /// True when `other` runs the same function (two generators under one
  /// name must not be mixed up).
  virtual bool same_function(const TaskBody& other) const = 0;
  /// The inverse of encode; throws CorruptRecord on bad bytes.
  virtual AnyValue decode(std::string_view payload) const = 0;
};

namespace detail {

using NodeId = std::uint32_t;

/// Adds a task to the graph being built and returns its id. Adding a task
/// whose hash is already in the graph returns the existing id.
/// Throws jug::Error when no graph is being built (outside jug::main).
NodeId add_node(std::string_view name, const TaskHash& hash, std::vector<NodeId> dependencies,
                std::shared_ptr<const TaskBody> body);

/// Memory for a task body (and its shared_ptr control block) from the graph
/// being built: freed all at once with the graph, packed for speed.
/// Throws jug::Error when no graph is being built.
void* allocate_task_memory(std::size_t bytes, std::size_t alignment);

/// A std allocator over allocate_task_memory; deallocation is a no-op (the
/// graph frees everything). Only for objects owned by graph nodes.
template <class T>
struct TaskMemoryAllocator {
  using value_type = T;
  TaskMemoryAllocator() = default;
  template <class U>
  TaskMemoryAllocator(const TaskMemoryAllocator<U>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(allocate_task_memory(n * sizeof(T), alignof(T)));
  }
  void deallocate(T*, std::size_t) {}
  friend bool operator==(const TaskMemoryAllocator&, const TaskMemoryAllocator&) { return true; }
};

const TaskHash& node_hash(NodeId id);
const std::string& node_name(NodeId id);

/// The result of a task, loaded from the store (or from memory when this
/// process computed it). Throws ValueNotAvailable when it has not run.
AnyValue node_value(NodeId id);

}  // namespace detail
}  // namespace jug
