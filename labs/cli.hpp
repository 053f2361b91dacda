#pragma once
// The `tcplab` command line is a set of subcommands, each in its own cmd_*.cpp file that
// registers itself here. main() parses, runs the chosen one, and maps errors to exit codes:
// 0 ok, 1 a check failed, 2 bad input (DESIGN.md "Command line").
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tcplab::cli {

// What a subcommand's run function returns.
constexpr int kOk = 0, kCheckFailed = 1, kBadInput = 2;

struct Command {
  std::string name;
  int order = 100;  // position in --help
  // Adds the subcommand's options to `sub`; returns the function that runs it.
  std::function<std::function<int()>(CLI::App& sub)> setup;
  std::string description;
};

bool register_command(Command c);
const std::vector<Command>& commands();

// Thrown for bad input anywhere below a command; main prints it and exits 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tcplab::cli
