#pragma once
// A check as the evaluators see it: its kind and its arguments read into their types once,
// at load time (labs/check_schema turns a CheckSpec into a Check or a positioned error).
// Which fields a kind uses is listed in labs/check_schema.cpp; the others keep their
// defaults. Host names stay as written: they are resolved against the world of each run.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/segment_kind.hpp"
#include "stack/retx_cause.hpp"
#include "stack/state.hpp"
#include "stack/time.hpp"

namespace tcplab {

enum class CheckKind : std::uint8_t {
  States,       // the states a connection went through
  FinalState,   // the state it ends in (or is in at a time)
  TimeInState,  // how long it stayed in one state
  Segments,     // how many segments of a sort were sent
  Intervals,    // the time between segments of a sort (backoff)
  Segment,      // the fields of one segment
  Bytes,        // bytes read against bytes sent
  AppResult,    // what an application call returned
  Netstat,      // the sockets of a host at a time
  Peer,         // a scripted peer's script ended with every expected segment matched
  Congestion,   // a congestion series: cwnd, throughput, queue, RTT, fairness, phase
};

// Which connection of a host: its n-th (from 1, in order of the first state change) or
// its listening socket.
struct ConnSelector {
  bool listener = false;
  std::int64_t nth = 1;
  std::string written = "1";  // as the lab wrote it, for messages
};

// exactly `exact`, or within [min, max] where either end may be open.
template <class T>
struct Bound {
  std::optional<T> exact, min, max;
};

// A segment's stable id, "A>B#3": the 3rd segment A sent to B on its connection.
struct SegmentId {
  std::string text;       // "A>B#3", as compared with the trace's ids
  std::string direction;  // "A>B"
  std::int64_t n = 0;     // 3
};

struct Check {
  CheckKind kind = CheckKind::States;

  // Who: `host` (states, time, apps, netstat) or `from`/`to` (segments, bytes).
  std::string host;
  std::optional<std::string> from, to;
  ConnSelector conn;

  // States.
  std::vector<State> states;  // states: expect
  bool ordered = false;       // states: mode = "ordered"
  // final_state: expect; time_in_state: state; netstat: state (nullopt for "any").
  std::optional<State> state;

  // Time.
  std::optional<Instant> at;          // final_state, segment, netstat
  std::optional<Duration> within;     // intervals, segment: the tolerance (1ms if not given)
  Bound<Duration> duration;           // time_in_state
  std::vector<Duration> intervals;    // intervals: expect

  // Counts: segments and netstat (expect/min/max), bytes (expect), app_result (count/min).
  Bound<std::int64_t> count;

  // Segments: which, and what each must be.
  std::optional<SegKind> segment_kind;  // SYN SYN-ACK ACK DATA FIN RST
  std::optional<std::uint8_t> flags;
  // retx: a retransmission (the RTO, fast retransmit); a tail loss probe is not one, as
  // Linux counts it apart (RFC 8985 7.3): loss_probe picks or excludes those.
  std::optional<bool> retx, dropped, loss_probe;
  // retx_cause: why it was sent again (the trace's retx_cause: fast, recovery, rto, tlp,
  // probe, keepalive, syn, synack).
  std::optional<RetxCause> retx_cause;
  std::optional<SegmentId> id;
  bool resent = false;  // segment: check the first retransmission of the segment picked (`at` counts from the original)
  std::int64_t nth = 1;
  std::optional<std::uint32_t> seq, ack;
  bool absolute = false;                    // seq and ack as in the trace, not relative
  std::optional<std::int64_t> len;

  // Applications.
  std::string call;    // connect, send, ...
  std::string result;  // OK, EOF or an errno name

  // Congestion: what is measured (cwnd ssthresh flight srtt throughput queue drops fairness
  // ping_rtt phase), on which flow (from/to/conn) or link, over [start, end] (default: the whole
  // run; `at` for one instant), with which statistic, against bounds in the measure's unit
  // (bytes, bit/s, ns, packets, a count, or Jain's index), or the phase that must be seen.
  std::string measure, link, stat, phase;
  std::optional<Instant> start, end;
  Bound<double> value;
  std::string value_text;  // the bound as written, for the verdict's words
};

}  // namespace tcplab
