#pragma once
/// Views of big arrays. A task whose parameter is a std::span<const T>,
/// given a Task<std::vector<T>>, reads the stored result where it lies:
/// the record's file mapped read-only, checked whole, then handed over
/// with no copy, so that an array larger than memory can be read (as
/// joblib's Memory(mmap_mode='r') does). The same holds inside a structure:
/// a std::vector<std::span<const double>> given a vector of tasks. Where
/// the record cannot be mapped (another store, a compressed record, a
/// result still in memory) the span shows the value read as usual. The
/// span is valid while the task runs. docs/codec.md, "Views of big arrays".

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "jug/node.hpp"
#include "jug/task_handle.hpp"

namespace jug::detail {

/// Elements stored as their own bytes (codec.hpp): a view of the stored
/// bytes is a view of the values. bool and long double are encoded
/// otherwise.
template <class T>
inline constexpr bool viewable_element_v =
    std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, long double>;

/// A result type a view can show: a vector of viewable elements.
template <class R>
struct ViewableResult : std::false_type {};
template <class T, class A>
struct ViewableResult<std::vector<T, A>> : std::bool_constant<viewable_element_v<T>> {
  using element = T;
};

/// Does parameter type P, given the stored argument S (a task), read it as
/// a view?
template <class P, class S>
struct ViewOf : std::false_type {};
template <class T, class R>
  requires ViewableResult<R>::value && std::is_same_v<typename ViewableResult<R>::element, T>
struct ViewOf<std::span<const T>, Task<R>> : std::true_type {};

/// Does parameter type P take a view anywhere inside?
template <class P>
struct HoldsView : std::false_type {};
template <class T>
struct HoldsView<std::span<const T>> : std::bool_constant<viewable_element_v<T>> {};
template <class T, class A>
struct HoldsView<std::vector<T, A>> : HoldsView<T> {};
template <class T, std::size_t N>
struct HoldsView<std::array<T, N>> : HoldsView<T> {};
template <class K, class V, class C, class A>
struct HoldsView<std::map<K, V, C, A>> : HoldsView<V> {};
template <class A, class B>
struct HoldsView<std::pair<A, B>> : std::bool_constant<HoldsView<A>::value || HoldsView<B>::value> {};
template <class... T>
struct HoldsView<std::tuple<T...>> : std::bool_constant<(HoldsView<T>::value || ...)> {};
template <class P>
inline constexpr bool holds_view_v = HoldsView<std::remove_cvref_t<P>>::value;

/// The bytes of the elements of `value`, a result of type R.
template <class R>
std::optional<std::span<const char>> element_bytes_of_value(const AnyValue& value) {
  if constexpr (ViewableResult<R>::value) {
    const R& array = *static_cast<const R*>(value.get());
    return std::span<const char>(reinterpret_cast<const char*>(array.data()),
                                 array.size() * sizeof(typename R::value_type));
  } else {
    (void)value;
    return std::nullopt;
  }
}

/// The bytes of the elements in `payload`, the encoding of a result of type
/// R (a u64 count, then the elements): nullopt when they are not aligned
/// for their type or the count disagrees with the length.
template <class R>
std::optional<std::span<const char>> element_bytes_of_encoding(std::string_view payload) {
  if constexpr (ViewableResult<R>::value) {
    using T = typename R::value_type;
    std::uint64_t count = 0;
    if (payload.size() < sizeof count) return std::nullopt;
    std::memcpy(&count, payload.data(), sizeof count);
    const std::string_view elements = payload.substr(sizeof count);
    if (elements.size() % sizeof(T) != 0 || elements.size() / sizeof(T) != count ||
        reinterpret_cast<std::uintptr_t>(elements.data()) % alignof(T) != 0) {
      return std::nullopt;
    }
    return std::span<const char>(elements.data(), elements.size());
  } else {
    (void)payload;
    return std::nullopt;
  }
}

}  // namespace jug::detail
