#include <gtest/gtest.h>

#include "jug/huge_pages.hpp"

namespace jug::tool {
namespace {

TEST(JugCommandHugePages, AreAskedForWhateverElseTheUserTunes) {
  EXPECT_EQ(tunables_with_huge_pages(nullptr), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_with_huge_pages(""), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.check=3"),
            "glibc.malloc.check=3:glibc.malloc.hugetlb=1");
}

TEST(JugCommandHugePages, AreLeftAsTheUserSetThem) {
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.hugetlb=0"), "glibc.malloc.hugetlb=0");
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.check=3:glibc.malloc.hugetlb=2"),
            "glibc.malloc.check=3:glibc.malloc.hugetlb=2");
}

}  // namespace
}  // namespace jug::tool
