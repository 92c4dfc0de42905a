#pragma once
/// Map and reduce over many inputs, in tasks of several inputs each, so that
/// a million tiny inputs do not make a million tiny tasks:
///
///   const jug::TaskGenerator count_words("count_words", [](const std::string& path) {...});
///   const jug::TaskGenerator merge("merge", [](Counts a, const Counts& b) {...});
///   auto total = jug::mapreduce(merge, count_words, paths, {.map_step = 4, .reduce_step = 8});
///
/// As in jug:
/// - `mapreduce` makes one task per `map_step` consecutive inputs, which maps
///   each and folds the results with the reducer; then reduce tasks fold
///   `reduce_step` partial results each, level by level, down to one task.
/// - `map` returns one Task per input: with map_step 1 the mapper's own
///   tasks; otherwise tasklets (tasklet.hpp) on tasks of `map_step` inputs.
/// - `currymap` is `map` over tuples whose elements are the mapper's
///   arguments.
/// - `reduce` folds inputs (values or tasks) `reduce_step` at a time.
///
/// The mapper and reducer are TaskGenerators: their names and versions are
/// hashed, not their code, as for any task. The reducer takes two results
/// and returns their combination, left to right in input order. Inputs may
/// be values or tasks (or tasklets). An empty input gives a task whose
/// result is R{} (0, an empty container): the identity of the usual sums
/// and merges.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "jug/codec.hpp"
#include "jug/detail/arguments.hpp"
#include "jug/errors.hpp"
#include "jug/identity.hpp"
#include "jug/task_generator.hpp"
#include "jug/task_handle.hpp"
#include "jug/tasklet.hpp"

