#pragma once
/// Saying how an argument enters its task's hash (docs/hashing.md):
///
///   process(data, jug::unhashed(threads))      // a nuisance: left out
///   fit(jug::hashed_as(big_matrix, "run-42"))  // hashed by a key of yours
///
/// The task's function receives the value itself, converted to its
/// parameter's type as any argument is. Wrap plain values only, not tasks,
/// and only at the top level of an argument.

#include <string>
#include <type_traits>
#include <utility>

namespace jug {

/// An argument left out of the hash: changing it makes no new task (a
/// thread count, a verbosity, a path to a scratch directory).
template <class T>
struct Unhashed {
  T value;
};

/// An argument hashed by `key` instead of its bytes: for a value costly to
/// hash, or whose identity is better said by a name or a version.
template <class T>
struct HashedAs {
  T value;
  std::string key;
};

template <class T>
Unhashed<std::decay_t<T>> unhashed(T&& value) {
  return {std::forward<T>(value)};
}

template <class T>
HashedAs<std::decay_t<T>> hashed_as(T&& value, std::string key) {
  return {std::forward<T>(value), std::move(key)};
}

namespace detail {

template <class T>
struct IsHashWrapper : std::false_type {};
template <class T>
struct IsHashWrapper<Unhashed<T>> : std::true_type {};
template <class T>
struct IsHashWrapper<HashedAs<T>> : std::true_type {};
template <class T>
inline constexpr bool is_hash_wrapper_v = IsHashWrapper<std::remove_cvref_t<T>>::value;

/// The same wrapper around another type (the parameter's).
template <class W, class P>
struct Rewrap;
template <class T, class P>
struct Rewrap<Unhashed<T>, P> {
  using type = Unhashed<P>;
};
template <class T, class P>
struct Rewrap<HashedAs<T>, P> {
  using type = HashedAs<P>;
};

}  // namespace detail
}  // namespace jug
