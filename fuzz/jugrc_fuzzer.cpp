// Fuzz target `jugrc`: configuration files (src/cli/jugrc.hpp), INI as
// Python's configparser reads it, found in the user's home and in every
// directory from the git root down: whatever a user or a tool left there.
//
// Feeds: the whole input, as a file's text, to parse_jugrc; each value it
// reads to jugrc_true.
//
// Findings: any exception but jug::Error (a line that is no setting,
// section or comment); a crash, a sanitizer's report, a hang; and a
// setting whose key is not an option's long name as the header promises
// (empty, upper case, '_' not made '-') or that lies outside any section.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "cli/jugrc.hpp"
#include "fuzz/fuzz_target.hpp"
#include "jug/errors.hpp"

namespace jug::fuzz {

std::vector<Seed> seeds() {
  return {
      {"sections",
       "# jug's options\n; for every subcommand\n[main]\njugdir = data.jugdata\n"
       "Will_Cite: yes\n\n[execute]\ntarget = /fit/\n  and more\nempty =\n"},
      {"continued", "[status]\ncache=on\n\tsecond line\n    third: line\n[main]\n  not a value\n"},
      {"crlf", "[main]\r\nverbose = debug\r\n[execute]\r\naggressive-unload=False\r\n"},
      {"no-section", "jugdir = x\n"},
      {"bad-header", "[main\nkey = value\n"},
      {"no-delimiter", "[main]\njust words\n"},
  };
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jug::fuzz::expect;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<jug::cli::JugrcSetting> settings;
  try {
    settings = jug::cli::parse_jugrc(text, "fuzz/jugrc", 1);
  } catch (const jug::Error&) {
    return 0;
  }
  for (const jug::cli::JugrcSetting& setting : settings) {
    expect(!setting.section.empty(), "a setting outside any section");
    expect(!setting.key.empty() &&
               std::none_of(
                   setting.key.begin(), setting.key.end(),
                   [](char c) { return c == '_' || std::isupper(static_cast<unsigned char>(c)); }),
           "a setting's key is not an option's long name (empty, upper case, or with '_')");
    expect(setting.source.starts_with("fuzz/jugrc:") && setting.file == 1,
           "a setting does not name the file it came from");
    (void)jug::cli::jugrc_true(setting.value);
  }
  return 0;
}
