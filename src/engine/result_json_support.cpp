// Not result_json.hpp: including it marks the program as able to write
// JSON, which the library alone is not.
#include "engine/result_json_support.hpp"

#include <atomic>

namespace jug {
namespace {

std::atomic<bool> supported{false};

}  // namespace

void detail::note_result_json_support() { supported = true; }

bool result_json_supported() { return supported; }

}  // namespace jug
