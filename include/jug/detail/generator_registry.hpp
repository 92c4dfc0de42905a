#pragma once
/// Every task generator of the program registers its name here when it is
/// made, so that two different functions given one name are found before
/// anything runs, whatever they are called with. A task's name is its
/// identity in the store: under one name, `sq(3)` would be handed the
/// stored result of `cube(3)`.

#include <cstdint>
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

namespace jug::detail {

/// What tells one generator's function from another's.
struct GeneratorFunction {
  /// The callable's type: a lambda or function object type is one function.
  const std::type_info* type = nullptr;
  /// For a function pointer (all of one signature share a type): which one.
  std::uintptr_t address = 0;
  /// The type says nothing (a std::function holds any callable): the place
  /// of the definition stands for the function.
  bool known_by_place = false;
};

template <class T>
struct is_std_function : std::false_type {};
template <class Signature>
struct is_std_function<std::function<Signature>> : std::true_type {};

template <class F>
GeneratorFunction generator_function(const F& function) {
  GeneratorFunction out;
  out.type = &typeid(F);
  if constexpr (std::is_pointer_v<F>) {
    out.address = reinterpret_cast<std::uintptr_t>(function);
  } else if constexpr (is_std_function<F>::value) {
    out.known_by_place = true;
  }
  return out;
}

/// Records that the generator defined at `where` makes tasks named `name`
/// with `function`. A second, different function under a name is a
/// conflict: kept for check_generator_names (generators made before
/// jug::main starts, at namespace scope, cannot throw), and thrown as
/// jug::Error once jug::main has started. Names starting with "jug." are
/// jug's own helpers (mapreduce), whose hashes say which functions they
/// run; they are not recorded. Returns the conflict's message, if any.
std::optional<std::string> register_generator(std::string_view name,
                                              const GeneratorFunction& function,
                                              const std::source_location& where);

/// The first conflict registered so far, as a message naming both
/// definitions; nothing when every name has one function.
std::optional<std::string> generator_name_conflict();

/// From now on, register_generator throws on a conflict (jug::main calls
/// this once it has checked the generators made before it).
void throw_on_generator_name_conflicts();

}  // namespace jug::detail
