// The main() of a fuzz target outside libFuzzer (fuzz/CMakeLists.txt): runs
// LLVMFuzzerTestOneInput once over each file of the directories and files
// given, so that every test run, in every compiler and sanitizer build,
// replays the corpus and each input a fuzzer ever crashed on
// (fuzz/regressions/). Also writes the target's seed corpus.
//
//   <name>_fuzzer_replay PATH...            replay files, and directories' files
//   <name>_fuzzer_replay --make-corpus DIR  write the seeds into DIR
//
// A directory that does not exist is skipped (a target without regressions
// has none), but a run that replays nothing at all fails: a wrong corpus
// path must not pass as a clean replay.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path.string()));
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>());
}

/// The files to replay: each file given, and the files in each directory
/// given, in name order (so that a run is the same everywhere).
std::vector<fs::path> inputs_of(const std::vector<std::string>& arguments) {
  std::vector<fs::path> inputs;
  for (const std::string& argument : arguments) {
    const fs::path path(argument);
    if (fs::is_regular_file(path)) {
      inputs.push_back(path);
    } else if (fs::is_directory(path)) {
      std::vector<fs::path> files;
      for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else {
      fmt::print("replay: {} does not exist: nothing to replay there\n", argument);
    }
  }
  return inputs;
}

int make_corpus(const fs::path& directory) {
  fs::create_directories(directory);
  std::size_t bytes = 0;
  const std::vector<jug::fuzz::Seed> seeds = jug::fuzz::seeds();
  for (const jug::fuzz::Seed& seed : seeds) {
    std::ofstream(directory / seed.name, std::ios::binary) << seed.bytes;
    bytes += seed.bytes.size();
  }
  fmt::print("wrote {} seeds ({} bytes) into {}\n", seeds.size(), bytes, directory.string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.size() == 2 && arguments[0] == "--make-corpus") return make_corpus(arguments[1]);
  if (arguments.empty() || arguments[0].starts_with("-")) {
    std::cerr << "usage: " << argv[0] << " PATH...  |  " << argv[0] << " --make-corpus DIR\n";
    return 2;
  }
  const std::vector<fs::path> inputs = inputs_of(arguments);
  if (inputs.empty()) {
    std::cerr << "replay: no input found: the corpus should be there\n";
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  for (const fs::path& input : inputs) {
    // Named before it runs: a crash leaves the name of its input last.
    fmt::print("replay: {}\n", input.string());
    std::fflush(stdout);
    // A buffer of exactly the input's size, as libFuzzer passes it, so
    // that the sanitizers catch a read one byte past it.
    const std::vector<std::uint8_t> data = read_file(input);
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  fmt::print("replayed {} inputs in {} ms\n", inputs.size(),
             std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  return 0;
}
