#pragma once
/// jug::TaskGenerator: wraps a callable so that calling it builds a task
/// instead of running it. jug::value reads a task's result.

#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "jug/codec.hpp"
#include "jug/detail/arguments.hpp"
#include "jug/detail/callable_traits.hpp"
#include "jug/detail/deep_equality.hpp"
#include "jug/detail/generator_registry.hpp"
#include "jug/errors.hpp"
#include "jug/node.hpp"
#include "jug/storable.hpp"
#include "jug/task_handle.hpp"
#include "jug/task_options.hpp"
#ifdef JUG_RESULT_JSON
#include "jug/result_json.hpp"
#endif

namespace jug {

namespace detail {

/// The result stored for a task whose callable returns void.
struct Nothing {};

/// Computes a task's hash: see docs/hashing.md for the exact bytes.
TaskHash task_hash(std::string_view name, const std::string& argument_bytes);

/// The engine's view of one typed task.
template <class State, class R, class Params, class Stored>
class TypedTaskBody final : public TaskBody {
 public:
  TypedTaskBody(std::shared_ptr<const State> generator, Stored arguments)
      : generator_(std::move(generator)), arguments_(std::move(arguments)) {}

  AnyValue run(std::span<const AnyValue> dependency_values) const override {
    DependencyCursor cursor(dependency_values);
    return call(cursor, std::make_index_sequence<std::tuple_size_v<Stored>>{});
  }

  void encode(const AnyValue& value, OutputArchive& out) const override {
    // (An unstorable R failed a static_assert already: no more errors here.)
    if constexpr (!std::is_void_v<R> && storable_v<R>) out(*static_cast<const R*>(value.get()));
  }

  std::string_view result_type() const override {
    if constexpr (std::is_void_v<R>) {
      return "void";
    } else {
      return typeid(R).name();
    }
  }

  bool same_function(const TaskBody& other) const override {
    const auto* typed = dynamic_cast<const TypedTaskBody*>(&other);
    if (typed == nullptr) return false;
    if constexpr (std::is_pointer_v<decltype(generator_->function)>) {
      // Function pointers share one type: compare which function.
      return typed->generator_->function == generator_->function;
    } else {
      return true;  // a lambda or function object type is one function
    }
  }

  AnyValue decode(InputArchive& in) const override {
    if constexpr (std::is_void_v<R> || !storable_v<R>) {
      if (in.remaining() != 0) throw CorruptRecord("result of a void task is not empty");
      return std::make_shared<const Nothing>();
    } else {
      return std::make_shared<const R>(jug::decode_from<R>(in));
    }
  }

  std::uint64_t code_version() const override { return generator_->version; }

#ifdef JUG_RESULT_JSON
  std::optional<std::string> value_json(const AnyValue& value) const override {
    return detail::json_of<R>(value);
  }
#endif

  std::vector<std::string> argument_fingerprints() const override {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      std::vector<std::string> fingerprints(sizeof...(I));
      (hash_argument(fingerprints[I], std::get<I>(arguments_)), ...);
      return fingerprints;
    }(std::make_index_sequence<std::tuple_size_v<Stored>>{});
  }

  std::optional<bool> results_equal(const AnyValue& a, const AnyValue& b) const override {
    if constexpr (!std::is_void_v<R> && deep_equality_comparable_v<R>) {
      return *static_cast<const R*>(a.get()) == *static_cast<const R*>(b.get());
    } else {
      return std::nullopt;
    }
  }

  std::vector<bool> viewed_dependencies() const override {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      std::vector<bool> viewed;
      if constexpr ((holds_view_v<std::tuple_element_t<I, Params>> || ...)) {
        (collect_views<std::tuple_element_t<I, Params>>(viewed, std::get<I>(arguments_)), ...);
      }
      return viewed;
    }(std::make_index_sequence<std::tuple_size_v<Stored>>{});
  }

  std::optional<ArrayElements> element_bytes(const AnyValue& value) const override {
    return element_bytes_of_value<R>(value);
  }

  std::optional<ArrayElements> element_bytes_of_payload(
      std::string_view payload) const override {
    return element_bytes_of_encoding<R>(payload);
  }

