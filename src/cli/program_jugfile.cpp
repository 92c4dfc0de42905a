#include "cli/program_jugfile.hpp"

#include <filesystem>
#include <system_error>

namespace jug::cli {

std::string program_jugfile(const std::string& program, std::string_view source) {
  namespace fs = std::filesystem;
  if (source.empty()) return program;
  std::error_code error;
  const fs::path path = fs::absolute(fs::path(source), error);
  if (error || !fs::is_regular_file(path, error)) return program;
  return path.lexically_normal().string();
}

bool is_this_program(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const bool same = fs::equivalent(path, "/proc/self/exe", error);
  return !error && same;
}

}  // namespace jug::cli
