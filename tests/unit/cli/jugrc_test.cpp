/// Tests of jugrc files (src/cli/jugrc.hpp) as Python jug reads them: the
/// INI syntax of configparser, its booleans, and which files count, in
/// which order.

#include "cli/jugrc.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "jug/errors.hpp"

namespace {

namespace fs = std::filesystem;

TEST(Jugrc, TheSyntaxOfConfigparser) {
  const auto settings = jug::cli::parse_jugrc(
      "# a comment\n; another\n\n[main]\njugdir = data.jugdata\nWill_Cite: yes\n"
      "[execute]\ntarget = /fit/\n  and more\nempty =\n",
      "f", 3);
  ASSERT_EQ(settings.size(), 4u);
  EXPECT_EQ(settings[0].section, "main");
  EXPECT_EQ(settings[0].key, "jugdir");
  EXPECT_EQ(settings[0].value, "data.jugdata");
  EXPECT_EQ(settings[0].source, "f:5");
  EXPECT_EQ(settings[0].file, 3u);
  EXPECT_EQ(settings[1].key, "will-cite") << "any case, '_' as '-'";
  EXPECT_EQ(settings[1].value, "yes");
  EXPECT_EQ(settings[2].section, "execute");
  EXPECT_EQ(settings[2].value, "/fit/\nand more") << "an indented line goes on the value";
  EXPECT_EQ(settings[3].value, "");
}

TEST(Jugrc, MistakesNameTheirLine) {
  EXPECT_THROW(jug::cli::parse_jugrc("key = 1\n", "f"), jug::Error);
  EXPECT_THROW(jug::cli::parse_jugrc("[main]\njust words\n", "f"), jug::Error);
  EXPECT_THROW(jug::cli::parse_jugrc("[main\n", "f"), jug::Error);
  EXPECT_THROW(jug::cli::parse_jugrc("[main]\n= value\n", "f"), jug::Error);
  try {
    jug::cli::parse_jugrc("[main]\n\njust words\n", "the/jugrc");
    ADD_FAILURE();
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("the/jugrc:3"), std::string::npos) << e.what();
  }
}

TEST(Jugrc, PythonJugsBooleans) {
  for (const char* no : {"", "0", "false", "False", "OFF", " off "}) {
    EXPECT_FALSE(jug::cli::jugrc_true(no)) << no;
  }
  for (const char* yes : {"1", "true", "yes", "on", "no"}) {
    EXPECT_TRUE(jug::cli::jugrc_true(yes)) << yes << " (as Python jug: only those four are false)";
  }
}

class JugrcFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("jug-jugrc-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "home/.config/jug");
    fs::create_directories(root_ / "repo/a/b");
  }
  void TearDown() override { fs::remove_all(root_); }
  void touch(const fs::path& p) { std::ofstream(root_ / p) << "[main]\n"; }
  std::vector<std::string> files() {
    std::vector<std::string> out;
    for (const fs::path& p : jug::cli::jugrc_files(root_ / "repo/a/b",
                                                    (root_ / "home").c_str())) {
      out.push_back(fs::relative(p, root_).string());
    }
    return out;
  }
  fs::path root_;
};

TEST_F(JugrcFiles, TheFirstGlobalThenFromTheGitRootDown) {
  touch("home/.config/jug/jugrc");
  touch("home/.config/jugrc");
  touch("repo/jugrc");
  touch("repo/a/b/jugrc");
  touch("repo/a/b/.jugrc");
  EXPECT_EQ(files(), (std::vector<std::string>{"home/.config/jug/jugrc", "repo/a/b/jugrc",
                                               "repo/a/b/.jugrc"}))
      << "no git root: the working directory alone";
  fs::create_directory(root_ / "repo/.git");
  EXPECT_EQ(files(), (std::vector<std::string>{"home/.config/jug/jugrc", "repo/jugrc",
                                               "repo/a/b/jugrc", "repo/a/b/.jugrc"}));
  fs::remove(root_ / "home/.config/jug/jugrc");
  EXPECT_EQ(files().front(), "home/.config/jugrc");
}

}  // namespace
