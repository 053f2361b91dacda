// `tcplab run LAB`: the lab's segments as tcpdump prints them, with state changes, drops and
// application calls inline, then the check verdicts and the explanation.
#include <iostream>
#include <unistd.h>

#include "labs/terminal.hpp"
#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "labs/report.hpp"
#include "labs/run_control.hpp"
#include "labs/runner.hpp"
#include "sim/text_view.hpp"

namespace tcplab::cli {
namespace {

struct RunArgs {
  std::string lab;
  LabOptionArgs common;
  std::string trace, pcap, pcap_at = "client";
  bool timers = false, no_causes = false, absolute = false, quiet = false;
};

int run(const RunArgs& a) {
  Lab lab = load_common(a.lab, a.common);
  const std::optional<int> capture = capture_point(lab, a.pcap_at);
  if (!capture) {
    std::string hosts;
    for (const auto& h : lab.hosts) hosts += " " + h.name;
    throw BadInput("--pcap-at: no host '" + a.pcap_at + "' in " + lab.name + " (client, link, or a host's name, tag or address:" + hosts + ")");
  }
  const LongRun long_run(max_memory_of(a.common));
  LabRun r = run_lab(std::move(lab), until_of(a.common), true, &long_run.control());
  const bool color = color_stdout();
  std::cout << "# " << r.lab.name << ": " << r.lab.title << "\n";
  std::cout << "SEED=" << r.lab.seed;
  for (const auto& v : r.lab.vars) std::cout << "  " << v.name << "=" << v.value;
  std::cout << "\n";
  if (!a.quiet) {
    TextViewOptions o;
    o.timers = a.timers;
    o.causes = !a.no_causes;
    o.absolute = a.absolute;
    TextView tv(r.world.host_names(), o);
    for (const auto& e : r.sink->events) {
      const std::string l = tv.line(e);
      if (!l.empty()) std::cout << l << "\n";
    }
  }
  if (!a.trace.empty()) {
    if (auto err = write_jsonl(r, a.trace); !err.empty()) throw BadInput("--trace: " + err);
  }
  if (!a.pcap.empty()) {
    if (auto err = write_pcap(r, a.pcap, *capture); !err.empty()) throw BadInput("--pcap: " + err);
  }
  if (!r.stopped.empty()) {
    std::cout << "\n" << stopped_line(r) << "\n";
    std::cerr << "tcplab: " << stopped_line(r) << "\n";
  }
  if (!r.results.empty()) {
    std::cout << "\nchecks:\n";
    print_verdicts(std::cout, reproduce_command(a.lab, r.lab, a.common), r.results, color);
  }
  // -q is "only the verdicts": the explanation is the long text a class reads once.
  if (!a.quiet && !r.lab.explanation.empty()) std::cout << "\n" << r.lab.explanation << (r.lab.explanation.back() == '\n' ? "" : "\n");
  if (!r.stopped.empty()) return stopped_exit_code(r);
  return r.all_passed() ? kOk : kCheckFailed;
}

}  // namespace

Command run_command() {
  return {"run", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<RunArgs>();
    sub.add_option("LAB", a->lab, "a built-in lab's name or a .toml file")->required();
    add_lab_options(sub, a->common);
    sub.add_option("--trace", a->trace, "write the trace as JSON Lines to this file");
    sub.add_option("--pcap", a->pcap, "write the segments to a pcap file (Raw IP) for Wireshark/tshark");
    sub.add_option("--pcap-at", a->pcap_at,
                   "where the pcap is captured: 'client' (default: the host of the first app that connects, "
                   "like a student's tcpdump there), a host (name, tag or address: what tcpdump on it would "
                   "see, arrivals at their arrival time), or 'link' (every segment sent, at its send time)");
    sub.add_flag("--timers", a->timers, "also print timer set/cancel/fire lines (~~)");
    sub.add_flag("--no-causes", a->no_causes, "leave out the RFC rule behind each state change");
    sub.add_flag("-S,--absolute", a->absolute, "absolute sequence numbers everywhere (tcpdump -S)");
    sub.add_flag("-q,--quiet", a->quiet, "only the verdicts");
    sub.footer("Examples:\n  tcplab run handshake\n  tcplab run lost-fin --seed 7 --trace lost-fin.jsonl\n"
               "  tcplab run time-wait-rebind --var restart=10s --pcap tw.pcap\n"
               "Lines: packets as tcpdump prints them; '**' a state change [the rule]; 'XX' a drop; '..' an app call.\n"
               "Ids: B>A#3 is the 3rd segment host B sent to host A (tags A, B, ... in the lab's host order,\n"
               "not addresses); B>A.2#3 the same on the pair's 2nd connection.");
    return [a] { return run(*a); };
  }, "run a lab: tcpdump-style text with state changes, then the check verdicts"};
}

}  // namespace tcplab::cli
