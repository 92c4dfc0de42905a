#include "huge_pages.hpp"

#include <string_view>

namespace jug::tool {

std::string tunables_with_huge_pages(const char* current) {
  constexpr std::string_view kHugePages = "glibc.malloc.hugetlb=1";
  const std::string_view theirs = current == nullptr ? "" : current;
  if (theirs.empty()) return std::string(kHugePages);
  if (theirs.find("glibc.malloc.hugetlb=") != std::string_view::npos) return std::string(theirs);
  return std::string(theirs) + ":" + std::string(kHugePages);
}

}  // namespace jug::tool
