#pragma once
/// Huge pages for the jugfile program's own big allocations. A task that
/// makes a vector of 400 MB touches 100,000 fresh pages of 4 KiB, each a
/// page fault; on the virtual machines our users run on, those faults cost
/// more than computing and storing the result (bench/README.md, "Big
/// results": 2.95 s against 0.70 s for the whole first execute). glibc's
/// malloc asks the kernel for transparent huge pages for its big blocks
/// when the tunable glibc.malloc.hugetlb is 1 (glibc 2.35 and later; older
/// ones ignore it), and tunables are read only when a process starts: the
/// jug command sets it for the program it runs. numpy does the same for
/// its arrays.

#include <string>

namespace jug::tool {

/// GLIBC_TUNABLES for the jugfile program, given the user's (nullptr when
/// unset): theirs with glibc.malloc.hugetlb=1 added, unless they set
/// glibc.malloc.hugetlb themselves.
std::string tunables_with_huge_pages(const char* current);

}  // namespace jug::tool
