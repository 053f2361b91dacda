// `tcplab import CAPTURE`: a real capture (pcap or pcapng, from tcpdump or Wireshark) read as
// tcplab reads its own runs: the segments as tcpdump prints them, with each side's inferred
// state changes and the RFC rule behind them; --trace writes the JSON Lines trace; --findings
// names the reference article's pathologies with their evidence. The importer is import/.
#include <array>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "import/findings.hpp"
#include "import/import_file.hpp"
#include "labs/capture_fit.hpp"
#include "labs/capture_lab.hpp"
#include "labs/cli.hpp"
#include "sim/text_view.hpp"

namespace tcplab::cli {
namespace {

struct ImportArgs {
  std::string capture, filter, at_host, trace, to_lab;
  std::size_t conn = 1;
  bool findings = false, quiet = false, no_causes = false, absolute = false, states_only = false;
};

// The handshake's RTT as the capture point measured it. At the opener the SYN,ACK comes one RTT
// after the SYN (the ACK after it is only the opener's own processing, which on a fast link can
// be longer than the RTT); at the other side the ACK comes one RTT after the SYN,ACK; on the path,
// from the SYN to the ACK.
Duration handshake_rtt(const std::vector<TraceEvent>& sends, int near) {
  // Each side's SYN copy that was answered (the last before the peer's first SYN,ACK), the
  // peer's first SYN,ACK, the last SYN,ACK copy before the opener's ACK and that ACK (0: the
  // opener, whose SYN came first; 1: the other side, which sent a SYN too in a simultaneous open).
  std::string opener;
  std::array<Instant, 2> syn{-1, -1}, synack{-1, -1}, last_synack{-1, -1};
  Instant ack = -1;
  for (const TraceEvent& e : sends) {
    const std::string src = e.conn.substr(0, e.conn.find('>'));
    if (opener.empty() && e.seg.has(kSyn) && !e.seg.has(kAck)) opener = src;
    const std::size_t x = src == opener ? 0 : 1;
    if (e.seg.has(kSyn) && !e.seg.has(kAck)) {
      if (synack[1 - x] < 0) syn[x] = e.t_ns;
    } else if (e.seg.has(kSyn)) {
      if (synack[x] < 0) synack[x] = e.t_ns;
      if (ack < 0) last_synack[x] = e.t_ns;
    } else if (e.seg.has(kAck) && x == 0 && syn[0] >= 0 && synack[1] >= 0 && ack < 0) {
      ack = e.t_ns;
    }
  }
  // At a side that sent a SYN: from it to the peer's SYN,ACK that answers it. At the side that
  // only answered: from its SYN,ACK to the opener's ACK. On the path: SYN to ACK.
  if (near >= 0 && syn[static_cast<std::size_t>(near)] >= 0 && synack[static_cast<std::size_t>(1 - near)] >= 0)
    return synack[static_cast<std::size_t>(1 - near)] - syn[static_cast<std::size_t>(near)];
  if (near == 1 && last_synack[1] >= 0 && ack >= 0) return ack - last_synack[1];
  if (near < 0 && syn[0] >= 0 && ack >= 0) return ack - syn[0];
  return -1;
}

void write_lab(const ImportArgs& a, const std::vector<TraceEvent>& sends, std::size_t conns, const std::string& capture_host) {
  if (sends.empty())
    throw BadInput(fmt::format("--conn {}: the capture has {} connection{}", a.conn, conns, conns == 1 ? "" : "s"));
  CaptureLabInput in;
  in.capture = a.capture.substr(a.capture.rfind('/') + 1);
  in.sends = sends;
  for (const TraceEvent& e : sends)
    if (e.seg.has(kSyn) && !e.seg.has(kAck)) {
      const std::string o = e.conn.substr(0, e.conn.find('>')), p = e.conn.substr(e.conn.find('>') + 1);
      in.addresses = {o.substr(0, o.rfind(':')), p.substr(0, p.rfind(':'))};
      break;
    }
  if (!capture_host.empty() && in.addresses.size() == 2)
    in.near = capture_host == in.addresses[0] ? 0 : capture_host == in.addresses[1] ? 1 : -1;
  in.rtt = handshake_rtt(sends, in.near);
  CaptureFit fit;
  try {
    fit = fit_capture_lab(in);
  } catch (const std::exception& ex) {
    throw BadInput(fmt::format("--to-lab: connection {}: {}", a.conn, ex.what()));
  }
  std::ofstream out(a.to_lab);
  if (!(out << fit.toml)) throw BadInput("--to-lab: cannot write '" + a.to_lab + "'");
  std::cerr << "note: wrote " << a.to_lab << " (connection " << a.conn << " of " << conns << ")\n";
  if (!fit.rules.empty())
    std::cerr << fmt::format("note: replaying it found {} segment{} of the far side lost before the capture point\n",
                             fit.rules.size(), fit.rules.size() == 1 ? "" : "s");
  if (fit.far_scripted)
    std::cerr << fmt::format("note: the {} replays its captured segments as a scripted peer (its timing followed more than this connection){}\n",
                             in.near == 0 ? "server" : "client",
                             fit.near_cc.empty() ? "" : fmt::format("; the {}'s congestion control: {}", in.near == 0 ? "client" : "server", fit.near_cc));
  if (fit.near_scripted)
    std::cerr << fmt::format("note: the {} (the capture host) replays its captured segments as a scripted peer (no application's calls made its stack send them as captured)\n",
                             in.near == 0 ? "client" : "server");
  if (fit.far_gro > 0)
    std::cerr << fmt::format("note: the {} acknowledged back-to-back segments once each run: its kernel merged them before its TCP took them (GRO, or its socket backlog), tcp.gro = \"{}us\"\n",
                             in.near == 0 ? "server" : "client", fit.far_gro / 1000);
  if (fit.other_syn_from_last)
    std::cerr << "note: both ends connected and sent their SYNs again before they crossed: the server's connect() is timed from its last SYN\n";
  if (in.near >= 0 && fit.replayed < fit.captured)
    std::cerr << fmt::format("note: the lab replays the capture's first {} of {} segments in order (then timing or losses it cannot tell differ)\n",
                             fit.replayed, fit.captured);
}

int run_import(const ImportArgs& a) {
  if (a.conn == 0) throw BadInput("--conn: connections are numbered from 1");
  capture::ImportRequest req;
  req.path = a.capture;
  req.filter = a.filter;
  req.infer.at_host = a.at_host;
  std::unique_ptr<std::ofstream> trace;
  if (!a.trace.empty()) {
    trace = std::make_unique<std::ofstream>(a.trace);
    if (!*trace) throw BadInput("--trace: cannot write '" + a.trace + "'");
  }
  // Hosts are named by their addresses, met while the capture is read.
  const capture::AddressBook* book = nullptr;
  TextViewOptions vo;
  vo.causes = !a.no_causes;
  vo.absolute = a.absolute;
  TextView view({}, vo);
  view.set_address_text([&](Ipv4 key) { return book ? book->text(key) : ip_to_string(key); });
  view.set_host_text([&](int h) {
    const auto& n = book->host_names();
    return h >= 0 && static_cast<std::size_t>(h) < n.size() ? n[static_cast<std::size_t>(h)] : std::string("?");
  });
  capture::Findings findings;
  findings.set_host_text([&](int h) {
    const auto& n = book->host_names();
    return h >= 0 && static_cast<std::size_t>(h) < n.size() ? n[static_cast<std::size_t>(h)] : std::string("?");
  });
  // --to-lab: the sends of the N-th connection (in order of appearance).
  std::vector<std::string> conn_keys;
  std::vector<TraceEvent> lab_sends;
  const auto on_event = [&](const TraceEvent& e) {
    if (!a.to_lab.empty() && e.type == TraceType::Send) {
      const std::string key = capture_conn_key(e);
      if (std::find(conn_keys.begin(), conn_keys.end(), key) == conn_keys.end()) conn_keys.push_back(key);
      if (conn_keys.size() >= a.conn && conn_keys[a.conn - 1] == key) lab_sends.push_back(e);
    }
    const std::vector<std::string>& names = book->host_names();
    if (a.findings) findings.event(e);
    if (trace) *trace << to_json_line(e, names) << '\n';
    if (a.quiet || (a.states_only && e.type != TraceType::State)) return;
    TraceEvent shown = e;
    shown.t_ns %= sec(86400);  // tcpdump prints the time of day
    const std::string l = view.line(shown);
    if (!l.empty()) std::cout << l << '\n';
  };
  capture::Inference::ConnFn on_end;
  if (a.findings) on_end = [&](const capture::ConnInfo& c) { findings.conn_end(c); };
  capture::ImportSummary s = capture::import_capture(req, on_event, on_end, &book);
  if (!s.ok) throw BadInput(s.error);
  std::cout.flush();
  for (const std::string& n : s.notes) std::cerr << n << '\n';
  if (a.findings) std::cout << (a.quiet ? "" : "\n") << findings.report(s.live, s.last, s.host_names);
  if (!a.to_lab.empty()) write_lab(a, lab_sends, conn_keys.size(), s.capture_host);
  return kOk;
}

}  // namespace

Command import_command() {
  return {"import", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<ImportArgs>();
    sub.add_option("CAPTURE", a->capture, "a pcap or pcapng file (tcpdump -w, Wireshark, dumpcap)")->required();
    sub.add_option("--filter", a->filter, "only the packets this BPF filter passes, as tcpdump takes it, e.g. \"tcp port 9502\"");
    sub.add_option("--at-host", a->at_host,
                   "the address of the host the capture was taken on: its side is seen exactly, the far side inferred "
                   "(default: the address in every segment, if one is; else a capture on the path)");
    sub.add_option("--trace", a->trace, "write the trace as JSON Lines to this file (the keys of `tcplab run --trace`)");
    sub.add_flag("--findings", a->findings,
                 "after the lines, the reference article's pathologies found in the capture, with its explanation and the evidence");
    auto* to_lab = sub.add_option("--to-lab", a->to_lab,
                                  "write a lab (TOML) that replays one connection: delay from its handshake, app calls from its data, losses as faults");
    sub.add_option("--conn", a->conn, "with --to-lab: which connection, 1 for the first in order of appearance (default 1)")->needs(to_lab);
    sub.add_flag("--states", a->states_only, "only the inferred state changes (no segment lines)");
    sub.add_flag("--no-causes", a->no_causes, "leave out the rule behind each state change");
    sub.add_flag("-S,--absolute", a->absolute, "absolute sequence numbers everywhere (tcpdump -S)");
    sub.add_flag("-q,--quiet", a->quiet, "no lines (with --findings: only the report)");
    sub.footer(
        "Examples:\n"
        "  tcplab run handshake --pcap handshake.pcap -q && tcplab import handshake.pcap\n"
        "  tcplab run lost-fin --pcap lost-fin.pcap --pcap-at server -q && tcplab import lost-fin.pcap --at-host 10.0.0.2 --findings\n"
        "  tcplab run syn-flood --pcap flood.pcap --pcap-at server -q && tcplab import flood.pcap --findings -q\n"
        "  tcplab run handshake --pcap handshake.pcap -q && tcplab import handshake.pcap --filter \"tcp port 9502\" --trace h.jsonl\n"
        "  tcplab run lost-fin --pcap lf.pcap -q; tcplab import lf.pcap -q --to-lab lf-lab.toml --conn 1 && tcplab run lf-lab.toml\n"
        "Lines as `tcplab run` prints them; '**' an inferred state change [inferred (where from): the RFC 9293 rule].\n"
        "The capture host's side is exact; the far side's changes are placed by the one-way delay (half the handshake's\n"
        "RTT) and known only from its answers. Times are the capture's time of day. Skipped frames (not TCP, cut, bad\n"
        "headers) and bad checksums are counted on stderr, one line each. Exit 2 only when nothing can be read.");
    return [a] { return run_import(*a); };
  }, "read a real capture (pcap/pcapng): each side's inferred states with their RFC rule, the trace, the article's findings"};
}

}  // namespace tcplab::cli
