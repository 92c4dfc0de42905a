#pragma once
/// The seam between a front end and the engine. The engine sees a task as a
/// hash, a name, its dependencies and a TaskBody; it knows no C++ types, so
/// another front end (Python bindings, say) can drive it unchanged.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "jug/task_hash.hpp"

namespace jug {

class OutputArchive;
class InputArchive;

/// A result in memory, type-erased. The front end that made it knows its type.
using AnyValue = std::shared_ptr<const void>;

/// The elements of an array result as bytes, and its shape: rows and
/// columns of a matrix, a vector's count and 1.
struct ArrayElements {
  std::span<const char> bytes;
  std::uint64_t rows = 0;
  std::uint64_t cols = 1;
};

/// A dependency's result handed to a task as its elements where they lie
/// (a std::span parameter given a Task<std::vector<double>>, an
/// Eigen::Map given a Task<Eigen::MatrixXd>): in the stored record, mapped
/// from the store's file, or in the value in memory. `owner` keeps them
/// valid (the mapping or the value).
struct ElementBytes {
  ArrayElements array;
  std::shared_ptr<const void> owner;
};

/// What the engine can do with one task, supplied by the front end.
class TaskBody {
 public:
  virtual ~TaskBody() = default;
  /// Runs the task; `dependency_values` are the results of the dependencies,
  /// in the order they were given to add_node.
  virtual AnyValue run(std::span<const AnyValue> dependency_values) const = 0;
  /// Writes the payload bytes of a result (see codec.hpp) to `out`. May be
  /// called more than once for one result (a big one is written as it is
  /// encoded, after its length is known): it writes the same bytes each time.
  virtual void encode(const AnyValue& value, OutputArchive& out) const = 0;
  /// The name of the result's C++ type (as typeid gives it): stored with
  /// each result, so that one is never decoded as another type.
  virtual std::string_view result_type() const = 0;
  /// True when `other` runs the same function (two generators under one
  /// name must not be mixed up).
  virtual bool same_function(const TaskBody& other) const = 0;
  /// The inverse of encode: reads all of `in`; throws CorruptRecord on bad
  /// bytes.
  virtual AnyValue decode(InputArchive& in) const = 0;
  /// `value`, a result of this task, as JSON (`jug show`, `jug export`):
  /// `{"value": ...}` as the front end's JSON writer makes it; nullopt when
  /// its type has no JSON form, or the program was built without them
  /// (result_json.hpp).
  virtual std::optional<std::string> value_json(const AnyValue& value) const {
    (void)value;
    return std::nullopt;
  }
  /// The version of the task's code ({.version = N}), kept with its result
  /// so that `jug why` can say it changed.
  virtual std::uint64_t code_version() const { return 0; }

  // ---- `execute --debug`, the metadata kept with results, `jug why` ----
  /// The task's arguments, one string of bytes each, as they enter its hash
  /// (a dependency as its task's hash): taken before and after it runs, to
  /// tell whether it changed one; kept with its result (RunMetadata), to
  /// tell later which one changed. Empty: nothing to compare.
  virtual std::vector<std::string> argument_fingerprints() const { return {}; }
  /// Bytes that change when `value`, a result of this task, changes (to
  /// tell whether a task that reads it changed it): its encoding, unless
  /// the front end keeps that from before (Python's pickle, kept).
  virtual std::string value_fingerprint(const AnyValue& value) const;
  /// Whether `a` == `b`, two results of this task's type, where the type
  /// has an ==; nothing otherwise.
  virtual std::optional<bool> results_equal(const AnyValue& a, const AnyValue& b) const {
    (void)a;
    (void)b;
    return std::nullopt;
  }
  /// Whether the engine checks that this task's results come back as they
  /// went (encoded twice alike, decoded equal, encoded again alike). A
  /// front end whose encoding is another program's (Python's pickle) says
  /// no.
  virtual bool round_trip_checked() const { return true; }

  // ---- views: a task that reads a dependency's elements where they lie ----
  /// The dependencies the task reads as ElementBytes rather than as their
  /// value: `[i]` for dependency i. Empty when it reads none so.
  virtual std::vector<bool> viewed_dependencies() const { return {}; }
  /// For a result that is an array of plain numbers: its elements in
  /// `value`, and its shape; nullopt for a result of any other type.
  virtual std::optional<ArrayElements> element_bytes(const AnyValue& value) const {
    (void)value;
    return std::nullopt;
  }
  /// The same in `payload`, the result's encoded bytes (as encode writes
  /// them); nullopt also when they do not lie aligned for their type there,
  /// or do not have the array's layout (then decode says why).
  virtual std::optional<ArrayElements> element_bytes_of_payload(
      std::string_view payload) const {
    (void)payload;
    return std::nullopt;
  }
};

/// A tasklet: a view on another task's (or tasklet's) result, computed
/// from it when needed and never stored (an element, a field, a cheap
/// function of it). The engine never runs it; the front end applies it
/// where the result is used.
class TaskletBody {
 public:
  virtual ~TaskletBody() = default;
  /// The view of `base`, the result it projects. May keep `base` alive
  /// (an element of it, say) rather than copy.
  virtual AnyValue apply(const AnyValue& base) const = 0;
};

namespace detail {

using NodeId = std::uint32_t;

/// Ids with this bit set name tasklets, which are not nodes of the engine's
/// graph: a Task<R> handle stands for either.
inline constexpr NodeId kTaskletBit = NodeId{1} << 31;
inline bool is_tasklet(NodeId id) { return (id & kTaskletBit) != 0; }

/// Adds a tasklet of `base` (a task or a tasklet) and returns its id.
NodeId add_tasklet(const TaskHash& hash, NodeId base, std::shared_ptr<const TaskletBody> body);

/// The task whose stored result `id` reads: `id` itself for a task, the
/// end of the chain of bases for a tasklet.
NodeId stored_node(NodeId id);

/// The value `id` stands for, given the result of stored_node(id): that
/// result itself for a task, its view for a tasklet.
AnyValue project(NodeId id, AnyValue stored_value);

/// Adds a task to the graph being built and returns its id. Adding a task
/// whose hash is already in the graph returns the existing id.
/// Throws jug::Error when no graph is being built (outside jug::main).
NodeId add_node(std::string_view name, const TaskHash& hash, std::vector<NodeId> dependencies,
                std::shared_ptr<const TaskBody> body);

/// Makes room for `count` more tasks in the graph being built, for a front
/// end that adds many at once (the graph then grows once, not by doubling).
void reserve_nodes(std::size_t count);

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

/// The hash of a task or tasklet.
const TaskHash& node_hash(NodeId id);
/// The name of a task; of a tasklet, the name of the task it reads.
const std::string& node_name(NodeId id);

/// True when the store holds a result under `hash` (of type `result_type`,
/// as TaskBody::result_type names it): a compound task's, so that its inner
/// tasks need not be built (compound.hpp). When execute builds the graph, a
/// damaged record is removed and counts as none.
bool result_stored(const TaskHash& hash, std::string_view result_type);

/// Runs the task `id` now, while the graph is built, unless its result is
/// stored, and stores it (jug::cached_function). The results of its
/// dependencies must be stored already.
void run_now_unless_stored(NodeId id);

/// The result of a task (or the view of a tasklet), loaded from the store.
/// Throws ValueNotAvailable when it has not run.
AnyValue node_value(NodeId id);

}  // namespace detail
}  // namespace jug
