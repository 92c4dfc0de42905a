#pragma once
/// Whether jug can store a value of type T (a task's result) or hash it (an
/// argument): the codec (codec.hpp) can write it and read it back, and so
/// can for everything inside a standard container or tuple. Checked where
/// a task is made, so that a type jug cannot store is one short error from
/// jug, first in the compiler's output, rather than pages of cereal's
/// template instantiations.

#include <array>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "jug/codec.hpp"

namespace jug::detail {

template <class T>
struct Storable
    : std::bool_constant<cereal::traits::is_output_serializable<T, OutputArchive>::value &&
                         cereal::traits::is_input_serializable<T, InputArchive>::value> {};

// Containers are storable when what they hold is: cereal's own check looks
// at the container only.
template <class T, class A>
struct Storable<std::vector<T, A>> : Storable<T> {};
template <class T, std::size_t N>
struct Storable<std::array<T, N>> : Storable<T> {};
template <class K, class V, class C, class A>
struct Storable<std::map<K, V, C, A>> : std::bool_constant<Storable<K>::value && Storable<V>::value> {};
template <class K, class V, class C, class A>
struct Storable<std::multimap<K, V, C, A>>
    : std::bool_constant<Storable<K>::value && Storable<V>::value> {};
template <class K, class V, class H, class E, class A>
struct Storable<std::unordered_map<K, V, H, E, A>>
    : std::bool_constant<Storable<K>::value && Storable<V>::value> {};
template <class K, class C, class A>
struct Storable<std::set<K, C, A>> : Storable<K> {};
template <class K, class C, class A>
struct Storable<std::multiset<K, C, A>> : Storable<K> {};
template <class K, class H, class E, class A>
struct Storable<std::unordered_set<K, H, E, A>> : Storable<K> {};
template <class A, class B>
struct Storable<std::pair<A, B>> : std::bool_constant<Storable<A>::value && Storable<B>::value> {};
template <class... T>
struct Storable<std::tuple<T...>> : std::bool_constant<(Storable<T>::value && ...)> {};
template <class T>
struct Storable<std::optional<T>> : Storable<T> {};
template <class... T>
struct Storable<std::variant<T...>> : std::bool_constant<(Storable<T>::value && ...)> {};

template <class T>
inline constexpr bool storable_v = Storable<std::remove_cvref_t<T>>::value;

/// An Eigen expression (`a * 2.0`, `Identity(n, n)`): a lazy recipe for a
/// matrix, which a lambda returns when its return type is not written. It
/// has a PlainObject, the matrix it evaluates to, and is not that matrix.
/// Told apart so that jug can say what to do.
template <class T>
inline constexpr bool eigen_expression_v = [] {
  if constexpr (requires { typename T::PlainObject; }) {
    return !std::is_same_v<T, typename T::PlainObject>;
  } else {
    return false;
  }
}();

}  // namespace jug::detail
