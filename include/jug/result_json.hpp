#pragma once
/// Results written as JSON, with cereal's JSON archive, for `jug show` and
/// `jug export`. Included by task_generator.hpp only when JUG_RESULT_JSON
/// is defined: the jug command defines it in a second build of the jugfile
/// made for those commands, so that `jug execute` never pays the time the
/// archive takes to compile.

#include <optional>
#include <sstream>
#include <string>
#include <type_traits>

#include <cereal/archives/json.hpp>

#include "jug/node.hpp"

namespace jug {
namespace detail {

/// Tells jug::main that this program was built with JUG_RESULT_JSON.
void note_result_json_support();
inline const bool result_json_noted = (note_result_json_support(), true);

/// `value` (an R) as cereal's JSON archive writes it, `{"value": ...}`;
/// nullopt for a type the archive has no function for (one whose save
/// functions take jug's archive only: Eigen, Armadillo, xtensor arrays).
template <class R>
std::optional<std::string> json_of(const AnyValue& value) {
  if constexpr (std::is_void_v<R>) {
    return "{\"value\": null}";
  } else if constexpr (cereal::traits::is_output_serializable<R,
                                                              cereal::JSONOutputArchive>::value) {
    std::ostringstream out;
    {
      cereal::JSONOutputArchive ar(out, cereal::JSONOutputArchive::Options::NoIndent());
      ar(cereal::make_nvp("value", *static_cast<const R*>(value.get())));
    }
    return out.str();
  } else {
    return std::nullopt;
  }
}

}  // namespace detail
}  // namespace jug
