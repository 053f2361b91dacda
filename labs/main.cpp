// tcplab: run, check, step through and grade TCP labs; benchmark the engine.
#include <algorithm>
#include <iostream>

#include "labs/cli.hpp"

namespace tcplab::cli {

static std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
bool register_command(Command c) {
  registry().push_back(std::move(c));
  return true;
}
const std::vector<Command>& commands() { return registry(); }

}  // namespace tcplab::cli

int main(int argc, char** argv) {
  using namespace tcplab::cli;
  CLI::App app{"tcplab: a user-space TCP (RFC 9293) simulator and teaching lab.\n"
               "LAB is a built-in lab's name (see `tcplab list`) or a path to a .toml lab file.",
               "tcplab"};
  app.require_subcommand(1);
  app.footer("Examples:\n  tcplab list\n  tcplab run handshake\n  tcplab run lost-fin --trace t.jsonl --pcap t.pcap\n"
             "  tcplab check labs/catalogue/*.toml --junit report.xml\n  tcplab netstat syn-flood --at 2s\n"
             "Exit codes: 0 ok, 1 a check failed, 2 bad input.");
  auto cmds = commands();
  std::sort(cmds.begin(), cmds.end(), [](const Command& a, const Command& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
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
  } catch (const std::exception& e) {
    std::cerr << "tcplab: internal error: " << e.what() << "\n";
    return 3;
  }
  return kBadInput;
}
