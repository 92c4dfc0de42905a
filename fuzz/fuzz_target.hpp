#pragma once
/// What the fuzz targets (fuzz/<name>_fuzzer.cpp, docs/testing.md "Fuzzing")
/// share. Each target is one LLVMFuzzerTestOneInput: libFuzzer calls it in
/// the fuzz build (scripts/fuzz); replay_main.cpp calls it over the corpus
/// and the regressions in every test run.
///
/// A target's contract: for any input, the parser it feeds returns, or
/// throws the exception types its header documents. Anything else is a
/// finding: a crash, a sanitizer's report, another exception (uncaught, it
/// aborts), a hang, an allocation beyond libFuzzer's limit, or a broken
/// invariant the target checks with expect().

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace jug::fuzz {

/// A file of a target's seed corpus: its name and its bytes.
struct Seed {
  std::string name;
  std::string bytes;
};

/// The seed corpus of the target linked in, made with the library itself
/// (a real segment, a real record...), so that the fuzzer starts past the
/// magic bytes and checksums. Each target defines it beside the layout of
/// its input; `<name>_fuzzer_replay --make-corpus DIR` writes it.
std::vector<Seed> seeds();

/// A finding unless `holds`: says what broke and aborts, which libFuzzer
/// and the replay both report with the input that did it.
inline void expect(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

/// A fuzz input read front to back: option bytes first, then the bytes fed
/// to the parser. Reading past the end gives zeros and empty views, so that
/// every input, the empty one too, is a valid one.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  /// The next `n` bytes, fewer at the end.
  std::string_view take(std::size_t n) {
    const std::string_view taken = rest_.substr(0, n);
    rest_.remove_prefix(taken.size());
    return taken;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

/// Where a fraction of `size` falls, the fraction given in 256ths by a byte
/// of the input: so that one byte places a cut anywhere in an input of any
/// length.
inline std::size_t fraction_of(std::size_t size, std::uint8_t in_256ths) {
  return size * in_256ths / 256;
}

}  // namespace jug::fuzz
