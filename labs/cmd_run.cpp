// `tcplab run LAB`: the lab's segments as tcpdump prints them, with state changes, drops and
// application calls inline, then the check verdicts and the explanation.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "labs/terminal.hpp"
#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "labs/report.hpp"
#include "labs/run_control.hpp"
#include "labs/runner.hpp"
#include "sim/observer.hpp"
#include "sim/text_view.hpp"

namespace tcplab::cli {
namespace {

struct RunArgs {
  std::string lab;
  LabOptionArgs common;
  std::string trace, pcap, pcap_at = "client";
  bool timers = false, no_causes = false, absolute = false, quiet = false, observer = false;
  std::string observer_fields;
  std::string host, conn, only, color = "auto";
};

// The 4-tuple of a trace line's connection, the same both ways ("" for none, or a listener).
std::string conn_key(const std::string& label) {
  const auto gt = label.find('>');
  if (gt == std::string::npos || label.ends_with(":0")) return "";
  const std::string a = label.substr(0, gt), b = label.substr(gt + 1);
  return a < b ? a + ">" + b : b + ">" + a;
}

// Which lines `tcplab run` prints: --host, --conn, --only.
struct LineFilter {
  int host = -1;
  Ipv4 host_ip = 0;
  std::string conn;        // a conn_key, or "" for any
  std::size_t conn_n = 0;  // --conn N: the N-th connection in order of appearance
  bool states = true, segments = true, drops = true, apps = true, timers = true;
  std::vector<std::string> seen;  // conn keys in order of appearance (for conn_n)

