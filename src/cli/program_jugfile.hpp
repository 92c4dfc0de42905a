#pragma once
/// Which jugfile a program run directly (`./build/analysis execute`) is:
/// its source, so that it keeps its results where `jug execute
/// analysis.cpp` does, beside the source and outside the build tree, where
/// `rm -rf build` cannot take them.

#include <string>
#include <string_view>

namespace jug::cli {

/// `source` is the file that calls jug::main, as the compiler named it
/// (absolute under CMake; relative to the directory it was compiled in
/// otherwise, taken here as the working directory). When that file exists,
/// it is the jugfile (made absolute); when it does not (the program was
/// copied away from its source, or built elsewhere), the program itself is.
std::string program_jugfile(const std::string& program, std::string_view source);

/// True when `path` is the program running now: `jug execute build/analysis`
/// names the built program, which is then its own jugfile as above.
bool is_this_program(const std::string& path);

}  // namespace jug::cli
