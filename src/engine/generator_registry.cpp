#include "jug/detail/generator_registry.hpp"

#include <filesystem>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/type_name.hpp"
#include "jug/errors.hpp"

namespace jug::detail {
namespace {

struct Definition {
  GeneratorFunction function;
  std::string file;
  std::uint_least32_t line = 0;
};

bool same_function(const Definition& a, const Definition& b) {
  if (*a.function.type != *b.function.type || a.function.address != b.function.address) {
    return false;
  }
  return !a.function.known_by_place || (a.file == b.file && a.line == b.line);
}

std::string describe(const Definition& d) {
  return fmt::format("{}:{}", std::filesystem::path(d.file).filename().string(), d.line);
}

std::string conflict_message(std::string_view name, const Definition& first,
                             const Definition& second) {
  std::string where = fmt::format("{} and {}", describe(first), describe(second));
  if (describe(first) == describe(second)) {
    // One definition made with different types (a template): say which.
    where = fmt::format("{}, once with {} and once with {}", describe(first),
                        demangled_type_name(first.function.type->name()),
                        demangled_type_name(second.function.type->name()));
  }
  return fmt::format(
      "jug: two different task generators are both named '{}' ({}). The name is a task's "
      "identity in the store, so one would be given the other's results: give each "
      "generator its own name",
      name, where);
}

/// Generators are made at namespace scope, before main: constructed on
/// first use, never destroyed (a generator made by a later static
/// destructor must still find it).
struct Registry {
  std::mutex mutex;
  std::unordered_map<std::string, Definition> by_name;
  std::optional<std::string> first_conflict;
  bool throw_on_conflict = false;
};

Registry& registry() {
  static auto* const r = new Registry();
  return *r;
}

}  // namespace

std::optional<std::string> register_generator(std::string_view name,
                                              const GeneratorFunction& function,
                                              const std::source_location& where) {
  if (name.starts_with("jug.")) return std::nullopt;
  Definition definition{function, where.file_name(), where.line()};
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto [at, added] = r.by_name.try_emplace(std::string(name), definition);
  if (added || same_function(at->second, definition)) return std::nullopt;
  std::string message = conflict_message(name, at->second, definition);
  if (r.throw_on_conflict) throw Error(message);
  if (!r.first_conflict) r.first_conflict = message;
  return message;
}

std::optional<std::string> generator_name_conflict() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.first_conflict;
}

void throw_on_generator_name_conflicts() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.throw_on_conflict = true;
}

}  // namespace jug::detail
