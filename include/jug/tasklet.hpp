#pragma once
/// Tasklets: views on a task's result, computed where they are used and
/// never stored, so they cost neither a run nor a file:
///
///   auto first = t[0];                        // an element of a vector, array, string
///   auto the = counts["the"];                 // a map's value, by key
///   auto x = jug::get<0>(pair_task);          // a part of a pair or tuple
///   auto [mean, sd] = jug::iteratetask<2>(stats);
///   auto middle = jug::slice(t, 1, 3);        // elements [1, 3), as a vector
///   const jug::TaskletFunction size("size", [](const auto& v) { return v.size(); });
///   auto n = jug::tasklet(t, size);           // any cheap function of the result
///
/// A tasklet is a jug::Task<R>: it goes wherever a task goes (an argument,
/// jug::value, another tasklet) and depends on the task it reads. Its hash is
/// that task's hash plus what it selects (docs/hashing.md). An index out of
/// range or a missing key is found when the view is taken, and fails the
/// task that uses it (or jug::value) with a message saying so.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "jug/node.hpp"
#include "jug/task_handle.hpp"
#include "jug/task_options.hpp"

namespace jug {

namespace detail {

/// SHA-256 of the tasklet format version, the base's hash, then `kind` and
/// `key`, each with its u64 length.
TaskHash tasklet_hash(const TaskHash& base, std::string_view kind, std::string_view key);

/// A part of the base result (an element, a field), handed out without a
/// copy: the view shares ownership of the whole.
template <class In, class Select>
class PartTasklet final : public TaskletBody {
 public:
  explicit PartTasklet(Select select) : select_(std::move(select)) {}
  AnyValue apply(const AnyValue& base) const override {
    return AnyValue(base, &select_(*static_cast<const In*>(base.get())));
  }

 private:
  Select select_;
};

/// A new value computed from the base result.
template <class Out, class In, class F>
class ComputedTasklet final : public TaskletBody {
 public:
  explicit ComputedTasklet(F function) : function_(std::move(function)) {}
  AnyValue apply(const AnyValue& base) const override {
    return std::make_shared<const Out>(std::invoke(function_, *static_cast<const In*>(base.get())));
  }

 private:
  F function_;
};

template <class Out, class In, class Body>
Task<Out> make_tasklet(const Task<In>& base, std::string_view kind, std::string_view key,
                       Body body) {
  const TaskHash hash = tasklet_hash(base.hash(), kind, key);
  return Task<Out>(add_tasklet(hash, base.node_id(), std::make_shared<const Body>(std::move(body))));
}

template <class T>
std::string canonical_bytes(const T& value) {
  std::string out;
  encode_into(out, value);
  return out;
}

/// How a message shows a key: itself when it can be printed.
template <class K>
std::string describe_key(const K& key) {
  if constexpr (std::is_convertible_v<const K&, std::string_view>) {
    return fmt::format("\"{}\"", std::string_view(key));
  } else if constexpr (std::is_arithmetic_v<K>) {
    return fmt::format("{}", key);
  } else {
    return "the key asked for";
  }
}

template <class R>
concept Mapping = requires { typename R::key_type; typename R::mapped_type; };

template <class R>
concept IndexableSequence = !Mapping<R> && requires(const R& r, std::size_t i) {
  r.size();
  r[i];
};

template <class R>
concept TupleLike = !IndexableSequence<R> && requires { std::tuple_size<R>::value; };

}  // namespace detail

template <class R>
template <class K>
auto Task<R>::operator[](const K& key) const {
  if constexpr (detail::Mapping<R>) {
    using Key = typename R::key_type;
    using Out = typename R::mapped_type;
    static_assert(std::is_constructible_v<Key, const K&>,
                  "jug: t[key] on a task returning a map needs a key of the map's key type");
    auto select = [k = Key(key)](const R& whole) -> const Out& {
      const auto found = whole.find(k);
      if (found == whole.end()) {
        throw Error(fmt::format("jug: tasklet: the map has no key {}", detail::describe_key(k)));
      }
      return found->second;
    };
    return detail::make_tasklet<Out>(*this, "key", detail::canonical_bytes(Key(key)),
                                     detail::PartTasklet<R, decltype(select)>(std::move(select)));
  } else {
    static_assert(detail::IndexableSequence<R>,
                  "jug: t[i] needs a task whose result is a vector, array, string or map; use "
                  "jug::get<I>(t) for a tuple or pair");
    static_assert(std::is_integral_v<K>, "jug: t[i] on a sequence needs an integer index");
    if constexpr (std::is_signed_v<K>) {
      if (key < 0) throw Error(fmt::format("jug: tasklet: index {} is negative", key));
    }
    const auto index = static_cast<std::uint64_t>(key);
    using Element = decltype(std::declval<const R&>()[std::size_t{}]);
    auto check = [index](const R& whole) {
      if (index >= whole.size()) {
        throw Error(fmt::format("jug: tasklet: index {} is out of range of a result of {} "
                                "element{}",
                                index, whole.size(), whole.size() == 1 ? "" : "s"));
      }
    };
    const std::string key_bytes = detail::canonical_bytes(index);
    if constexpr (std::is_reference_v<Element>) {
      using Out = std::remove_cvref_t<Element>;
      auto select = [index, check](const R& whole) -> const Out& {
        check(whole);
        return whole[index];
      };
      return detail::make_tasklet<Out>(*this, "index", key_bytes,
                                       detail::PartTasklet<R, decltype(select)>(std::move(select)));
    } else {  // a proxy (std::vector<bool>): copy the element out
      using Out = std::remove_cvref_t<decltype(static_cast<bool>(std::declval<Element>()))>;
      auto compute = [index, check](const R& whole) -> Out {
        check(whole);
        return static_cast<Out>(whole[index]);
      };
      return detail::make_tasklet<Out>(
          *this, "index", key_bytes, detail::ComputedTasklet<Out, R, decltype(compute)>(compute));
    }
  }
}

/// Part I of a task returning a tuple or pair.
template <std::size_t I, class R>
auto get(const Task<R>& task) {
  static_assert(detail::TupleLike<R>, "jug::get<I>(t) needs a task returning a tuple or pair");
  static_assert(I < std::tuple_size_v<R>, "jug::get<I>(t): I is beyond the tuple's size");
  using Out = std::tuple_element_t<I, R>;
  auto select = [](const R& whole) -> const Out& { return std::get<I>(whole); };
  return detail::make_tasklet<Out>(task, "get", detail::canonical_bytes(std::uint64_t{I}),
                                   detail::PartTasklet<R, decltype(select)>(select));
}

/// Splits a task into N tasklets: the parts of a tuple or pair (`auto [a, b]
/// = jug::iteratetask<2>(t);`), or the first N elements of a sequence.
template <std::size_t N, class R>
auto iteratetask(const Task<R>& task) {
  if constexpr (detail::TupleLike<R>) {
    static_assert(N == std::tuple_size_v<R>,
                  "jug::iteratetask<N>(t): N differs from the size of the task's tuple");
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::make_tuple(jug::get<I>(task)...);
    }(std::make_index_sequence<N>{});
  } else {
    static_assert(detail::IndexableSequence<R>,
                  "jug::iteratetask<N>(t) needs a task returning a tuple, pair, array or vector");
    if constexpr (requires { std::tuple_size<R>::value; }) {
      static_assert(N == std::tuple_size_v<R>,
                    "jug::iteratetask<N>(t): N differs from the size of the task's array");
    }
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array{task[I]...};
    }(std::make_index_sequence<N>{});
  }
}