  bool keep(const TraceEvent& e) {
    switch (e.type) {
      case TraceType::State: if (!states) return false; break;
      case TraceType::Send: if (!segments) return false; break;
      case TraceType::Drop: if (!drops) return false; break;
      case TraceType::App: if (!apps) return false; break;
      case TraceType::Timer: if (!timers) return false; break;
      case TraceType::Deliver: return false;
    }
    const std::string key = conn_key(e.conn);
    if (!key.empty() && std::find(seen.begin(), seen.end(), key) == seen.end()) seen.push_back(key);
    if (conn_n && (key.empty() || seen.size() < conn_n || seen[conn_n - 1] != key)) return false;
    if (!conn.empty() && key != conn) return false;
    if (host >= 0 && e.host != host) {
      // A segment (or its drop) sent to the host is one of its lines too, as in its tcpdump.
      if (e.type != TraceType::Send && e.type != TraceType::Drop) return false;
      const std::string ip = ip_to_string(host_ip) + ":";
      const auto gt = e.conn.find('>');
      if (gt == std::string::npos || e.conn.compare(gt + 1, ip.size(), ip) != 0) return false;
    }
    return true;
  }
};

LineFilter line_filter(const RunArgs& a, const Lab& lab) {
  LineFilter f;
  if (!a.host.empty()) {
    const auto h = capture_point(lab, a.host);
    if (!h || *h < 0) throw BadInput("--host: no host '" + a.host + "' in " + lab.name);
    f.host = *h;
    f.host_ip = lab.hosts[static_cast<std::size_t>(*h)].ip;
  }
  if (!a.conn.empty()) {
    if (a.conn.find_first_not_of("0123456789") == std::string::npos) {
      f.conn_n = std::stoul(a.conn.substr(0, 9));
      if (f.conn_n == 0) throw BadInput("--conn: '" + a.conn + "' is not a connection (1, 2, ... in order of appearance, or IP:PORT>IP:PORT)");
    } else {
      f.conn = conn_key(a.conn);
      if (f.conn.empty() || a.conn.find(':') == std::string::npos)
        throw BadInput("--conn: '" + a.conn + "' is not a connection (1, 2, ... in order of appearance, or IP:PORT>IP:PORT)");
    }
  }
  if (!a.only.empty()) {
    f.states = f.segments = f.drops = f.apps = f.timers = false;
    std::string rest = a.only;
    while (true) {
      const auto comma = rest.find(',');
      const std::string w = rest.substr(0, comma);
      if (w == "states") f.states = true;
      else if (w == "segments") f.segments = true;
      else if (w == "drops") f.drops = true;
      else if (w == "apps") f.apps = true;
      else if (w == "timers") f.timers = true;
      else throw BadInput("--only: '" + w + "' is not a kind of line (states, segments, drops, apps, timers)");
      if (comma == std::string::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return f;
}

// The capture point's name as the observer view prints it: "client (10.0.0.1)", "the link".
std::string capture_name(const RunArgs& a, const LabRun& r, int capture) {
  if (capture == kCaptureLink) return "the link (every segment at its send time)";
  const auto& h = r.lab.hosts[static_cast<std::size_t>(capture)];
  return fmt::format("{} ({}{})", h.name, ip_to_string(h.ip), a.pcap_at == "client" ? ", the default: the client" : "");
}

// --observer: Wireshark's view of the capture `--pcap` would write, beside the truth.
void print_observer(const RunArgs& a, const LabRun& r, int capture) {
  const auto frames = observe(r.sink->events, r.world.hosts().size(), capture);
  if (!a.observer_fields.empty()) {
    std::ofstream out(a.observer_fields, std::ios::binary);
    out << observer_fields(frames);
    if (!out) throw BadInput("--observer-fields: cannot write '" + a.observer_fields + "'");
  }
  if (a.observer && !a.quiet)
    std::cout << observer_text(frames, r.sink->events, r.world.host_names(), capture_name(a, r, capture));
}

int run(const RunArgs& a) {
  Lab lab = load_common(a.lab, a.common);
  LineFilter filter = line_filter(a, lab);
  bool paint_lines = false;
  if (a.color == "always") paint_lines = true;
  else if (a.color == "auto") paint_lines = color_stdout();
  else if (a.color != "never") throw BadInput("--color: '" + a.color + "' is not always, never or auto");
  const std::optional<int> capture = capture_point(lab, a.pcap_at);
  if (!capture) {
    std::string hosts;
    for (const auto& h : lab.hosts) hosts += " " + h.name;
    throw BadInput("--pcap-at: no host '" + a.pcap_at + "' in " + lab.name + " (client, link, or a host's name, tag or address:" + hosts + ")");
  }
  const LongRun long_run(max_memory_of(a.common));
  LabRun r = run_lab(std::move(lab), until_of(a.common), true, &long_run.control());
  const bool color = a.color == "auto" ? color_stdout() : paint_lines;
  std::cout << "# " << r.lab.name << ": " << r.lab.title << "\n";
  std::cout << "SEED=" << r.lab.seed;
  for (const auto& v : r.lab.vars) std::cout << "  " << v.name << "=" << v.value;
  std::cout << "\n";
  if (a.observer || !a.observer_fields.empty()) {
    print_observer(a, r, *capture);
  } else if (!a.quiet) {
    TextViewOptions o;
    o.timers = a.timers || (!a.only.empty() && filter.timers);
    o.causes = !a.no_causes;
    o.absolute = a.absolute;
    TextView tv(r.world.host_names(), o);
    for (const auto& e : r.sink->events) {
      const bool kept = filter.keep(e);
      const std::string l = tv.line(e);  // every line, so relative numbers stay tcpdump's
      if (!kept || l.empty()) continue;
      if (paint_lines && e.type == TraceType::Drop) std::cout << paint(Color::Red, l, true) << "\n";
      else if (paint_lines && e.type == TraceType::State) std::cout << paint(Color::Yellow, l, true) << "\n";
      else std::cout << l << "\n";
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
    sub.add_flag("--observer", a->observer,
                 "instead of the trace lines: the frames at the capture point (--pcap-at) with the labels "
                 "Wireshark's TCP analysis gives them ([TCP Retransmission], [TCP Dup ACK 3#1], ...) and "
                 "what the endpoints really knew; '≠' marks where the two differ, and why");
    sub.add_option("--observer-fields", a->observer_fields,
                   "write the observer view per frame to this file: number, tcp.analysis flags, "
                   "dup ACK number, why it differs (tab-separated; for comparing with tshark)");
    sub.add_flag("--timers", a->timers, "also print timer set/cancel/fire lines (~~)");
    sub.add_flag("--no-causes", a->no_causes, "leave out the RFC rule behind each state change");
    sub.add_flag("-S,--absolute", a->absolute, "absolute sequence numbers everywhere (tcpdump -S)");
    sub.add_flag("-q,--quiet", a->quiet, "only the verdicts");
    sub.add_option("--host", a->host, "only the lines of this host (name, tag or address): its state changes, app calls, "
                   "and the segments it sends or is sent");
    sub.add_option("--conn", a->conn, "only the lines of one connection: N (the N-th in order of appearance) or "
                   "IP:PORT>IP:PORT (either way round)");
    sub.add_option("--only", a->only, "only these kinds of lines, a comma list: states, segments, drops, apps, timers");
    sub.add_option("--color", a->color, "colour state changes and drops: auto (a terminal, and NO_COLOR unset), always, never");
    sub.footer("Examples:\n  tcplab run handshake\n  tcplab run lost-fin --seed 7 --trace lost-fin.jsonl\n"
               "  tcplab run time-wait-rebind --var restart=10s --pcap tw.pcap\n"
               "  tcplab run lossy-transfer --observer --pcap-at server\n"
               "Lines: packets as tcpdump prints them; '**' a state change [the rule]; 'XX' a drop; '..' an app call.\n"
               "Ids: B>A#3 is the 3rd segment host B sent to host A (tags A, B, ... in the lab's host order,\n"
               "not addresses); B>A.2#3 the same on the pair's 2nd connection.");
    return [a] { return run(*a); };
  }, "run a lab: tcpdump-style text with state changes, then the check verdicts"};
}

}  // namespace tcplab::cli
