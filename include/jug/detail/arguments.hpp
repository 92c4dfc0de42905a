#pragma once
/// How a task's arguments are stored, hashed and turned back into the values
/// its callable takes. An argument is either a plain value (stored converted
/// to the parameter type, hashed by its canonical bytes) or a structure that
/// holds tasks: a Task itself, or a vector, array, map, pair or tuple of them,
/// nested at will. Every walk over an argument visits its tasks in the same
/// order: collect_dependencies, hash_argument and materialize agree on it.
/// docs/hashing.md describes the bytes.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "jug/argument_hashing.hpp"
#include "jug/codec.hpp"
#include "jug/detail/argument_bytes.hpp"
#include "jug/detail/element_views.hpp"
#include "jug/storable.hpp"
#include "jug/errors.hpp"
#include "jug/task_handle.hpp"

namespace jug::detail {

// ---- is_structured: does a type hold tasks or hash wrappers anywhere inside?
// Such an argument is kept as given and walked element by element (for its
// dependencies, its hash and its value); any other is one plain value.

template <class T>
struct Structured : std::false_type {};
template <class R>
struct Structured<Task<R>> : std::true_type {};
template <class T>
struct Structured<Unhashed<T>> : std::true_type {};
template <class T>
struct Structured<HashedAs<T>> : std::true_type {};
template <class T, class A>
struct Structured<std::vector<T, A>> : Structured<T> {};
template <class T, std::size_t N>
struct Structured<std::array<T, N>> : Structured<T> {};
template <class K, class V, class C, class A>
struct Structured<std::map<K, V, C, A>> : Structured<V> {
  static_assert(!Structured<K>::value,
                "jug: a task or hash wrapper cannot be a map key; use it as a value");
};
template <class A, class B>
struct Structured<std::pair<A, B>>
    : std::bool_constant<Structured<A>::value || Structured<B>::value> {};
template <class... T>
struct Structured<std::tuple<T...>> : std::bool_constant<(Structured<T>::value || ...)> {};

template <class T>
inline constexpr bool is_structured_v = Structured<std::remove_cvref_t<T>>::value;

// ---- ValueOf: the value type an argument stands for -----------------------
// Task<R> stands for R, vector<Task<R>> for vector<R>, and so on.

template <class T>
struct ValueOf {
  // A string literal given to a generic callable stands for a std::string
  // (a pointer could be neither stored nor hashed by its content).
  using type = std::conditional_t<std::is_same_v<T, const char*> || std::is_same_v<T, char*>,
                                  std::string, T>;
};
template <class R>
struct ValueOf<Task<R>> {
  using type = R;
};
template <class T, class A>
struct ValueOf<std::vector<T, A>> {
  using type = std::vector<typename ValueOf<T>::type>;
};
template <class T, std::size_t N>
struct ValueOf<std::array<T, N>> {
  using type = std::array<typename ValueOf<T>::type, N>;
};
template <class K, class V, class C, class A>
struct ValueOf<std::map<K, V, C, A>> {
  using type = std::map<K, typename ValueOf<V>::type, C>;
};
template <class A, class B>
struct ValueOf<std::pair<A, B>> {
  using type = std::pair<typename ValueOf<A>::type, typename ValueOf<B>::type>;
};
template <class... T>
struct ValueOf<std::tuple<T...>> {
  using type = std::tuple<typename ValueOf<T>::type...>;
};
template <class T>
struct ValueOf<Unhashed<T>> {
  using type = typename ValueOf<T>::type;
};
template <class T>
struct ValueOf<HashedAs<T>> {
  using type = typename ValueOf<T>::type;
};
template <class T>
using value_of_t = typename ValueOf<std::decay_t<T>>::type;

// ---- collect_dependencies --------------------------------------------------

template <class S>
void collect_dependencies(std::vector<NodeId>& out, const S& stored) {
  if constexpr (!is_structured_v<S> || is_hash_wrapper_v<S>) {
    // plain value: no dependency
  } else if constexpr (is_task_v<S>) {
    out.push_back(stored_node(stored.node_id()));  // a tasklet reads its task's result
  } else if constexpr (requires { typename S::key_type; typename S::mapped_type; }) {
    for (const auto& kv : stored) collect_dependencies(out, kv.second);
  } else if constexpr (requires { std::tuple_size<S>::value; } &&
                       !requires { stored.begin(); }) {
    std::apply([&](const auto&... element) { (collect_dependencies(out, element), ...); },
               stored);
  } else {
    for (const auto& element : stored) collect_dependencies(out, element);
  }
}

// ---- collect_views ---------------------------------------------------------

/// Appends, for each dependency of the stored argument S given to a
/// parameter of type P (in collect_dependencies' order), whether it is
/// read as a view.
template <class Param, class S>
void collect_views(std::vector<bool>& out, const S& stored) {
  using P = std::remove_cvref_t<Param>;
  if constexpr (!holds_view_v<P>) {
    std::vector<NodeId> dependencies;
    collect_dependencies(dependencies, stored);
    out.insert(out.end(), dependencies.size(), false);
  } else if constexpr (!is_structured_v<S> || is_hash_wrapper_v<S>) {
    // plain value: no dependency
  } else if constexpr (is_task_v<S>) {
    // A tasklet's value is computed from its task's whole result.
    out.push_back(ViewOf<P, S>::value && !is_tasklet(stored.node_id()));
  } else if constexpr (requires { typename S::key_type; typename S::mapped_type; }) {
    for (const auto& kv : stored) collect_views<typename P::mapped_type>(out, kv.second);
  } else if constexpr (requires { std::tuple_size<S>::value; } &&
                       !requires { stored.begin(); }) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (collect_views<std::tuple_element_t<I, P>>(out, std::get<I>(stored)), ...);
    }(std::make_index_sequence<std::tuple_size_v<S>>{});
  } else {
    for (const auto& element : stored) collect_views<typename P::value_type>(out, element);
  }
}

