#pragma once
/// `jug test-jug [--jugdir STORE]`: checks this installation in seconds, as
/// a user would on a new cluster node: the compile configuration and the
/// compiler are found, a small jugfile (tools/jug/selftest) compiles, two
/// workers share its tasks on a new store (or on STORE, a directory or a
/// Redis URL, whose other results are left alone), each task runs once, and
/// its result reads back right; the same for a Python jugfile where this
/// jug runs them. Prints each check as it goes; exits 1 naming the first
/// that fails.

#include <string>
#include <vector>

namespace jug::tool {

/// `args`: what follows `test-jug`. Returns the exit status.
int test_jug(const std::vector<std::string>& args);

}  // namespace jug::tool
