#include "demo.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "compile_config.hpp"
#include "jug_tool/embedded_files.hpp"
#include "tool_error.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const char* text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) throw ToolError(fmt::format("cannot write {}", path.string()), kExitFailure);
}

}  // namespace

int write_demo() {
  const fs::path directory = "jug-demo";
  std::error_code error;
  if (fs::exists(directory, error)) {
    fmt::print("jug-demo/ exists already: it is left as it is (remove it for a new one).\n");
    return 0;
  }
  if (!fs::create_directory(directory, error)) {
    throw ToolError(fmt::format("cannot make jug-demo/ here: {}", error.message()),
                    kExitFailure);
  }
  write_file(directory / "jugfile.cpp", embedded::kDemoJugfile);
  const bool python = !load_compile_config(own_executable_directory()).python.empty();
  if (python) write_file(directory / "primes.py", embedded::kDemoPython);
  fmt::print(
      "Made jug-demo/ with jugfile.cpp: which numbers in 2..100 are prime, one task\n"
      "each (each sleeps a fifth of a second), then how many, written to output.txt.\n"
      "{}"
      "\n"
      "Try it:\n"
      "    cd jug-demo\n"
      "    jug status                  # what there is to do\n"
      "    jug execute & jug execute   # two workers share the work (or: jug execute -j 2)\n"
      "    jug status                  # what is done\n"
      "    cat output.txt\n"
      "{}"
      "\n"
      "If anything goes wrong, `jug test-jug` checks this installation.\n",
      python ? "primes.py is the same in Python, as Python jug's demo writes it.\n" : "",
      python ? "The Python one runs the same way: jug execute primes.py\n" : "");
  return 0;
}

}  // namespace jug::tool
