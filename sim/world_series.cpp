// Series (sim/series.hpp): one sample of a connection's congestion state after each event
// that changed it, taken only when the lent sink asks for series.
#include "sim/world.hpp"

namespace tcplab {

namespace {

bool same_state(const FlowSample& a, const FlowSample& b) {
  return a.cwnd == b.cwnd && a.ssthresh == b.ssthresh && a.flight == b.flight && a.srtt_ns == b.srtt_ns &&
         a.delivered == b.delivered && a.pacing_bps == b.pacing_bps && a.phase == b.phase;
}

}  // namespace

void World::sample_flow(int host, ConnId c) {
  TraceSink* sink = sink_.get();
  if (sink == nullptr || !sink->series_on || c == kNoConn || !stacks_[host].valid(c)) return;
  const Connection& conn = stacks_[host].conn(c);
  if (conn.cwnd() == 0) return;  // no window yet (LISTEN, SYN_SENT)
  FlowSample s;
  s.t = now_;
  s.cwnd = conn.cwnd();
  s.ssthresh = conn.ssthresh();
  s.flight = conn.bytes_in_flight();
  s.srtt_ns = conn.rtt().srtt();
  s.delivered = conn.bytes_acked_total();
  s.phase = std::string(conn.cc_phase());
  s.pacing_bps = conn.pacing_bps();
  s.trace_seq = trace_seq_ == 0 ? 0 : trace_seq_ - 1;
  const auto key = std::make_tuple(host, hosts_[host].epoch, c);
  auto it = sink->flow_index.find(key);
  if (it == sink->flow_index.end()) {
    FlowSeries f;
    f.host = host;
    f.conn = conn_label(host, c);
    f.cc = std::string(cc_name(conn.cc_kind()));
    it = sink->flow_index.emplace(key, sink->series.flows.size()).first;
    sink->series.flows.push_back(std::move(f));
  }
  auto& samples = sink->series.flows[it->second].samples;
  if (!samples.empty() && same_state(samples.back(), s)) return;
  if (!samples.empty() && samples.back().t == s.t) {
    // Several changes at one instant: the last one stands, linked to the first event of that
    // instant (the arrival that started them).
    s.trace_seq = samples.back().trace_seq;
    samples.back() = std::move(s);
    return;
  }
  samples.push_back(std::move(s));
}

}  // namespace tcplab
