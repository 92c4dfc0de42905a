#pragma once
/// The texts the jug command prints about itself.

#include <string>

#include "subcommands.hpp"

namespace jug::tool {

/// The version of jug. CMake defines JUG_VERSION from project(); the
/// fallback only serves builds by hand.
#ifdef JUG_VERSION
inline constexpr const char* kVersion = JUG_VERSION;
#else
inline constexpr const char* kVersion = "0.1.0";
#endif

/// The jugfile used when the command line names none; the Python one where
/// only it exists (a Python jug user's directory).
inline constexpr const char* kDefaultJugfile = "jugfile.cpp";
inline constexpr const char* kDefaultPythonJugfile = "jugfile.py";

/// `jug --help`: how to call jug and the subcommands.
std::string usage();

/// The subcommands, one per line with their summary, indented.
std::string subcommand_listing();

/// `jug SUBCOMMAND --help` when there is no jugfile to ask: the options
/// belong to the jugfile's program, so this only says what the subcommand
/// does and how to see the rest.
std::string generic_subcommand_help(const Subcommand& subcommand);

}  // namespace jug::tool
