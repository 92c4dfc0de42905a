/// Tests of view_argument (src/commands/argument_view.hpp): an argument's
/// hash bytes read as a person reads them, whatever the bytes (they may come
/// from a damaged or foreign record): never a crash, never a read past them.

#include "commands/argument_view.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "engine/graph.hpp"

namespace {

std::string u64(std::uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

std::string value(std::string_view bytes) { return "V" + u64(bytes.size()) + std::string(bytes); }

std::string key(std::string_view text) { return "K" + u64(text.size()) + std::string(text); }

TEST(ArgumentView, PlainValuesSayTheirSize) {
  const jug::Graph graph;
  const jug::ArgumentView v = jug::view_argument(value("abcd"), graph);
  EXPECT_EQ(v.kind, "value");
  EXPECT_EQ(v.text, "a value of 4 bytes");
  EXPECT_EQ(jug::view_argument(value("a"), graph).text, "a value of 1 byte");
  EXPECT_EQ(jug::view_argument("D" + u64(5'000'000) + std::string(16, 'x'), graph).kind,
            "big value");
}

TEST(ArgumentView, ATaskOfTheGraphIsNamed) {
  jug::Graph graph;
  const jug::TaskHash h = jug::TaskHash::of("load");
  const jug::NodeId id = graph.add("load", h, {}, nullptr);
  const std::string bytes =
      "T" + std::string(reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size());
  const jug::ArgumentView v = jug::view_argument(bytes, graph);
  EXPECT_EQ(v.kind, "task");
  EXPECT_EQ(v.text, "task load " + h.hex().substr(0, 8));
  EXPECT_EQ(v.tasks, std::vector<jug::NodeId>{id});
  const jug::ArgumentView unknown = jug::view_argument("T" + std::string(32, '\x01'), graph);
  EXPECT_EQ(unknown.kind, "tasklet");
  EXPECT_TRUE(unknown.tasks.empty());
}

TEST(ArgumentView, StructuresCountTheirElementsAndCollectTheirTasks) {
  jug::Graph graph;
  const jug::TaskHash h = jug::TaskHash::of("t");
  graph.add("t", h, {}, nullptr);
  const std::string task =
      "T" + std::string(reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size());
  std::string sequence = "S" + u64(5);
  for (int i = 0; i < 5; ++i) sequence += task;
  const jug::ArgumentView v = jug::view_argument(sequence, graph);
  EXPECT_EQ(v.kind, "structure");
  EXPECT_EQ(v.tasks.size(), 5u);
  EXPECT_NE(v.text.find("a sequence of 5: task t "), std::string::npos) << v.text;
  EXPECT_NE(v.text.find(", and 2 more"), std::string::npos) << v.text;
  const std::string map = "M" + u64(1) + value("k") + value("v");
  EXPECT_EQ(jug::view_argument(map, graph).text, "a map of 1: a value of 1 byte");
}

TEST(ArgumentView, InputFilesAndKeys) {
  const jug::Graph graph;
  const jug::ArgumentView file = jug::view_argument(
      key("file\npath=data/x.csv\nsize=120\nmtime_ns=1700000000000000000"), graph);
  EXPECT_EQ(file.kind, "input file");
  EXPECT_EQ(file.text, "input file data/x.csv (120 bytes, modified 2023-11-14 22:13:20 UTC)");
  const jug::ArgumentView content =
      jug::view_argument(key("file-content\npath=x\nsha256=" + std::string(64, 'a')), graph);
  EXPECT_EQ(content.text, "input file x (contents sha256 aaaaaaaaaaaaaaaa)");
  EXPECT_EQ(jug::view_argument(key("v2.1"), graph).text, "hashed as \"v2.1\"");
  EXPECT_EQ(jug::view_argument("N", graph).kind, "unhashed");
}

TEST(ArgumentView, DigestsOfLongArguments) {
  const jug::Graph graph;
  EXPECT_EQ(jug::view_argument("#V" + std::string(16, 'x'), graph).kind, "digest");
}

TEST(ArgumentView, BytesThatDoNotReadAreOpaqueWhereverTheyStop) {
  // Every prefix of a well-formed nested argument, and other bytes: none
  // reads past its end (ASan would say), each gives a kind.
  const jug::Graph graph;
  const std::string whole = "U" + u64(2) + value("abc") + ("S" + u64(1) + key("k"));
  EXPECT_EQ(jug::view_argument(whole, graph).kind, "structure");
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const jug::ArgumentView v = jug::view_argument(whole.substr(0, n), graph);
    EXPECT_EQ(v.kind, "opaque") << n;
  }
  EXPECT_EQ(jug::view_argument(whole + "x", graph).kind, "opaque");
  EXPECT_EQ(jug::view_argument("V" + u64(~0ull), graph).kind, "opaque");
  EXPECT_EQ(jug::view_argument("S" + u64(~0ull), graph).kind, "opaque");
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "S" + u64(1);
  EXPECT_EQ(jug::view_argument(deep + "N", graph).kind, "opaque") << "too deep to follow";
}

TEST(InputFileKey, ParsesJugsKeysOnly) {
  const auto k = jug::parse_input_file_key("file\npath=a b\nsize=3\nmtime_ns=7");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->path, "a b");
  EXPECT_EQ(k->size, "3");
  EXPECT_EQ(k->mtime_ns, "7");
  EXPECT_FALSE(k->sha256);
  EXPECT_FALSE(jug::parse_input_file_key("file"));
  EXPECT_FALSE(jug::parse_input_file_key("file\nsize=3"));
  EXPECT_FALSE(jug::parse_input_file_key("files\npath=x"));
  EXPECT_FALSE(jug::parse_input_file_key("file\npath"));
}

}  // namespace
