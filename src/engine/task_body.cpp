// TaskBody's defaults that need more than node.hpp declares.

#include "jug/archives.hpp"
#include "jug/node.hpp"

namespace jug {

std::string TaskBody::value_fingerprint(const AnyValue& value) const {
  std::string bytes;
  OutputArchive out(bytes);
  encode(value, out);
  return bytes;
}

}  // namespace jug
