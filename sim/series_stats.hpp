#pragma once
// Arithmetic on the congestion series (sim/series.hpp) that `tcplab plot` and the visualizer's
// congestion pane share: a flow's value at a time, throughput over a sliding window, time
// averages over a range, Jain's fairness index, loss episodes and the time span that holds
// data. Every series is a step function: a sample holds from its time until the next one.
#include <optional>
#include <string>
#include <vector>

#include "sim/series.hpp"

namespace tcplab {

// A closed time range [from, to]; empty when to <= from.
struct TimeRange {
  Instant from = 0, to = 0;
  Duration length() const { return to > from ? to - from : 0; }
  bool empty() const { return to <= from; }
};

// ssthresh at or above this is "not set yet" (Linux and tcplab start it at a huge value).
constexpr std::uint32_t kSsthreshInfinite = 1u << 30;

// The sample in force at t (the last one at or before t), or nullptr before the first.
const FlowSample* flow_at(const FlowSeries& f, Instant t);
// Bytes delivered (acknowledged) by time t; 0 before the first sample.
std::uint64_t delivered_at(const FlowSeries& f, Instant t);

// Throughput (bits per second) over the window (t - window, t]: the bytes delivered in it,
// times 8, divided by the window. Delivery is counted when the ACK arrives, so this is the
// rate the sender sees acknowledged (goodput, retransmissions not counted twice).
double throughput_bps(const FlowSeries& f, Instant t, Duration window);
// Mean throughput over a range (bits per second): delivered in it over its length.
double mean_throughput_bps(const FlowSeries& f, TimeRange r);

struct RatePoint {
  Instant t = 0;
  double bps = 0;
};
// throughput_bps at from+step, from+2*step, ... up to `to` (the first point one step in, so
// that every point's window ends inside the range).
std::vector<RatePoint> throughput_series(const FlowSeries& f, TimeRange r, Duration window, Duration step);

// Jain's fairness index (sum x)^2 / (n * sum x^2): 1 when all shares are equal, 1/n when one
// flow takes everything. nullopt for no flows or when every share is 0 (nothing to share).
std::optional<double> jain_index(const std::vector<double>& shares);

// Time-weighted means over a range of a flow's step functions; a flow with no sample in force
// during part of the range is averaged over the rest. nullopt when nothing was in force.
struct FlowAverages {
  std::optional<double> cwnd_bytes, flight_bytes, srtt_ns;  // srtt: only where measured (> 0)
  double throughput_bps = 0;
};
FlowAverages flow_averages(const FlowSeries& f, TimeRange r);

// A loss episode: where a flow entered recovery ("recovery": fast retransmit; "loss": the
// retransmission timer) or, outside those phases, cut its window ("cut"). `end` is when it left
// the phase (the sample after, or the last sample's time for one still open); for a cut, == start.
struct LossEpisode {
  std::size_t sample = 0;  // index of the sample that starts it
  Instant start = 0, end = 0;
  std::string kind;              // "recovery", "loss" or "cut"
  std::uint32_t cwnd_before = 0;  // the window just before (where to mark it)
};
std::vector<LossEpisode> loss_episodes(const FlowSeries& f);

// Times at which a link's queue dropped packets (the samples where its drop count rose),
// each with how many were dropped there.
struct DropMark {
  Instant t = 0;
  std::uint32_t pkts = 0;  // the queue length there
  std::uint64_t dropped = 0;
};
std::vector<DropMark> drop_marks(const LinkSeries& l);

// The span holding samples: the first to the last sample time (a single sample: 1 ns long;
// none: empty), of one series or over several.
TimeRange span_of(const FlowSeries& f);
TimeRange span_of(const LinkSeries& l);
TimeRange span_of(const PingSeries& p);
TimeRange flow_span(const std::vector<const FlowSeries*>& flows);
TimeRange series_span(const Series& s);
// Widens a range by the union with another (an empty one leaves it as it was).
TimeRange span_union(TimeRange a, TimeRange b);

}  // namespace tcplab
