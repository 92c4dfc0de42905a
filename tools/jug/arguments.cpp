#include "arguments.hpp"

#include <algorithm>
#include <array>

#include "cli/pattern_or_jugfile.hpp"
#include "cli/verbose_level.hpp"

namespace jug::tool {

namespace {

constexpr std::array<std::string_view, 29> kOptionsWithValue{
    "--jugdir",       "--target",          "--invalid",        "--cache-file",
    "-j",             "--jobs",            "--wait-cycle-time", "--nr-wait-cycles",
    "--retries",      "--lease-time",      "--max-crashes",    "--reconnect-time",
    "-n",             "--workers",         "--scheduler",      "--time",
    "--stop-before",  "--mem",             "--queue",          "--account",
    "--name",         "--pe",              "--option",         "--format",
    "-o",             "--output",          "--max-tasks",      "--progress-every",
    "--trace",
};

bool is_option(std::string_view argument) {
  // A lone "-" conventionally names stdin or stdout: a file, not an option.
  return argument.size() > 1 && argument.front() == '-';
}

}  // namespace

bool takes_patterns(std::string_view subcommand) { return cli::takes_patterns(subcommand); }

bool takes_separate_value(std::string_view argument) {
  return std::find(kOptionsWithValue.begin(), kOptionsWithValue.end(), argument) !=
         kOptionsWithValue.end();
}

ScannedArguments scan_arguments(std::span<const std::string> arguments, bool patterns) {
  ScannedArguments scanned;
  bool after_separator = false;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (after_separator) {
      scanned.others.push_back(argument);
    } else if (argument == "--") {
      after_separator = true;
      scanned.others.push_back(argument);
    } else if (argument == "--verbose" && i + 1 < arguments.size() &&
               verbose_level_says_more(arguments[i + 1])) {
      // Python jug's `--verbose info`: the level is no jugfile.
      scanned.others.push_back(argument);
      scanned.others.push_back(arguments[++i]);
    } else if (takes_separate_value(argument)) {
      scanned.others.push_back(argument);
      // A missing value is left for the program to complain about.
      if (i + 1 < arguments.size()) scanned.others.push_back(arguments[++i]);
    } else if (is_option(argument)) {
      if (argument == "--help" || argument == "-h") scanned.help = true;
      if (argument == "--version") scanned.version = true;
      scanned.others.push_back(argument);
    } else if (!scanned.file && (!patterns || cli::names_a_jugfile(argument))) {
      scanned.file = argument;
    } else {
      scanned.others.push_back(argument);
    }
  }
  return scanned;
}

std::vector<std::string> program_arguments(std::string_view program, std::string_view subcommand,
                                           std::string_view file,
                                           std::span<const std::string> others) {
  std::vector<std::string> argv;
  argv.reserve(others.size() + 3);
  argv.emplace_back(program);
  argv.emplace_back(subcommand);
  argv.emplace_back(file);
  argv.insert(argv.end(), others.begin(), others.end());
  return argv;
}

}  // namespace jug::tool
