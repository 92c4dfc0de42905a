#pragma once
/// Whether `a == b` compiles for a result type, looking inside it:
/// std::equality_comparable<std::vector<T>> holds even where T has no ==
/// (the standard containers declare theirs unconditionally), and using it
/// would then fail to compile. `execute --debug` compares a result with
/// itself read back only where this says it can.

#include <concepts>
#include <optional>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace jug::detail {

template <class T>
struct DeepEquality;

template <class T>
inline constexpr bool deep_equality_comparable_v = DeepEquality<std::remove_cvref_t<T>>::value;

template <class T>
struct DeepEquality {
  static constexpr bool value = [] {
    if constexpr (!std::equality_comparable<T>) {
      return false;
    } else if constexpr (std::ranges::range<T>) {
      using Element = std::ranges::range_value_t<T>;
      if constexpr (std::is_same_v<Element, T>) {
        return true;  // a range of itself (std::filesystem::path)
      } else {
        return deep_equality_comparable_v<Element>;
      }
    } else {
      return true;
    }
  }();
};

template <class A, class B>
struct DeepEquality<std::pair<A, B>> {
  static constexpr bool value = deep_equality_comparable_v<A> && deep_equality_comparable_v<B>;
};

template <class... T>
struct DeepEquality<std::tuple<T...>> {
  static constexpr bool value = (deep_equality_comparable_v<T> && ...);
};

template <class T>
struct DeepEquality<std::optional<T>> {
  static constexpr bool value = deep_equality_comparable_v<T>;
};

template <class... T>
struct DeepEquality<std::variant<T...>> {
  static constexpr bool value = (deep_equality_comparable_v<T> && ...);
};

}  // namespace jug::detail
