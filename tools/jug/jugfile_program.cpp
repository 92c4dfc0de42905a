#include "jugfile_program.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <system_error>
#include <vector>

#include "build_cache.hpp"
#include "build_key.hpp"
#include "compile_config.hpp"
#include "compiler_flags.hpp"
#include "directives.hpp"
#include "package_flags.hpp"
#include "process.hpp"
#include "text.hpp"
#include "tool_error.hpp"

namespace jug::tool {

namespace fs = std::filesystem;

namespace {

/// Everything needed to compile one jugfile.
struct CompilePlan {
  CompileConfig config;
  std::vector<std::string> extra_cxxflags;
  std::vector<std::string> extra_libs;
  fs::path compiler;
};

void append_words(std::vector<std::string>& words, const char* text) {
  if (text == nullptr) return;
  for (std::string& word : split_words(text)) words.push_back(std::move(word));
}

/// The flags of `// jug: pkg` packages first, then the other directives'
/// (paths resolved against the jugfile's directory), then the
/// environment's: the user at the keyboard has the last word
/// (JUG_CXXFLAGS=-O0 beats a directive's -O3). Libraries go the other way
/// round: a package's after the directive's that may use it.
CompilePlan plan_compile(const std::string& file,
                         const std::function<const char*(const char*)>& getenv) {
  CompilePlan plan{load_compile_config(own_executable_directory()), {}, {}, {}};
  const Directives directives = parse_directives(read_file(file), file);
  const fs::path base = fs::absolute(file).lexically_normal().parent_path();
  PackageFlags packages = package_flags(directives.packages, file);
  plan.extra_cxxflags = std::move(packages.cxxflags);
  for (std::string& flag : resolve_relative_paths(directives.cxxflags, base)) {
    plan.extra_cxxflags.push_back(std::move(flag));
  }
  plan.extra_libs = resolve_relative_paths(directives.libs, base);
  plan.extra_libs.insert(plan.extra_libs.end(), packages.libs.begin(), packages.libs.end());
  append_words(plan.extra_cxxflags, getenv("JUG_CXXFLAGS"));
  append_words(plan.extra_libs, getenv("JUG_LIBS"));
  plan.compiler = find_in_path(plan.config.cxx);
  return plan;
}

/// `<cxx> <cxxflags> <extra cxxflags> FILE -o OUTPUT <libs> <extra libs>`:
/// libraries after the sources, as a static link needs them.
std::vector<std::string> compile_command(const CompilePlan& plan, const std::string& file,
                                         const fs::path& output) {
  std::vector<std::string> argv{plan.config.cxx};
  for (std::string& word : split_words(plan.config.cxxflags)) argv.push_back(std::move(word));
  argv.insert(argv.end(), plan.extra_cxxflags.begin(), plan.extra_cxxflags.end());
  argv.push_back(file);
  argv.push_back("-o");
  argv.push_back(output.string());
  for (std::string& word : split_words(plan.config.libs)) argv.push_back(std::move(word));
  argv.insert(argv.end(), plan.extra_libs.begin(), plan.extra_libs.end());
  return argv;
}

/// The key of the build `plan` makes of `file`.
std::string key_of(const std::string& file, const CompilePlan& plan) {
  return build_key({.source = file,
                    .compile_config = plan.config.text,
                    .extra_cxxflags = plan.extra_cxxflags,
                    .extra_libs = plan.extra_libs,
                    .compiler = plan.compiler,
                    .libs = split_words(plan.config.libs)});
}

/// The build of `file` with JUG_RESULT_JSON, quietly: nullopt (having said
/// so once) where it does not compile.
std::optional<std::string> program_with_result_json(
    const std::string& file, const std::function<const char*(const char*)>& getenv) {
  CompilePlan plan = plan_compile(file, getenv);
  plan.extra_cxxflags.push_back("-DJUG_RESULT_JSON");
  const std::string key = key_of(file, plan);
  BuildCache cache(cache_directory(getenv));
  if (std::optional<fs::path> program = cache.find(key)) return program->string();
  if (cache.failed_before(key)) return std::nullopt;
  int status = 0;
  std::string said;
  const std::optional<fs::path> program = cache.build(key, [&](const fs::path& output) {
    fmt::print(stderr, "jug: compiling {} with JSON output of results...\n", file);
    std::fflush(stderr);
    said = run_and_capture(compile_command(plan, file, output), &status, /*capture_errors=*/true);
    return status == 0;
  });
  if (program) return program->string();
  // Only the compiler's verdict is remembered: not a compiler that was
  // killed (128 + signal: Ctrl-C, out of memory) or could not start (127).
  const bool compile_error = status > 0 && status < 127;
  const std::string where =
      compile_error ? fmt::format(" (what the compiler said: {}; remove it to try again)",
                                  cache.note_failure(key, said).string())
                    : "";
  fmt::print(stderr,
             "jug: {} does not compile with cereal's JSON archive{}, so results are not shown "
             "as JSON: a result type's serialize or save function takes jug's archive only, "
             "perhaps{}\n",
             file, compile_error ? "" : fmt::format(" (the compiler exited {})", status), where);
  return std::nullopt;
}

std::string compiled_program(const std::string& file,
                             const std::function<const char*(const char*)>& getenv) {
  const CompilePlan plan = plan_compile(file, getenv);
  const std::string key = key_of(file, plan);
  BuildCache cache(cache_directory(getenv));
  if (std::optional<fs::path> program = cache.find(key)) return program->string();

  std::vector<std::string> failed_command;
  const std::optional<fs::path> program = cache.build(key, [&](const fs::path& output) {
    fmt::print(stderr, "jug: compiling {}...\n", file);
    std::fflush(stderr);
    std::vector<std::string> argv = compile_command(plan, file, output);
    if (run_and_wait(argv) == 0) return true;
    failed_command = std::move(argv);
    return false;
  });
  if (!program) {
    std::string command;
    for (const std::string& word : failed_command) command += (command.empty() ? "" : " ") + word;
    throw ToolError(fmt::format("could not compile {} (compiler errors above)\n"
                                "jug: the command was: {}",
                                file, command),
                    kExitFailure);
  }
  return program->string();
}

}  // namespace

bool is_cpp_source(const fs::path& file) {
  const std::string extension = file.extension().string();
  return extension == ".cpp" || extension == ".cc" || extension == ".cxx" || extension == ".C";
}

bool shows_result_values(std::string_view subcommand) {
  return subcommand == "show" || subcommand == "export";
}

std::string jugfile_program(const std::string& file,
                            const std::function<const char*(const char*)>& getenv,
                            bool result_json) {
  std::error_code error;
  if (fs::is_directory(file, error)) {
    throw ToolError(fmt::format("{} is a directory; give the jugfile itself "
                                "(a C++ source or a built jugfile program)",
                                file),
                    kExitUsage);
  }
  if (is_cpp_source(file)) {
    if (result_json) {
      if (std::optional<std::string> program = program_with_result_json(file, getenv)) {
        return *program;
      }
    }
    return compiled_program(file, getenv);
  }
  if (!fs::is_regular_file(file, error) || ::access(file.c_str(), X_OK) != 0) {
    throw ToolError(fmt::format("{} is not a jugfile: give a C++ source (.cpp, .cc, .cxx, .C) "
                                "or a built jugfile program (this file is not executable)",
                                file),
                    kExitUsage);
  }
  return file;
}

}  // namespace jug::tool
