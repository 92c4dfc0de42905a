#pragma once
/// Where a view's elements lie: for the tests of views
/// (execute_views_test.cpp, execute_eigen_views_test.cpp).

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace jug_test {

/// What /proc/self/maps says lies at `address`: the file mapped there, or
/// "" for memory of the process's own (the heap, anonymous mappings).
inline std::string mapped_file_at(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode;
    std::getline(fields >> std::ws, path);
    const std::size_t dash = range.find('-');
    const std::uintptr_t start = std::stoull(range.substr(0, dash), nullptr, 16);
    const std::uintptr_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (at >= start && at < end) return inode == "0" ? "" : path;
  }
  return "";
}

}  // namespace jug_test
