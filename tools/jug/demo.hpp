#pragma once
/// `jug demo`: writes jug-demo/ in the working directory, with jug's demo
/// jugfile (primes, tools/jug/demo/jugfile.cpp) and, where this jug runs
/// Python jugfiles, its Python twin (primes.py), and prints what to try.
/// An existing jug-demo/ is left as it is.

namespace jug::tool {

/// Returns the exit status.
int write_demo();

}  // namespace jug::tool
