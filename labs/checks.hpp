#pragma once
// Checks: predicates over a lab's trace (and its world at chosen times) that say whether TCP
// did what the lab demands. Each failed check says what was expected, what happened, and
// the trace event that shows it, narrated like CS144's test harness (STYLE 8).
//
// The parts: labs/check_schema (kinds, keys, validation into a typed Check), labs/check_eval_*
// (the evaluators, by what they look at), labs/check_narrate (the story of a failure), and
// sim/trace_index (the trace, indexed). This header is what callers need.
#include <vector>

#include "labs/check_result.hpp"
#include "labs/check_schema.hpp"
#include "labs/lab.hpp"

namespace tcplab {

// Runs every check of the lab over a finished run. `series`: the run's congestion series, if it
// recorded them; a lab with congestion checks and none given is run again with series on.
std::vector<CheckResult> run_checks(const Lab& lab, const World& world, const TraceEvents& trace,
                                    const Series* series = nullptr);
// The lab has checks that read the congestion series (kind "congestion").
bool needs_series(const Lab& lab);

}  // namespace tcplab
