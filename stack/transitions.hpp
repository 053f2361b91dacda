#pragma once
// Every state transition a connection can make, in one table: RFC 9293 Figure 5's drawn
// edges and the ones the RFC's text adds (RST, timeouts, ABORT, a host's crash), each with
// the event that causes it, the action taken and the section that allows it.
//
// Connection::set_state() looks every change up here and throws std::logic_error when a
// change is not in the table: that is a bug in tcplab, never a property of the input. The
// visualizer draws Figure 5 from the table's first rows, and the Figure 5 test drives every
// row, so the diagram, the test and the stack cannot drift apart.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "stack/state.hpp"

namespace tcplab {

// What makes a connection change state, in the RFC's terms. With from and to it names one
// row of the table: the same two states can be joined by several events (ESTABLISHED ->
// CLOSED on a RST, a timeout, an ABORT, ...).
enum class TcpEvent : std::uint8_t {
  PassiveOpen,   // OPEN call, passive (3.10.1)
  ActiveOpen,    // OPEN call, active (3.10.1)
  Send,          // SEND call on a listening socket (3.10.2)
  Close,         // CLOSE call (3.10.4), also the one queued in SYN-RECEIVED
  CloseUnread,   // CLOSE call with received data not read: RST instead of FIN (3.6.1)
  Abort,         // ABORT call (3.10.5)
  RcvSyn,        // a SYN arrives
  RcvSynAck,     // a SYN,ACK that acknowledges our SYN arrives
  RcvAckOfSyn,   // an ACK of our SYN arrives (SYN-RECEIVED)
  RcvFin,        // the peer's FIN arrives in sequence
  RcvAckOfFin,   // an ACK of our FIN arrives
  RcvRst,        // an acceptable RST arrives
  TimeoutR2,     // retransmissions of one segment reached R2 (3.8.3)
  KeepaliveTimeout,  // keep-alive probes went unanswered (3.8.4)
  FinWait2Timeout,   // an orphaned FIN-WAIT-2 socket expires (Linux tcp_fin_timeout)
  Timeout2Msl,   // the TIME-WAIT timer expired (3.10.8)
  Crash,         // the host failed: the TCB is lost, nothing is sent (3.5.1)
  RcvDataAfterClose,  // new data arrives after CLOSE: RST, the data is lost (3.6.1)
};
constexpr int kTcpEventCount = 18;
static_assert(static_cast<int>(TcpEvent::RcvDataAfterClose) + 1 == kTcpEventCount, "kTcpEventCount counts TcpEvent");
std::string_view tcp_event_name(TcpEvent e);  // the enumerator's name: "RcvSyn"

struct Transition {
  State from, to;
  TcpEvent on;
  const char* event;    // the event in RFC words, Figure 5's caption for a drawn edge: "rcv SYN"
  const char* action;   // what the TCP does: "snd SYN,ACK"; "x" for nothing, as in Figure 5
  const char* section;  // the RFC 9293 section that allows it: "3.10.7.3"
  bool figure5;         // one of the arrows drawn in Figure 5 (at most one row per from -> to)
};

// The whole table: Figure 5's 20 drawn edges first, in the order the diagram draws them,
// then the transitions the RFC's text adds.
std::span<const Transition> transitions();
// The first kFigure5Edges rows of transitions(): the arrows of Figure 5.
constexpr std::size_t kFigure5Edges = 20;
std::span<const Transition> figure5_transitions();

// The row for from -> to: the Figure 5 edge if the figure draws one, else the first row
// with those ends; nullptr when the stack can never go from `from` to `to`.
const Transition* find_transition(State from, State to);
// The row for from -> to on event `on`, or nullptr.
const Transition* find_transition(State from, State to, TcpEvent on);
// As find_transition(from, to, on), but an illegal transition throws std::logic_error
// naming from, to, the event and the cause. Connection::set_state() calls it on every
// change, in every build (it runs only on a state change, which is rare).
const Transition& require_transition(State from, State to, TcpEvent on, std::string_view cause);

}  // namespace tcplab
