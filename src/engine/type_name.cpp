#include "engine/type_name.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <typeinfo>

#include "jug/errors.hpp"

namespace jug {

std::string demangled_type_name(const char* mangled) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);
  return out;
}

std::string exception_type_name(const std::exception& e) {
  if (const auto* foreign = dynamic_cast<const ForeignError*>(&e)) return foreign->kind();
  return demangled_type_name(typeid(e).name());
}

}  // namespace jug
