#pragma once
/// Whether this program can write results as JSON (include/jug/result_json.hpp).

namespace jug {

/// True when the jugfile was built with JUG_RESULT_JSON, or its front end
/// writes JSON itself (Python).
bool result_json_supported();

namespace detail {
/// Called as the program starts where result_json.hpp is included (and by
/// the Python front end).
void note_result_json_support();
}  // namespace detail

}  // namespace jug
