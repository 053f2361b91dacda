#pragma once
// The RFC text the visualizer shows: RFC 9293 Figure 5 (states and their edges), the TCB
// variables of 3.3.1, the timers, and the rule behind each kind of segment. Data only.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "labs/panel_layout.hpp"
#include "sim/trace.hpp"
#include "stack/transitions.hpp"

namespace tcplab::viz {

// One arrow of RFC 9293 Figure 5 (event / action): a drawn row of the stack's transition
// table (stack/transitions.hpp), so the diagram shows what the stack checks.
using Fig5Edge = Transition;
// The 20 arrows, in drawing order.
std::span<const Fig5Edge> figure5_edges();
// The Figure 5 edge from -> to, or nullptr (the stack can take others, e.g. RST -> CLOSED).
using layout::figure5_edge;
// The name in the Figure 5 box: "SYN-RCVD", "ESTAB", "FIN-WAIT-1", ...
using layout::fig5_name;
// RFC 9293 3.3.2: what the state represents.
const char* state_help(State s);

using layout::TcbField;
using layout::tcb_name;  // "SND.UNA"
const char* tcb_help(TcbField f);  // the RFC's words
const char* timer_help(TimerKind k);

// Why a segment was sent, for predict-then-step: the state change in the same step if any,
// otherwise the rule for that kind of segment. `group` is the step's events [begin, end).
std::string segment_rule(const TraceEvents& trace, std::uint64_t begin, std::uint64_t end,
                         std::uint64_t send_k);

}  // namespace tcplab::viz
