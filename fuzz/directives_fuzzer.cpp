// Fuzz target `directives`: the `// jug:` lines a jugfile says its own
// build with (tools/jug/directives.hpp), read from every jugfile the jug
// command compiles.
//
// Feeds: the whole input, as a jugfile's source, to parse_directives.
//
// Findings: any exception but ToolError (an unknown keyword); a crash, a
// sanitizer's report, a hang; and a flag, library or package that is empty
// or holds a blank (the words are split at blanks).

#include <algorithm>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "jug/directives.hpp"
#include "jug/tool_error.hpp"

namespace jug::fuzz {

std::vector<Seed> seeds() {
  return {
      {"all-keywords",
       "// jug: cxxflags -ffp-contract=off -Ithird_party features.cpp\n"
       "// jug: libs -ljpeg -llinear\n//jug:pkg eigen3 libpng\n"
       "#include <jug/jug.hpp>\n"},
      {"doc-comment", "/// jug: this is about jug, not to it\n  //   jug:   libs\t-lm\r\n"},
      {"unknown", "int x;\n// jug: cxxflag -O3\n"},
      {"no-final-newline", "// jug: pkg zlib"},
  };
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  jug::tool::Directives directives;
  try {
    directives = jug::tool::parse_directives(source, "fuzz.cpp");
  } catch (const jug::tool::ToolError&) {
    return 0;
  }
  for (const auto* words : {&directives.cxxflags, &directives.libs, &directives.packages}) {
    for (const std::string& word : *words) {
      jug::fuzz::expect(!word.empty() && word.find_first_of(" \t\r\n\f\v") == std::string::npos,
                        "a directive's word is empty or holds a blank");
    }
  }
  return 0;
}
