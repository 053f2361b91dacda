#pragma once
// Inside the check engine: the evaluators, one per check kind, over a finished run's trace
// index. Each returns a Verdict naming trace events by index; run_checks (labs/checks.cpp)
// renders those events once, exactly as `tcplab run` prints them. Not a public header.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "labs/check.hpp"
#include "labs/lab.hpp"
#include "sim/trace_index.hpp"

namespace tcplab {

constexpr std::size_t kMaxListed = 8;  // segment ids / connections listed in one sentence

// What one run offers the evaluators.
struct EvalContext {
  const TraceIndex& ix;
  const TraceEvents& trace;
  const World& world;  // the run's final world: host names, addresses, the end time
  const Lab& lab;      // netstat rebuilds the world to stop it at a time
  const Series* series = nullptr;  // the congestion series (when a check needs them)

  const std::string& host_name(int h) const { return world.hosts()[static_cast<std::size_t>(h)].name; }
};

// What an evaluator found.
struct Verdict {
  bool pass = false;
  std::string expected, actual;           // in words
  std::vector<std::uint64_t> steps;     // what led there (not including the evidence)
  std::vector<std::uint64_t> evidence;  // the event(s) that show the verdict
};

// A host as a segment or byte check names it (from/to): any host when not given, else by
// name, tag or address.
struct HostSel {
  bool any = true;
  int host = -1;
  Ipv4 ip = 0;
  std::string name;
};
HostSel host_sel(const EvalContext& cx, const std::optional<std::string>& written);

// By what they look at: connections and sockets (check_eval_conn.cpp), segments
// (check_eval_segments.cpp), applications (check_eval_app.cpp).
Verdict check_states(const EvalContext& cx, const Check& c);
Verdict check_final_state(const EvalContext& cx, const Check& c);
Verdict check_time_in_state(const EvalContext& cx, const Check& c);
Verdict check_netstat(const EvalContext& cx, const Check& c);
Verdict check_segments(const EvalContext& cx, const Check& c);
Verdict check_intervals(const EvalContext& cx, const Check& c);
Verdict check_segment(const EvalContext& cx, const Check& c);
Verdict check_bytes(const EvalContext& cx, const Check& c);
Verdict check_app_result(const EvalContext& cx, const Check& c);
Verdict check_peer(const EvalContext& cx, const Check& c);
Verdict check_congestion(const EvalContext& cx, const Check& c);  // check_eval_congestion.cpp

}  // namespace tcplab