// ---- hashable: can every plain value in an argument be hashed? ------------

/// Whether hash_argument can hash every plain value in a stored argument of
/// type S (a map's keys included): checked where a task is made, so that
/// one that cannot is jug's compile error, not a value left out of the hash.
template <class S>
constexpr bool hashable() {
  if constexpr (is_hash_wrapper_v<S>) {
    return true;
  } else if constexpr (!is_structured_v<S>) {
    return storable_v<S>;
  } else if constexpr (is_task_v<S>) {
    return true;
  } else if constexpr (requires { typename S::key_type; typename S::mapped_type; }) {
    return storable_v<typename S::key_type> && hashable<typename S::mapped_type>();
  } else if constexpr (requires { std::tuple_size<S>::value; } &&
                       !requires { std::declval<const S&>().begin(); }) {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (hashable<std::tuple_element_t<I, S>>() && ...);
    }(std::make_index_sequence<std::tuple_size_v<S>>{});
  } else {
    return hashable<typename S::value_type>();
  }
}

// ---- hash_argument: the canonical bytes an argument adds to its task's hash

enum class ArgumentTag : std::uint8_t {
  kValue = 'V',     // u64 length, then the value's canonical bytes (ArgumentBytes
                    // writes this entry, or the next)
  kDigest = 'D',    // u64 length, then the XXH3-128 of them (argument_bytes.hpp)
  kTask = 'T',      // the dependency's 32-byte hash
  kSequence = 'S',  // u64 count, then each element (vector, array)
  kMap = 'M',       // u64 count, then per entry: key as kValue, value
  kTuple = 'U',     // u64 count, then each element (pair, tuple)
  kUnhashed = 'N',  // nothing: jug::unhashed
  kKey = 'K',       // u64 length, then the key's bytes: jug::hashed_as
};

