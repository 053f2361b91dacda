// The RFC 9293 rules that explain each inferred transition, in the words the stack's own
// trace uses (stack/transitions.cpp, stack/connection*.cpp), with the numbers compared.
// A sender's transitions are shown by what it sends; a receiver's by the segment reaching
// it, or, on the far side, by its answer (its ACK of our FIN).
#include <fmt/format.h>

#include "import/infer_internal.hpp"

namespace tcplab::capture {
namespace {

std::string rfc_state(State s) {  // "FIN-WAIT-1": the RFC's spelling in rule text
  std::string n(state_name(s));
  for (char& ch : n)
    if (ch == '_') ch = '-';
  return n;
}

}  // namespace

void Inference::Impl::learn_delay(Conn& c, Duration rtt) {
  if (c.info.delay >= 0 || rtt < 0) return;
  c.info.delay = rtt / 2;
  if (!c.far_wait.empty()) release_far(c);
}

// The delay to place far events by: half the smallest of the capture host's recent RTT
// samples (queues change it; a delayed ACK stretches one sample only), else half the
// handshake's. The handshake's bounds it too: its SYN,ACK is never delayed.
Duration Inference::Impl::delay_now(const Conn& c) const {
  if (c.link_mode) return 0;  // a tap on the path: each side's share of the delay is unknown
  for (const Side& s : c.s)
    if (s.near && s.rtt_samples > 0) {
      const Duration recent = s.recent_rtt_min() / 2;
      return c.info.delay >= 0 && s.rtt_samples < Side::kRecentRtts ? std::min(recent, c.info.delay) : recent;
    }
  return c.info.delay;
}

// When the far side took in the capture host's SYN / SYN,ACK / FIN that its answer (captured at
// t_answer) acknowledges: the transmission whose timestamp the answer echoes (RFC 7323 4.3),
// else the last one sent a round trip before the answer, plus the one-way delay. Without
// either, one delay before the answer.
Place Inference::Impl::far_receipt(const Conn& c, const Side& sender, std::uint8_t flag, Instant t_answer, std::uint64_t key,
                                   const DecodedFrame& answer) const {
  const Duration d = delay_now(c);
  if (d >= 0) {
    if (answer.seg.ts)
      for (const CtlTx& tx : sender.ctl_tx)
        if ((tx.flags & flag) && tx.has_ts && tx.tsval == answer.seg.ts->ecr && tx.t <= t_answer) return Place{tx.t, +1, tx.key};
    const CtlTx* best = nullptr;
    for (const CtlTx& tx : sender.ctl_tx)
      if ((tx.flags & flag) && tx.t + 2 * d <= t_answer + us(1)) best = &tx;
    if (best) return Place{best->t, +1, best->key};
  }
  return Place{t_answer, -1, key};
}

void Inference::Impl::send_rules(Conn& c, int i, const Place& p, const DecodedFrame& f) {
  Side& s = c.side(i);
  Side& peer = c.side(1 - i);
  const Segment& seg = f.seg;
  const std::uint32_t seq = seg.seq.raw();
  if (seg.has(kRst)) {
    if (s.state == State::Closed || s.state == State::Listen) return;  // no TCB: a reply (3.10.7.1)
    // A stack's own RST carries SEG.SEQ=SND.NXT (3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>; a
    // reply takes SEG.ACK, which is it too). One at another number, once the side has sent
    // (its ISN known), is no TCB's: a third party's forged RST or an attacker's blind guess
    // (RFC 5961 3): its sender's state does not change (the receiver's rules judge it).
    if (s.iss && seq != s.snd_nxt) return;
    transition(c, i, State::Closed, p,
               fmt::format("3.10.5 ABORT (or data after close, 3.6.1) in {}: RST sent with SEG.SEQ={} → CLOSED", rfc_state(s.state), seq));
    return;
  }
  if (seg.has(kSyn) && !seg.has(kAck)) {
    if (s.state == State::Closed && !s.opened) {
      s.iss = seq;
      s.snd_una = seq;
      s.snd_nxt = seq + 1;
      transition(c, i, State::SynSent, p, fmt::format("3.10.1 OPEN call, active: SYN sent with ISS={} → SYN_SENT", seq));
    }
    return;
  }
  if (seg.has(kSyn) && seg.has(kAck)) {
    if ((s.state == State::Closed || s.state == State::Listen) && !s.opened) {
      // A listener's answer: the transition happened when the SYN arrived (at this host,
      // that SYN's arrival; far away, one delay before this SYN,ACK was captured).
      s.passive = true;
      s.iss = seq;
      s.snd_una = seq;
      s.snd_nxt = seq + 1;
      s.rcv_known = true;
      s.rcv_contig = seg.ack.raw();
      s.state = State::Listen;
      const Place when = s.near ? (s.syn_arrival.t >= 0 ? s.syn_arrival : p)
                                                 : far_receipt(c, peer, kSyn, p.t, p.key, f);
      transition(c, i, State::SynReceived, when,
                 fmt::format("3.10.7.2 LISTEN: SYN with SEG.SEQ={} → IRS, RCV.NXT={}; SYN,ACK sent with ISS={} → SYN_RECEIVED",
                             seg.ack.raw() - 1, seg.ack.raw(), seq));
    } else if (s.state == State::SynSent) {
      // Its SYN,ACK is what shows the peer's SYN reached its TCP in SYN-SENT (simultaneous open):
      // at this host when the last SYN arrived (one the capture shows arriving may never have
      // reached the TCP: a firewall's drop, and no SYN,ACK answers it), far away one delay
      // before this SYN,ACK was captured.
      s.rcv_known = true;
      s.rcv_contig = seg.ack.raw();
      const Place when = s.near ? (s.syn_arrival.t >= 0 ? s.syn_arrival : p) : far_receipt(c, peer, kSyn, p.t, p.key, f);
      transition(c, i, State::SynReceived, when,
                 fmt::format("3.10.7.3 SYN-SENT: SYN without ACK (SEG.SEQ={}): simultaneous open, SYN,ACK sent → SYN_RECEIVED",
                             seg.ack.raw() - 1));
    }
    return;
  }
  if (seg.has(kFin)) {
    const std::uint32_t fin_at = seq + f.len;
    if (s.fin_seq) return;  // its FIN again
    s.fin_seq = fin_at;
    s.orphan_hint = true;
    const std::string sent = fmt::format("FIN sent at SEG.SEQ={}", fin_at);
    switch (s.state) {
      case State::Established:
        transition(c, i, State::FinWait1, p, fmt::format("3.10.4 CLOSE (or shutdown of the write side) in ESTABLISHED: {} → FIN_WAIT_1", sent));
        break;
      case State::SynReceived:
        transition(c, i, State::FinWait1, p, fmt::format("3.10.4 CLOSE in SYN-RECEIVED: {} → FIN_WAIT_1", sent));
        break;
      case State::CloseWait:
        transition(c, i, State::LastAck, p, fmt::format("3.10.4 CLOSE in CLOSE-WAIT: {} → LAST_ACK", sent));
        break;
      default: break;
    }
  }
}

// The peer's FIN has been taken in by side j (RFC 9293 3.10.7.4, eighth step).
void Inference::Impl::fin_reached(Conn& c, int j, const Place& p, std::uint32_t fin_at) {
  Side& r = c.side(j);
  if (r.fin_rcvd) {
    if (r.state == State::TimeWait && r.near) {
      // A retransmitted FIN in TIME-WAIT: acknowledged, and the 2 MSL timeout restarts (3.10.7.4).
      set_timer(c, j, TimerKind::TimeWait, p.t + opt.time_wait);
    }
    return;
  }
  r.fin_rcvd = true;
  r.rcv_known = true;
  r.rcv_contig = fin_at + 1;
  const std::string at = fmt::format("FIN at SEG.SEQ={} = RCV.NXT", fin_at);
  switch (r.state) {
    case State::Established:
      transition(c, j, State::CloseWait, p, fmt::format("3.10.7.4 ESTABLISHED: {} → CLOSE_WAIT", at));
      break;
    case State::SynReceived:
      transition(c, j, State::CloseWait, p, fmt::format("3.10.7.4 SYN-RECEIVED: {} → CLOSE_WAIT", at));
      break;
    case State::FinWait1:
      if (r.fin_acked)
        transition(c, j, State::TimeWait, p,
                   fmt::format("3.10.7.4 FIN-WAIT-1: {} and our FIN acknowledged (SND.UNA={}) → TIME_WAIT", at, r.snd_una));
      else
        transition(c, j, State::Closing, p, fmt::format("3.10.7.4 FIN-WAIT-1: {}, our FIN not yet acknowledged → CLOSING", at));
      break;
    case State::FinWait2:
      transition(c, j, State::TimeWait, p, fmt::format("3.10.7.4 FIN-WAIT-2: {} → TIME_WAIT", at));
      break;
    default: break;
  }
}

// Side i's segment acknowledges the peer's FIN: side i has taken it in. At this host that
// happened when the peer's last segment arrived; far away, one delay before this one was captured.
void Inference::Impl::fin_evidence(Conn& c, int i, Instant t, std::uint64_t key, const DecodedFrame& f) {
  Side& s = c.side(i);
  const Side& peer = c.side(1 - i);
  if (s.fin_rcvd || !peer.fin_seq || !f.seg.has(kAck) || f.seg.has(kRst)) return;
  if (!seq_ge(f.seg.ack, Seq32{*peer.fin_seq + 1})) return;
  const Place p = s.near ? (s.last_arrival.t >= 0 ? s.last_arrival : Place{t, -1, key})
                                          : far_receipt(c, peer, kFin, t, key, f);
  fin_reached(c, i, p, *peer.fin_seq);
}

// The far side's first segment that acknowledges our SYN,ACK shows it ESTABLISHED (3.10.7.3).
void Inference::Impl::synack_evidence(Conn& c, int i, Instant t, std::uint64_t key, const DecodedFrame& f) {
  Side& s = c.side(i);
  const Side& peer = c.side(1 - i);
  // Its own SYN,ACK (a simultaneous open) shows only our SYN taken in: send_rules.
  if (!s.awaiting_synack_answer || !peer.iss || !f.seg.has(kAck) || f.seg.has(kRst) || f.seg.has(kSyn)) return;
  if (!seq_gt(f.seg.ack, Seq32{*peer.iss})) return;
  const bool simultaneous = s.state == State::SynReceived && !s.passive;
  if (s.state != State::SynSent && !simultaneous) return;
  s.awaiting_synack_answer = false;
  s.rcv_known = true;
  s.rcv_contig = *peer.iss + 1;
  s.snd_una = f.seg.ack.raw();
  const Place when = far_receipt(c, peer, kSyn, t, key, f);
  if (simultaneous)
    transition(c, i, State::Established, when,
               fmt::format("3.10.7.4 SYN-RECEIVED (simultaneous open): SYN,ACK with SEG.SEQ=IRS={} and SEG.ACK={} = SND.NXT "
                           "acknowledges our SYN → ESTABLISHED (shown by its ACK of it)", *peer.iss, *s.iss + 1));
  else
    transition(c, i, State::Established, when,
               fmt::format("3.10.7.3 SYN-SENT: SEG.ACK={} in (ISS={}, SND.NXT={}] and SYN set → ESTABLISHED (shown by its ACK of the SYN,ACK)",
                           *s.iss + 1, *s.iss, s.snd_nxt));
}

void Inference::Impl::recv_rules(Conn& c, int j, const Place& p, const DecodedFrame& f) {
  Side& r = c.side(j);
  Side& s = c.side(1 - j);
  const Segment& seg = f.seg;
  const std::uint32_t seq = seg.seq.raw(), ack = seg.ack.raw();
  const bool exact = r.near;
  if (seg.has(kRst)) {
    if (r.state == State::SynSent) {
      if (seg.has(kAck) && r.iss && seq_gt(seg.ack, Seq32{*r.iss}) && seq_le(seg.ack, Seq32{r.snd_nxt}))
        transition(c, j, State::Closed, p,
                   fmt::format("3.10.7.3 SYN-SENT: RST with acceptable SEG.ACK={} → CLOSED (connection refused)", ack));
      return;
    }
    if (r.state == State::Closed || r.state == State::Listen) return;
    if (r.state == State::SynReceived) {
      transition(c, j, State::Closed, p, fmt::format("3.10.7.4 SYN-RECEIVED: RST with SEG.SEQ={} → CLOSED (a passive open's TCB is dropped; the listener stays)", seq));
      return;
    }
    if (r.state == State::TimeWait) {
      transition(c, j, State::Closed, p, fmt::format("3.10.7.4 TIME-WAIT: RST with SEG.SEQ={} → CLOSED (Linux: net.ipv4.tcp_rfc1337=0)", seq));
      return;
    }
    // RFC 5961 3.2: only SEG.SEQ = RCV.NXT resets; elsewhere in the window a challenge ACK.
    const std::uint32_t expected = exact && r.rcv_known ? r.rcv_contig : s.snd_nxt;
    if (seq == expected)
      transition(c, j, State::Closed, p,
                 fmt::format("3.10.7.4 {}: RST with SEG.SEQ=RCV.NXT={} → CLOSED (connection reset)", rfc_state(r.state), seq));
    return;
  }
  if (seg.has(kSyn) && seg.has(kAck)) {
    if (r.state == State::SynSent && r.iss && ack == r.snd_nxt && !exact) {
      r.awaiting_synack_answer = true;  // far away: its answer shows when (synack_evidence)
    } else if (r.state == State::SynSent && r.iss && ack == r.snd_nxt) {
      r.rcv_known = true;
      r.rcv_contig = seq + 1;
      r.snd_una = ack;
      if (r.near && c.syn_sent_at >= 0) learn_delay(c, p.t - c.syn_sent_at);
      transition(c, j, State::Established, p,
                 fmt::format("3.10.7.3 SYN-SENT: SEG.ACK={} in (ISS={}, SND.NXT={}] and SYN set → ESTABLISHED", ack, *r.iss, r.snd_nxt));
    } else if (r.state == State::SynReceived && !r.passive && ack == r.snd_nxt && !exact) {
      r.awaiting_synack_answer = true;
    } else if (r.state == State::SynReceived && !r.passive && ack == r.snd_nxt) {
      r.snd_una = ack;
      transition(c, j, State::Established, p,
                 fmt::format("3.10.7.4 SYN-RECEIVED (simultaneous open): SYN,ACK with SEG.SEQ=IRS={} and SEG.ACK={} = SND.NXT "
                             "acknowledges our SYN → ESTABLISHED", seq, ack));
    }
    return;
  }
  if (seg.has(kSyn)) {
    if ((r.state == State::SynSent && exact) || (r.state == State::Closed && !r.opened)) {
      // Where it arrived: its SYN,ACK answers it (send_rules), or shows it went no further.
      r.syn_arrival = Place{p.t, 0, p.key};
    }
    return;
  }
  // Data reaching the receiver in order moves its RCV.NXT (at this host: what it really has).
  if (exact && r.rcv_known && seq_le(seg.seq, Seq32{r.rcv_contig}) && seq_gt(Seq32{seq + f.len}, Seq32{r.rcv_contig}))
    r.rcv_contig = seq + f.len;
  if (seg.has(kAck)) {
    if (r.state == State::SynReceived && r.iss && seq_gt(seg.ack, Seq32{*r.iss}) && seq_le(seg.ack, Seq32{r.snd_nxt})) {
      if (r.near && c.synack_sent_at >= 0) learn_delay(c, p.t - c.synack_sent_at);
      transition(c, j, State::Established, p,
                 fmt::format("3.10.7.4 SYN-RECEIVED: SEG.ACK={} in (SND.UNA={}, SND.NXT={}] → ESTABLISHED", ack, *r.iss, r.snd_nxt));
    }
    if (r.fin_seq && !r.fin_acked && seq_ge(seg.ack, Seq32{*r.fin_seq + 1})) {
      r.fin_acked = true;
      const bool fin_now = seg.has(kFin) && exact && r.rcv_known && seq_le(seg.seq, Seq32{r.rcv_contig});
      const bool fin_later = seg.has(kFin) && !exact;  // far away: both with its answer
      switch (r.state) {
        case State::FinWait1:
          if (!fin_now && !fin_later)
            transition(c, j, State::FinWait2, p, fmt::format("3.10.7.4 FIN-WAIT-1: SEG.ACK={} acknowledges our FIN → FIN_WAIT_2", ack));
          break;
        case State::Closing:
          transition(c, j, State::TimeWait, p, fmt::format("3.10.7.4 CLOSING: SEG.ACK={} acknowledges our FIN → TIME_WAIT", ack));
          break;
        case State::LastAck:
          transition(c, j, State::Closed, p, fmt::format("3.10.7.4 LAST-ACK: SEG.ACK={} acknowledges our FIN → CLOSED", ack));
          break;
        default: break;
      }
    }
  }
  if (seg.has(kFin) && exact && r.rcv_known) {
    const std::uint32_t fin_at = seq + f.len;
    if (seq_le(seg.seq, Seq32{r.rcv_contig}) || r.fin_rcvd) fin_reached(c, j, p, fin_at);
  }
}

void Inference::Impl::timer_fired(Conn& c, int side, TimerKind k, Instant at) {
  Side& s = c.side(side);
  const Place p{at, 0, std::numeric_limits<std::uint64_t>::max() / 2};
  if (k == TimerKind::TimeWait && s.state == State::TimeWait) {
    transition(c, side, State::Closed, p,
               fmt::format("3.10.8 TIME-WAIT timeout: 2*MSL={}ms expired → CLOSED (no segment shows it: Linux's 60 s)", opt.time_wait / ms(1)));
  } else if (k == TimerKind::SynGiveUp && (s.state == State::SynSent || s.state == State::SynReceived)) {
    const bool syn = s.state == State::SynSent;
    transition(c, side, State::Closed, p,
               fmt::format("3.8.3 {} sent {} times without an answer; no more after the last, whose timeout (twice the last "
                           "interval) ran out ({}={}) → CLOSED (connection timed out)",
                           syn ? "SYN" : "SYN,ACK", s.syn_tx, syn ? "tcp_syn_retries" : "tcp_synack_retries",
                           syn ? opt.syn_retries : opt.synack_retries));
  }
}

}  // namespace tcplab::capture