/// Elements [begin, end) of a task's sequence, as a vector (a string for a
/// string). As in Python, bounds beyond the end are clamped.
template <class R>
auto slice(const Task<R>& task, std::size_t begin, std::size_t end) {
  static_assert(detail::IndexableSequence<R>, "jug::slice(t, ...) needs a task returning a sequence");
  using Element = std::remove_cvref_t<decltype(std::declval<const R&>()[std::size_t{}])>;
  using Out = std::conditional_t<std::is_same_v<R, std::string>, std::string, std::vector<Element>>;
  auto compute = [begin, end](const R& whole) -> Out {
    const std::size_t to = std::min<std::size_t>(end, whole.size());
    const std::size_t from = std::min(begin, to);
    return Out(whole.begin() + static_cast<std::ptrdiff_t>(from),
               whole.begin() + static_cast<std::ptrdiff_t>(to));
  };
  std::string key = detail::canonical_bytes(std::uint64_t{begin});
  key += detail::canonical_bytes(std::uint64_t{end});
  return detail::make_tasklet<Out>(task, "slice", key,
                                   detail::ComputedTasklet<Out, R, decltype(compute)>(compute));
}

/// A named function for jug::tasklet. As with a TaskGenerator, the name (and
/// version) is its identity in hashes: keep it stable, and bump the version
/// when what the function computes changes.
template <class F>
class TaskletFunction {
 public:
  TaskletFunction(std::string name, F function, TaskOptions options = {})
      : name_(std::move(name)), function_(std::move(function)), version_(options.version) {}
  const std::string& name() const { return name_; }
  std::uint64_t version() const { return version_; }
  const F& function() const { return function_; }

 private:
  std::string name_;
  F function_;
  std::uint64_t version_;
};

/// A tasklet applying `function` to the result of `task` (or of another
/// tasklet: they chain). Keep it cheap: it runs wherever the view is used.
template <class R, class F>
auto tasklet(const Task<R>& task, const TaskletFunction<F>& function) {
  static_assert(std::is_invocable_v<const F&, const R&>,
                "jug::tasklet(t, f): f cannot be called with the result of t");
  using Out = std::remove_cvref_t<std::invoke_result_t<const F&, const R&>>;
  static_assert(!std::is_void_v<Out>, "jug::tasklet(t, f): f must return a value");
  const std::string key =
      detail::canonical_bytes(function.name()) + detail::canonical_bytes(function.version());
  return detail::make_tasklet<Out>(task, "call", key,
                                   detail::ComputedTasklet<Out, R, F>(function.function()));
}

}  // namespace jug
