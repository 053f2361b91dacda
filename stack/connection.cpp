// The RFC 9293 state machine: SEGMENT ARRIVES (3.10.7), and set_state(), through which
// every state change goes with the rule that caused it. The user calls (3.10.1-3.10.6) are
// in connection_calls.cpp, the data path in connection_data.cpp, what is sent in
// connection_output.cpp.
#include "stack/connection.hpp"

#include <algorithm>
#include <array>

#include "stack/text.hpp"

namespace tcplab {

Connection::Connection(ConnId id, std::shared_ptr<const TcpConfig> cfg, Endpoint local, Endpoint remote,
                       State initial)
    : id_(id),
      state_(initial),
      passive_(initial == State::Listen),
      cfg_(std::move(cfg)),
      local_(local),
      remote_(remote),
      rtt_(cfg_->rto_initial_ns, cfg_->rto_min_ns, cfg_->rto_max_ns, cfg_->profile == Profile::Linux),
      snd_cap_(cfg_->snd_buf_bytes),
      // Under Linux's rule the bytes are bounded by the memory they are charged, which may
      // grow to the tcp_rmem max; the queue's capacity is only a backstop.
      rcv_cap_(cfg_->rcv_window == TcpConfig::RcvWindow::Linux ? std::max(cfg_->rcv_buf_max, cfg_->rcv_buf_bytes)
                                                               : cfg_->rcv_buf_bytes),
      rmem_(*cfg_) {}

void Connection::make_body() const {
  body_.emplace(ConnBody{ByteQueue(snd_cap_), ByteQueue(rcv_cap_), {}, {}, {}, {}, {}, {}, {}, {}});
}

bool Connection::compactable() const {
  if (!body_) return true;
  const ConnBody& x = *body_;
  const bool empty = x.snd_buf.size() == 0 && x.rcv_buf.size() == 0 && x.ooo.empty();
  // No pacing wake-up pending: next_deadline() would read the body's pace_next.
  if (state_ == State::Closed) return empty && !pace_wakeup_;  // no segment or timer reaches it any more
  // TIME_WAIT: our FIN is acknowledged, so an ACK can neither acknowledge data (nothing is
  // outstanding) nor be a duplicate ACK (RFC 5681 2 (b)), and no data is sent: the queues,
  // the congestion control, the rate sampler and RACK take part in nothing any segment or
  // the 2MSL timer can do, and a fresh body behaves as this one. Only the window offered
  // depends on the receive side, and rmem_ (with the capacity) stays in the connection.
  // The sender's state (Sending) is at rest: no resend pending, no segment timed, no probe
  // or RTO recovery open, no pacing wake-up; what else it holds is read only under those
  // flags or while sending data, so a fresh body's defaults are as good.
  // The ACK policy (Acking) is at rest too: no ACK owed, no D-SACK waiting for one.
  const Sending& t = x.tx;
  const bool at_rest = !t.rtx_una_pending && !t.rack_fast_pending && !t.rtt_timing && !t.tlp_outstanding &&
                       !t.in_loss && t.retrans_stamp == kNever && !pace_wakeup_ && !x.rx.ack_now &&
                       !x.rx.ack_scheduled && !x.rx.dsack_pending;
  return state_ == State::TimeWait && empty && tcb_.snd_una == tcb_.snd_max && x.cc.sacked_bytes() == 0 &&
         !x.cc.in_recovery() && !x.rack.has_lost() && at_rest;
}

bool Connection::compact() {
  if (!body_) return true;
  if (!compactable()) return false;
  if (!settled_.taken) {
    // The views' summary, once: a body lent to a later call (body()) is a fresh one.
    const Congestion& cc = body_->cc;
    settled_ = Settled{cc.cwnd(), cc.ssthresh(), cc.pacing_bps(), cc.high_rxt(), bytes_in_flight(), cc_phase().data(),
                       cc.kind(), cc.in_recovery(), true};
  }
  body_.reset();
  return true;
}

std::size_t Connection::footprint_bytes() const {
  if (!body_) return sizeof(Connection) + rmem_.storage_bytes();
  return sizeof(Connection) + sizeof(ConnBody) + record_storage_bytes() + body_->snd_buf.storage_bytes() +
         body_->rcv_buf.storage_bytes();
}

void Connection::set_state(State to, TcpEvent on, std::string cause, Output& out) {
  if (to == state_) return;
  // Checked in every build, NDEBUG or not: it runs only when the state changes, and a
  // change the table does not have is a bug in the stack, not something to trace and go on.
  const Transition& rule = require_transition(state_, to, on, cause);
  out.events.push_back({id_, StateEvent{state_, to, std::move(cause), &rule}});
  state_ = to;
}

void Connection::notice(Notice what, Errno e, Output& out) {
  out.events.push_back({id_, NoticeEvent{what, e}});
}

void Connection::fail(Instant, Errno e, TcpEvent on, std::string cause, Output& out) {
  error_ = e;
  disarm_all(out);
  set_state(State::Closed, on, std::move(cause), out);
  notice(Notice::Error, e, out);
}

std::uint8_t Connection::our_wscale() const {
  if (!cfg_->window_scaling) return 0;
  if (linux_window()) return rmem_.wscale();  // chosen with the SYN's window
  // RFC 7323 2.3: the smallest shift that lets the window field cover the whole buffer.
  std::uint8_t s = 0;
  while (s < 14 && (cfg_->rcv_buf_bytes >> s) > 65535) ++s;
  return s;
}

void Connection::choose_initial_window(bool syn_ack, bool wscale_ok) {
  // Linux rounds the SYN's window down to whole segments of our MSS, less the timestamp
  // option once the peer's SYN has shown it is used (so 64240 in a SYN, 65160 in a SYN,ACK).
  const std::uint32_t ts = syn_ack && tcb_.ts_ok ? 12 : 0;
  rmem_.choose_initial(cfg_->mss - ts, wscale_ok && cfg_->window_scaling);
}

std::uint32_t Connection::rcv_window_now() const {
  const std::int32_t left = (tcb_.rcv_wup + tcb_.rcv_wnd) - tcb_.rcv_nxt;
  return left > 0 ? static_cast<std::uint32_t>(left) : 0;
}

std::uint32_t Connection::ip_length(const Segment& seg) {
  std::uint32_t opt = seg.ts ? 12 : 0;
  if (seg.sack_count > 0) opt += 4 + 8U * seg.sack_count;  // NOP,NOP,SACK
  return 20 + 20 + opt + static_cast<std::uint32_t>(seg.payload.size());
}

std::uint32_t Connection::unsent_bytes() const {
  if (!body_) return 0;  // compact: nothing queued
  const auto sent = static_cast<std::uint32_t>(std::max(0, tcb_.snd_max - snd_data_start()));
  const std::uint32_t sent_data = std::min(sent, body().snd_buf.size());
  return body().snd_buf.size() - sent_data;
}

// ---------------------------------------------------------------- SEGMENT ARRIVES

void Connection::on_segment(Instant now, const Segment& seg, Output& out) {
  body().rx.last_rcv_at = now;
  keepalive_sent_ = 0;
  zwp_out_ = 0;
  switch (state_) {
    case State::Closed:
      return;  // 3.10.7.1: the host answers for a closed connection, not the TCB
    case State::Listen:
      on_segment_listen(now, seg, out);
      return;
    case State::SynSent:
      on_segment_syn_sent(now, seg, out);
      return;
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
      on_segment_synchronized(now, seg, out);
      return;
  }
}

void Connection::on_segment_listen(Instant now, const Segment& seg, Output& out) {
  // 3.10.7.2: RST ignored; an ACK gets <SEQ=SEG.ACK><CTL=RST>; a SYN opens a child.
  if (seg.has(kRst)) return;
  if (seg.has(kAck)) {
    send_rst(now, seg.ack, out);
    return;
  }
  if (seg.has(kSyn)) accept_syn(now, seg, tcb_.iss, out);
}

void Connection::on_segment_syn_sent(Instant now, const Segment& seg, Output& out) {
  // 3.10.7.3 first: check the ACK bit.
  if (seg.has(kAck) && (seq_le(seg.ack, tcb_.iss) || seq_gt(seg.ack, tcb_.snd_nxt))) {
    if (!seg.has(kRst)) send_rst(now, seg.ack, out);
    // Linux: our SYN may have met the old connection's FIN or RST; try again at once
    // (TcpConfig::syn_sent_bad_ack_retry_ns), unless a SYN was already retransmitted.
    if (cfg_->syn_sent_bad_ack_retry_ns && syn_tries_ == 0)
      arm(TimerKind::Rto, now + *cfg_->syn_sent_bad_ack_retry_ns, out);
    return;
  }
  // second: the RST bit. Only an RST that acknowledges our SYN is believed (RFC 5961 3.2).
  if (seg.has(kRst)) {
    if (seg.has(kAck))
      fail(now, Errno::ConnRefused, TcpEvent::RcvRst,
           str("3.10.7.3 SYN-SENT: RST with acceptable SEG.ACK=", seg.ack, " → CLOSED (connection refused)"), out);
    return;
  }
  // fourth: the SYN bit.
  if (!seg.has(kSyn)) return;
  tcb_.irs = seg.seq;
  tcb_.rcv_nxt = seg.seq + 1;
  tcb_.rcv_wup = tcb_.rcv_nxt;
  take_options(seg);
  set_snd_wnd(seg.wnd);  // never scaled in a SYN
  tcb_.snd_wl1 = seg.seq;
  tcb_.snd_wl2 = seg.ack;
  if (seg.has(kAck)) {
    tcb_.snd_una = seg.ack;
    enter_established(now, TcpEvent::RcvSynAck, str("3.10.7.3 SYN-SENT: SEG.ACK=", seg.ack, " in (ISS=", tcb_.iss, ", SND.NXT=",
                               tcb_.snd_nxt, "] and SYN set → ESTABLISHED"), out);
    body().rx.ack_now = true;
    output(now, out);
    return;
  }
  set_state(State::SynReceived, TcpEvent::RcvSyn,
            str("3.10.7.3 SYN-SENT: SYN without ACK (SEG.SEQ=", seg.seq,
                "): simultaneous open, SYN,ACK sent → SYN_RECEIVED"),
            out);
  send_syn(now, true, false, out);
}

bool Connection::acceptable(const Segment& seg) const {
  // 3.10.7.4 first: the four cases of segment length and receive window.
  const std::uint32_t len = seg.seg_len();
  // RCV.WND as of RCV.NXT: what is left of the window we advertised (the right edge does
  // not move until we advertise again).
  const std::uint32_t wnd = rcv_window_now();
  const Seq32 nxt = tcb_.rcv_nxt;
  if (len == 0) {
    if (wnd == 0) return seg.seq == nxt;
    return seq_in(seg.seq, nxt, nxt + wnd);
  }
  // Linux (tcp_sequence) rejects only what ends before RCV.WUP, the RCV.NXT of the last ACK it
  // sent: a duplicate of data received since then goes on to the data path, which reports it
  // (D-SACK) and schedules the ACK (tcp_data_queue) instead of answering it at once; in a
  // nearly full buffer that ACK waits (decide_ack; tests/pkt/scripts/b-zero-window-dup-idle.pkt).
  if (cfg_->profile == Profile::Linux && !seg.payload.empty() && seq_le(seg.seq + len, nxt) &&
      seq_ge(seg.seq + len, tcb_.rcv_wup))
    return true;
  if (wnd == 0) return false;
  return seq_in(seg.seq, nxt, nxt + wnd) || seq_in(seg.seq + (len - 1), nxt, nxt + wnd);
}

void Connection::on_segment_synchronized(Instant now, const Segment& seg, Output& out) {
  // RFC 7323 5.3 R1 (PAWS), before anything else: an old duplicate by its timestamp is not
  // acceptable: "Send an acknowledgment in reply ... and drop the segment" (its ACK is
  // not processed either). This is what keeps a delayed segment of an earlier connection
  // on the same pair out of a new one whose sequence space it happens to fall into.
  if (paws_reject(seg)) {
    ack_unacceptable(now, seg, out);
    return;
  }
  // TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the
  // remote FIN. Acknowledge it, and restart the 2 MSL timeout" (3.10.7.4 eighth).
  if (state_ == State::TimeWait && seg.has(kFin) && !seg.has(kRst) && seg.seq + seg.seg_len() == tcb_.rcv_nxt) {
    if (tcb_.ts_ok && seg.ts && static_cast<std::int32_t>(seg.ts->val - tcb_.ts_recent) >= 0) tcb_.ts_recent = seg.ts->val;
    send_ack(now, out);
    arm(TimerKind::TimeWait, now + cfg_->time_wait_ns(), out);
    return;
  }
  // A retransmitted SYN in SYN-RECEIVED means our SYN,ACK was lost: send it again (Linux
  // tcp_check_req; the RFC's challenge ACK would not carry the SYN the peer needs).
  if (state_ == State::SynReceived && seg.has(kSyn) && !seg.has(kAck) && seg.seq == tcb_.irs) {
    // Like Linux's tcp_check_req: a retransmission (inet_rtx_syn_ack; by Karn's rule the
    // handshake gives no RTT sample now), at most one per invalid_ack_ratelimit, and the
    // timer restarts from now with its current back-off. Only the timer's own expirations
    // count against tcp_synack_retries (req->num_timeout), not these answers.
    if (!oow_ack_allowed(now)) return;
    ++syn_tries_;
    body().tx.rtt_timing = false;
    send_syn(now, true, true, out);
    arm(TimerKind::Rto, now + rtt_.rto(), out);
    return;
  }
  // Simultaneous open (RFC 9293 3.5, Figure 7 line 6): the peer's SYN,ACK repeats its SYN and
  // acknowledges ours; it completes the handshake (Linux tcp_validate_incoming does the same).
  if (state_ == State::SynReceived && !passive_ && seg.has(kSyn) && seg.has(kAck) && seg.seq == tcb_.irs &&
      seg.ack == tcb_.snd_nxt) {
    tcb_.snd_una = seg.ack;
    set_snd_wnd(seg.wnd);
    if (tcb_.ts_ok && seg.ts) tcb_.ts_recent = seg.ts->val;  // RFC 7323 4.3: the newest at the left edge
    enter_established(now, TcpEvent::RcvSynAck, str("3.10.7.4 SYN-RECEIVED (simultaneous open): SYN,ACK with SEG.SEQ=IRS=", seg.seq,
                               " and SEG.ACK=", seg.ack, " = SND.NXT acknowledges our SYN → ESTABLISHED"), out);
    // Its SYN repeats one already received: a duplicate, ACKed at once (3.10.7.4: the ACK
    // the peer needs in SYN-RECEIVED), with a D-SACK of the SYN's sequence number (RFC 2883).
    note_dsack(SackBlock{seg.seq, seg.seq + 1});
    body().rx.ack_now = true;
    output(now, out);
    return;
  }
  if (!acceptable(seg)) {
    // "If an incoming segment is not acceptable, an acknowledgment should be sent in reply
    // (unless the RST bit is set...)". With a zero window, valid ACKs are still processed.
    if (seg.has(kRst)) return;
    if (rcv_window_now() == 0 && seg.seq == tcb_.rcv_nxt && seg.has(kAck) && state_ != State::SynReceived)
      on_ack(now, seg, out);
    if (state_ == State::Closed) return;
    if (ack_unacceptable(now, seg, out)) output(now, out);
    return;
  }
  if (seg.has(kRst)) {
    on_rst(now, seg, out);
    return;
  }
  // RFC 7323 4.3 (2): TS.Recent takes SEG.TSval only from a segment that starts at or before
  // Last.ACK.sent (RCV.WUP), so that a delayed ACK echoes the earliest unacknowledged segment's
  // timestamp and the sender's RTT sample includes the delay (Linux tcp_replace_ts_recent;
  // tests/pkt/scripts/b-ts-echo-delayed-ack.pkt).
  if (tcb_.ts_ok && seg.ts && seq_le(seg.seq, tcb_.rcv_wup) && static_cast<std::int32_t>(seg.ts->val - tcb_.ts_recent) >= 0)
    tcb_.ts_recent = seg.ts->val;
  if (seg.has(kSyn)) {
    if (state_ == State::SynReceived && passive_) {
      disarm_all(out);
      set_state(State::Listen, TcpEvent::RcvSyn, str("3.10.7.4 SYN-RECEIVED: SYN in window (SEG.SEQ=", seg.seq,
                                   ") on a passive OPEN → back to LISTEN"), out);
      return;
    }
    send_challenge_ack(now, out);  // RFC 5961 4.2
    return;
  }
  if (!seg.has(kAck)) return;  // fifth: "if the ACK bit is off, drop the segment"
  if (!on_ack(now, seg, out)) return;
  if (app_closed_ && (state_ == State::FinWait1 || state_ == State::FinWait2) && !seg.payload.empty() &&
      seq_gt(seg.seq + static_cast<std::uint32_t>(seg.payload.size()), tcb_.rcv_nxt)) {
    // RFC 9293 3.6.1 (SHLD-3), RFC 1122 4.2.2.13: new data after CLOSE can never be read,
    // so say that it was lost with a RST (as a reply to the segment: <SEQ=SEG.ACK>) and
    // drop the connection. Linux does the same (tcp_rcv_state_process, TCPAbortOnData).
    send_rst(now, seg.ack, out);
    disarm_all(out);
    set_state(State::Closed, TcpEvent::RcvDataAfterClose,
              str("3.6.1 ", state_name(state_), ": ", seg.payload.size(), " bytes at SEG.SEQ=", seg.seq,
                  " after the application closed: nobody will read them, RST → CLOSED"),
              out);
    return;
  }
  on_text(now, seg, out);
  if (seg.has(kFin) && state_ != State::Closed) {
    const std::uint64_t fin_at = rcv_total_ + static_cast<std::uint32_t>((seg.seq + static_cast<std::uint32_t>(seg.payload.size())) - tcb_.rcv_nxt);
    if (seg.seq + static_cast<std::uint32_t>(seg.payload.size()) == tcb_.rcv_nxt) {
      on_fin(now, out);
    } else if (!fin_received_) {
      body().rx.peer_fin_at = fin_at;  // out of order: take it when the gap fills
      body().rx.ack_now = true;        // RFC 5681 4.2: an out-of-order segment gets an immediate duplicate ACK
    }
  }
  if (state_ == State::Closed) return;
  decide_ack(now, out);
  output(now, out);
}

bool Connection::ack_unacceptable(Instant now, const Segment& seg, Output& out) {
  // An ACK without data or SYN outside our window, on either side, is answered at most
  // once per invalid_ack_ratelimit, as Linux's tcp_oow_rate_limited does for every
  // out-of-window pure ACK: two ends that each find the other's ACKs out of window would
  // otherwise answer each other forever at one instant (a FIN sent into our zero window
  // makes the peer's SND.NXT pass our right edge; two zero windows after a retransmission
  // timeout rewound both SND.NXTs put each end's ACKs left of the other's window).
  if (seg.seg_len() == 0 && !seg.has(kSyn) && !oow_ack_allowed(now)) return false;
  // Data left of the window was received before: RFC 2883 reports it (D-SACK).
  if (!seg.payload.empty() && seq_lt(seg.seq, tcb_.rcv_nxt))
    note_dsack(SackBlock{seg.seq, seq_min(seg.seq + static_cast<std::uint32_t>(seg.payload.size()), tcb_.rcv_nxt)});
  send_ack(now, out);
  return true;
}

void Connection::on_rst(Instant now, const Segment& seg, Output& out) {
  // RFC 5961 3.2: only an exact match resets; in-window otherwise gets a challenge ACK.
  if (seg.seq != tcb_.rcv_nxt) {
    send_challenge_ack(now, out);
    return;
  }
  const std::string why = str("3.10.7.4 ", state_name(state_), ": RST with SEG.SEQ=RCV.NXT=", seg.seq);
  switch (state_) {
    case State::SynReceived:
      if (passive_) {
        disarm_all(out);
        set_state(State::Listen, TcpEvent::RcvRst, why + ", passive OPEN → back to LISTEN", out);
      } else {
        fail(now, Errno::ConnRefused, TcpEvent::RcvRst, why + ", active OPEN → CLOSED (connection refused)", out);
      }
      return;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
      fail(now, Errno::ConnReset, TcpEvent::RcvRst, why + " → CLOSED (connection reset)", out);
      return;
    case State::Closing:
    case State::LastAck:
      disarm_all(out);
      set_state(State::Closed, TcpEvent::RcvRst, why + " → CLOSED", out);
      return;
    case State::TimeWait:
      if (cfg_->time_wait_rst_closes) {
        disarm_all(out);
        set_state(State::Closed, TcpEvent::RcvRst, why + " → CLOSED (tcp_rfc1337=0; RFC 1337 would ignore it)", out);
      }
      return;
    case State::Closed:
    case State::Listen:
    case State::SynSent:
      return;
  }
}

bool Connection::on_ack(Instant now, const Segment& seg, Output& out) {
  switch (state_) {
    case State::SynReceived:
      if (!(seq_lt(tcb_.snd_una, seg.ack) && seq_le(seg.ack, tcb_.snd_nxt))) {
        send_rst(now, seg.ack, out);  // "<SEQ=SEG.ACK><CTL=RST>"
        return false;
      }
      {
        std::string why = str("3.10.7.4 SYN-RECEIVED: SEG.ACK=", seg.ack, " in (SND.UNA=", tcb_.snd_una,
                              ", SND.NXT=", tcb_.snd_nxt, "] → ESTABLISHED");
        set_snd_wnd(static_cast<std::uint32_t>(seg.wnd) << tcb_.snd_wscale);
        tcb_.snd_wl1 = seg.seq;
        tcb_.snd_wl2 = seg.ack;
        tcb_.snd_una = seg.ack;
        enter_established(now, TcpEvent::RcvAckOfSyn, std::move(why), out);
      }
      return true;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
      break;
    case State::Closed:
    case State::Listen:
    case State::SynSent:
      return false;
  }
  if (seq_gt(seg.ack, tcb_.snd_max)) {  // acknowledges something not yet sent
    // Answered like an unacceptable pure ACK: at most once per invalid_ack_ratelimit when it
    // carries nothing (a peer in TIME_WAIT that acks our earlier incarnation's FIN would
    // otherwise trade ACKs with us for ever at one instant).
    if (seg.seg_len() == 0 && !oow_ack_allowed(now)) return false;
    send_ack(now, out);
    return false;
  }
  // RFC 5961 5.2: an ACK below SND.UNA - MAX.SND.WND cannot come from the peer (it is older
  // than any window it had); answer with a (challenge) ACK and drop the segment, data too.
  // Linux's tcp_ack does the same. Not in TIME-WAIT, where the FIN rule above answers.
  if (state_ != State::TimeWait && seq_lt(seg.ack, tcb_.snd_una - tcb_.max_snd_wnd)) {
    send_challenge_ack(now, out);
    return false;
  }
  process_ack_of_data(now, seg, out);
  switch (state_) {
    case State::FinWait1:
      if (our_fin_acked()) {
        // If this segment also carries the peer's FIN in order, the FIN step below takes
        // FIN-WAIT-1 straight to TIME-WAIT ("our FIN has been ACKed (perhaps in this segment)").
        if (seg.has(kFin) && seq_le(seg.seq, tcb_.rcv_nxt)) break;
        set_state(State::FinWait2, TcpEvent::RcvAckOfFin,
                  str("3.10.7.4 FIN-WAIT-1: SEG.ACK=", seg.ack, " acknowledges our FIN (seq ", fin_seq_,
                      ") → FIN_WAIT_2"),
                  out);
        if (app_closed_ && cfg_->fin_wait_2_timeout_ns)
          arm(TimerKind::FinWait2, now + *cfg_->fin_wait_2_timeout_ns, out);
      }
      break;
    case State::Closing:
      if (our_fin_acked())
        enter_time_wait(now, TcpEvent::RcvAckOfFin, str("3.10.7.4 CLOSING: SEG.ACK=", seg.ack, " acknowledges our FIN → TIME_WAIT"), out);
      break;
    case State::LastAck:
      if (our_fin_acked()) {
        disarm_all(out);
        set_state(State::Closed, TcpEvent::RcvAckOfFin, str("3.10.7.4 LAST-ACK: SEG.ACK=", seg.ack, " acknowledges our FIN → CLOSED"), out);
        return false;
      }
      break;
    case State::Closed:
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::Established:
    case State::FinWait2:
    case State::CloseWait:
    case State::TimeWait:
      break;
  }
  return true;
}

void Connection::on_fin(Instant now, Output& out) {
  // 3.10.7.4 eighth: the FIN is in sequence; it takes one sequence number.
  tcb_.rcv_nxt = tcb_.rcv_nxt + 1;
  fin_received_ = true;
  body().rx.peer_fin_at = UINT64_MAX;
  body().rx.ack_scheduled = true;
  // In ESTABLISHED Linux ACKs a FIN like data, in ping-pong mode (tcp_fin): by the delayed-ACK
  // timer, or on the FIN of an application that closes at once. Elsewhere at once.
  const bool delayed = cfg_->delay_fin_ack && (state_ == State::Established || state_ == State::SynReceived);
  if (delayed) body().rx.pingpong = true;
  else body().rx.ack_now = true;
  notice(Notice::Eof, Errno::Ok, out);
  const std::string at = str("FIN at SEG.SEQ=", tcb_.rcv_nxt - 1, " = RCV.NXT");
  switch (state_) {
    case State::SynReceived:
    case State::Established:
      set_state(State::CloseWait, TcpEvent::RcvFin, str("3.10.7.4 ", state_name(state_), ": ", at, " → CLOSE_WAIT"), out);
      return;
    case State::FinWait1:
      if (our_fin_acked()) {
        enter_time_wait(now, TcpEvent::RcvFin, str("3.10.7.4 FIN-WAIT-1: ", at, " and our FIN acknowledged (SND.UNA=", tcb_.snd_una,
                                 ") → TIME_WAIT"), out);
      } else {
        set_state(State::Closing, TcpEvent::RcvFin, str("3.10.7.4 FIN-WAIT-1: ", at, ", our FIN not yet acknowledged (simultaneous close) → CLOSING"), out);
      }
      return;
    case State::FinWait2:
      enter_time_wait(now, TcpEvent::RcvFin, str("3.10.7.4 FIN-WAIT-2: ", at, " → TIME_WAIT"), out);
      return;
    case State::TimeWait:
      arm(TimerKind::TimeWait, now + cfg_->time_wait_ns(), out);
      return;
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::Closed:
    case State::Listen:
    case State::SynSent:
      return;
  }
}

void Connection::enter_established(Instant now, TcpEvent on, std::string cause, Output& out) {
  // Every way into ESTABLISHED (3.10.7.3, 3.10.7.4, simultaneous open) sets up the same
  // things: the SYN's RTT sample (Karn: only if it was not retransmitted), the initial
  // congestion window, quick-ACK mode, the keepalive timer.
  if (body().tx.rtt_timing && syn_tries_ == 0) rtt_.sample(now - body().tx.rtt_sent_at);
  if (syn_tries_ > 0) rtt_.reinit(std::max(sec(3), cfg_->rto_min_ns));  // RFC 6298 5.7
  body().tx.rtt_timing = false;
  rtt_.reset_backoff();
  disarm(TimerKind::Rto, out);
  CcInit ci;
  ci.now = now;
  ci.mss = tcb_.snd_mss;
  ci.initial_window_segments = cfg_->initial_window_segments;
  ci.linux = cfg_->profile == Profile::Linux;
  ci.hystart = cfg_->hystart;
  body().cc.init(cfg_->cc, ci, cfg_->prr);
  body().tx.last_data_sent_at = now;  // Linux tcp_init_transfer: idleness counts from here
  // Linux tcp_initialize_rcv_mss: a guess at the peer's segment size until data shows it.
  rcv_mss_ = std::max<std::uint32_t>(88, std::min<std::uint32_t>({cfg_->mss, tcb_.snd_mss, tcb_.rcv_wnd / 2, 536}));
  tcb_.rcv_wup = tcb_.rcv_nxt;
  body().tx.snd_sml = tcb_.snd_una;
  rmem_.on_established(cfg_->mss - (tcb_.ts_ok ? 12U : 0U), tcb_.snd_mss);
  set_state(State::Established, on, std::move(cause), out);
  notice(passive_ ? Notice::Acceptable : Notice::Connected, Errno::Ok, out);
  if (cfg_->keepalive) arm(TimerKind::Keepalive, now + cfg_->keepalive_idle_ns, out);
  if (fin_queued_) {
    // 3.10.4: a CLOSE issued in SYN-RECEIVED with data pending was queued until now.
    set_state(State::FinWait1, TcpEvent::Close,
              str("3.10.4 CLOSE queued in SYN-RECEIVED behind ", body().snd_buf.size(),
                  " pending bytes, processed on entering ESTABLISHED → FIN_WAIT_1"),
              out);
  }
}

void Connection::enter_time_wait(Instant now, TcpEvent on, std::string cause, Output& out) {
  disarm_all(out);
  set_state(State::TimeWait, on, std::move(cause), out);
  arm(TimerKind::TimeWait, now + cfg_->time_wait_ns(), out);
  free_empty_queues();
}

void Connection::take_options(const Segment& syn) {
  tcb_.ts_ok = cfg_->timestamps && syn.ts.has_value();
  if (tcb_.ts_ok) tcb_.ts_recent = syn.ts->val;
  tcb_.sack_ok = cfg_->sack && syn.sack_permitted;
  const bool wscale_ok = cfg_->window_scaling && syn.wscale;
  // A passive open chooses its window now, for the SYN,ACK (an active one did for its SYN).
  if (passive_) choose_initial_window(true, wscale_ok);
  if (wscale_ok) {
    tcb_.snd_wscale = std::min<std::uint8_t>(*syn.wscale, 14);
    tcb_.rcv_wscale = our_wscale();
  } else {
    tcb_.snd_wscale = tcb_.rcv_wscale = 0;
  }
  // RFC 9293 3.7.1: effective send MSS = min(peer MSS, our MTU-based MSS) less TCP options.
  const std::uint16_t peer = syn.mss.value_or(536);
  const std::uint16_t base = std::min(peer, cfg_->mss);
  tcb_.snd_mss = static_cast<std::uint16_t>(base - (tcb_.ts_ok ? 12 : 0));
}

bool Connection::yield_to_new_syn(Instant, const Segment& syn, Output& out) {
  if (state_ != State::TimeWait || !cfg_->time_wait_syn_reopens) return false;
  if (!syn.has(kSyn) || syn.has(kAck) || syn.has(kRst) || paws_reject(syn)) return false;
  const bool newer_ts = tcb_.ts_ok && syn.ts && static_cast<std::int32_t>(syn.ts->val - tcb_.ts_recent) > 0;
  if (!seq_gt(syn.seq, tcb_.rcv_nxt) && !newer_ts) return false;
  disarm_all(out);
  set_state(State::Closed, TcpEvent::RcvSyn,
            newer_ts && !seq_gt(syn.seq, tcb_.rcv_nxt)
                ? str("TIME-WAIT: new SYN with TSval=", syn.ts->val, " > TS.Recent=", tcb_.ts_recent,
                      " may reuse the pair (RFC 6191) → CLOSED, new connection")
                : str("TIME-WAIT: new SYN with SEG.SEQ=", syn.seq, " > RCV.NXT=", tcb_.rcv_nxt,
                      " may reuse the pair (RFC 9293 3.10.7.4 note, RFC 6191) → CLOSED, new connection"),
            out);
  return true;
}

bool Connection::may_yield_to_connect() const {
  // Linux's tcp_twsk_unique for a port bound before connect(): only with timestamps, whose
  // PAWS check keeps the old connection's segments out. RFC 9293 has no such rule (3.6.1's
  // MAY-2 is about the peer's SYN): the pair stays taken until TIME-WAIT ends.
  return state_ == State::TimeWait && tcb_.ts_ok && cfg_->time_wait_reopen_iss_gap.has_value();
}

void Connection::yield_to_connect(Instant, Output& out) {
  disarm_all(out);
  set_state(State::Closed, TcpEvent::ActiveOpen,
            str("TIME-WAIT: connect() from the same port to the same peer takes the pair over (Linux tcp_twsk_unique: "
                "timestamps in use, new ISS = SND.NXT ", tcb_.snd_nxt, " + ", cfg_->time_wait_reopen_iss_gap.value_or(0),
                ") → CLOSED"),
            out);
}

Seq32 Connection::reincarnation_iss(Seq32 clock_iss) const {
  if (cfg_->time_wait_reopen_iss_gap) return tcb_.snd_nxt + *cfg_->time_wait_reopen_iss_gap;
  return seq_gt(clock_iss, tcb_.snd_max) ? clock_iss : tcb_.snd_max + 1;
}

bool Connection::paws_reject(const Segment& seg) const {
  // RFC 7323 5.3 R1 (and Linux's tcp_paws_discard): with timestamps in use, a segment whose
  // TSval is older than TS.Recent is an old duplicate, whatever its sequence number says. A
  // RST is exempt (5.3). TS.Recent's 24-day validity (5.5) never lapses in a lab's time span.
  return tcb_.ts_ok && seg.ts && !seg.has(kRst) && static_cast<std::int32_t>(seg.ts->val - tcb_.ts_recent) < 0;
}

std::string Connection::check_invariants() const {
  if (state_ == State::Closed || state_ == State::Listen) return {};
  if (seq_gt(tcb_.snd_una, tcb_.snd_nxt)) return str("SND.UNA=", tcb_.snd_una, " > SND.NXT=", tcb_.snd_nxt);
  if (seq_gt(tcb_.snd_nxt, tcb_.snd_max)) return str("SND.NXT=", tcb_.snd_nxt, " > SND.MAX=", tcb_.snd_max);
  if (body_ && body_->rcv_buf.size() > body_->rcv_buf.capacity()) return "receive buffer over capacity";
  const bool synced = state_ != State::SynSent && state_ != State::SynReceived;
  // 3.10.4: CLOSE in SYN-RECEIVED sends the FIN right after the SYN, so FIN-WAIT-1 (and
  // CLOSING after it) may still be waiting for the ACK of our SYN.
  const bool closed_in_syn_received = (state_ == State::FinWait1 || state_ == State::Closing) && fin_sent_ &&
                                      fin_seq_ == tcb_.iss + 1;
  if (synced && !closed_in_syn_received && seq_lt(tcb_.snd_una, tcb_.iss + 1))
    return "synchronized state with our SYN unacknowledged";
  const bool fin_state = state_ == State::CloseWait || state_ == State::LastAck || state_ == State::Closing ||
                         state_ == State::TimeWait;
  if (fin_state && !fin_received_) return str(state_name(state_), " without the peer's FIN");
  return {};
}

}  // namespace tcplab
