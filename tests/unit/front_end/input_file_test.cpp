/// jug::input_file (include/jug/input_file.hpp): a task reading a file is
/// recomputed when the file changes, and only then.

#include "jug/input_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/errors.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"

namespace {

const jug::TaskGenerator file_length("input_file_length", [](const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return static_cast<long>(in.tellg());
});
const jug::TaskGenerator plus_one("input_file_plus_one", [](long n) { return n + 1; });

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/jug-input-file-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/data.txt";
    write("hello");
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  void write(const std::string& content) { std::ofstream(path_, std::ios::binary) << content; }
  /// Sets the file's modification time (seconds since the epoch).
  void set_mtime(long seconds) {
    const struct utimbuf times{seconds, seconds};
    ASSERT_EQ(::utime(path_.c_str(), &times), 0);
  }
  /// The hashes of the reading task and of a task downstream of it.
  std::pair<jug::TaskHash, jug::TaskHash> hashes(jug::InputFileOptions options = {}) {
    jug::MemoryStore store;
    std::pair<jug::TaskHash, jug::TaskHash> h;
    jug::build_graph(
        [&] {
          auto reader = file_length(jug::input_file(path_, options));
          h = {reader.hash(), plus_one(reader).hash()};
        },
        store);
    return h;
  }

  std::string dir_, path_;
};

TEST_F(InputFileTest, TheFunctionReceivesThePath) {
  jug::MemoryStore store;
  std::optional<jug::Task<long>> reader;
  const jug::Graph graph =
      jug::build_graph([&] { reader = file_length(jug::input_file(path_)); }, store);
  const jug::AnyValue value = graph.node(reader->node_id()).body->run({});
  EXPECT_EQ(*static_cast<const long*>(value.get()), 5);
}

TEST_F(InputFileTest, AChangedFileChangesTheTaskAndWhatDependsOnIt) {
  set_mtime(1'700'000'000);
  const auto before = hashes();
  EXPECT_EQ(hashes(), before) << "unchanged file, same tasks";
  write("hello, world");  // another size
  set_mtime(1'700'000'000);
  const auto resized = hashes();
  EXPECT_NE(resized.first, before.first);
  EXPECT_NE(resized.second, before.second);
  set_mtime(1'700'000'100);  // touched: same size, new time
  EXPECT_NE(hashes().first, resized.first);
}

TEST_F(InputFileTest, HashingTheContentIgnoresTheTimeButNotTheBytes) {
  const jug::InputFileOptions content{.hash_content = true};
  set_mtime(1'700'000'000);
  const auto before = hashes(content);
  set_mtime(1'700'000'100);
  EXPECT_EQ(hashes(content), before) << "touched only";
  write("jello");  // same size, other bytes
  set_mtime(1'700'000'000);
  EXPECT_NE(hashes(content).first, before.first);
  EXPECT_NE(hashes(content).first, hashes().first) << "the two kinds of key never meet";
}

TEST_F(InputFileTest, AMissingFileIsAnErrorNamingIt) {
  const std::string missing = dir_ + "/missing.txt";
  try {
    jug::input_file(missing);
    FAIL() << "no error";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(jug::input_file(dir_), jug::Error);  // a directory
}

}  // namespace
