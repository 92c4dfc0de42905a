#include "install_skills.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "jug_tool/embedded_files.hpp"
#include "tool_error.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage =
    "usage: jug install-skills --output DIR [--force]\n\n"
    "Installs jug's skill (SKILL.md, references and example jugfiles, for an AI coding\n"
    "assistant) as DIR/jug. An existing DIR/jug is replaced only with --force.\n";

struct Request {
  std::optional<std::string> output;
  bool force = false;
  bool help = false;
};

Request parse(const std::vector<std::string>& args) {
  Request request;
  constexpr std::string_view kOutput = "--output";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == kOutput && i + 1 < args.size()) {
      request.output = args[++i];
    } else if (arg.starts_with(std::string(kOutput) + "=")) {
      request.output = arg.substr(kOutput.size() + 1);
    } else if (arg == "--force") {
      request.force = true;
    } else if (arg == "--help" || arg == "-h") {
      request.help = true;
    } else {
      throw ToolError(fmt::format("install-skills takes --output DIR and --force; '{}' is not "
                                  "either\n\n{}",
                                  arg, kUsage),
                      kExitUsage);
    }
  }
  return request;
}

/// Writes every file of the skill under `directory`, made here.
void write_skill(const fs::path& directory) {
  for (const embedded::File& file : embedded::kSkillFiles) {
    const fs::path path = directory / file.path;
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    std::ofstream out(path);
    out << file.text;
    out.close();
    if (error || !out) {
      throw ToolError(fmt::format("cannot write {}{}", path.string(),
                                  error ? ": " + error.message() : ""),
                      kExitFailure);
    }
  }
}

}  // namespace

int install_skills(const std::vector<std::string>& args) {
  const Request request = parse(args);
  if (request.help) {
    fmt::print("{}", kUsage);
    return 0;
  }
  if (!request.output || request.output->empty()) {
    throw ToolError(fmt::format("install-skills needs --output DIR\n\n{}", kUsage), kExitUsage);
  }
  std::error_code error;
  const fs::path output = fs::absolute(*request.output, error);
  const fs::path target = output / "jug";
  if (fs::exists(fs::symlink_status(target, error)) && !request.force) {
    throw ToolError(
        fmt::format("{} exists already: it is left as it is (--force replaces it)",
                    target.string()),
        kExitFailure);
  }
  fs::create_directories(output, error);
  if (error) {
    throw ToolError(fmt::format("cannot make {}: {}", output.string(), error.message()),
                    kExitFailure);
  }
  // Written aside, then put in place: an interrupted install leaves the old
  // skill or the new one, never half of one.
  const fs::path aside = output / fmt::format(".jug.installing.{}", ::getpid());
  try {
    write_skill(aside);
    fs::remove_all(target, error);
    if (error) {
      throw ToolError(fmt::format("cannot replace {}: {}", target.string(), error.message()),
                      kExitFailure);
    }
    fs::rename(aside, target, error);
    if (error) {
      throw ToolError(fmt::format("cannot make {}: {}", target.string(), error.message()),
                      kExitFailure);
    }
  } catch (...) {
    fs::remove_all(aside, error);
    throw;
  }
  fmt::print("Installed jug's skill to {}\n", target.string());
  return 0;
}

}  // namespace jug::tool
