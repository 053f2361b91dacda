// tcplab: run, check, step through and grade TCP labs; benchmark the engine.
#include <iostream>
#include <new>

#include "labs/cli.hpp"
#include "labs/cli_docs.hpp"

namespace tcplab::cli {
namespace {

// Every subcommand, in the order `tcplab --help` lists them.
std::vector<Command> all_commands() {
  return {
      list_command(),  run_command(),   check_command(),   netstat_command(),    ss_command(),    step_command(),
#ifndef __EMSCRIPTEN__  // cairo is not in the browser build
      plot_command(),  draw_command(),  report_command(),
#endif
      grade_command(), bench_command(), torture_command(), bench_seek_command(),
#ifndef __EMSCRIPTEN__  // the TUN bridge to a real kernel has no place in a browser
      pkt_command(),   bridge_command(),  import_command(),
#endif
      completion_command(), man_command(),
  };
}

}  // namespace
}  // namespace tcplab::cli

int main(int argc, char** argv) {
  using namespace tcplab::cli;
  CLI::App app{"tcplab: a user-space TCP (RFC 9293) simulator and teaching lab.\n"
               "LAB is a built-in lab's name (see `tcplab list`) or a path to a .toml lab file.",
               "tcplab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_string());
  app.footer("Examples:\n  tcplab list\n  tcplab run handshake\n  tcplab run lost-fin --trace t.jsonl --pcap t.pcap\n"
             "  tcplab check labs/catalogue/*.toml --junit report.xml\n  tcplab netstat syn-flood --at 2s\n  tcplab ss lossy-transfer --at 1s -tinoe\n"
             "Exit codes: 0 ok, 1 a check failed, 2 bad input.");
  const std::vector<Command> cmds = all_commands();
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const auto& c : cmds) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    runners.emplace_back(sub, c.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kBadInput;
  }
  try {
    for (auto& [sub, run] : runners)
      if (sub->parsed()) return run();
  } catch (const BadInput& e) {
    std::cerr << "tcplab: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::bad_alloc&) {
    // A lab's generators are costed before it runs and a run stops at --max-memory; this
    // is what is left: the machine has less memory than the limit allows.
    std::cerr << "tcplab: out of memory: this machine cannot hold what the lab asks for; "
                 "lower --max-memory below the free memory to stop the run cleanly\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "tcplab: internal error: " << e.what() << "\n";
    return 3;
  }
  return kBadInput;
}
