#pragma once
// The trace: what happened, in order, as plain records (DESIGN.md "Trace"). It is what the
// text view, netstat view, checks, grader and visualizer read, and what --trace writes.
#include <cstdint>
#include <string>
#include <vector>

#include "stack/chunked.hpp"
#include "sim/trace_label.hpp"
#include "stack/events.hpp"
#include "stack/segment.hpp"
#include "stack/state.hpp"

namespace tcplab {

constexpr std::size_t kTracePayloadBytes = 64;  // payload bytes kept per sent segment

enum class TraceType : std::uint8_t { State, Send, Drop, Deliver, Timer, App };
std::string_view trace_type_name(TraceType t);

// A fixed-size record (sim/trace_label.hpp): labels interned, free-form text owned only by
// the events that have it, the segment's header and options with a short payload prefix.
// Strings are built only when text or JSON is written.
struct TraceEvent {
  Instant t_ns = 0;
  std::uint64_t seq_no = 0;
  TraceType type = TraceType::State;
  // state
  State from = State::Closed, to = State::Closed;
  bool retx = false;
  bool loss_probe = false;  // a tail loss probe (RFC 8985 7.3); `retx` too when it repeats data
  RetxCause retx_cause = RetxCause::None;  // why it was sent again, or which probe it is
  // timer
  TimerKind timer = TimerKind::Rto;
  TimerAction action = TimerAction::Set;
  int host = -1;            // index into World hosts
  Label conn;               // "10.0.0.1:39870>10.0.0.2:9502"
  Text cause;               // state: the RFC rule and its numbers
  // send / drop / deliver: the segment's stable id and what it was
  SegId id;                 // "A>B#3"
  Label kind;               // SYN SYN-ACK ACK DATA FIN RST
  std::uint32_t len = 0;    // the real payload length
  Segment seg;              // header and options; the first kTracePayloadBytes of payload
  // drop
  Label where;
  // app (beside `where`: two 4-byte labels fill one 8-byte slot)
  Label call;
  Text reason;              // drop
  Instant deadline_ns = 0;  // timer
  Text result;              // app
  std::uint64_t bytes = 0;  // app
  // Field by field: what rewind and determinism checks compare (stricter than the JSON line,
  // and without building one string per event). Labels compare by id: one table per
  // process, so equal ids are equal strings across traces (sim/trace_label.hpp).
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

// A run's trace: events in the order they happened, in chunks that never move (stack/chunked.hpp).
using TraceEvents = Chunked<TraceEvent>;

// The note the text view and the visualizer put after a sent segment: "fast retransmit",
// "RTO retransmit", "tail loss probe", "keepalive probe", ... ("" for an ordinary segment).
std::string_view send_note(const TraceEvent& e);

// One JSON object per line, keys as in DESIGN.md.
std::string to_json_line(const TraceEvent& e, const std::vector<std::string>& host_names);

}  // namespace tcplab
