#include "stack/transitions.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace tcplab {

namespace {

using S = State;
using E = TcpEvent;

// The sections were checked against the text of RFC 9293: 3.3.2 (Figure 5), 3.5 (Figure 7,
// simultaneous open), 3.5.1 (half-open connections: "a failure or reboot that resulted in
// loss of memory"), 3.6.1 (RST on CLOSE with unread data, SHLD-3; a new SYN in TIME-WAIT,
// MAY-2), 3.8.3 (R2), 3.8.4 (keep-alives), 3.10.1-3.10.5 (user calls), 3.10.7.2-3.10.7.4
// (SEGMENT ARRIVES), 3.10.8 (USER TIMEOUT, TIME-WAIT TIMEOUT).
constexpr std::array<Transition, 68> kTable = {{
    // Figure 5, arrow by arrow, captions as the figure writes them.
    {S::Closed, S::Listen, E::PassiveOpen, "passive OPEN", "create TCB", "3.10.1", true},
    {S::Closed, S::SynSent, E::ActiveOpen, "active OPEN", "create TCB, snd SYN", "3.10.1", true},
    {S::Listen, S::Closed, E::Close, "CLOSE", "delete TCB", "3.10.4", true},
    {S::Listen, S::SynReceived, E::RcvSyn, "rcv SYN", "snd SYN,ACK", "3.10.7.2", true},
    {S::Listen, S::SynSent, E::Send, "SEND", "snd SYN", "3.10.2", true},
    {S::SynSent, S::Closed, E::Close, "CLOSE", "delete TCB", "3.10.4", true},
    {S::SynSent, S::SynReceived, E::RcvSyn, "rcv SYN", "snd SYN,ACK", "3.10.7.3", true},
    {S::SynSent, S::Established, E::RcvSynAck, "rcv SYN,ACK", "snd ACK", "3.10.7.3", true},
    {S::SynReceived, S::Listen, E::RcvRst, "rcv RST (note 1)", "", "3.10.7.4", true},
    {S::SynReceived, S::Established, E::RcvAckOfSyn, "rcv ACK of SYN", "x", "3.10.7.4", true},
    {S::SynReceived, S::FinWait1, E::Close, "CLOSE", "snd FIN", "3.10.4", true},
    // Also a CLOSE queued in SYN-RECEIVED behind pending data, taken up on entering ESTABLISHED.
    {S::Established, S::FinWait1, E::Close, "CLOSE", "snd FIN", "3.10.4", true},
    {S::Established, S::CloseWait, E::RcvFin, "rcv FIN", "snd ACK", "3.10.7.4", true},
    {S::FinWait1, S::FinWait2, E::RcvAckOfFin, "rcv ACK of FIN", "x", "3.10.7.4", true},
    {S::FinWait1, S::Closing, E::RcvFin, "rcv FIN", "snd ACK", "3.10.7.4", true},
    {S::FinWait2, S::TimeWait, E::RcvFin, "rcv FIN", "snd ACK", "3.10.7.4", true},
    {S::Closing, S::TimeWait, E::RcvAckOfFin, "rcv ACK of FIN", "x", "3.10.7.4", true},
    {S::CloseWait, S::LastAck, E::Close, "CLOSE", "snd FIN", "3.10.4", true},
    {S::LastAck, S::Closed, E::RcvAckOfFin, "rcv ACK of FIN", "x", "3.10.7.4", true},
    {S::TimeWait, S::Closed, E::Timeout2Msl, "Timeout=2MSL", "delete TCB", "3.10.8", true},

    // What the text adds, state by state.
    {S::Listen, S::Closed, E::Abort, "ABORT", "delete TCB", "3.10.5", false},
    {S::Listen, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    {S::SynSent, S::Closed, E::RcvRst, "rcv RST,ACK", "delete TCB (connection refused)", "3.10.7.3", false},
    {S::SynSent, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB (connection timed out)", "3.8.3", false},
    {S::SynSent, S::Closed, E::Abort, "ABORT", "delete TCB", "3.10.5", false},
    {S::SynSent, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    // Simultaneous open: the peer's SYN,ACK (Figure 7 line 6) acknowledges our SYN.
    {S::SynReceived, S::Established, E::RcvSynAck, "rcv SYN,ACK", "x", "3.5", false},
    {S::SynReceived, S::Listen, E::RcvSyn, "rcv SYN (passive OPEN)", "x", "3.10.7.4", false},
    {S::SynReceived, S::Closed, E::RcvRst, "rcv RST (active OPEN)", "delete TCB (connection refused)", "3.10.7.4", false},
    {S::SynReceived, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB", "3.8.3", false},
    {S::SynReceived, S::Closed, E::Abort, "ABORT", "snd RST", "3.10.5", false},
    {S::SynReceived, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    {S::Established, S::Closed, E::RcvRst, "rcv RST", "delete TCB (connection reset)", "3.10.7.4", false},
    {S::Established, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB (connection timed out)", "3.8.3", false},
    {S::Established, S::Closed, E::KeepaliveTimeout, "keep-alive timeout", "snd RST", "3.8.4", false},
    {S::Established, S::Closed, E::CloseUnread, "CLOSE with unread data", "snd RST", "3.6.1", false},
    {S::Established, S::Closed, E::Abort, "ABORT", "snd RST", "3.10.5", false},
    {S::Established, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    // "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT".
    {S::FinWait1, S::TimeWait, E::RcvFin, "rcv FIN, ACK of FIN", "snd ACK", "3.10.7.4", false},
    {S::FinWait1, S::Closed, E::RcvRst, "rcv RST", "delete TCB (connection reset)", "3.10.7.4", false},
    {S::FinWait1, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB (connection timed out)", "3.8.3", false},
    {S::FinWait1, S::Closed, E::Abort, "ABORT", "snd RST", "3.10.5", false},
    {S::FinWait1, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},
    {S::FinWait1, S::Closed, E::RcvDataAfterClose, "rcv data after CLOSE", "snd RST", "3.6.1", false},

    {S::FinWait2, S::Closed, E::RcvRst, "rcv RST", "delete TCB (connection reset)", "3.10.7.4", false},
    {S::FinWait2, S::Closed, E::KeepaliveTimeout, "keep-alive timeout", "snd RST", "3.8.4", false},
    // Linux tcp_fin_timeout on an orphaned socket: a user timeout in the RFC's terms.
    {S::FinWait2, S::Closed, E::FinWait2Timeout, "FIN-WAIT-2 timeout", "delete TCB", "3.10.8", false},
    {S::FinWait2, S::Closed, E::Abort, "ABORT", "snd RST", "3.10.5", false},
    {S::FinWait2, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},
    {S::FinWait2, S::Closed, E::RcvDataAfterClose, "rcv data after CLOSE", "snd RST", "3.6.1", false},

    {S::CloseWait, S::Closed, E::RcvRst, "rcv RST", "delete TCB (connection reset)", "3.10.7.4", false},
    {S::CloseWait, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB (connection timed out)", "3.8.3", false},
    {S::CloseWait, S::Closed, E::KeepaliveTimeout, "keep-alive timeout", "snd RST", "3.8.4", false},
    {S::CloseWait, S::Closed, E::CloseUnread, "CLOSE with unread data", "snd RST", "3.6.1", false},
    {S::CloseWait, S::Closed, E::Abort, "ABORT", "snd RST", "3.10.5", false},
    {S::CloseWait, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    {S::Closing, S::Closed, E::RcvRst, "rcv RST", "delete TCB", "3.10.7.4", false},
    {S::Closing, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB (connection timed out)", "3.8.3", false},
    {S::Closing, S::Closed, E::Abort, "ABORT", "delete TCB", "3.10.5", false},
    {S::Closing, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    {S::LastAck, S::Closed, E::RcvRst, "rcv RST", "delete TCB", "3.10.7.4", false},
    {S::LastAck, S::Closed, E::TimeoutR2, "timeout (R2)", "delete TCB (connection timed out)", "3.8.3", false},
    {S::LastAck, S::Closed, E::Abort, "ABORT", "delete TCB", "3.10.5", false},
    {S::LastAck, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},

    // The RST only where the profile follows RFC 9293 (RFC 1337 would ignore it).
    {S::TimeWait, S::Closed, E::RcvRst, "rcv RST", "delete TCB", "3.10.7.4", false},
    // A new SYN with SEG.SEQ > RCV.NXT reopens the pair; the listener takes the SYN.
    {S::TimeWait, S::Closed, E::RcvSyn, "rcv SYN (new incarnation)", "delete TCB", "3.6.1", false},
    {S::TimeWait, S::Closed, E::Abort, "ABORT", "delete TCB", "3.10.5", false},
    {S::TimeWait, S::Closed, E::Crash, "host crash", "TCB lost, nothing sent", "3.5.1", false},
}};

// The table's shape, checked where it is written.
constexpr bool well_formed() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    const Transition& t = kTable[i];
    if (t.from == t.to) return false;                  // set_state ignores a "change" to the same state
    if (t.figure5 != (i < kFigure5Edges)) return false;  // the drawn arrows first, and only they
    for (std::size_t j = 0; j < i; ++j) {
      const Transition& u = kTable[j];
      if (u.from == t.from && u.to == t.to && (u.on == t.on || (u.figure5 && t.figure5))) return false;
    }
  }
  return true;
}
static_assert(well_formed(), "kTable: a duplicate (from, to, event), a self-loop, or a Figure 5 edge out of place");

constexpr auto kEventNames = std::to_array<std::string_view>({
    "PassiveOpen", "ActiveOpen", "Send", "Close", "CloseUnread", "Abort", "RcvSyn", "RcvSynAck", "RcvAckOfSyn",
    "RcvFin", "RcvAckOfFin", "RcvRst", "TimeoutR2", "KeepaliveTimeout", "FinWait2Timeout", "Timeout2Msl", "Crash",
    "RcvDataAfterClose"});
static_assert(kEventNames.size() == kTcpEventCount, "one name per TcpEvent");

}  // namespace

std::string_view tcp_event_name(TcpEvent e) { return kEventNames[static_cast<std::size_t>(e)]; }

std::span<const Transition> transitions() { return kTable; }
std::span<const Transition> figure5_transitions() { return transitions().first(kFigure5Edges); }

const Transition* find_transition(State from, State to) {
  const Transition* first = nullptr;
  for (const Transition& t : kTable) {
    if (t.from != from || t.to != to) continue;
    if (t.figure5) return &t;
    if (!first) first = &t;
  }
  return first;
}

const Transition* find_transition(State from, State to, TcpEvent on) {
  for (const Transition& t : kTable)
    if (t.from == from && t.to == to && t.on == on) return &t;
  return nullptr;
}

const Transition& require_transition(State from, State to, TcpEvent on, std::string_view cause) {
  if (const Transition* t = find_transition(from, to, on)) return *t;
  // Not a property of the input: the stack took a step its own table does not allow.
  throw std::logic_error("tcplab bug: illegal state transition " + std::string(state_name(from)) + " -> " +
                         std::string(state_name(to)) + " on " + std::string(tcp_event_name(on)) +
                         " (not in stack/transitions.cpp); cause: " + std::string(cause));
}

}  // namespace tcplab
