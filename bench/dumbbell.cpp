// `tcplab bench dumbbell LAB`: runs a lab with a [[bottleneck]] (bench/dumbbell/*.toml) and
// measures, in a window [--from, --to], what bench/ns3/ns3_dumbbell.cc measures in ns-3: each
// flow's goodput (bytes its receiving application read), its retransmissions, the
// bottleneck's queue drops and Jain's index, printed as one `RESULT k=v ...` line with the
// same keys. bench/dumbbell_vs_ns3.sh puts the two side by side (bench/README.md).
//
// A flow is a connection a host on the bottleneck's left opened (in the order of `left`, then
// of the host's connections); its receiver is the connection on the right with the flow's
// endpoints swapped. The world runs without a trace: the counts are read from the stacks and
// the bottleneck at the window's two edges.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "dumbbell.hpp"
#include "labs/cli.hpp"
#include "labs/lab.hpp"
#include "labs/options.hpp"
#include "sim/world.hpp"
#include "stack/cc_types.hpp"

namespace tcplab::cli {
namespace {

struct FlowRef {
  int sender = -1, receiver = -1;
  ConnId snd = kNoConn, rcv = kNoConn;
  std::string cc;
  Duration base_rtt_ns = 0;
};

struct FlowCounts {
  std::uint64_t read = 0;   // bytes the receiving application has read
  std::uint64_t retx = 0;   // the sender's retransmissions (RTO, fast retransmit)
  std::uint64_t tlp = 0;    // its tail loss probes (RFC 8985), counted apart as Linux does
};

struct Snapshot {
  std::vector<FlowCounts> flows;
  std::uint64_t drops = 0, drops_rev = 0, q_drops = 0;
};

// Bytes the application has read from a synchronized connection: everything received in
// order (RCV.NXT - IRS - 1, less a FIN) that no longer waits in the receive buffer.
std::uint64_t bytes_read(const Connection& c) {
  const State s = c.state();
  if (s == State::Closed || s == State::Listen || s == State::SynSent || s == State::SynReceived) return 0;
  const std::uint32_t in_order = c.tcb().rcv_nxt.raw() - c.tcb().irs.raw() - 1U - (c.eof_received() ? 1U : 0U);
  return in_order - c.readable_bytes();
}

int host_of(const World& w, Ipv4 ip) {
  for (std::size_t h = 0; h < w.hosts().size(); ++h)
    if (w.hosts()[h].ip == ip) return static_cast<int>(h);
  return -1;
}

// The flows as they exist now (new ones appear as their senders connect).
void find_flows(const World& w, const Lab& lab, std::vector<FlowRef>& flows) {
  const BottleneckSpec& bn = lab.bottlenecks.front();
  for (const std::string& name : bn.left) {
    const int h = w.host_index(name);
    const TcpHost& st = w.stack(h);
    for (ConnId c = 0; c < st.conn_count(); ++c) {
      const Connection& conn = st.conn(c);
      if (conn.passive() || conn.state() == State::Listen || conn.state() == State::Closed) continue;
      bool known = false;
      for (const FlowRef& f : flows) known |= f.sender == h && f.snd == c;
      if (known) continue;
      FlowRef f;
      f.sender = h;
      f.snd = c;
      f.cc = std::string(cc_name(conn.cc_kind()));
      f.receiver = host_of(w, conn.remote().ip);
      Duration one_way = bn.delay_ns;
      for (const auto& [who, a] : bn.access) {
        const int ah = w.host_index(who);
        if (ah == h || ah == f.receiver) one_way += a.delay_ns;
      }
      f.base_rtt_ns = 2 * one_way;
      flows.push_back(f);
    }
  }
  for (FlowRef& f : flows) {
    if (f.rcv != kNoConn || f.receiver < 0) continue;
    const Connection& s = w.stack(f.sender).conn(f.snd);
    const TcpHost& r = w.stack(f.receiver);
    for (ConnId c = 0; c < r.conn_count(); ++c)
      if (r.conn(c).remote() == s.local() && r.conn(c).local() == s.remote()) f.rcv = c;
  }
}

Snapshot snapshot(const World& w, const std::vector<FlowRef>& flows) {
  Snapshot s;
  for (const FlowRef& f : flows) {
    FlowCounts n;
    const Connection& snd = w.stack(f.sender).conn(f.snd);
    n.retx = snd.retransmissions();
    n.tlp = snd.loss_probes();
    if (f.rcv != kNoConn) n.read = bytes_read(w.stack(f.receiver).conn(f.rcv));
    s.flows.push_back(n);
  }
  s.drops = w.bottleneck_dirs()[0].c.drops;  // the first bottleneck's "s>r" (data) direction
  s.drops_rev = w.bottleneck_dirs()[1].c.drops;
  s.q_drops = w.counters().q_drops;
  return s;
}

}  // namespace

int bench_dumbbell(const DumbbellArgs& a) {
  if (a.lab.empty()) throw BadInput("bench dumbbell: name a lab file with a [[bottleneck]] (bench/dumbbell/*.toml)");
  LabOptionArgs o;
  o.seed = a.seed;
  o.until = a.until;
  const Lab lab = load_common(a.lab, o);
  if (lab.bottlenecks.empty()) throw BadInput("bench dumbbell: " + a.lab + " has no [[bottleneck]]");
  const Instant until = a.until.empty() ? lab.until : duration_arg("--until", a.until);
  const Instant from = duration_arg("--from", a.from);
  const Instant to = a.to.empty() ? until : duration_arg("--to", a.to);
  if (!(from < to && to <= until)) throw BadInput("bench dumbbell: need --from < --to <= the run's end");

  World w = build_world(lab);
  std::vector<FlowRef> flows;
  w.run_until(from);
  find_flows(w, lab, flows);
  const Snapshot s0 = snapshot(w, flows);
  w.run_until(to);
  find_flows(w, lab, flows);  // flows that started inside the window count from 0
  const Snapshot s1 = snapshot(w, flows);
  if (to < until) w.run_until(until);
  const Snapshot s2 = snapshot(w, flows);

  const double window_s = static_cast<double>(to - from) / 1e9;
  std::vector<double> gp(flows.size());
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const std::uint64_t before = i < s0.flows.size() ? s0.flows[i].read : 0;
    gp[i] = static_cast<double>(s1.flows[i].read - before) * 8 / window_s;
    sum += gp[i];
    sum_sq += gp[i] * gp[i];
  }
  const double jain = sum_sq > 0 ? sum * sum / (static_cast<double>(flows.size()) * sum_sq) : 0;
  const BottleneckSpec& bn = lab.bottlenecks.front();
  const std::uint64_t bn_total = s2.drops + s2.drops_rev;