 private:
  template <std::size_t... I>
  AnyValue call(DependencyCursor& cursor, std::index_sequence<I...>) const {
    // Braced initialisation evaluates left to right, keeping the cursor in order.
    std::tuple<ArgumentHolder<std::tuple_element_t<I, Params>, std::tuple_element_t<I, Stored>>...>
        holders{ArgumentHolder<std::tuple_element_t<I, Params>, std::tuple_element_t<I, Stored>>(
            std::get<I>(arguments_), cursor)...};
    if constexpr (std::is_void_v<R>) {
      std::invoke(generator_->function, std::get<I>(holders).get()...);
      return std::make_shared<const Nothing>();
    } else {
      return std::make_shared<const R>(
          std::invoke(generator_->function, std::get<I>(holders).get()...));
    }
  }

  std::shared_ptr<const State> generator_;
  Stored arguments_;
};

/// The type an argument is kept as: structures holding tasks or hash
/// wrappers (detail/arguments.hpp) as they are; plain values converted to the parameter's type, so that `f(2)` and
/// `f(2.0)` for a `double` parameter are the same task.
template <class Param, class Arg>
struct StoredArgument {
  using type = std::conditional_t<is_structured_v<Arg>, std::remove_cvref_t<Arg>,
                                  std::remove_cvref_t<Param>>;
};
/// jug::unhashed and jug::hashed_as keep their wrapper, around the
/// parameter's type.
template <class Param, class Arg>
  requires is_hash_wrapper_v<Arg>
struct StoredArgument<Param, Arg> {
  using type = typename Rewrap<std::remove_cvref_t<Arg>, std::remove_cvref_t<Param>>::type;
};
template <class Param, class Arg>
using stored_argument_t = typename StoredArgument<Param, Arg>::type;

/// Whether every plain value in the stored arguments, nested ones
/// included, can be hashed (arguments.hpp, hashable()).
template <class Stored>
constexpr bool plain_arguments_storable() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (hashable<std::tuple_element_t<I, Stored>>() && ...);
  }(std::make_index_sequence<std::tuple_size_v<Stored>>{});
}

template <class Stored, class Arg>
Stored store_argument(Arg&& arg) {
  if constexpr (is_hash_wrapper_v<Arg>) {
    using P = decltype(std::declval<Stored&>().value);
    static_assert(!is_structured_v<decltype(arg.value)>,
                  "jug: jug::unhashed and jug::hashed_as take plain values, not tasks");
    static_assert(std::is_constructible_v<P, decltype(std::forward<Arg>(arg).value)>,
                  "jug: an argument does not convert to the type of the parameter it is "
                  "passed to");
    if constexpr (requires { arg.key; }) {
      return Stored{P(std::forward<Arg>(arg).value), std::forward<Arg>(arg).key};
    } else {
      return Stored{P(std::forward<Arg>(arg).value)};
    }
  } else if constexpr (is_structured_v<Arg>) {
    return std::forward<Arg>(arg);
  } else {
    static_assert(std::is_constructible_v<Stored, Arg&&>,
                  "jug: an argument does not convert to the type of the parameter it is "
                  "passed to");
    return Stored(std::forward<Arg>(arg));
  }
}

}  // namespace detail

/// Wraps `function` so that calling the generator makes a jug::Task.
/// `name` is the task's identity in the store: keep it stable, and give no
/// other generator the same one (detail/generator_registry.hpp).
template <class F>
class TaskGenerator {
 public:
  TaskGenerator(std::string name, F function, TaskOptions options = {},
                const std::source_location& where = std::source_location::current())
      : state_(std::make_shared<const State>(
            State{std::move(name), std::move(function), options.version})) {
    detail::register_generator(state_->name, detail::generator_function(state_->function), where);
  }

  const std::string& name() const { return state_->name; }
  std::uint64_t version() const { return state_->version; }
  /// The wrapped callable, for helpers that build tasks around it
  /// (mapreduce.hpp); calling it runs the function now.
  const F& function() const { return state_->function; }

  template <class... Args>
  auto operator()(Args&&... args) const {
    using Traits = detail::CallableParams<F>;
    if constexpr (Traits::known) {
      using Params = typename Traits::params;
      static_assert(std::tuple_size_v<Params> == sizeof...(Args),
                    "jug: a TaskGenerator was called with a different number of arguments "
                    "than its function takes");
      return make_task<Params, false>(std::forward<Args>(args)...);
    } else {
      // A generic callable: it takes what the arguments stand for.
      return make_task<std::tuple<const detail::value_of_t<Args>&...>, true>(
          std::forward<Args>(args)...);
    }
  }

 private:
  struct State {
    std::string name;
    F function;
    std::uint64_t version;
  };

