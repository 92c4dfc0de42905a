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
///
/// Array headers add their types: ArrayResult says how a result type lies
/// in memory and in its encoding, ArrayView how a parameter type is made
/// over elements, HoldsView which parameter types are views, ViewOf which
/// task results a view parameter reads (eigen.hpp: Eigen::Map).

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

/// A result type whose elements a view can show: `element` is their type,
/// `shape_words` the u64s its encoding holds before them (a vector's count;
/// a matrix's rows and columns), `of(value)` its elements and shape.
template <class R>
struct ArrayResult {
  static constexpr bool viewable = false;
};
template <class T, class A>
struct ArrayResult<std::vector<T, A>> {
  static constexpr bool viewable = viewable_element_v<T>;
  using element = T;
  static constexpr std::size_t shape_words = 1;
  static ArrayElements of(const std::vector<T, A>& v) {
    return {{reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)}, v.size(), 1};
  }
};

/// A parameter type that is a view: made over `data`, elements of `array`.
template <class P>
struct ArrayView {
  static constexpr bool is_view = false;
};
template <class T>
struct ArrayView<std::span<const T>> {
  static constexpr bool is_view = viewable_element_v<T>;
  using element = T;
  static std::span<const T> make(const T* data, const ArrayElements& array) {
    return {data, array.bytes.size() / sizeof(T)};
  }
};

/// Does parameter type P, given the stored argument S (a task), read it as
/// a view? A span reads the elements of any array result of its element
/// type, in their storage order; other views say which results they read.
template <class P, class S>
struct ViewOf : std::false_type {};
template <class T, class R>
  requires ArrayResult<R>::viewable && std::is_same_v<typename ArrayResult<R>::element, T>
struct ViewOf<std::span<const T>, Task<R>> : std::true_type {};

/// Does parameter type P take a view anywhere inside?
template <class P>
struct HoldsView : std::bool_constant<ArrayView<P>::is_view> {};
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

/// The elements of `value`, a result of type R.
template <class R>
std::optional<ArrayElements> element_bytes_of_value(const AnyValue& value) {
  if constexpr (ArrayResult<R>::viewable) {
    return ArrayResult<R>::of(*static_cast<const R*>(value.get()));
  } else {
    (void)value;
    return std::nullopt;
  }
}

/// The elements in `payload`, the encoding of a result of type R (its
/// shape's u64s, then the elements): nullopt when they are not aligned for
/// their type or the shape disagrees with the length.
template <class R>
std::optional<ArrayElements> element_bytes_of_encoding(std::string_view payload) {
  if constexpr (ArrayResult<R>::viewable) {
    using T = typename ArrayResult<R>::element;
    constexpr std::size_t words = ArrayResult<R>::shape_words;
    std::uint64_t shape[words];
    if (payload.size() < sizeof shape) return std::nullopt;
    std::memcpy(shape, payload.data(), sizeof shape);
    const std::string_view elements = payload.substr(sizeof shape);
    const std::uint64_t count = elements.size() / sizeof(T);
    const std::uint64_t rows = shape[0], cols = words > 1 ? shape[words - 1] : 1;
    if (elements.size() % sizeof(T) != 0 || (cols == 0 ? count != 0 : rows != count / cols) ||
        (cols != 0 && count % cols != 0) ||
        reinterpret_cast<std::uintptr_t>(elements.data()) % alignof(T) != 0) {
      return std::nullopt;
    }
    return ArrayElements{{elements.data(), elements.size()}, rows, cols};
  } else {
    (void)payload;
    return std::nullopt;
  }
}

}  // namespace jug::detail