inline void put_tag(std::string& out, ArgumentTag tag) {
  out.push_back(static_cast<char>(tag));
}
inline void put_u64(std::string& out, std::uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class S>
void hash_argument(std::string& out, const S& stored) {
  if constexpr (is_hash_wrapper_v<S>) {
    if constexpr (requires { stored.key; }) {
      put_tag(out, ArgumentTag::kKey);
      put_u64(out, stored.key.size());
      out.append(stored.key);
    } else {
      put_tag(out, ArgumentTag::kUnhashed);
    }
  } else if constexpr (!is_structured_v<S>) {
    ArgumentBytes bytes(out);  // kValue, or kDigest for big values
    // (An unhashable S failed make_task's check, hashable(): no more
    // errors here.)
    if constexpr (storable_v<S>) {
      OutputArchive ar(bytes);
      ar(stored);
    }
    bytes.finish();
  } else if constexpr (is_task_v<S>) {
    put_tag(out, ArgumentTag::kTask);
    const TaskHash& h = stored.hash();
    out.append(reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size());
  } else if constexpr (requires { typename S::key_type; typename S::mapped_type; }) {
    put_tag(out, ArgumentTag::kMap);
    put_u64(out, stored.size());
    for (const auto& [key, value] : stored) {
      hash_argument(out, key);
      hash_argument(out, value);
    }
  } else if constexpr (requires { std::tuple_size<S>::value; } &&
                       !requires { stored.begin(); }) {
    put_tag(out, ArgumentTag::kTuple);
    put_u64(out, std::tuple_size_v<S>);
    std::apply([&](const auto&... element) { (hash_argument(out, element), ...); }, stored);
  } else {
    put_tag(out, ArgumentTag::kSequence);
    put_u64(out, std::size(stored));
    if constexpr (requires { typename S::value_type; } && is_task_v<typename S::value_type>) {
      out.reserve(out.size() + std::size(stored) * (1 + sizeof(TaskHash::bytes)));
    }
    for (const auto& element : stored) hash_argument(out, element);
  }
}

// ---- check_shape: a structure of tasks fits the parameter it is given to --

/// Throws jug::Error when a sequence of tasks is given to a std::array
/// parameter of another size (the only mismatch the types cannot catch).
template <class P, class S>
void check_shape(const S& stored) {
  if constexpr (!is_structured_v<S> || is_task_v<S> || is_hash_wrapper_v<S>) {
    return;
  } else if constexpr (requires { typename S::key_type; typename S::mapped_type; }) {
    for (const auto& kv : stored) check_shape<typename P::mapped_type>(kv.second);
  } else if constexpr (requires { std::tuple_size<S>::value; } &&
                       !requires { stored.begin(); }) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (check_shape<std::tuple_element_t<I, P>>(std::get<I>(stored)), ...);
    }(std::make_index_sequence<std::tuple_size_v<S>>{});
  } else {
    if constexpr (requires { std::tuple_size<P>::value; }) {
      if (std::size(stored) != std::tuple_size_v<P>) {
        throw Error("jug: an argument holds " + std::to_string(std::size(stored)) +
                    " tasks but is given to a std::array parameter of " +
                    std::to_string(std::tuple_size_v<P>) + " elements");
      }
    }
    for (const auto& element : stored) check_shape<typename P::value_type>(element);
  }
}

/// Appends `G`, then the u64 length and bytes of T's type name (typeid: the
/// Itanium ABI's mangled name, the same with GCC and Clang on Linux).
template <class T>
void hash_type_name(std::string& out) {
  const std::string_view name = typeid(T).name();
  out.push_back('G');
  put_u64(out, name.size());
  out.append(name);
}

// ---- materialize: stored argument -> the value the callable takes ---------

/// Hands out dependency results in the order collect_dependencies listed them,
/// as the value each argument stands for (a tasklet's view of its task's
/// result, kept alive as long as the cursor).
class DependencyCursor {
 public:
  explicit DependencyCursor(std::span<const AnyValue> values) : values_(values) {}
  template <class R>
  const R& next(const Task<R>& task) {
    const AnyValue& stored = values_[next_++];
    if (!is_tasklet(task.node_id())) return *static_cast<const R*>(stored.get());
    views_.push_back(project(task.node_id(), stored));
    return *static_cast<const R*>(views_.back().get());
  }
  /// A view P of an array result's elements, where the engine put them
  /// (the dependency was listed as viewed: collect_views).
  template <class P, class R>
  P next_view(const Task<R>& task) {
    using T = typename ArrayView<P>::element;
    if (is_tasklet(task.node_id())) {  // computed from the whole result: in memory
      const ArrayElements whole = ArrayResult<R>::of(next(task));
      return ArrayView<P>::make(reinterpret_cast<const T*>(whole.bytes.data()), whole);
    }
    const ArrayElements& stored = static_cast<const ElementBytes*>(values_[next_++].get())->array;
    return ArrayView<P>::make(reinterpret_cast<const T*>(stored.bytes.data()), stored);
  }

