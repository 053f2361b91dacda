// Runs a lab's checks over a finished run: indexes the trace once, asks each check's
// evaluator for a verdict (trace events by index), then renders every event the verdicts
// name in one pass of a TextView, exactly as `tcplab run` prints them.
#include "labs/checks.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "labs/check_eval.hpp"
#include "labs/check_words.hpp"
#include "sim/text_view.hpp"
#include "sim/trace_index.hpp"

namespace tcplab {

namespace {

constexpr std::size_t kMaxSteps = 16;  // trace lines narrated before the failing one

Verdict evaluate(const EvalContext& cx, const Check& c) {
  switch (c.kind) {
    case CheckKind::States: return check_states(cx, c);
    case CheckKind::FinalState: return check_final_state(cx, c);
    case CheckKind::TimeInState: return check_time_in_state(cx, c);
    case CheckKind::Segments: return check_segments(cx, c);
    case CheckKind::Intervals: return check_intervals(cx, c);
    case CheckKind::Segment: return check_segment(cx, c);
    case CheckKind::Bytes: return check_bytes(cx, c);
    case CheckKind::AppResult: return check_app_result(cx, c);
    case CheckKind::Netstat: return check_netstat(cx, c);
    case CheckKind::Peer: return check_peer(cx, c);
    case CheckKind::Congestion: return check_congestion(cx, c);
  }
  return {};
}

// The verdict of check k. A Lab built in code (not loaded) has no typed checks and may hold
// a check the loader would have refused: that one fails with the loader's message.
Verdict verdict_of(const EvalContext& cx, const Lab& lab, std::size_t k) {
  if (lab.typed_checks.size() == lab.checks.size()) return evaluate(cx, lab.typed_checks[k]);
  std::string err, bad_key;
  if (const auto typed = parse_check(lab.checks[k], &err, &bad_key)) return evaluate(cx, *typed);
  Verdict v;
  v.expected = "a valid check";
  v.actual = err;
  return v;
}

std::size_t steps_skipped(const Verdict& v) { return v.steps.size() > kMaxSteps ? v.steps.size() - kMaxSteps : 0; }

// Every trace line the verdicts quote, rendered by one TextView pass up to the last of them
// (relative sequence numbers need every earlier segment).
std::map<std::uint64_t, std::string> quoted_lines(const std::vector<Verdict>& verdicts, const World& world,
                                                  const TraceEvents& trace) {
  std::set<std::uint64_t> wanted;
  for (const auto& v : verdicts) {
    wanted.insert(v.steps.begin() + static_cast<std::ptrdiff_t>(steps_skipped(v)), v.steps.end());
    wanted.insert(v.evidence.begin(), v.evidence.end());
  }
  std::map<std::uint64_t, std::string> lines;
  if (wanted.empty()) return lines;
  TextViewOptions o;
  o.timers = true;
  TextView tv(world.host_names(), o);
  for (std::uint64_t i = 0; i <= *wanted.rbegin() && i < trace.size(); ++i) {
    std::string l = tv.line(trace[i]);
    if (wanted.count(i)) lines[i] = l.empty() ? "(trace event " + std::to_string(trace[i].seq_no) + ")" : l;
  }
  return lines;
}

}  // namespace

bool needs_series(const Lab& lab) {
  for (const auto& c : lab.checks)
    if (c.kind == "congestion") return true;
  return false;
}

std::vector<CheckResult> run_checks(const Lab& lab, const World& world, const TraceEvents& trace,
                                    const Series* series) {
  const TraceIndex ix(trace, world);
  // A congestion check without the run's series: run the lab again with series on, to the
  // same end (the same lab and seed give the same run).
  TraceSink again;
  if (series == nullptr && needs_series(lab)) {
    World w = build_world(lab);
    again.series_on = true;
    w.run(UINT64_MAX, world.now(), &again);
    w.run_until(world.now(), &again);
    series = &again.series;
  }
  EvalContext cx{ix, trace, world, lab};
  cx.series = series;
  std::vector<Verdict> verdicts;
  for (std::size_t k = 0; k < lab.checks.size(); ++k) verdicts.push_back(verdict_of(cx, lab, k));
  std::map<std::uint64_t, std::string> lines = quoted_lines(verdicts, world, trace);
  std::vector<CheckResult> out;
  for (std::size_t k = 0; k < lab.checks.size(); ++k) {
    const CheckSpec& c = lab.checks[k];
    const Verdict& v = verdicts[k];
    CheckResult r;
    r.name = c.name;
    r.kind = c.kind;
    r.pos = c.pos;
    r.pass = v.pass;
    r.expected = v.expected;
    r.actual = v.actual;
    r.steps_omitted = steps_skipped(v);
    for (std::size_t j = r.steps_omitted; j < v.steps.size(); ++j) r.steps.push_back(lines[v.steps[j]]);
    std::vector<std::string> ev;
    for (std::uint64_t i : v.evidence) ev.push_back(lines[i]);
    r.evidence = join(ev, "\n");
    if (!v.evidence.empty()) r.evidence_seq_no = static_cast<std::int64_t>(trace[v.evidence.front()].seq_no);
    out.push_back(r);
  }
  return out;
}

}  // namespace tcplab
