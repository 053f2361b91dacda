#pragma once
// Series: what congestion looks like over time, recorded only when a run asks for it
// (TraceSink::series_on), so that runs which don't plot stay as fast. Per connection: cwnd,
// ssthresh, bytes in flight, SRTT, bytes delivered, pacing rate and the congestion-control
// phase after each event that changed one of them. Per link direction with a queue: its
// length and drops after each change. Per ping: each echo's round-trip time. `tcplab plot`,
// the visualizer's congestion pane and the benchmarks read it; it never reaches the trace.
#include <cstdint>
#include <string>
#include <vector>

#include "stack/time.hpp"

namespace tcplab {

struct FlowSample {
  Instant t = 0;
  std::uint32_t cwnd = 0, ssthresh = 0, flight = 0;
  Duration srtt_ns = 0;           // 0 until the first RTT sample
  std::uint64_t delivered = 0;    // bytes of data acknowledged so far (throughput = its slope)
  std::uint64_t pacing_bps = 0;   // 0: not paced
  std::string phase;              // "slow start", "congestion avoidance", "recovery", "loss", BBR's "startup" ...
  std::uint64_t trace_seq = 0;    // the trace event current when the sample was taken (links a cut to the ladder)
};

struct FlowSeries {
  int host = -1;
  std::string conn;  // the trace's connection label, "local>remote"
  std::string cc;    // "newreno", "cubic", "bbr"
  std::vector<FlowSample> samples;
};

struct QueueSample {
  Instant t = 0;
  std::uint32_t pkts = 0, bytes = 0;  // waiting, not counting the one being sent
  std::uint64_t drops = 0;            // queue drops so far (tail, RED or CoDel)
};

struct LinkSeries {
  std::string name;  // "alpha>bravo" (a path direction) or the bottleneck's name and direction
  std::vector<QueueSample> samples;
};

struct PingSample {
  Instant t = 0;     // when the echo was sent
  Duration rtt_ns = 0;  // kNever: never answered
};

struct PingSeries {
  int host = -1;
  std::string target;
  std::vector<PingSample> samples;
};

struct Series {
  std::vector<FlowSeries> flows;
  std::vector<LinkSeries> links;
  std::vector<PingSeries> pings;
};

}  // namespace tcplab