 private:
  std::span<const AnyValue> values_;
  std::size_t next_ = 0;
  std::vector<AnyValue> views_;
};

template <class P, class S>
P resolve(const S& stored, DependencyCursor& cursor) {
  if constexpr (!is_structured_v<S>) {
    return stored;
  } else if constexpr (is_hash_wrapper_v<S>) {
    return P(stored.value);
  } else if constexpr (ViewOf<P, S>::value) {
    return cursor.template next_view<P>(stored);
  } else if constexpr (is_task_v<S>) {
    using R = typename S::result_type;
    static_assert(std::is_convertible_v<const R&, P>,
                  "jug: a task's result type does not convert to the parameter it is "
                  "passed to");
    return static_cast<P>(cursor.next(stored));
  } else if constexpr (requires { typename S::key_type; typename S::mapped_type; }) {
    P out;
    for (const auto& [key, value] : stored) {
      out.emplace(key, resolve<typename P::mapped_type>(value, cursor));
    }
    return out;
  } else if constexpr (requires { std::tuple_size<S>::value; } &&
                       !requires { stored.begin(); }) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      // Braced initialisation evaluates left to right, keeping the cursor in order.
      return P{resolve<std::tuple_element_t<I, P>>(std::get<I>(stored), cursor)...};
    }(std::make_index_sequence<std::tuple_size_v<S>>{});
  } else if constexpr (requires { std::tuple_size<P>::value; }) {  // std::array
    check_shape<P>(stored);
    P out{};
    std::size_t i = 0;
    for (const auto& element : stored) {
      out[i++] = resolve<typename P::value_type>(element, cursor);
    }
    return out;
  } else {
    P out;
    out.reserve(stored.size());
    for (const auto& element : stored) {
      out.push_back(resolve<typename P::value_type>(element, cursor));
    }
    return out;
  }
}

/// Holds one argument ready for the call: a reference to a dependency's
/// result when the parameter can bind to it directly (no copy of a large
/// result), otherwise a value of the parameter's type.
template <class Param, class S>
struct ArgumentHolder {
  using P = std::remove_cvref_t<Param>;
  static constexpr bool mutable_reference =
      std::is_lvalue_reference_v<Param> && !std::is_const_v<std::remove_reference_t<Param>>;
  static constexpr bool by_reference = [] {
    if constexpr (mutable_reference) {
      return false;  // the callable may change it: give it a copy of its own
    } else if constexpr (is_task_v<S>) {
      return std::is_same_v<typename S::result_type, P>;
    } else if constexpr (is_hash_wrapper_v<S>) {
      return true;  // kept around the parameter's type (StoredArgument)
    } else {
      return !is_structured_v<S>;
    }
  }();
  using Held = std::conditional_t<by_reference, const P*, P>;
  Held held;

  ArgumentHolder(const S& stored, DependencyCursor& cursor)
      : held(make(stored, cursor)) {}

  static Held make(const S& stored, DependencyCursor& cursor) {
    if constexpr (is_hash_wrapper_v<S>) {
      if constexpr (by_reference) {
        return &stored.value;
      } else {
        return stored.value;
      }
    } else if constexpr (by_reference && is_task_v<S>) {
      return &cursor.next(stored);
    } else if constexpr (by_reference) {
      return &stored;
    } else {
      return resolve<P>(stored, cursor);
    }
  }

  decltype(auto) get() {
    if constexpr (by_reference) {
      return static_cast<const P&>(*held);
    } else if constexpr (std::is_lvalue_reference_v<Param>) {
      return static_cast<P&>(held);
    } else {
      return static_cast<P&&>(held);
    }
  }
};

}  // namespace jug::detail