  std::printf("tcplab bench dumbbell: %s, %zu flow(s), window %.3f-%.3f s, bottleneck %s\n", a.lab.c_str(), flows.size(),
              static_cast<double>(from) / 1e9, static_cast<double>(to) / 1e9, w.bottleneck_dirs()[0].name.c_str());
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const FlowRef& f = flows[i];
    std::printf("  flow %zu %-8s %-8s base RTT %.1f ms: %.3f Mbit/s (%.1f %%), retx %" PRIu64 " in the window\n", i,
                w.hosts()[f.sender].name.c_str(), f.cc.c_str(), static_cast<double>(f.base_rtt_ns) / 1e6, gp[i] / 1e6,
                sum > 0 ? 100 * gp[i] / sum : 0.0,
                s1.flows[i].retx - (i < s0.flows.size() ? s0.flows[i].retx : 0));
  }
  std::printf("  Jain %.4f, bottleneck drops %" PRIu64 " in the window, %" PRIu64 " in all\n", jain, s1.drops - s0.drops,
              s2.drops);
  const QueueLimit limit = bn.qdisc.limit.value_or(QueueLimit{});
  const std::string buffer = limit.bytes ? std::to_string(limit.bytes) + "B" : std::to_string(limit.pkts);
  std::printf("RESULT prog=tcplab_dumbbell flows=%zu from_s=%.3f to_s=%.3f rate_bps=%" PRIu64 " buffer=%s", flows.size(),
              static_cast<double>(from) / 1e9, static_cast<double>(to) / 1e9, bn.rate_bps, buffer.c_str());
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const FlowCounts before = i < s0.flows.size() ? s0.flows[i] : FlowCounts{};
    std::printf(" cc_%zu=%s rtt_ms_%zu=%.1f rx_%zu=%" PRIu64 " goodput_bps_%zu=%.0f share_%zu=%.2f retx_%zu=%" PRIu64
                " retx_total_%zu=%" PRIu64 " tlp_%zu=%" PRIu64 " tlp_total_%zu=%" PRIu64,
                i, flows[i].cc.c_str(), i, static_cast<double>(flows[i].base_rtt_ns) / 1e6, i,
                s1.flows[i].read - before.read, i, gp[i], i, sum > 0 ? 100 * gp[i] / sum : 0.0, i,
                s1.flows[i].retx - before.retx, i, s2.flows[i].retx, i, s1.flows[i].tlp - before.tlp, i,
                s2.flows[i].tlp);
  }
  std::printf(" goodput_bps=%.0f jain=%.4f drops=%" PRIu64 " drops_total=%" PRIu64 " drops_rev_total=%" PRIu64
              " other_drops=%" PRIu64 "\n",
              sum, jain, s1.drops - s0.drops, s2.drops, s2.drops_rev, s2.q_drops - bn_total);
  return kOk;
}

}  // namespace tcplab::cli
