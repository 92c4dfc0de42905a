#pragma once
/// Compound tasks and cached functions: work done while the graph is built.
///
/// A compound task generator's function builds tasks (a whole sub-pipeline)
/// and returns the one holding the result:
///
///   const jug::CompoundTaskGenerator evaluate("evaluate", [](const std::string& data) {
///     auto folds = jug::map(fit, split(data, 10), {.map_step = 1});
///     return mean(folds);                      // a jug::Task<double>
///   });
///   auto score = evaluate("iris.csv");         // a jug::Task<double>
///
/// Its result is also stored under a hash of the compound's name and
/// arguments; once it is, calling the generator returns that result's task
/// and does not build the inner tasks at all (a jugfile of many finished
/// compounds builds, and reports its status, in no time). Until then the
/// inner tasks are ordinary tasks: shared with other compounds or tasks
/// that make the same ones, and reused when already done.
///
/// jug::cached_function(generator, args...) runs a task while the graph is
/// built, unless its result is stored, stores it, and returns its value:
/// for a value that decides the graph's shape and is cheap next to the
/// tasks (the list of input files, the size of a dataset). It runs in
/// whatever subcommand builds the graph first, `status` included. Its task
/// stays in the graph, so `status` counts it and `cleanup` keeps it.

#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "jug/codec.hpp"
#include "jug/detail/arguments.hpp"
#include "jug/errors.hpp"
#include "jug/node.hpp"
#include "jug/task_generator.hpp"
#include "jug/task_handle.hpp"
#include "jug/task_options.hpp"

namespace jug {

namespace detail {

/// The engine's view of a compound task: its result is its inner result
/// task's (or tasklet's) result, stored again under the compound's hash.
template <class R, class F>
class CompoundTaskBody final : public TaskBody {
 public:
  /// `inner`: the task holding the result, or nothing when the result was
  /// stored already (the inner tasks were not built).
  CompoundTaskBody(std::string name, std::optional<NodeId> inner)
      : name_(std::move(name)), inner_(inner) {}

  /// With the inner result task, its value; without (the result was
  /// stored when the graph was built), the dependencies are the arguments'
  /// tasks, and there is nothing to compute from.
  AnyValue run(std::span<const AnyValue> dependency_values) const override {
    if (!inner_) {
      throw Error("jug: the stored result of compound task " + name_ +
                  " was removed while this worker ran; run jug execute again to build its "
                  "inner tasks");
    }
    return project(*inner_, dependency_values[0]);
  }
  void encode(const AnyValue& value, OutputArchive& out) const override {
    out(*static_cast<const R*>(value.get()));
  }
  std::string_view result_type() const override { return typeid(R).name(); }
  bool same_function(const TaskBody& other) const override {
    return dynamic_cast<const CompoundTaskBody*>(&other) != nullptr;
  }
  AnyValue decode(InputArchive& in) const override {
    return std::make_shared<const R>(jug::decode_from<R>(in));
  }
  std::optional<ArrayElements> element_bytes(const AnyValue& value) const override {
    return element_bytes_of_value<R>(value);
  }
  std::optional<ArrayElements> element_bytes_of_payload(
      std::string_view payload) const override {
    return element_bytes_of_encoding<R>(payload);
  }

 private:
  std::string name_;
  std::optional<NodeId> inner_;
};

}  // namespace detail

/// Wraps a function that builds tasks and returns a jug::Task<R>: calling
/// the generator returns a jug::Task<R> of its own (see above).
template <class F>
class CompoundTaskGenerator {
 public:
  CompoundTaskGenerator(std::string name, F function, TaskOptions options = {},
                        const std::source_location& where = std::source_location::current())
      : name_(std::move(name)), function_(std::move(function)), version_(options.version) {
    detail::register_generator(name_, detail::generator_function(function_), where);
  }

  const std::string& name() const { return name_; }

  /// The arguments are handed to the function as given (tasks stay tasks).
  /// The compound's hash covers its name, each argument as a task's hash
  /// covers it, each argument's type, and the version.
  template <class... Args>
  auto operator()(const Args&... args) const {
    using Inner = std::invoke_result_t<const F&, const Args&...>;
    static_assert(is_task_v<Inner>,
                  "jug::CompoundTaskGenerator: the function must return the jug::Task holding "
                  "the result");
    using R = typename Inner::result_type;
    static_assert(!std::is_void_v<R>,
                  "jug::CompoundTaskGenerator: the inner result task must return a value");
    using Body = detail::CompoundTaskBody<R, F>;

    std::string bytes;
    detail::put_u64(bytes, sizeof...(Args));
    (hash_as_given(bytes, args), ...);
    (detail::hash_type_name<detail::value_of_t<Args>>(bytes), ...);
    if (version_ != 0) {
      bytes.push_back('C');
      detail::put_u64(bytes, version_);
    }
    const TaskHash hash = detail::task_hash(name_, bytes);
    if (detail::result_stored(hash, typeid(R).name())) {
      // Still downstream of its arguments' tasks: invalidating one of them
      // reaches the compound and what depends on it.
      std::vector<detail::NodeId> dependencies;
      (detail::collect_dependencies(dependencies, args), ...);
      return Task<R>(detail::add_node(name_, hash, std::move(dependencies),
                                      std::make_shared<const Body>(name_, std::nullopt)));
    }
    const Inner inner = std::invoke(function_, args...);
    return Task<R>(detail::add_node(name_, hash, {detail::stored_node(inner.node_id())},
                                    std::make_shared<const Body>(name_, inner.node_id())));
  }

 private:
  template <class Arg>
  static void hash_as_given(std::string& bytes, const Arg& arg) {
    if constexpr (detail::is_structured_v<Arg>) {
      detail::hash_argument(bytes, arg);
    } else {
      // A string literal is hashed as the std::string it stands for.
      detail::hash_argument(bytes, detail::value_of_t<Arg>(arg));
    }
  }

  std::string name_;
  F function_;
  std::uint64_t version_;
};

/// Runs generator(args...) now, unless its result is stored; stores it,
/// and returns its value (see above). Tasks among the arguments must be
/// done already.
template <class F, class... Args>
auto cached_function(const TaskGenerator<F>& generator, Args&&... args) {
  const auto task = generator(std::forward<Args>(args)...);
  detail::run_now_unless_stored(task.node_id());
  return value(task);
}

}  // namespace jug
