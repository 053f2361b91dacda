#include "viz/rfc.hpp"

namespace tcplab::viz {
namespace {
using S = State;
}  // namespace

std::span<const Fig5Edge> figure5_edges() { return figure5_transitions(); }

const char* state_help(State s) {
  switch (s) {
    case S::Closed: return "RFC 9293 3.3.2: CLOSED represents no connection state at all.";
    case S::Listen: return "RFC 9293 3.3.2: LISTEN represents waiting for a connection request from any remote TCP peer and port.";
    case S::SynSent: return "RFC 9293 3.3.2: SYN-SENT represents waiting for a matching connection request after having sent a connection request.";
    case S::SynReceived: return "RFC 9293 3.3.2: SYN-RECEIVED represents waiting for a confirming connection request acknowledgment after having both received and sent a connection request.";
    case S::Established: return "RFC 9293 3.3.2: ESTABLISHED represents an open connection, data received can be delivered to the user. The normal state for the data transfer phase of the connection.";
    case S::FinWait1: return "RFC 9293 3.3.2: FIN-WAIT-1 represents waiting for a connection termination request from the remote TCP peer, or an acknowledgment of the connection termination request previously sent.";
    case S::FinWait2: return "RFC 9293 3.3.2: FIN-WAIT-2 represents waiting for a connection termination request from the remote TCP peer.";
    case S::CloseWait: return "RFC 9293 3.3.2: CLOSE-WAIT represents waiting for a connection termination request from the local user.";
    case S::Closing: return "RFC 9293 3.3.2: CLOSING represents waiting for a connection termination request acknowledgment from the remote TCP peer.";
    case S::LastAck: return "RFC 9293 3.3.2: LAST-ACK represents waiting for an acknowledgment of the connection termination request previously sent to the remote TCP peer (this termination request sent to the remote TCP peer already included an acknowledgment of the termination request sent from the remote TCP peer).";
    case S::TimeWait: return "RFC 9293 3.3.2: TIME-WAIT represents waiting for enough time to pass to be sure the remote TCP peer received the acknowledgment of its connection termination request and to avoid new connections being impacted by delayed segments from previous connections.";
  }
  return "";
}

const char* tcb_help(TcbField f) {
  switch (f) {
    case TcbField::Iss: return "ISS - initial send sequence number (RFC 9293 3.3.1). Chosen at OPEN (RFC 9293 3.4.1, RFC 6528); the SYN occupies ISS, so data starts at ISS+1.";
    case TcbField::Irs: return "IRS - initial receive sequence number (RFC 9293 3.3.1): the sequence number of the peer's SYN.";
    case TcbField::SndUna: return "SND.UNA - send unacknowledged (RFC 9293 3.3.1): the oldest sequence number sent but not yet acknowledged. Everything below it has been acknowledged.";
    case TcbField::SndNxt: return "SND.NXT - send next (RFC 9293 3.3.1): the sequence number of the next octet to send. SND.NXT - SND.UNA octets are in flight.";
    case TcbField::SndWnd: return "SND.WND - send window (RFC 9293 3.3.1): the window the peer advertised (scaled). Octets from SND.UNA to SND.UNA+SND.WND-1 may be sent.";
    case TcbField::RcvNxt: return "RCV.NXT - receive next (RFC 9293 3.3.1): the next sequence number expected on an incoming segment; the left edge of the receive window, and what our ACKs carry.";
    case TcbField::RcvWnd: return "RCV.WND - receive window (RFC 9293 3.3.1): the octets from RCV.NXT to RCV.NXT+RCV.WND-1 are acceptable; this is what we advertised.";
    case TcbField::Cwnd: return "cwnd - congestion window (RFC 5681 2): a TCP state variable that limits the amount of data a TCP can send. At any given time, a TCP MUST NOT send data with a sequence number higher than the sum of the highest acknowledged sequence number and the minimum of cwnd and rwnd.";
    case TcbField::Ssthresh: return "ssthresh - slow start threshold (RFC 5681 3.1): slow start is used when cwnd < ssthresh, congestion avoidance when cwnd > ssthresh.";
    case TcbField::SndBuf: return "Bytes in the send buffer: sent but unacknowledged, plus written by the application and not yet sent (netstat Send-Q).";
    case TcbField::RcvBuf: return "Bytes in the receive buffer: received in order and not yet read by the application (netstat Recv-Q).";
    case TcbField::Srtt: return "SRTT - smoothed round-trip time (RFC 6298 2.3): SRTT <- (1 - 1/8) * SRTT + 1/8 * R'.";
    case TcbField::Rto: return "RTO - retransmission timeout (RFC 6298 2): RTO <- SRTT + max(G, 4*RTTVAR), at least the minimum, doubled on each expiry (5.5).";
  }
  return "";
}

const char* timer_help(TimerKind k) {
  switch (k) {
    case TimerKind::Rto: return "Retransmission timer (RFC 6298 5): running while data (or a SYN/FIN) is outstanding. When it expires, retransmit the earliest segment not yet acknowledged and double the RTO (5.4, 5.5).";
    case TimerKind::TimeWait: return "TIME-WAIT timer (RFC 9293 3.10.8): when it expires, delete the TCB, enter the CLOSED state. It lasts 2*MSL so that the last ACK can be retransmitted and old duplicates die out.";
    case TimerKind::DelAck: return "Delayed-ACK timer (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2): an ACK may be delayed, but not more than 0.5 s, and every second full-sized segment should be acknowledged.";
    case TimerKind::Keepalive: return "Keep-alive timer (RFC 9293 3.8.4): probes an idle connection; the interval must be configurable and default to no less than two hours.";
    case TimerKind::Persist: return "Persist timer (RFC 9293 3.8.6.1): while the peer's window is zero, send a zero-window probe at intervals, backed off exponentially, so that a lost window update cannot deadlock the connection.";
    case TimerKind::FinWait2: return "FIN-WAIT-2 timer (Linux tcp_fin_timeout, not in RFC 9293): an orphaned socket that waits in FIN-WAIT-2 for the peer's FIN is freed when it expires.";
    case TimerKind::Reorder: return "RACK reordering timer (RFC 8985 6.2, Linux's default loss detection): a segment sent before one that was delivered is not yet deemed lost while reordering could explain it; the timer fires when RACK.rtt + the reordering window (min_rtt/4) has passed since it was sent, and it is then marked lost and retransmitted.";
    case TimerKind::LossProbe: return "Tail loss probe timer (RFC 8985 7.2, Linux's default): PTO = 2*SRTT (+ 200 ms with one segment in flight), never later than the RTO. When it expires, send one probe - the last segment again, or a new one - so that a lost tail is repaired by the ACK it draws; then the RTO restarts (7.3).";
  }
  return "";
}

std::string segment_rule(const TraceEvents& trace, std::uint64_t begin, std::uint64_t end,
                         std::uint64_t send_k) {
  const TraceEvent& s = trace[send_k];
  bool rto = false, reo = false, delack = false, persist = false, keepalive = false, delivered = false;
  if (s.loss_probe)
    return "RFC 8985 7.3: the tail loss probe timer (PTO) expired with data unacknowledged: send the last segment again (or a new one) to draw an ACK - a loss probe, not counted as a retransmission; the RTO restarts after it.";
  for (std::uint64_t k = begin; k < end; ++k) {
    const TraceEvent& e = trace[k];
    if (e.type == TraceType::State && e.host == s.host && e.conn == s.conn) return e.cause;
    if (e.type == TraceType::Timer && e.action == TimerAction::Fire) {
      rto |= e.timer == TimerKind::Rto;
      reo |= e.timer == TimerKind::Reorder;
      delack |= e.timer == TimerKind::DelAck;
      persist |= e.timer == TimerKind::Persist;
      keepalive |= e.timer == TimerKind::Keepalive;
    }
    if (e.type == TraceType::Deliver && e.host == s.host) delivered = true;
  }
  if (s.retx && rto) return "RFC 6298 5.4: the retransmission timer expired: retransmit the earliest segment that has not been acknowledged, and back the timer off (5.5).";
  if (s.retx && reo) return "RFC 8985 6.3: RACK's reordering timer expired: a segment sent before one that was delivered has now waited RACK.rtt + the reordering window, so it is deemed lost and retransmitted (fast recovery begins if it had not).";
  if (s.retx) return "A fast retransmit: RFC 5681 3.2, the third duplicate ACK (RFC 6675 with SACK); under Linux's RACK (RFC 8985 6.2), an ACK showed a segment sent after this one delivered, long enough ago that this one is deemed lost.";
  if (persist) return "RFC 9293 3.8.6.1: the persist timer expired with a zero send window: send a zero-window probe.";
  if (keepalive) return "RFC 9293 3.8.4: the keep-alive timer expired on an idle connection: send a keep-alive probe.";
  if (s.kind == "SYN") return "RFC 9293 3.10.1 OPEN (active): send <SEQ=ISS><CTL=SYN>.";
  if (s.kind == "SYN-ACK") return "RFC 9293 3.10.7.2: a SYN arrives in LISTEN: send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.";
  if (s.kind == "RST") return "RFC 9293 3.5.2 (reset generation): a segment arrived that does not belong to any connection, or is not acceptable: answer it with a RST.";
  if (s.kind == "FIN") return "RFC 9293 3.10.4 CLOSE: once the queued data is sent, send a FIN; it takes one sequence number.";
  if (s.kind == "DATA") return "RFC 9293 3.10.2 SEND: queued data is sent when min(SND.WND, cwnd) allows (RFC 5681); PSH marks the end of the application's write.";
  if (delack) return "RFC 9293 3.8.6.3: the delayed-ACK timer expired: send the ACK that was held back (<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>).";
  if (delivered) return "RFC 9293 3.10.7.4: data or a FIN arrived in sequence: acknowledge it with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (at once, or after a short delay, 3.8.6.3).";
  return "RFC 9293 3.10.7.4: send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.";
}

}  // namespace tcplab::viz
