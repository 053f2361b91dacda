// `tcplab netstat LAB --at T`: what `netstat -nat` (or `ss -s`, `sar -n SOCK`, `lsof -i :PORT`)
// would print on the lab's hosts at virtual time T; `tcplab ss LAB --at T -tinoe`: what
// `ss -tinoe` would. The views are in sim/views.hpp.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#ifndef __EMSCRIPTEN__
#include "import/import_file.hpp"
#include "import/sockets.hpp"
#endif
#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "sim/fault.hpp"
#include "sim/text_view.hpp"
#include "sim/views.hpp"

namespace tcplab::cli {
namespace {

struct NetstatArgs {
  std::string lab;
  LabOptionArgs common;
  std::string at, host, interval = "1s";
  std::string filter, at_host;  // a capture file's
  bool ss = false, sar = false, timers = false;
  std::optional<std::uint32_t> lsof;
};

// The lab loaded for a look at time `at` (not past its end) and the host asked for (-1: all).
struct Moment {
  Lab lab;
  World world;
  int host = -1;
};
Moment moment(const std::string& lab_name, const LabOptionArgs& common, const std::string& at_text, Instant at,
              const std::string& host_name, const char* tool) {
  Lab lab = load_common(lab_name, common);
  // Past the lab's until the run does not exist: an empty table there would look like an answer.
  if (at > lab.until)
    throw BadInput("--at " + at_text + " is after the end of the lab at " + format_duration(lab.until) + " (its until); " +
                   tool + " shows a moment of the run");
  World w = build_world(lab);
  int host = -1;
  if (!host_name.empty()) {
    host = w.host_index(host_name);
    if (host < 0) {
      std::string names;
      for (const auto& n : w.host_names()) names += " " + n;
      throw BadInput("--host: the lab has no host '" + host_name + "' (hosts:" + names + ")");
    }
  }
  std::cout << "# " << lab.name << " at " << TextView::clock(at) << " (seed " << lab.seed << ")\n";
  return {std::move(lab), std::move(w), host};
}

#ifndef __EMSCRIPTEN__
// "14:13:01" or "14:13:01.415407": the clock tcpdump prints (a time of day); nullopt otherwise.
std::optional<Duration> clock_arg(const std::string& text) {
  int h = 0, m = 0;
  double sec_part = 0;
  char c1 = 0, c2 = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c%lf", &h, &c1, &m, &c2, &sec_part) != 5 || c1 != ':' || c2 != ':') return std::nullopt;
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec_part < 0 || sec_part >= 60) return std::nullopt;
  return sec(h * 3600 + m * 60) + static_cast<Duration>(sec_part * 1e6 + 0.5) * 1000;
}

// `tcplab netstat CAPTURE --at T`: the sockets inferred from a capture (import/sockets.hpp).
// T is the capture's clock (14:13:01.5) or a duration after its first segment (2s).
int capture_netstat(const NetstatArgs& a) {
  capture::ImportRequest req;
  req.path = a.lab;
  req.filter = a.filter;
  req.infer.at_host = a.at_host;
  if (auto tod = clock_arg(a.at)) req.stop_at_time_of_day = *tod;
  else req.stop_after_first = duration_arg("--at", a.at);
  Duration interval = 0;
  if (a.sar) {
    interval = duration_arg("--interval", a.interval);
    if (interval <= 0) throw BadInput("--interval: must be longer than 0");
  }
  capture::CaptureSockets socks;
  std::optional<Instant> first, at;
  std::vector<SarSample> samples;
  std::size_t hosts_seen = 0;
  const capture::AddressBook* book = nullptr;
  std::map<Ipv4, std::string> v6_text;
  auto sample_until = [&](Instant t) {
    while (first && at && interval > 0) {
      const Instant next = *first + interval * static_cast<Duration>(samples.size() + 1);
      if (next > t || next > *at) break;
      if (samples.size() >= 100'000) throw BadInput("--interval " + a.interval + " gives more than 100000 samples");
      SarSample s{next - *first, {}};
      for (std::size_t h = 0; h < hosts_seen; ++h) s.hosts.push_back(socks.stats(static_cast<int>(h)));
      samples.push_back(std::move(s));
    }
  };
  const auto on_event = [&](const TraceEvent& e) {
    if (!first) {
      first = e.t_ns;
      at = capture::resolve_moment(req, e.t_ns);
    }
    if (e.t_ns > *at) return;
    sample_until(e.t_ns - 1);
    hosts_seen = std::max(hosts_seen, book ? book->host_names().size() : 0);
    if (book)  // IPv6 addresses have stand-in keys in the trace: keep their text while the book is there
      for (const Endpoint& ep : {e.seg.src, e.seg.dst})
        if (book->is_v6(ep.ip)) v6_text.try_emplace(ep.ip, book->text(ep.ip));
    socks.event(e);
  };
  capture::ImportSummary s = capture::import_capture(req, on_event, {}, &book);
  if (!s.ok) throw BadInput(s.error);
  if (!at) throw BadInput("'" + a.lab + "' has no TCP segment" + (a.filter.empty() ? "" : " that passes the filter"));
  if (*at > s.last && s.last >= 0)
    s.notes.push_back("note: --at is after the capture's last segment (" + TextView::clock(s.last % sec(86400)) +
                      "): the sockets as it left them, TIME_WAIT's 60 s applied");
  hosts_seen = s.host_names.size();
  sample_until(*at);
  std::cout << "# " << a.lab << " at " << TextView::clock(*at % sec(86400)) << " (inferred from the capture: "
            << (s.capture_host.empty() ? "taken on the path" : "taken at " + s.capture_host) << ")\n";
  std::vector<int> hosts;
  if (!a.host.empty()) {
    int found = -1;
    for (std::size_t h = 0; h < s.host_names.size(); ++h)
      if (s.host_names[h] == a.host) found = static_cast<int>(h);
    if (found < 0) throw BadInput("--host: the capture has no address '" + a.host + "'");
    hosts.push_back(found);
  } else {
    hosts = socks.hosts();
  }
  // net-tools writes an IPv6 socket's addresses as "2001:db8::1:39870", a listener's as ":::9502".
  const bool v6_host_names = std::any_of(s.host_names.begin(), s.host_names.end(), [](const std::string& n) { return n.find(':') != std::string::npos; });
  const RowAddress v6_address = !v6_host_names ? RowAddress{} : [&](const SocketRow& r, bool local) {
    const std::string& name = s.host_names[static_cast<std::size_t>(r.host)];
    if (r.listener) {
      if (name.find(':') == std::string::npos) return local ? netstat_local(r) : netstat_remote(r);
      return local ? ":::" + std::to_string(r.local.port) : std::string(":::*");
    }
    const Endpoint& e = local ? r.local : r.remote;
    auto it = v6_text.find(e.ip);
    return it == v6_text.end() ? endpoint_to_string(e) : it->second + ":" + std::to_string(e.port);
  };
  bool first_host = true;
  for (int h : hosts) {
    const std::string& name = s.host_names[static_cast<std::size_t>(h)];
    if (hosts.size() > 1 || a.host.empty()) std::cout << (first_host ? "" : "\n") << "== " << name << " ==\n";
    first_host = false;
    if (a.sar) std::cout << sar_table(samples, 0, h);
    else if (a.ss) std::cout << ss_summary_text(socks.stats(h));
    else if (a.lsof) std::cout << lsof_table(socks.lsof(h, name, static_cast<std::uint16_t>(*a.lsof)));
    else std::cout << netstat_table(socks.rows(h), nullptr, v6_address);
  }
  std::cout.flush();
  for (const std::string& n : s.notes) std::cerr << n << "\n";
  std::cerr << "note: from a capture: Recv-Q is 0 (reads are not on the wire), Send-Q counts sent and unacknowledged bytes only\n";
  return kOk;
}
#endif

int netstat(const NetstatArgs& a) {
#ifndef __EMSCRIPTEN__
  if (capture::looks_like_capture(a.lab)) {
    if (a.timers) throw BadInput("-o: a capture shows no timers");
    return capture_netstat(a);
  }
#endif
  if (!a.filter.empty() || !a.at_host.empty()) throw BadInput("--filter and --at-host are for a capture file (pcap, pcapng)");
  const Instant at = duration_arg("--at", a.at);
  Duration interval = 0;
  if (a.sar) {
    interval = duration_arg("--interval", a.interval);
    if (interval <= 0) throw BadInput("--interval: must be longer than 0");
    if (interval > at) throw BadInput("--interval " + a.interval + " is longer than --at " + a.at + ": no sample to show");
    if (at / interval > 100'000) throw BadInput("--interval " + a.interval + " gives more than 100000 samples up to " + a.at);
  }
  if (a.lsof && (*a.lsof > 65535)) throw BadInput("--lsof: " + std::to_string(*a.lsof) + " is not a port (0-65535)");

  Moment m = moment(a.lab, a.common, a.at, at, a.host, "netstat");
  World& w = m.world;
  const int host = m.host;
  if (a.sar) {
    std::cout << sar_sock(w, at, interval, host);
    return kOk;
  }
  w.run_until(at);
  if (a.ss) std::cout << ss_summary(w, host);
  else if (a.lsof) std::cout << lsof_i(w, static_cast<std::uint16_t>(*a.lsof), host);
  else std::cout << netstat_nat(w, host, a.timers);
  return kOk;
}

// LAB, --at, --host and the lab options (but --until: --at says how far to run).
void add_moment_options(CLI::App& sub, std::string& lab, std::string& at, std::string& host, LabOptionArgs& common) {
  sub.add_option("LAB", lab, "a built-in lab's name or a .toml file (netstat: also a pcap/pcapng capture)")->required();
  sub.add_option("--at", at, "the virtual time to look at, with its unit, e.g. 2s or 150ms")->required();
  sub.add_option("--host", host, "only this host (name, tag A/B/.. or IP); default: every host, each under a heading");
  add_lab_options(sub, common);
  sub.remove_option(sub.get_option("--until"));
}

struct SsArgs {
  std::string lab;
  LabOptionArgs common;
  std::string at, host;
  bool tcp = false, numeric = false;
  SsOptions o;
};

int ss(SsArgs a) {
  const Instant at = duration_arg("--at", a.at);
  a.o.tcp_only = a.tcp;
  Moment m = moment(a.lab, a.common, a.at, at, a.host, "ss");
  m.world.run_until(at);
  std::cout << ss_sockets(m.world, a.o, m.host);
  return kOk;
}

}  // namespace

Command ss_command() {
  return {"ss", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<SsArgs>();
    add_moment_options(sub, a->lab, a->at, a->host, a->common);
    sub.add_flag("-t,--tcp", a->tcp, "TCP sockets only (all tcplab has); without it ss adds the Netid column");
    sub.add_flag("-a,--all", a->o.all, "listeners and TIME-WAIT (and SYN-RECV) sockets too");
    sub.add_flag("-i,--info", a->o.info, "a second line per socket: rto, rtt, mss, cwnd, ssthresh, bytes, unacked, retrans, ...");
    sub.add_flag("-o,--options", a->o.timers, "the timer: timer:(on|keepalive|timewait|persist,time left,count)");
    sub.add_flag("-e,--extended", a->o.extended, "ino, sk and the shutdown marks (<->)");
    sub.add_flag("-n,--numeric", a->numeric, "numeric addresses and ports (tcplab always prints them so)");
    sub.footer(
        "Examples:\n"
        "  tcplab ss handshake --at 50ms -tinoe          ss -tinoe on every host\n"
        "  tcplab ss lost-fin --at 1s -tanoi --host client\n"
        "Columns as iproute2 prints them (ss -tanoi on Linux 6.18). tcplab leaves out what it does not model\n"
        "(pmtu, lastsnd/lastrcv, segs_*, pacing and delivery rates, cgroup; no uid: the labs run as root) and\n"
        "fakes the inode and sk (lsof's DEVICE number): see the README.");
    return [a] { return ss(*a); };
  }, "what ss -tinoe (ss -tanoi, ...) shows at a virtual time: states, queues, timers, rto, rtt, cwnd"};
}

Command netstat_command() {
  return {"netstat", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<NetstatArgs>();
    add_moment_options(sub, a->lab, a->at, a->host, a->common);
    auto* ss = sub.add_flag("--ss", a->ss, "print `ss -s`: the socket totals");
    auto* sar = sub.add_flag("--sar", a->sar, "print `sar -n SOCK`: socket counters every --interval from 0 to --at");
    sub.add_option("--interval", a->interval, "the sampling interval of --sar (default 1s)")->needs(sar);
    auto* lsof = sub.add_option("--lsof", a->lsof, "print `lsof -n -P -i :PORT`: the sockets processes hold on PORT (0: all)");
    auto* timers = sub.add_flag("-o,--timers", a->timers, "add netstat -o's Timer column: on/keepalive/timewait/probe (seconds left/retransmits/probes)");
    sub.add_option("--filter", a->filter, "with a capture file: only the packets this BPF filter passes (\"tcp port 9502\")");
    sub.add_option("--at-host", a->at_host, "with a capture file: the address of the host it was taken on (see tcplab import)");
    ss->excludes(sar)->excludes(lsof)->excludes(timers);
    timers->excludes(sar)->excludes(lsof);
    sar->excludes(lsof);
    sub.footer(
        "Examples:\n"
        "  tcplab netstat handshake --at 50ms                  netstat -nat on every host\n"
        "  tcplab netstat lost-fin --at 1s -o                  netstat -nato: with the Timer column\n"
        "  tcplab netstat handshake --at 101250us --host server\n"
        "  tcplab netstat handshake --at 1s --ss               ss -s\n"
        "  tcplab netstat handshake --at 90s --sar --interval 10s\n"
        "  tcplab netstat handshake --at 50ms --lsof 9502      lsof -i :9502\n"
        "  tcplab run close-wait-leak --pcap cw.pcap --pcap-at server -q; tcplab netstat cw.pcap --at 00:00:02\n"
        "LAB may be a capture (pcap, pcapng): its sockets inferred by `tcplab import`; --at is then its clock\n"
        "(14:13:01.5, as tcpdump prints it) or a duration after its first segment.\n"
        "Recv-Q: bytes the application has not read (a listener: connections waiting for accept()).\n"
        "Send-Q: bytes not yet acknowledged or not yet sent; an unacknowledged SYN or FIN counts 1. CLOSED sockets are not listed.\n"
        "lsof shows only sockets a process holds; PID = 1001 + host number, FD = 3 + socket number.");
    return [a] { return netstat(*a); };
  }, "what netstat -nat (or ss -s, sar -n SOCK, lsof -i) shows at a virtual time"};
}

}  // namespace tcplab::cli