namespace jug {

struct MapReduceOptions {
  /// Inputs handled by one map task.
  std::size_t map_step = 4;
  /// Partial results folded by one reduce task.
  std::size_t reduce_step = 8;
};

namespace detail {

/// The first argument of every mapreduce task: the names and versions of
/// the generators it calls (their code is not hashed; these are), and the
/// type their inputs are converted to (which a generic mapper's code
/// depends on).
template <class In, class... Generators>
std::string functions_key(const Generators&... generators) {
  std::string out;
  ((encode_into(out, generators.name()), encode_into(out, generators.version())), ...);
  hash_type_name<In>(out);
  return out;
}

inline void check_step(std::size_t step, const char* what) {
  if (step == 0) throw Error(std::string("jug: ") + what + " must be at least 1");
}

/// inputs[begin, begin + step), for a task's argument: tasks and hash
/// wrappers as they are, plain values as what they stand for (a string
/// literal as a std::string).
template <class T>
auto chunk_of(const std::vector<T>& inputs, std::size_t begin, std::size_t step) {
  using Element = std::conditional_t<is_structured_v<T>, T, value_of_t<T>>;
  const auto from = inputs.begin() + static_cast<std::ptrdiff_t>(begin);
  const auto to = inputs.begin() + static_cast<std::ptrdiff_t>(std::min(inputs.size(), begin + step));
  return std::vector<Element>(from, to);
}

/// Folds `values` with `reducer`, left to right.
template <class R, class Reducer, class Values>
R fold(const Reducer& reducer, const Values& values) {
  R out = values[0];
  for (std::size_t i = 1; i < values.size(); ++i) {
    out = std::invoke(reducer, std::move(out), values[i]);
  }
  return out;
}

/// Reduce tasks over `partials`, reduce_step at a time, level by level,
/// down to one task. (Inputs may be plain values at the first level.)
template <class Mapper, class In>
using mapped_t = std::remove_cvref_t<std::invoke_result_t<const Mapper&, const In&>>;

// The generators below depend only on what their tasks compute, not on
// the type of the inputs given (a `const char*` and a `std::string` make
// the same task, which must have one function).

template <class R, class Reducer>
auto reduce_level_generator(const TaskGenerator<Reducer>& reducer) {
  return TaskGenerator("jug.mapreduce.reduce",
                       [f = reducer.function()](const std::string& /*functions*/,
                                                const std::vector<R>& values) -> R {
                         return fold<R>(f, values);
                       });
}

template <class In, class Mapper, class Reducer>
auto map_step_generator(const TaskGenerator<Mapper>& mapper, const TaskGenerator<Reducer>& reducer) {
  using R = mapped_t<Mapper, In>;
  return TaskGenerator(
      "jug.mapreduce.map",
      [m = mapper.function(), r = reducer.function()](const std::string& /*functions*/,
                                                       const std::vector<In>& chunk) -> R {
        R out = std::invoke(m, chunk[0]);
        for (std::size_t i = 1; i < chunk.size(); ++i) {
          out = std::invoke(r, std::move(out), std::invoke(m, chunk[i]));
        }
        return out;
      });
}

/// `apply`: each input is a tuple of the mapper's arguments (currymap).
template <class In, bool apply, class Mapper>
auto map_chunk_generator(const TaskGenerator<Mapper>& mapper) {
  return TaskGenerator(apply ? "jug.currymap" : "jug.map",
                       [m = mapper.function()](const std::string& /*functions*/,
                                               const std::vector<In>& chunk) {
                         auto call = [&](const In& input) {
                           if constexpr (apply) {
                             return std::apply(m, input);
                           } else {
                             return std::invoke(m, input);
                           }
                         };
                         std::vector<std::remove_cvref_t<decltype(call(chunk[0]))>> results;
                         results.reserve(chunk.size());
                         for (const In& input : chunk) results.push_back(call(input));
                         return results;
                       });
}

template <class R, class Reducer, class Inputs>
Task<R> reduce_tree(const TaskGenerator<Reducer>& reducer, const Inputs& inputs,
                    std::size_t reduce_step) {
  const auto level = reduce_level_generator<R>(reducer);
  const std::string key = functions_key<R>(reducer);
  std::vector<Task<R>> partials;
  for (std::size_t i = 0; i < inputs.size(); i += reduce_step) {
    partials.push_back(level(key, chunk_of(inputs, i, reduce_step)));
  }
  while (partials.size() > 1) {
    std::vector<Task<R>> next;
    for (std::size_t i = 0; i < partials.size(); i += reduce_step) {
      next.push_back(level(key, chunk_of(partials, i, reduce_step)));
    }
    partials = std::move(next);
  }
  return partials.front();
}

/// For jug::map: one `chunk_task` per `step` inputs, returning their
/// results as a vector, and a view on each result appended to `out`.
template <class R, class ChunkTask, class Input>
void append_views_of_chunks(std::vector<Task<R>>& out, const ChunkTask& chunk_task,
                            const std::string& key, const std::vector<Input>& inputs,
                            std::size_t step) {
  for (std::size_t i = 0; i < inputs.size(); i += step) {
    const Task<std::vector<R>> chunk = chunk_task(key, chunk_of(inputs, i, step));
    const std::size_t n = std::min(step, inputs.size() - i);
    for (std::size_t j = 0; j < n; ++j) out.push_back(chunk[j]);
  }
}


}  // namespace detail

/// One task per `map_step` inputs mapping each and folding the results,
/// then a tree of reduce tasks: the task returned holds the fold of
/// mapper(input) over every input, in order.
template <class Reducer, class Mapper, class Input>
auto mapreduce(const TaskGenerator<Reducer>& reducer, const TaskGenerator<Mapper>& mapper,
               const std::vector<Input>& inputs, MapReduceOptions options = {}) {
  using In = detail::value_of_t<Input>;
  static_assert(std::is_invocable_v<const Mapper&, const In&>,
                "jug::mapreduce: the mapper cannot be called with an input");
  using R = detail::mapped_t<Mapper, In>;
  static_assert(std::is_invocable_r_v<R, const Reducer&, R, const R&>,
                "jug::mapreduce: the reducer must take two mapped results and return one");
  detail::check_step(options.map_step, "mapreduce's map_step");
  detail::check_step(options.reduce_step, "mapreduce's reduce_step");
  if (inputs.empty()) return jug::identity(R{});
  const auto map_step_task = detail::map_step_generator<In>(mapper, reducer);
  const std::string key = detail::functions_key<In>(mapper, reducer);
  std::vector<Task<R>> partials;
  for (std::size_t i = 0; i < inputs.size(); i += options.map_step) {
    partials.push_back(map_step_task(key, detail::chunk_of(inputs, i, options.map_step)));
  }
  if (partials.size() == 1) return partials.front();
  return detail::reduce_tree<R>(reducer, partials, options.reduce_step);
}

/// Folds `inputs` (values or tasks) with `reducer`, `reduce_step` at a
/// time, level by level: the task returned holds the fold of them all.
template <class Reducer, class Input>
auto reduce(const TaskGenerator<Reducer>& reducer, const std::vector<Input>& inputs,
            MapReduceOptions options = {}) {
  using R = detail::value_of_t<Input>;
  static_assert(std::is_invocable_r_v<R, const Reducer&, R, const R&>,
                "jug::reduce: the reducer must take two inputs and return one");
  detail::check_step(options.reduce_step, "reduce's reduce_step");
  if (inputs.empty()) return jug::identity(R{});
  return detail::reduce_tree<R>(reducer, inputs, options.reduce_step);
}

/// One result per input, in order: with map_step 1, the mapper's own tasks
/// (the same as calling it on each input); otherwise views on tasks that
/// map `map_step` inputs each.
template <class Mapper, class Input>
auto map(const TaskGenerator<Mapper>& mapper, const std::vector<Input>& inputs,
         MapReduceOptions options = {}) {
  using In = detail::value_of_t<Input>;
  static_assert(std::is_invocable_v<const Mapper&, const In&>,
                "jug::map: the mapper cannot be called with an input");
  using R = detail::mapped_t<Mapper, In>;
  detail::check_step(options.map_step, "map's map_step");
  std::vector<Task<R>> out;
  out.reserve(inputs.size());
  if (options.map_step == 1) {
    for (const Input& input : inputs) out.push_back(mapper(input));
    return out;
  }
  detail::append_views_of_chunks(out, detail::map_chunk_generator<In, false>(mapper),
                                 detail::functions_key<In>(mapper), inputs, options.map_step);
  return out;
}

/// jug::map over tuples (or pairs), each holding the mapper's arguments
/// (values or tasks): mapper(get<0>(t), get<1>(t), ...) for each t.
template <class Mapper, class Tuple>
auto currymap(const TaskGenerator<Mapper>& mapper, const std::vector<Tuple>& inputs,
              MapReduceOptions options = {}) {
  using In = detail::value_of_t<Tuple>;
  static_assert(requires { std::tuple_size<In>::value; },
                "jug::currymap: each input must be a tuple or pair of the mapper's arguments");
  using R = std::remove_cvref_t<decltype(std::apply(mapper.function(), std::declval<const In&>()))>;
  detail::check_step(options.map_step, "currymap's map_step");
  std::vector<Task<R>> out;
  out.reserve(inputs.size());
  if (options.map_step == 1) {
    for (const Tuple& input : inputs) {
      out.push_back(std::apply([&](const auto&... args) { return mapper(args...); }, input));
    }
    return out;
  }
  detail::append_views_of_chunks(out, detail::map_chunk_generator<In, true>(mapper),
                                 detail::functions_key<In>(mapper), inputs, options.map_step);
  return out;
}

}  // namespace jug
