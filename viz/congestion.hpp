#pragma once
// The congestion pane's data (no ImGui): the lab run once more with the congestion series on
// (sim/series.hpp), turned into the same figure `tcplab plot` draws (labs/plot.hpp: the same
// flows, colours, lines and loss / drop marks), and each mark's link to the ladder: the trace
// event where it happened and the segment that caused it (the one lost and retransmitted, or
// the one the queue dropped).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "labs/lab.hpp"
#include "labs/plot.hpp"
#include "sim/trace_index.hpp"

namespace tcplab::viz {

// Where a mark leads in the ladder.
struct MarkLink {
  std::uint64_t event = 0;                 // the trace event it happened at (the cursor goes to its step)
  std::optional<std::uint64_t> send_k;     // the segment to select: the send event of the lost / dropped one
};

struct CongestionData {
  Series series;  // what the series run recorded
  plot::Input input;            // points into `series`
  std::vector<std::size_t> flows;  // the flows shown (indexes into series.flows), in colour order
  plot::Figure figure;          // panels cwnd, queue, rtt, throughput (those with data), one time axis
  std::string error;            // why nothing is shown ("" when the figure has panels)
  bool same_trace = false;      // the series run's trace is the shown timeline's (marks link by event)
  // Per panel, per mark: its link (same order as figure.panels[p].marks).
  std::vector<std::vector<std::optional<MarkLink>>> links;
};

// Runs the lab (with a fork's fault rules from the start: the same run as the fork) with series
// on, up to the timeline's end, and builds the figure and the links. Never throws: problems go
// to `error`.
std::unique_ptr<CongestionData> compute_congestion(const Lab& lab, const std::vector<std::string>& rules,
                                                   const TraceIndex& shown);

// A flow's congestion control and phase at time t, e.g. "cubic · congestion avoidance"
// ("" before its first sample).
std::string cc_phase_at(const FlowSeries& f, Instant t);

// The value of a line at time t (the step in force, or the nearest earlier point), if any.
std::optional<double> line_value_at(const plot::Line& l, Instant t);

}  // namespace tcplab::viz
