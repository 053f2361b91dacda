#pragma once
// The `tcplab` command line is a set of subcommands, each in its own cmd_*.cpp file (the
// benchmarks in bench/), listed once in main.cpp in the order --help shows them. main()
// parses, runs the chosen one, and maps errors to exit codes: 0 ok, 1 a check failed, 2 bad
// input (DESIGN.md "Command line").
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
  // Adds the subcommand's options to `sub`; returns the function that runs it.
  std::function<std::function<int()>(CLI::App& sub)> setup;
  std::string description;
};

// One per subcommand, each defined in its own file.
Command list_command();        // labs/cmd_list.cpp
Command run_command();         // labs/cmd_run.cpp
Command check_command();       // labs/cmd_check.cpp
Command netstat_command();     // labs/cmd_netstat.cpp
Command ss_command();          // labs/cmd_netstat.cpp
Command step_command();        // labs/cmd_step.cpp
Command grade_command();       // labs/cmd_grade.cpp
Command torture_command();     // labs/cmd_torture.cpp
Command bench_command();       // bench/bench.cpp
Command bench_seek_command();  // bench/seek.cpp
Command pkt_command();         // labs/cmd_pkt.cpp
Command plot_command();        // labs/cmd_plot.cpp (not in the WebAssembly build)
Command draw_command();        // labs/cmd_draw.cpp (not in the WebAssembly build)
Command report_command();      // labs/cmd_report.cpp (not in the WebAssembly build)
Command bridge_command();      // labs/cmd_bridge.cpp (not in the WebAssembly build)
Command import_command();      // labs/cmd_import.cpp (not in the WebAssembly build)
Command completion_command();  // labs/cmd_docs.cpp
Command man_command();         // labs/cmd_docs.cpp (hidden)

// Thrown for bad input anywhere below a command; main prints it and exits 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tcplab::cli
