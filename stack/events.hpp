#pragma once
// What an endpoint reports back from each call (sans-IO): segments to put on the wire,
// state changes with their cause, timer changes, and notices for the application. The
// caller (the simulator, a test, the bridge) decides what to do with them, in order.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "stack/retx_cause.hpp"
#include "stack/segment.hpp"
#include "stack/state.hpp"
#include "stack/time.hpp"
#include "stack/transitions.hpp"

namespace tcplab {

using ConnId = std::uint32_t;
constexpr ConnId kNoConn = UINT32_MAX;

struct SendEvent {
  Segment seg;
  bool retx = false;  // repeats sequence space already sent (or a SYN/FIN sent again)
  // A tail loss probe (RFC 8985 7.3): sent by the PTO timer, not by the RTO; Linux counts it
  // apart (TCPLossProbes) and it neither backs the RTO off nor counts in `ss`'s retrans_out.
  bool loss_probe = false;
  // Why it is sent again (or probes): set on every retransmission, keep-alive and
  // zero-window probe; None otherwise (a loss probe of new data included).
  RetxCause cause = RetxCause::None;
};
struct StateEvent {
  State from, to;
  std::string cause;  // the RFC 9293 rule and the numbers it compared
  const Transition* rule = nullptr;  // the row of stack/transitions.cpp this change took
};
enum class TimerAction : std::uint8_t { Set, Cancel, Fire };
struct TimerEvent {
  TimerKind kind;
  TimerAction action;
  Instant deadline_ns;
};
enum class Notice : std::uint8_t {
  Connected,   // an active open reached ESTABLISHED
  Acceptable,  // a passive open reached ESTABLISHED and waits in the accept queue
  Readable,    // new in-order bytes for recv()
  Eof,         // the peer's FIN arrived: recv() will return 0 after the data
  Error,       // the connection failed; errno says why (ECONNREFUSED, ECONNRESET, ETIMEDOUT)
  Dropped,     // a SYN was dropped because the listen queue was full
  Paced,       // data waits for the pacing rate: the connection's next deadline moved (wake it then)
};
struct NoticeEvent {
  Notice what;
  Errno err = Errno::Ok;
};

struct ConnEvent {
  ConnId conn;
  std::variant<SendEvent, StateEvent, TimerEvent, NoticeEvent> body;
};

// Collects events; a caller reuses one Output across calls (clear() keeps capacity).
struct Output {
  std::vector<ConnEvent> events;
  // Timer events only feed the trace. A caller that records none (the world running without a
  // sink) sets this to false: each is then counted rather than listed, with its connection
  // noted (the world re-reads that connection's deadlines). A bulk run made 1.4 of them per
  // packet, each a 130-byte event built, stored and visited for nothing.
  bool list_timer_events = true;
  std::uint32_t timer_events_unlisted = 0;
  std::vector<ConnId> timer_conns;  // connections of the unlisted ones (no repeats in a row)
  void timer(ConnId c, const TimerEvent& e) {
    if (list_timer_events) {
      events.push_back({c, e});
      return;
    }
    ++timer_events_unlisted;
    if (timer_conns.empty() || timer_conns.back() != c) timer_conns.push_back(c);
  }
  void clear() {
    events.clear();
    timer_events_unlisted = 0;
    timer_conns.clear();
  }
};

}  // namespace tcplab
