#include "local_includes.hpp"

#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include "text.hpp"

namespace jug::tool {

namespace fs = std::filesystem;

namespace {

/// The name in `#  include "name"`, or nullopt for any other line.
std::optional<std::string_view> quoted_include(std::string_view line) {
  line = trim(line);
  if (!line.starts_with('#')) return std::nullopt;
  line = trim(line.substr(1));
  constexpr std::string_view kInclude = "include";
  if (!line.starts_with(kInclude)) return std::nullopt;
  line = trim(line.substr(kInclude.size()));
  if (!line.starts_with('"')) return std::nullopt;
  const std::size_t close = line.find('"', 1);
  if (close == std::string_view::npos || close == 1) return std::nullopt;
  return line.substr(1, close - 1);
}

std::optional<std::string> try_read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

class IncludeWalk {
 public:
  IncludeWalk(std::span<const fs::path> include_dirs) : include_dirs_(include_dirs) {}

  void visit(const fs::path& path, std::string content) {
    std::error_code error;
    fs::path identity = fs::weakly_canonical(path, error);
    if (error) identity = fs::absolute(path).lexically_normal();
    if (!seen_.insert(identity).second) return;

    const std::vector<std::string> names = quoted_includes(content);
    files_.push_back({path, std::move(content)});
    for (const std::string& name : names) {
      const std::optional<fs::path> found = find(name, path.parent_path());
      if (!found) continue;
      if (std::optional<std::string> included = try_read(*found))
        visit(*found, std::move(*included));
    }
  }

  std::vector<LocalFile> take() { return std::move(files_); }

 private:
  std::optional<fs::path> find(const std::string& name, const fs::path& including_dir) const {
    std::error_code error;
    const fs::path local = including_dir / name;
    if (fs::is_regular_file(local, error)) return local;
    for (const fs::path& dir : include_dirs_) {
      const fs::path candidate = dir / name;
      if (fs::is_regular_file(candidate, error)) return candidate;
    }
    return std::nullopt;
  }

  std::span<const fs::path> include_dirs_;
  std::set<fs::path> seen_;
  std::vector<LocalFile> files_;
};

}  // namespace

std::vector<std::string> quoted_includes(std::string_view source) {
  std::vector<std::string> names;
  for (std::string_view line : split_lines(source)) {
    if (std::optional<std::string_view> name = quoted_include(line)) names.emplace_back(*name);
  }
  return names;
}

std::vector<LocalFile> local_include_closure(const fs::path& root,
                                             std::span<const fs::path> include_dirs) {
  IncludeWalk walk(include_dirs);
  walk.visit(root, read_file(root));
  return walk.take();
}

}  // namespace jug::tool
