// `tcplab netstat LAB --at T`: what `netstat -nat` (or `ss -s`, `sar -n SOCK`, `lsof -i :PORT`)
// would print on the lab's hosts at virtual time T. The views are in sim/views.hpp.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

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
  bool ss = false, sar = false;
  std::optional<std::uint32_t> lsof;
};

int netstat(const NetstatArgs& a) {
  const Instant at = duration_arg("--at", a.at);
  Duration interval = 0;
  if (a.sar) {
    interval = duration_arg("--interval", a.interval);
    if (interval <= 0) throw BadInput("--interval: must be longer than 0");
    if (interval > at) throw BadInput("--interval " + a.interval + " is longer than --at " + a.at + ": no sample to show");
    if (at / interval > 100'000) throw BadInput("--interval " + a.interval + " gives more than 100000 samples up to " + a.at);
  }
  if (a.lsof && (*a.lsof > 65535)) throw BadInput("--lsof: " + std::to_string(*a.lsof) + " is not a port (0-65535)");

  const Lab lab = load_common(a.lab, a.common);
  // Past the lab's until the run does not exist: an empty table there would look like an answer.
  if (at > lab.until)
    throw BadInput("--at " + a.at + " is after the end of the lab at " + format_duration(lab.until) +
                   " (its until); netstat shows a moment of the run");
  World w = build_world(lab);
  int host = -1;
  if (!a.host.empty()) {
    host = w.host_index(a.host);
    if (host < 0) {
      std::string names;
      for (const auto& n : w.host_names()) names += " " + n;
      throw BadInput("--host: the lab has no host '" + a.host + "' (hosts:" + names + ")");
    }
  }
  std::cout << "# " << lab.name << " at " << TextView::clock(at) << " (seed " << lab.seed << ")\n";
  if (a.sar) {
    std::cout << sar_sock(w, at, interval, host);
    return kOk;
  }
  w.run_until(at);
  if (a.ss) std::cout << ss_summary(w, host);
  else if (a.lsof) std::cout << lsof_i(w, static_cast<std::uint16_t>(*a.lsof), host);
  else std::cout << netstat_nat(w, host);
  return kOk;
}

}  // namespace

Command netstat_command() {
  return {"netstat", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<NetstatArgs>();
    sub.add_option("LAB", a->lab, "a built-in lab's name or a .toml file")->required();
    sub.add_option("--at", a->at, "the virtual time to look at, with its unit, e.g. 2s or 150ms")->required();
    sub.add_option("--host", a->host, "only this host (name, tag A/B/.. or IP); default: every host, each under a heading");
    auto* ss = sub.add_flag("--ss", a->ss, "print `ss -s`: the socket totals");
    auto* sar = sub.add_flag("--sar", a->sar, "print `sar -n SOCK`: socket counters every --interval from 0 to --at");
    sub.add_option("--interval", a->interval, "the sampling interval of --sar (default 1s)")->needs(sar);
    auto* lsof = sub.add_option("--lsof", a->lsof, "print `lsof -n -P -i :PORT`: the sockets processes hold on PORT (0: all)");
    ss->excludes(sar)->excludes(lsof);
    sar->excludes(lsof);
    add_lab_options(sub, a->common);
    sub.remove_option(sub.get_option("--until"));  // --at says how far to run
    sub.footer(
        "Examples:\n"
        "  tcplab netstat handshake --at 50ms                  netstat -nat on every host\n"
        "  tcplab netstat handshake --at 101250us --host server\n"
        "  tcplab netstat handshake --at 1s --ss               ss -s\n"
        "  tcplab netstat handshake --at 90s --sar --interval 10s\n"
        "  tcplab netstat handshake --at 50ms --lsof 9502      lsof -i :9502\n"
        "Recv-Q: bytes the application has not read (a listener: connections waiting for accept()).\n"
        "Send-Q: bytes not yet acknowledged or not yet sent; an unacknowledged SYN or FIN counts 1. CLOSED sockets are not listed.\n"
        "lsof shows only sockets a process holds; PID = 1001 + host number, FD = 3 + socket number.");
    return [a] { return netstat(*a); };
  }, "what netstat -nat (or ss -s, sar -n SOCK, lsof -i) shows at a virtual time"};
}

}  // namespace tcplab::cli
