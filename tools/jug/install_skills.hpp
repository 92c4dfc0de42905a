#pragma once
/// `jug install-skills --output DIR [--force]`, Python jug 2.5's subcommand:
/// installs jug's "skill" (what an AI coding assistant reads to help with
/// jugfiles: SKILL.md, references, examples) as DIR/jug. Ours describes
/// this jug, C++ and Python jugfiles alike (tools/jug/skill, compiled in).
/// An existing DIR/jug is replaced only with --force.

#include <string>
#include <vector>

namespace jug::tool {

/// `args`: what follows the subcommand. Returns the exit status; throws
/// ToolError for a usage error or a directory it cannot write.
int install_skills(const std::vector<std::string>& args);

}  // namespace jug::tool
