#include "engine/exception_name.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <typeinfo>

namespace jug {

std::string exception_type_name(const std::exception& e) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string out = status == 0 && demangled ? demangled : typeid(e).name();
  std::free(demangled);
  return out;
}

}  // namespace jug
