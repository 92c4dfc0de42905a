#pragma once
/// jug::identity(x): a task whose result is x. For a value, it puts the
/// value in the store like any result (so a jugfile can hand one object to
/// many tasks, or give jug::value something to read); for a task or
/// tasklet, it stores a copy of that result under a hash of its own.

#include <utility>

#include "jug/detail/arguments.hpp"
#include "jug/task_generator.hpp"

namespace jug {

namespace detail {

/// One generator per value type, so that `identity(x)` for an `int&` and
/// for an `int` is one task.
template <class V>
const auto& identity_generator() {
  // Generic: the argument's type is hashed with it (identity(1) and
  // identity(1.0f) are different tasks).
  static const TaskGenerator generator("jug.identity", [](const auto& v) { return v; });
  return generator;
}

}  // namespace detail

template <class T>
auto identity(T&& value) {
  return detail::identity_generator<detail::value_of_t<T>>()(std::forward<T>(value));
}

}  // namespace jug
