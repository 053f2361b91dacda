// `tcplab pkt SCRIPT.pkt...`: packetdrill-format scripts (issue 15) played against tcplab's
// stack or the real Linux kernel. Each line is printed as it is checked; the first mismatch
// prints file:line, what the script expected and what happened, and the script fails.
// Exit: 0 all passed, 1 a script failed, 2 a bad script or option.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "labs/cli.hpp"
#include "labs/grader_formats.hpp"
#include "pkt/runner.hpp"
#include "pkt/script.hpp"
#include "pkt/target.hpp"
#include "sim/trace.hpp"
#include "stack/wire/pcap.hpp"

namespace tcplab::cli {
namespace {

struct PktArgs {
  std::vector<std::string> scripts;
  std::string against = "tcplab";
  std::string profile = "linux";
  std::vector<std::string> tcp;  // key=value: sysctl names without "net.ipv4."
  std::string tolerance = "4ms";
  std::string trace_path, pcap_path, junit_path, states_path;
  bool quiet = false;
};

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw BadInput(fmt::format("{}: cannot read the script", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

Duration parse_tolerance(const std::string& t) {
  // "4ms", "500us", "0.01s"
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = t.substr(used);
  double scale = unit == "s" ? 1e9 : unit == "ms" ? 1e6 : unit == "us" ? 1e3 : unit == "ns" ? 1 : -1;
  if (used == 0 || scale < 0 || v < 0 || v * scale > 10e9)
    throw BadInput(fmt::format("--tolerance {}: expected a duration such as 4ms, 500us or 0.01s (at most 10s)", t));
  return static_cast<Duration>(v * scale);
}

// Writes the segments of one script as JSON Lines: {"t_ns", "dir", "flags", "seq", "ack", "len", "win"}.
struct TraceOut {
  std::ofstream f;
  void write(const std::string& script, bool from_stack, Instant at, const Segment& s) {
    f << fmt::format(R"({{"script":"{}","t_ns":{},"dir":"{}","flags":"{}","seq":{},"ack":{},"len":{},"win":{}}})", script, at,
                     from_stack ? "out" : "in", flag_letters(s.flags), s.seq.raw(), s.ack.raw(), s.payload.size(), s.wnd)
      << "\n";
  }
};

std::unique_ptr<pkt::Target> make_target(const PktArgs& a, Instant offset) {
  if (a.against == "kernel") {
    if (auto why = pkt::kernel_target_unavailable(); !why.empty())
      throw BadInput(fmt::format("--against kernel: cannot run here: {}", why));
    try {
      return pkt::make_kernel_target(a.states_path, offset);
    } catch (const std::runtime_error& e) {
      throw BadInput(e.what());
    }
  }
  const auto p = parse_profile(a.profile);
  if (!p) throw BadInput(fmt::format("--profile {}: expected linux or rfc9293", a.profile));
  return pkt::make_tcplab_target(TcpConfig::for_profile(*p));
}

int run_pkt(const PktArgs& a) {
  const Duration tol = parse_tolerance(a.tolerance);
  std::vector<pkt::SysctlLine> extra;
  for (const auto& kv : a.tcp) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw BadInput(fmt::format("--tcp {}: expected key=value, e.g. tcp_sack=0", kv));
    std::string key = kv.substr(0, eq);
    if (key.rfind("net.", 0) != 0) key = "net.ipv4." + key;
    extra.push_back({key, kv.substr(eq + 1)});
  }
  if (!a.states_path.empty()) {
    if (a.against != "kernel")
      throw BadInput("--kernel-states: only with --against kernel (it reads the kernel's own sockets in the script's namespace)");
    if (!std::ofstream(a.states_path, std::ios::trunc))  // each script's poller appends to it
      throw BadInput(fmt::format("--kernel-states: cannot open {} for writing", a.states_path));
  }
  // Parse every script first: a bad one stops everything before anything runs.
  std::vector<pkt::Script> scripts;
  std::vector<std::vector<std::string>> texts;
  for (const auto& path : a.scripts) {
    const std::string text = read_text(path);
    try {
      scripts.push_back(pkt::parse_script(text, path));
    } catch (const pkt::PktError& e) {
      throw BadInput(e.what());
    }
    texts.push_back(split_lines(text));
  }
  std::optional<PcapWriter> pcap;
  if (!a.pcap_path.empty()) {
    pcap.emplace(a.pcap_path);
    if (!pcap->ok()) throw BadInput("--pcap: " + pcap->error());
  }
  TraceOut trace;
  if (!a.trace_path.empty()) {
    trace.f.open(a.trace_path);
    if (!trace.f) throw BadInput(fmt::format("--trace: cannot open {} for writing", a.trace_path));
  }
  int passed = 0, failed = 0;
  std::string described;
  TestSuiteReport suite;
  suite.name = "tcplab pkt";
  std::uint16_t ip_id = 0;
  Instant offset = 0;  // scripts follow each other in the pcap
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    const auto& path = a.scripts[i];
    auto target = make_target(a, offset);
    described = target->describe();
    for (const auto& s : extra)
      if (auto e = target->set_sysctl(s); e.rfind("note: ", 0) == 0) std::cerr << "--tcp: " << e << "\n";
      else if (!e.empty()) throw BadInput("--tcp: " + e);
    pkt::RunOptions opt;
    opt.tolerance_ns = tol;
    opt.script_dir = std::filesystem::path(path).parent_path().string();
    if (opt.script_dir.empty()) opt.script_dir = ".";
    opt.lines = texts[i];
    if (!a.quiet) opt.on_line = [](const std::string& l) { std::cout << "  " << l << "\n"; };
    Instant last = 0;
    opt.on_segment = [&](bool from_stack, Instant at, const Segment& seg) {
      last = at;
      if (pcap) pcap->write(seg, offset + at, ++ip_id);
      if (trace.f) trace.write(path, from_stack, at, seg);
    };
    if (!a.quiet) std::cout << fmt::format("{} against {}\n", path, described);
    pkt::RunResult r;
    try {
      r = pkt::run_script(scripts[i], *target, opt);
    } catch (const pkt::PktError& e) {
      throw BadInput(e.what());
    }
    offset += last + sec(1);
    TestCaseReport tc;
    tc.name = path;
    tc.classname = "tcplab.pkt";
    tc.pass = r.passed;
    if (r.passed) {
      ++passed;
      tc.score = 1;
      std::cout << fmt::format("PASS {} ({} lines, against {})\n", path, r.events_checked, described);
    } else {
      ++failed;
      tc.type = "mismatch";
      tc.message = r.failure;
      std::cout << fmt::format("FAIL {}\n{}\n", path, r.failure);
    }
    suite.cases.push_back(tc);
  }
  if (scripts.size() > 1) std::cout << fmt::format("{} passed, {} failed (against {})\n", passed, failed, described);
  if (!a.junit_path.empty()) {
    suite.properties.push_back({"against", described});
    ReportPaths paths;
    paths.junit = a.junit_path;
    if (auto e = write_reports(paths, "tcplab pkt", {suite}); !e.empty()) throw BadInput(e);
  }
  return failed == 0 ? kOk : kCheckFailed;
}

}  // namespace

Command pkt_command() {
  return {"pkt", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<PktArgs>();
    sub.add_option("scripts", a->scripts, "packetdrill-format scripts (.pkt)")->required();
    sub.add_option("--against", a->against, "the stack under test: tcplab (default) or kernel (this machine's Linux, in a private network namespace; root)")
        ->check(CLI::IsMember({"tcplab", "kernel"}));
    sub.add_option("--profile", a->profile, "tcplab's profile: linux (default) or rfc9293");
    sub.add_option("--tcp", a->tcp, "a sysctl before the script, e.g. tcp_sack=0 (net.ipv4. is implied); repeatable");
    sub.add_option("--tolerance", a->tolerance, "how far a segment's time may be from the script's (default 4ms)");
    sub.add_option("--trace", a->trace_path, "write every segment, both ways, as JSON Lines");
    sub.add_option("--pcap", a->pcap_path, "write every segment, both ways, as a pcap");
    sub.add_option("--junit", a->junit_path, "write a JUnit XML report (one case per script)");
    sub.add_option("--kernel-states", a->states_path,
                   "with --against kernel: write the kernel's socket states as they change (read from /proc/net/tcp about "
                   "every millisecond; times as in --pcap), one line each: t_ns, kernel, STATE as ss names it, local, peer, "
                   "the read before");
    sub.add_flag("-q,--quiet", a->quiet, "only the PASS/FAIL lines");
    sub.footer(
        "Examples:\n"
        "  tcplab pkt tests/pkt/scripts/a-passive-open-accept.pkt\n"
        "  tcplab pkt tests/pkt/scripts/b-rst-in-window-challenge.pkt --pcap rst.pcap\n"
        "  tcplab pkt tests/pkt/scripts/*.pkt -q --junit pkt.xml\n"
        "  sudo tcplab pkt --against kernel tests/pkt/scripts/a-passive-open-accept.pkt");
    return [a] { return run_pkt(*a); };
  }, "run packetdrill-format scripts against tcplab or the Linux kernel"};
}

}  // namespace tcplab::cli
