#include "cli/pack_command.hpp"

#include <iostream>

#include <fmt/ostream.h>

#include "cli/show_output.hpp"
#include "store/file_store.hpp"

namespace jug::cli {

namespace {

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

int run_pack(const CommandLine& cl, Store& store) {
  auto* file_store = dynamic_cast<FileStore*>(&store);
  if (file_store == nullptr) {
    fmt::print(std::cout, "Nothing to pack: the {} keeps no file per result.\n", store.describe());
    return 0;
  }
  for (const std::string& damage : store.damage(cl.execute.lease_time)) {
    fmt::print(std::cout, "Found: {}\n", damage);
  }
  const FileStore::PackSummary packed = file_store->pack(cl.execute.lease_time);
  if (packed.result_files + packed.segments == 0) {
    fmt::print(std::cout, "Nothing to pack in {}", store.describe());
  } else {
    fmt::print(std::cout, "Packed {} ({} and {}) into new segments: {} became {}",
               counted(packed.results, "result", "results"),
               counted(packed.result_files, "result file", "result files"),
               counted(packed.segments, "segment", "segments"), bytes_text(packed.bytes_before),
               bytes_text(packed.bytes_after));
  }
  if (packed.segments_in_use > 0) {
    fmt::print(std::cout, "; left {} that workers still append to",
               counted(packed.segments_in_use, "segment", "segments"));
  }
  fmt::print(std::cout, ".\n");
  return 0;
}

}  // namespace jug::cli
