// `tcplab bridge`: tcplab's stack against the real Linux kernel through a TUN device in a
// private network namespace, with a simulated lossy link between them (needs root).
#include <fmt/format.h>

#include <iostream>

#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "sim/bridge.hpp"
#include "sim/fault.hpp"
#include "sim/probability.hpp"
#include "stack/wire/pcap.hpp"

namespace tcplab::cli {
namespace {

struct BridgeArgs {
  std::string role = "server";
  std::uint16_t port = 9502;
  std::uint64_t bytes = 10'000'000;
  std::string loss = "0";
  std::string delay = "1ms", timeout = "120s", closer = "tcplab";
  std::string pcap;
  bool refused = false, verbose = false;
  std::uint64_t seed = 1;
};

int bridge(const BridgeArgs& a) {
  BridgeOptions o;
  if (a.role != "server" && a.role != "client") throw BadInput("--role must be server or client, not '" + a.role + "'");
  if (a.closer != "tcplab" && a.closer != "kernel") throw BadInput("--closer must be tcplab or kernel, not '" + a.closer + "'");
  // Millionths, as a lab file's link loss (sim/probability).
  ProbabilityError err = ProbabilityError::None;
  const auto loss = parse_probability(a.loss, RatioForm::Millionths, &err);
  if (err == ProbabilityError::OutOfRange || (loss && loss->num >= loss->den)) throw BadInput("--loss must be in [0, 1)");
  if (!loss) throw BadInput("--loss: " + describe(err, a.loss, RatioForm::Millionths));
  o.tcplab_is_server = a.role == "server";
  o.port = a.port;
  o.bytes = a.bytes;
  o.loss = *loss;
  o.delay_ns = duration_arg("--delay", a.delay);
  o.timeout_ns = duration_arg("--timeout", a.timeout);
  o.tcplab_closes_first = a.closer == "tcplab";
  o.refused = a.refused;
  o.seed = a.seed;
  o.verbose = a.verbose;
  o.pcap = a.pcap;
  if (!o.pcap.empty()) {  // a path it cannot write is bad input, found before the namespace is made
    const PcapWriter probe(o.pcap);
    if (!probe.ok()) throw BadInput("--pcap: " + probe.error());
  }
  const BridgeResult r = run_bridge(o);
  if (r.skipped) {
    std::cout << "bridge: skipped: " << r.error << "\n";
    return 77;
  }
  const std::string who = o.refused ? "kernel client -> closed tcplab port"
                          : o.tcplab_is_server ? "kernel client -> tcplab server" : "tcplab client -> kernel server";
  std::cout << fmt::format("bridge: {} on 10.0.0.1 <-> 10.0.0.2:{}, loss {} each way, delay {}\n", who, a.port, a.loss, a.delay);
  if (o.refused) {
    std::cout << "kernel connect() result: " << r.refused_errno << "\n";
  } else {
    std::cout << fmt::format("bytes: {} tcplab->kernel, {} kernel->tcplab, compared byte for byte; {} closed first\n",
                             r.to_kernel_bytes, r.from_kernel_bytes, a.closer);
  }
  std::cout << fmt::format("segments: {} from the kernel ({} malformed, {} RST), {} to the kernel, {} lost on the link\n",
                           r.segs_from_kernel, r.malformed_from_kernel, r.rst_from_kernel, r.segs_to_kernel, r.dropped_by_link);
  std::cout << fmt::format("kernel TCP checksum errors (nstat InCsumErrors): {}\n", r.kernel_csum_errors);
  std::cout << "the kernel's view (ss -tan in the namespace):\n" << r.kernel_ss;
  std::cout << "tcplab's view:\n" << r.tcplab_view;
  std::cout << fmt::format("RESULT ok={} to_kernel_bytes={} from_kernel_bytes={} kernel_rst={} csum_errors={} wall_s={:.2f}\n",
                           r.ok ? 1 : 0, r.to_kernel_bytes, r.from_kernel_bytes, r.rst_from_kernel, r.kernel_csum_errors, r.wall_s);
  if (!r.ok) {
    std::cout << "bridge: FAILED: " << r.error << "\n";
    return kCheckFailed;
  }
  return kOk;
}

}  // namespace

Command bridge_command() {
  return {"bridge", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<BridgeArgs>();
    sub.add_option("--role", a->role, "tcplab's role: server (the kernel connects) or client");
    sub.add_option("--port", a->port, "the port");
    sub.add_option("--bytes", a->bytes, "bytes to send each way");
    sub.add_option("--loss", a->loss, "loss probability on the link, each way (e.g. 0.01, 1% or 1/100)");
    sub.add_option("--delay", a->delay, "one-way delay of the link (e.g. 1ms)");
    sub.add_option("--closer", a->closer, "who closes first: tcplab or kernel");
    sub.add_flag("--refused", a->refused, "instead: the kernel connects to a closed tcplab port (expects RST, ECONNREFUSED)");
    sub.add_option("--timeout", a->timeout, "wall-clock limit");
    sub.add_option("--seed", a->seed, "seed of the link's loss");
    sub.add_flag("-v,--verbose", a->verbose, "report malformed packets");
    sub.add_option("--pcap", a->pcap, "write tun0 as tcpdump on the kernel's side would capture it (for `tcplab import --at-host 10.0.0.1`)");
    sub.footer("Needs root: it creates its own network namespace (unshare) with tun0 = 10.0.0.1 (the kernel)\n"
               "and tcplab's stack at 10.0.0.2; nothing outside that namespace is touched, and it vanishes on exit.\n"
               "Exit 77 when it cannot run here (not root, no /dev/net/tun).\n"
               "Examples:\n  sudo tcplab bridge --role server --bytes 10000000 --loss 0.01\n"
               "  sudo tcplab bridge --role client --closer kernel\n  sudo tcplab bridge --refused");
    return [a] { return bridge(*a); };
  }, "talk to the real Linux kernel through a TUN device (root)"};
}

}  // namespace tcplab::cli
