#pragma once
// The real Linux kernel as the peer (issue 8): tcplab's stack on one side of a TUN device,
// a kernel socket on the other, with a simulated link (delay, loss) in between, in real time.
// Everything happens inside a network namespace the bridge makes for itself (unshare), so no
// interface outside it is ever touched, and the namespace disappears when the process ends.
#include <cstdint>
#include <string>

#include "sim/rng.hpp"
#include "stack/time.hpp"

namespace tcplab {

struct BridgeOptions {
  bool tcplab_is_server = true;     // false: tcplab connects to a kernel server
  std::uint16_t port = 9502;
  std::uint64_t bytes = 10'000'000;  // each way
  Ratio loss;                        // each direction
  Duration delay_ns = ms(1);         // each direction
  bool tcplab_closes_first = true;
  bool refused = false;              // instead: the kernel connects to a closed tcplab port
  Duration timeout_ns = sec(120);    // wall-clock limit
  std::uint64_t seed = 1;
  bool verbose = false;
  // A pcap of tun0 as tcpdump on the kernel's side would take it (the kernel's segments when
  // it hands them over, tcplab's when they reach it); empty: none.
  std::string pcap;
};

struct BridgeResult {
  bool ok = false;
  std::string error;                 // why it failed (or could not start)
  bool skipped = false;              // not root / no /dev/net/tun: nothing was tried
  std::uint64_t to_kernel_bytes = 0, from_kernel_bytes = 0;  // byte-exact, verified
  std::uint64_t segs_from_kernel = 0, segs_to_kernel = 0, dropped_by_link = 0;
  std::uint64_t malformed_from_kernel = 0, rst_from_kernel = 0, ignored_non_ipv4 = 0;
  std::int64_t kernel_csum_errors = 0;  // /proc/net/snmp Tcp InCsumErrors delta in the namespace
  std::string kernel_ss;             // `ss -tan` in the namespace at the end
  std::string tcplab_view;           // tcplab's connections at the end, netstat-style
  std::string refused_errno;         // with `refused`: what the kernel's connect() got
  double wall_s = 0;
};

BridgeResult run_bridge(const BridgeOptions& opt);

}  // namespace tcplab
