// TaskBody's defaults that need more than node.hpp declares.

#include "engine/results.hpp"
#include "jug/node.hpp"

namespace jug {

std::string TaskBody::value_fingerprint(const AnyValue& value) const {
  return encode_payload(*this, value);
}

}  // namespace jug
