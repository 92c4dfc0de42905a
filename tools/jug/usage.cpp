#include "usage.hpp"

#include <fmt/format.h>

namespace jug::tool {

std::string subcommand_listing() {
  std::string text;
  for (const Subcommand& s : subcommands()) {
    text += fmt::format("  {:<13} {}\n", s.name, s.summary);
  }
  return text;
}

std::string usage() {
  return fmt::format(
      "usage: jug SUBCOMMAND [FILE] [options] [-- args]\n"
      "\n"
      "Runs SUBCOMMAND on a jugfile. FILE (default {0}, else jugfile.py) is a\n"
      "C++ source, compiled once and cached, an already built jugfile program,\n"
      "or a Python jugfile (.py), written for Python jug (docs/python.md).\n"
      "Arguments after -- are passed to the jugfile (jug::arguments(); a\n"
      "Python jugfile's sys.argv).\n"
      "\n"
      "subcommands:\n"
      "{1}"
      "\n"
      "  jug import OLD.jugdata  take over a store Python jug wrote (docs/python.md)\n"
      "  jug demo                write jug-demo/, a jugfile to try\n"
      "  jug test-jug            check this installation (a compiler, two workers, a store)\n"
      "  jug install-skills --output DIR   install jug's skill for AI assistants as DIR/jug\n"
      "  jug webstatus [FILE] [--port 8080] [--bind 127.0.0.1]   a live status page\n"
      "  jug NAME ...            run jug-NAME from PATH, your own subcommand (docs/jug-command.md)\n"
      "  jug SUBCOMMAND --help   the options of a subcommand\n"
      "  jug --version           the version of jug\n",
      kDefaultJugfile, subcommand_listing());
}

std::string generic_subcommand_help(const Subcommand& subcommand) {
  return fmt::format(
      "usage: jug {0} [FILE] [options] [-- args]\n"
      "\n"
      "{0}: {1}.\n"
      "\n"
      "FILE is the jugfile (default {2}, else jugfile.py). Its options are those of the\n"
      "jugfile's program; there is no jugfile here, so to list them give one:\n"
      "  jug {0} FILE --help\n",
      subcommand.name, subcommand.summary, kDefaultJugfile);
}

}  // namespace jug::tool