  template <class Params, class... Args, std::size_t... I>
  static auto stored_tuple(std::index_sequence<I...>, Args&&... args) {
    using Stored = std::tuple<detail::stored_argument_t<std::tuple_element_t<I, Params>, Args>...>;
    return Stored{detail::store_argument<std::tuple_element_t<I, Stored>>(
        std::forward<Args>(args))...};
  }

  /// `generic`: the callable's parameter types are not fixed, so the
  /// arguments' types go into the hash too (`g(1)` and `g(1.0f)` run
  /// different code, though 1 and 1.0f may have equally many bytes).
  template <class Params, bool generic, class... Args>
  auto make_task(Args&&... args) const {
    auto stored =
        stored_tuple<Params>(std::index_sequence_for<Args...>{}, std::forward<Args>(args)...);
    using Stored = decltype(stored);
    using R = std::remove_cvref_t<typename detail::InvokeResultOfTuple<const F&, Params>::type>;
    static_assert(!std::is_pointer_v<R>,
                  "jug: a task cannot return a pointer (it is stored and read back in "
                  "another process); return the value");
    static_assert(!detail::eigen_expression_v<R>,
                  "jug cannot store this task's result, an Eigen expression (a lazy recipe "
                  "for a matrix, named in the note below): give the function its return type "
                  "(`[](...) -> Eigen::MatrixXd`) or return `expression.eval()`, and include "
                  "<jug/eigen.hpp> (docs/codec.md, \"Eigen\")");
    static_assert(std::is_void_v<R> || detail::storable_v<R> || detail::eigen_expression_v<R>,
                  "jug cannot store this task's result type (the note below names it): give "
                  "the type a cereal serialize function, or save and load functions "
                  "(docs/codec.md, \"Your own types\"); for an Eigen, Armadillo or xtensor "
                  "array, include <jug/eigen.hpp>, <jug/armadillo.hpp> or <jug/xtensor.hpp>");
    static_assert(detail::plain_arguments_storable<Stored>(),
                  "jug cannot hash an argument of this task (the note below names the "
                  "arguments' types): give the type a cereal serialize function "
                  "(docs/codec.md, \"Your own types\"), include <jug/eigen.hpp>, "
                  "<jug/armadillo.hpp> or <jug/xtensor.hpp> for those libraries' arrays, or "
                  "pass the value as jug::hashed_as(value, key) or jug::unhashed(value)");

    std::vector<detail::NodeId> dependencies;
    // Reused across tasks: building large graphs should not allocate here.
    thread_local std::string argument_bytes;
    argument_bytes.clear();
    detail::put_u64(argument_bytes, std::tuple_size_v<Stored>);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (detail::check_shape<std::remove_cvref_t<std::tuple_element_t<I, Params>>>(
           std::get<I>(stored)),
       ...);
      (detail::collect_dependencies(dependencies, std::get<I>(stored)), ...);
      (detail::hash_argument(argument_bytes, std::get<I>(stored)), ...);
      if constexpr (generic) {
        (detail::hash_type_name<std::remove_cvref_t<std::tuple_element_t<I, Params>>>(
             argument_bytes),
         ...);
      }
    }(std::make_index_sequence<std::tuple_size_v<Stored>>{});
    if (state_->version != 0) {
      argument_bytes.push_back('C');
      detail::put_u64(argument_bytes, state_->version);
    }
    const TaskHash hash = detail::task_hash(state_->name, argument_bytes);
    // A reducer over a million tasks hashed 33 MB: not kept for the next.
    if (argument_bytes.capacity() > detail::kArgumentDigestFrom) std::string().swap(argument_bytes);
    using Body = detail::TypedTaskBody<State, R, Params, Stored>;
    std::shared_ptr<const TaskBody> body = std::allocate_shared<Body>(
        detail::TaskMemoryAllocator<Body>{}, state_, std::move(stored));
    return Task<R>(detail::add_node(state_->name, hash, std::move(dependencies), std::move(body)));
  }

  std::shared_ptr<const State> state_;
};

template <class F>
TaskGenerator(const char*, F) -> TaskGenerator<F>;
template <class F>
TaskGenerator(std::string, F) -> TaskGenerator<F>;
template <class F>
TaskGenerator(const char*, F, TaskOptions) -> TaskGenerator<F>;
template <class F>
TaskGenerator(std::string, F, TaskOptions) -> TaskGenerator<F>;

/// The result of `task`, from the store. Throws ValueNotAvailable when it has
/// not been computed yet.
template <class R>
R value(const Task<R>& task) {
  AnyValue v = detail::node_value(task.node_id());
  if constexpr (!std::is_void_v<R>) return *static_cast<const R*>(v.get());
}

}  // namespace jug
