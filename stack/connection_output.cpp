// What a connection puts on the wire and when: building segments with options, the send
// loop (windows, Nagle, FIN, fast retransmit, SACK holes), and the timers that drive
// retransmission (RFC 6298), persist, keepalive, delayed ACK, FIN-WAIT-2 and TIME-WAIT.
#include <algorithm>

#include "stack/connection.hpp"
#include "stack/text.hpp"

namespace tcplab {

namespace {
// The states that may still hold data the application queued (send_one_data's list): a
// zero window there needs the persist timer, FIN-WAIT-1 and LAST-ACK included (the app
// may write and close at once while the peer's window is shut).
bool may_hold_unsent_data(State s) {
  return s == State::Established || s == State::CloseWait || s == State::FinWait1 || s == State::Closing ||
         s == State::LastAck;
}
}  // namespace

std::uint32_t Connection::ts_now(Instant now) const {
  return ts_clock(now);
}

std::uint32_t Connection::window_to_offer() const {
  if (linux_window()) return rmem_.next_window(rcv_window_now(), tcb_.rcv_wnd, tcb_.rcv_wscale);
  // RCV.WND is the free space of the receive buffer. Out-of-order bytes are not taken off
  // it: they lie inside [RCV.NXT, RCV.NXT + free) and land in that space when the hole
  // fills. Subtracting them moved the right edge left ("shrinking the window", RFC 9293
  // 3.8.6.2.2 SHLD-14), and data the peer was allowed to send was then refused.
  const std::uint32_t free = body().rcv_buf.free_space();
  return std::min<std::uint32_t>(free >> tcb_.rcv_wscale, 65535) << tcb_.rcv_wscale;
}

std::uint16_t Connection::window_field(std::uint32_t wnd_bytes) const {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(wnd_bytes >> tcb_.rcv_wscale, 65535));
}

Segment Connection::make_segment(Instant now, Seq32 seq, std::uint8_t flags) const {
  Segment s;
  s.src = local_;
  s.dst = remote_;
  s.seq = seq;
  s.flags = flags;
  if (flags & kAck) s.ack = tcb_.rcv_nxt;
  s.wnd = window_field(window_to_offer());
  if (tcb_.ts_ok && !(flags & kRst)) s.ts = Timestamps{ts_now(now), tcb_.ts_recent};
  if (tcb_.sack_ok && (flags & kAck)) add_sack_blocks(s);
  return s;
}

void Connection::add_sack_blocks(Segment& s) const {
  const std::size_t max_blocks = tcb_.ts_ok ? 3 : 4;  // what fits in 40 bytes of options
  auto add = [&](SackBlock b) {
    for (std::uint8_t i = 0; i < s.sack_count; ++i)
      if (s.sack[i] == b) return;
    if (s.sack_count < max_blocks) s.sack[s.sack_count++] = b;
  };
  // RFC 2883 2: a D-SACK block comes first, once.
  if (body().rx.dsack_pending) add(body().rx.dsack);
  if (body().ooo.empty()) return;
  auto block = [&](std::uint64_t first, std::uint64_t second) {
    return SackBlock{tcb_.rcv_nxt + static_cast<std::uint32_t>(first - rcv_total_),
                     tcb_.rcv_nxt + static_cast<std::uint32_t>(second - rcv_total_)};
  };
  // RFC 2018 4: the block holding the most recent segment first, then the blocks of the
  // segments before it, most recent first; any other held block after them.
  for (std::uint8_t i = 0; i < body().rx.sack_recent_count; ++i)
    if (const auto r = body().ooo.range_of(body().rx.sack_recent[i])) add(block(r->first, r->second));
  body().ooo.each_range([&](std::uint64_t a, std::uint64_t b) {
    add(block(a, b));
    return s.sack_count < max_blocks;
  });
}

void Connection::emit(Instant, Segment seg, bool retx, Output& out, bool loss_probe, RetxCause cause) {
  if (seg.has(kAck) && !seg.has(kSyn)) {
    // Linux tcp_event_ack_sent: an ACK of new data or of a FIN uses one quick ACK.
    if (body().rx.ack_scheduled && body().rx.quickacks_left > 0) --body().rx.quickacks_left;
    body().rx.ack_scheduled = false;
    body().rx.ack_now = false;
    body().rx.dsack_pending = false;
    body().rx.unacked_full_segments = 0;
    body().rx.unacked_small_segments = 0;
    if (timers_.armed(TimerKind::DelAck)) disarm(TimerKind::DelAck, out);
    if (!seg.has(kRst)) {
      // The window just advertised (Linux keeps it unclamped: beyond 65535 unscaled it is
      // what the next choice starts from) and the RCV.NXT it counts from.
      tcb_.rcv_wnd = window_to_offer();
      tcb_.rcv_wup = tcb_.rcv_nxt;
      if (linux_window() && rmem_.under_pressure()) body().rx.quickacks_left = 0;
    }
  } else if (seg.has(kSyn)) {
    tcb_.rcv_wnd = seg.wnd;
    tcb_.rcv_wup = tcb_.rcv_nxt;
  }
  if (loss_probe) ++tlp_count_;
  else if (retx) ++retx_count_;
  out.events.push_back({id_, SendEvent{std::move(seg), retx, loss_probe, cause}});
}

std::uint16_t Connection::syn_window() const {
  return static_cast<std::uint16_t>(linux_window() ? rmem_.initial_window()
                                                   : std::min<std::uint32_t>(body().rcv_buf.capacity(), 65535));
}

Connection::SynAckOffer Connection::synack_offer(const Segment& syn) const {
  // A child as the listener would make it, thrown away: the same choice, no state kept.
  Connection child(id_, cfg_, local_, syn.src, State::Listen);
  child.take_syn(0, syn, Seq32(0));
  return {child.syn_window(), child.tcb_.rcv_wscale};
}

void Connection::send_syn(Instant now, bool with_ack, bool retx, Output& out) {
  Segment s = make_segment(now, tcb_.iss, static_cast<std::uint8_t>(kSyn | (with_ack ? kAck : 0)));
  // A SYN's window is never scaled (RFC 7323 2.2). Linux offers half of its buffer in whole
  // segments (64240 in a SYN, 65160 in a SYN,ACK with timestamps); the RFC rule the buffer.
  s.wnd = syn_window();
  s.mss = cfg_->mss;
  s.sack = {};
  s.sack_count = 0;
  // A SYN offers what we support; a SYN,ACK echoes only what the peer offered.
  const bool offer = !with_ack || state_ == State::SynSent;
  if (cfg_->sack && (offer || tcb_.sack_ok)) s.sack_permitted = true;
  if (cfg_->timestamps && (offer || tcb_.ts_ok)) s.ts = Timestamps{ts_now(now), with_ack ? tcb_.ts_recent : 0};
  else s.ts.reset();
  if (cfg_->window_scaling && (offer || tcb_.snd_wscale != 0 || tcb_.rcv_wscale != 0)) s.wscale = our_wscale();
  if (!retx) {
    body().tx.rtt_timing = true;
    body().tx.rtt_seq = tcb_.iss + 1;
    body().tx.rtt_sent_at = now;
  }
  emit(now, std::move(s), retx, out, false, !retx ? RetxCause::None : with_ack ? RetxCause::SynAck : RetxCause::Syn);
}

void Connection::send_ack(Instant now, Output& out) {
  emit(now, make_segment(now, tcb_.snd_nxt, kAck), false, out);
}

void Connection::send_rst(Instant now, Seq32 seq, Output& out) {
  Segment s = make_segment(now, seq, kRst);
  s.wnd = 0;
  emit(now, std::move(s), false, out);
}

void Connection::send_active_reset(Instant now, Output& out) {
  // RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>. Linux's tcp_send_active_reset also sets
  // ACK with RCV.NXT, so tcpdump shows [R.] there.
  Segment s = make_segment(now, tcb_.snd_nxt, cfg_->profile == Profile::Linux ? kRst | kAck : kRst);
  s.wnd = 0;
  emit(now, std::move(s), false, out);
}

void Connection::send_probe(Instant now, RetxCause why, Output& out) {
  // Keepalive and Linux's zero-window probe: an old sequence number (SND.UNA-1) that the
  // peer must answer with an ACK showing RCV.NXT and its window.
  emit(now, make_segment(now, tcb_.snd_una - 1, kAck), false, out, false, why);
}

bool Connection::send_one_data(Instant now, Output& out) {
  switch (state_) {
    case State::Established:
    case State::CloseWait:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck:
      break;
    case State::Closed:
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::FinWait2:
    case State::TimeWait:
      return false;
  }
  if (pacing_holds(now, out)) return false;
  DataChoice c;
  if (!choose_data(c)) return false;
  const std::uint8_t flags = data_flags(c);
  if (c.len == 0 && !(flags & kFin)) return false;
  send_data(now, c, flags, out);
  return true;
}

bool Connection::choose_data(DataChoice& c) {
  if (body().tx.rtx_una_pending) {
    body().tx.rtx_una_pending = false;
    const std::uint32_t mss = tcb_.snd_mss;
    const std::uint32_t buffered = body().snd_buf.size();
    c.seq = tcb_.snd_una;
    c.cause = body().tx.rtx_una_cause;
    const auto off = static_cast<std::uint32_t>(std::max(0, c.seq - snd_data_start()));
    c.len = std::min(mss, buffered > off ? buffered - off : 0);
    return true;
  }
  if (body().cc.in_recovery() && tcb_.sack_ok) {
    if (!choose_sack_hole(c)) return false;
    if (c.len > 0) return true;
  }
  return choose_at_snd_nxt(c);
}

bool Connection::choose_sack_hole(DataChoice& c) const {
  const std::uint32_t mss = tcb_.snd_mss;
  const std::uint32_t buffered = body().snd_buf.size();
  // RFC 6675 5 step (C): send while cwnd - pipe >= 1 SMSS, holes first.
  if (pipe() + mss > body().cc.cwnd()) return false;
  std::uint32_t hole = 0;
  c.cause = body().tx.rack_fast_pending ? RetxCause::Fast : RetxCause::Recovery;
  if (rack_on()) {
    // RACK: what it marked lost, lowest first (Linux tcp_xmit_retransmit_queue); a hole not
    // (yet) deemed lost is left alone.
    if (body().rack.has_lost()) {
      const SackBlock& b = body().rack.lost().front();
      c.seq = seq_max(b.left, tcb_.snd_una);
      hole = static_cast<std::uint32_t>(b.right - c.seq);
      const auto off = static_cast<std::uint32_t>(std::max(0, c.seq - snd_data_start()));
      c.len = std::min({mss, hole, buffered > off ? buffered - off : 0});
    }
    return true;
  }
  if (body().cc.next_hole(seq_max(body().cc.high_rxt(), tcb_.snd_una), &c.seq, &hole)) {
    const auto off = static_cast<std::uint32_t>(std::max(0, c.seq - snd_data_start()));
    c.len = std::min({mss, hole, buffered > off ? buffered - off : 0});
  }
  return true;
}

bool Connection::choose_at_snd_nxt(DataChoice& c) {
  const std::uint32_t mss = tcb_.snd_mss;
  const std::uint32_t buffered = body().snd_buf.size();
  // Skip what the receiver already holds (after a rewind).
  while (const SackBlock* b = body().cc.sacked_at_or_after(tcb_.snd_nxt)) {
    if (!seq_le(b->left, tcb_.snd_nxt)) break;
    tcb_.snd_nxt = b->right;
  }
  c.seq = tcb_.snd_nxt;
  // Below SND.MAX here only after an RTO rewound SND.NXT (go-back-N).
  c.cause = body().tx.in_loss ? RetxCause::Rto : RetxCause::Recovery;
  const Seq32 seq = c.seq;
  const auto off = static_cast<std::uint32_t>(std::max(0, seq - snd_data_start()));
  const std::uint32_t avail = buffered > off ? buffered - off : 0;
  const std::uint32_t wnd = std::min(body().cc.cwnd(), tcb_.snd_wnd);
  std::uint32_t usable;
  if (body().cc.in_recovery() && tcb_.sack_ok) {
    const std::uint32_t in_flight = pipe();
    usable = body().cc.cwnd() > in_flight ? body().cc.cwnd() - in_flight : 0;
    const auto in_rwnd = static_cast<std::int64_t>(tcb_.snd_una + tcb_.snd_wnd - seq);
    usable = static_cast<std::uint32_t>(std::min<std::int64_t>(usable, std::max<std::int64_t>(0, in_rwnd)));
  } else {
    // Limited transmit (RFC 3042 2): the first two duplicate ACKs each let one new segment
    // go beyond cwnd (never beyond the receiver's window).
    const std::uint32_t extra = cfg_->limited_transmit && !seq_lt(seq, tcb_.snd_max)
                                   ? static_cast<std::uint32_t>(std::min(body().cc.dupacks(), 2)) * mss
                                   : 0;
    const std::uint32_t lt_wnd = std::min(body().cc.cwnd() + extra, tcb_.snd_wnd);
    // In flight: from SND.UNA to here, less what the receiver holds (SACKed ranges that the
    // go-back-N after a timeout skips; none below SND.MAX otherwise, as the window is used).
    const std::int64_t flight = (seq - tcb_.snd_una) - static_cast<std::int64_t>(body().tx.in_loss ? body().cc.sacked_below(seq) : 0);
    const auto u = static_cast<std::int64_t>(std::max(wnd, lt_wnd)) - flight;
    usable = u > 0 ? static_cast<std::uint32_t>(u) : 0;
  }
  c.len = std::min({mss, avail, usable});
  const std::uint32_t len = c.len;
  const bool fin_can_go = fin_queued_ && !our_fin_acked() && off + len == buffered &&
                          (!fin_sent_ || seq_le(seq + len, fin_seq_));
  if (len == 0 && !fin_can_go) return false;
  if (len == 0 && fin_can_go && usable == 0 && avail > 0) return false;
  const bool new_data = !seq_lt(seq, tcb_.snd_max);
  if (len > 0 && len < mss && new_data && flight_size() > 0) {
    // Sender SWS avoidance (RFC 9293 3.8.6.2.1): don't cut a small piece off a window.
    if (len < avail) return false;
    // Nagle (3.7.4): hold the last small piece while data is unacknowledged (Linux: while
    // an earlier small segment is), unless the FIN follows it.
    if (cfg_->nagle && !fin_queued_ && nagle_holds()) return false;
  }
  c.rewrite_nxt = true;
  return true;
}

bool Connection::nagle_holds() const {
  if (!cfg_->nagle_minshall) return true;  // RFC 896: any unacknowledged data holds it
  // Minshall's variant (Linux tcp_minshall_check): only a small segment still unacknowledged.
  return seq_gt(body().tx.snd_sml, tcb_.snd_una) && seq_le(body().tx.snd_sml, tcb_.snd_nxt);
}

std::uint8_t Connection::data_flags(const DataChoice& c) const {
  const auto off = static_cast<std::uint32_t>(std::max(0, c.seq - snd_data_start()));
  const std::uint32_t buffered = body().snd_buf.size();
  std::uint8_t flags = kAck;
  if (c.len > 0 && off + c.len == buffered) flags |= kPsh;  // the end of what the app wrote
  if (fin_queued_ && off + c.len == buffered && !our_fin_acked() &&
      (c.rewrite_nxt || (fin_sent_ && c.seq + c.len == fin_seq_))) {
    flags |= kFin;
  }
  return flags;
}

void Connection::send_data(Instant now, const DataChoice& c, std::uint8_t flags, Output& out, bool loss_probe) {
  const auto off = static_cast<std::uint32_t>(std::max(0, c.seq - snd_data_start()));
  const bool retx = seq_lt(c.seq, tcb_.snd_max);
  Segment s = make_segment(now, c.seq, flags);
  if (c.len > 0) s.payload = body().snd_buf.slice(off, c.len);
  if (flags & kFin) {
    fin_sent_ = true;
    fin_seq_ = c.seq + c.len;
  }
  const Seq32 end = c.seq + s.seg_len();
  if (c.len > 0) {
    if (c.len < tcb_.snd_mss) body().tx.snd_sml = c.seq + c.len;  // Linux tcp_minshall_update
    // Data sent within the delayed-ACK time of data received answers it: the connection is
    // interactive, its ACKs ride on the answers (Linux tcp_event_data_sent, ping-pong mode).
    if (body().rx.data_seen && now - body().rx.last_data_at < cfg_->delack_ns) body().rx.pingpong = true;
  }
  if (c.rewrite_nxt) tcb_.snd_nxt = end;
  if (seq_gt(end, tcb_.snd_max)) {
    tcb_.snd_max = end;
    body().tx.tail_seq = c.seq;  // the newest segment: what a loss probe would send again
  }
  body().cc.on_sent(c.len);  // RFC 6937 prr_out
  if (c.len > 0) {
    // Linux tcp_event_data_sent: data leaving an idle connection is CA_EVENT_TX_START.
    if (bytes_in_flight() == 0) body().cc.on_tx_start(now, now - body().tx.last_data_sent_at, body().rate.app_limited());
    body().tx.last_data_sent_at = now;
  }
  if (c.len > 0) body().rate.on_send(c.seq, c.seq + c.len, now, retx, bytes_in_flight());
  if (retx) {
    body().tx.rtt_timing = false;  // Karn's algorithm
    body().cc.note_retransmitted(end);
    body().rack.unmark(c.seq, end);  // sent again: RACK watches this transmission now
    if (c.cause == RetxCause::Fast) body().tx.rack_fast_pending = false;
  } else if (!body().tx.rtt_timing) {
    body().tx.rtt_timing = true;
    body().tx.rtt_seq = end;
    body().tx.rtt_sent_at = now;
  }
  const auto wire_bytes = static_cast<std::uint32_t>(40 + s.payload.size() + (s.ts ? 12 : 0));
  const RetxCause cause = !retx ? RetxCause::None : loss_probe ? RetxCause::Tlp : c.cause;
  emit(now, std::move(s), retx, out, loss_probe, cause);
  paced(now, wire_bytes);
  if (!timers_.armed(TimerKind::Rto)) {
    arm(TimerKind::Rto, now + rtt_.rto(), out);
  } else if (retx && !loss_probe && c.cause != RetxCause::Rto && c.seq == tcb_.snd_una && cfg_->rto_restarts_on_head_resend &&
             !timers_.armed(TimerKind::Reorder)) {
    // A recovery resent the first unacknowledged segment: Linux restarts the timer from it
    // (TcpConfig::rto_restarts_on_head_resend). After a timeout the ACK that moved SND.UNA
    // restarted it already (RFC 6298 5.3).
    arm(TimerKind::Rto, now + rtt_.rto(), out);
  }
  if (timers_.armed(TimerKind::Persist)) disarm(TimerKind::Persist, out);
}

bool Connection::pacing_holds(Instant now, Output& out) {
  if (body().cc.pacing_bps() == 0 || now >= body().tx.pace_next) return false;
  // Tell the host's scheduler, which otherwise only looks again at a connection that
  // reported something: the wake-up is a new deadline.
  if (!pace_wakeup_) notice(Notice::Paced, Errno::Ok, out);
  pace_wakeup_ = true;
  return true;
}

void Connection::paced(Instant now, std::uint32_t wire_bytes) {
  const std::uint64_t rate = body().cc.pacing_bps();
  if (rate == 0) return;
  // The next segment may leave once this one has left at the pacing rate (Linux's
  // tcp_wstamp_ns advances by the packet's length at sk_pacing_rate).
  body().tx.pace_next = std::max(body().tx.pace_next, now) + static_cast<Duration>(wire_bytes * 8ULL * 1'000'000'000ULL / rate);
}

void Connection::cwnd_validate(bool limited) {
  const std::uint32_t flight = bytes_in_flight();
  if (!seq_lt(tcb_.snd_una, body().tx.cwnd_usage_seq) || limited || (!body().tx.cwnd_limited && flight > body().tx.max_flight)) {
    body().tx.cwnd_limited = limited;
    body().tx.max_flight = flight;
    body().tx.cwnd_usage_seq = tcb_.snd_nxt;
  }
}

void Connection::output(Instant now, Output& out) {
  // Bounded: one call never emits more than a window's worth of segments.
  const Seq32 max_before = tcb_.snd_max;
  for (int i = 0; i < 4096 && send_one_data(now, out); ++i) {
  }
  // RFC 8985 7.2: new data went out: (re)start the probe timer (Linux tcp_write_xmit).
  const bool sent = seq_gt(tcb_.snd_max, max_before);
  if (sent) schedule_loss_probe(now, false, out);
  const bool limited = body().cc.cwnd() > 0 && bytes_in_flight() + tcb_.snd_mss > body().cc.cwnd();
  if (sent || limited) cwnd_validate(limited);
  // Nothing more to send and room in the window: the rate samples are app-limited (draft-
  // cheng-iccrg-delivery-rate-estimation 3.4) until what is in flight now is delivered.
  if (!limited && unsent_bytes() == 0 && !pace_wakeup_ && body().cc.cwnd() > 0) body().rate.mark_app_limited(bytes_in_flight());
  // BBR's PROBE_RTT sends little on purpose: its rate samples must not lower BtlBw (Linux
  // bbr_check_probe_rtt_done marks the sampler app-limited too).
  if (body().cc.algo_phase() == "probe_rtt") body().rate.mark_app_limited(bytes_in_flight());
  if (body().rx.ack_now && state_ != State::Closed && state_ != State::Listen && state_ != State::SynSent)
    send_ack(now, out);
  // RFC 9293 3.8.6.1: with a zero window and data waiting, probe on the persist timer.
  if (may_hold_unsent_data(state_) && tcb_.snd_wnd == 0 && unsent_bytes() > 0 && flight_size() == 0) {
    if (!timers_.armed(TimerKind::Persist)) arm(TimerKind::Persist, now + persist_timeout(), out);
  } else if (timers_.armed(TimerKind::Persist) && tcb_.snd_wnd > 0) {
    disarm(TimerKind::Persist, out);
  }
}

// ---------------------------------------------------------------- timers

void Connection::arm(TimerKind k, Instant at, Output& out) {
  timers_.deadline_ns[static_cast<int>(k)] = at;
  out.timer(id_, TimerEvent{k, TimerAction::Set, at});
}

void Connection::disarm(TimerKind k, Output& out) {
  if (!timers_.armed(k)) return;
  out.timer(id_, TimerEvent{k, TimerAction::Cancel, timers_.at(k)});
  timers_.deadline_ns[static_cast<int>(k)] = kNever;
}

void Connection::disarm_all(Output& out) {
  for (int k = 0; k < kTimerKinds; ++k) disarm(static_cast<TimerKind>(k), out);
}

void Connection::restart_rto(Instant now, Output& out) { arm(TimerKind::Rto, now + rtt_.rto(), out); }

void Connection::restart_window_after_idle(Instant now) {
  // BBR (the one algorithm that steers recovery itself, Linux's cong_control) keeps its model
  // across idle periods: Linux skips the restart for it.
  if (!cfg_->slow_start_after_idle || body().cc.controls_recovery()) return;
  // Linux checks when a write starts a new segment with nothing in flight (tcp_skb_entail ->
  // tcp_slow_start_after_idle_check): here, a write into an empty, fully acknowledged queue.
  if (tcb_.snd_una != tcb_.snd_max || unsent_bytes() > 0) return;
  const Duration idle = now - body().tx.last_data_sent_at;
  if (idle <= rtt_.rto()) return;
  body().cc.restart_after_idle(idle, rtt_.rto(), cfg_->initial_window_segments * tcb_.snd_mss, cfg_->idle_restart_decays);
}

void Connection::on_timer(Instant now, Output& out) {
  if (pace_wakeup_ && now >= body().tx.pace_next) {
    pace_wakeup_ = false;
    output(now, out);  // the paced segment's time has come
  }
  // The loss probe first: when its PTO was capped at the RTO's deadline, the probe goes and
  // the RTO restarts from it (RFC 8985 7.3), as Linux's single transmit timer does.
  for (int i = 0; i < kTimerKinds; ++i) {
    const int k = (i + kTimerKinds - 1) % kTimerKinds;
    static_assert(static_cast<int>(TimerKind::LossProbe) == kTimerKinds - 1, "the loss probe is fired first");
    const auto kind = static_cast<TimerKind>(k);
    if (!timers_.expired(kind, now)) continue;
    const Instant deadline = timers_.at(kind);
    timers_.deadline_ns[k] = kNever;
    out.timer(id_, TimerEvent{kind, TimerAction::Fire, deadline});
    switch (kind) {
      case TimerKind::Rto: on_rto(now, out); break;
      case TimerKind::LossProbe: on_loss_probe(now, out); break;
      case TimerKind::Reorder: on_reorder_timeout(now, out); break;
      case TimerKind::Persist: on_persist(now, out); break;
      case TimerKind::Keepalive: on_keepalive(now, out); break;
      case TimerKind::DelAck:
        if (state_ == State::Closed) break;
        // Linux tcp_delack_timer_handler: a delayed ACK that had to wait for its timer ends
        // ping-pong mode (the application did not answer in time).
        if (body().rx.ack_scheduled) body().rx.pingpong = false;
        send_ack(now, out);
        break;
      case TimerKind::TimeWait:
        disarm_all(out);
        set_state(State::Closed, TcpEvent::Timeout2Msl, str("3.10.8 TIME-WAIT timeout: 2*MSL=", cfg_->time_wait_ns() / ms(1), "ms expired → CLOSED"), out);
        break;
      case TimerKind::FinWait2:
        if (state_ == State::FinWait2) {
          // Linux parks an orphaned FIN-WAIT-2 socket as a timewait socket (tcp_time_wait with
          // substate FIN_WAIT2) that simply expires: nothing is sent, the peer keeps CLOSE_WAIT.
          disarm_all(out);
          set_state(State::Closed, TcpEvent::FinWait2Timeout, str("FIN-WAIT-2 timeout (Linux tcp_fin_timeout=", *cfg_->fin_wait_2_timeout_ns / ms(1),
                                       "ms) on an orphaned socket: freed silently, nothing sent → CLOSED"), out);
        }
        break;
    }
  }
}

void Connection::on_rto(Instant now, Output& out) {
  body().tx.rtt_timing = false;
  switch (state_) {
    case State::SynSent:
    case State::SynReceived: {
      const int limit = state_ == State::SynSent ? cfg_->syn_retries : cfg_->synack_retries;
      const int linear = state_ == State::SynSent ? std::max(cfg_->syn_linear_timeouts, 0) : 0;
      if (state_ == State::SynSent) {
        // Linux tcp_write_timeout: expired when the retransmissions reach
        // tcp_syn_retries + tcp_syn_linear_timeouts, or the time since the first SYN reaches
        // tcp_model_timeout(tcp_syn_retries, TCP_TIMEOUT_INIT).
        const Duration base = cfg_->rto_initial_ns;
        const int thresh = 6;  // ilog2(TCP_RTO_MAX / TCP_TIMEOUT_INIT) = ilog2(120)
        const Duration model = limit <= thresh ? ((Duration{2} << limit) - 1) * base
                                               : ((Duration{2} << thresh) - 1) * base + (limit - thresh) * cfg_->rto_max_ns;
        // A user timeout (TCP_USER_TIMEOUT) takes the model's place, counted from the first SYN.
        const Duration give_up = cfg_->user_timeout_ns > 0 ? cfg_->user_timeout_ns : model;
        if (syn_tries_ >= limit + linear || now - body().tx.syn_first_at >= give_up) {
          fail(now, Errno::TimedOut, TcpEvent::TimeoutR2,
               str("3.8.3 SYN retransmitted ", syn_tries_, " times, first sent ", (now - body().tx.syn_first_at) / ms(1), "ms ago (",
                   cfg_->user_timeout_ns > 0 ? "TCP_USER_TIMEOUT" : str("tcp_syn_retries=", limit), ": give up after ",
                   give_up / ms(1), "ms) without an answer → CLOSED (connection timed out)"),
               out);
          return;
        }
      } else if (rtt_.backoffs() >= limit) {
        // Linux (reqsk_timer_handler) counts the timer's expirations, not the SYN,ACKs that
        // answered the client's repeated SYNs.
        disarm_all(out);
        set_state(State::Closed, TcpEvent::TimeoutR2,
                  str("SYN,ACK timer expired ", rtt_.backoffs(), " times (tcp_synack_retries=", limit, "; ", syn_tries_,
                      " SYN,ACKs resent in all, counting the answers to repeated SYNs) without the final ACK: the "
                      "half-open connection is dropped → CLOSED"),
                  out);
        return;
      }
      ++syn_tries_;
      // tcp_syn_linear_timeouts: the first linear + 1 retransmissions wait the initial RTO.
      if (syn_tries_ > linear) rtt_.back_off();
      send_syn(now, state_ == State::SynReceived, true, out);
      Instant next = now + rtt_.rto();
      // Linux clamps the timer to the user timeout (tcp_clamp_rto_to_user_timeout).
      if (state_ == State::SynSent && cfg_->user_timeout_ns > 0)
        next = std::max(now + 1, std::min(next, body().tx.syn_first_at + cfg_->user_timeout_ns));
      arm(TimerKind::Rto, next, out);
      return;
    }
    case State::Established:
    case State::CloseWait:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck:
      break;
    case State::Closed:
    case State::Listen:
    case State::FinWait2:
    case State::TimeWait:
      return;
  }
  if (tcb_.snd_una == tcb_.snd_max) return;  // nothing outstanding
  const int limit = app_closed_ ? cfg_->orphan_retries : cfg_->data_retries;
  if (user_timeout_expired(now)) {
    fail(now, Errno::TimedOut, TcpEvent::TimeoutR2,
         str("3.8.3 USER TIMEOUT: SEQ=", tcb_.snd_una, " unacknowledged ", (now - body().tx.retrans_stamp) / ms(1),
             "ms after its first timeout retransmission (TCP_USER_TIMEOUT=", cfg_->user_timeout_ns / ms(1),
             "ms) → CLOSED (connection timed out, no RST)"),
         out);
    return;
  }
  if (cfg_->user_timeout_ns == 0 && rtt_.backoffs() >= limit) {
    fail(now, Errno::TimedOut, TcpEvent::TimeoutR2, str("3.8.3 R2: ", rtt_.backoffs(), " retransmissions of SEQ=", tcb_.snd_una,
                                    " unanswered (limit ", limit, ") → CLOSED (connection timed out)"), out);
    return;
  }
  if (seq_le(tcb_.snd_una, tcb_.iss)) {
    // CLOSE in SYN-RECEIVED (3.10.4) sent the FIN before our SYN was acknowledged. The
    // earliest unacknowledged segment is the SYN (RFC 6298 5.4), so the SYN,ACK goes again;
    // rewinding SND.NXT to SND.UNA=ISS would put the FIN on the SYN's sequence number.
    rtt_.back_off();
    send_syn(now, true, true, out);
    arm(TimerKind::Rto, now + rtt_.rto(), out);
    return;
  }
  // RFC 6298 5.4-5.6: retransmit the earliest unacknowledged segment, back off, restart.
  if (tcb_.snd_wnd > 0) {
    CcLoss l;
    l.now = now;
    l.mss = tcb_.snd_mss;
    l.flight = flight_size();
    l.kind = LossKind::Timeout;
    l.again = body().tx.in_loss;
    // Linux keeps the scoreboard unless the receiver reneged: the segment at SND.UNA SACKed
    // and not acknowledged (tcp_timeout_mark_lost); RFC 2018 8 forgets it (TcpConfig).
    const SackBlock* head = body().cc.sacked_at_or_after(tcb_.snd_una);
    l.keep_sacks = cfg_->rto_keeps_sack && !(head && seq_le(head->left, tcb_.snd_una));
    body().cc.on_timeout(l);
  }
  tcb_.snd_nxt = tcb_.snd_una;
  rtt_.back_off();
  body().tx.rtx_una_pending = false;
  // Loss recovery up to what was sent: no tail loss probe until it is all acknowledged
  // (Linux's CA_Loss state; RFC 8985 7.2 schedules probes only outside recovery).
  body().tx.in_loss = true;
  body().tx.loss_recover = tcb_.snd_max;
  body().tx.tlp_outstanding = false;
  disarm(TimerKind::LossProbe, out);
  body().rack.on_timeout();
  disarm(TimerKind::Reorder, out);
  send_one_data(now, out);
  if (body().tx.retrans_stamp == kNever) body().tx.retrans_stamp = now;
  const Instant next = rto_deadline_after_timeout(now);
  if (timers_.at(TimerKind::Rto) != next) arm(TimerKind::Rto, next, out);
}

bool Connection::user_timeout_expired(Instant now) const {
  return cfg_->user_timeout_ns > 0 && body().tx.retrans_stamp != kNever && now - body().tx.retrans_stamp >= cfg_->user_timeout_ns;
}

Instant Connection::rto_deadline_after_timeout(Instant now) const {
  // Linux tcp_clamp_rto_to_user_timeout: the timer fires no later than the user timeout.
  const Instant at = now + rtt_.rto();
  if (cfg_->user_timeout_ns == 0 || body().tx.retrans_stamp == kNever) return at;
  return std::max(now + 1, std::min(at, body().tx.retrans_stamp + cfg_->user_timeout_ns));
}

// ---------------------------------------------------------------- tail loss probe (RFC 8985 7)

bool Connection::loss_probe_allowed() const {
  // 7.2: with SACK (Linux tcp_is_sack), data outstanding, not in fast recovery or after an
  // RTO, and one probe per tail (Linux tlp_high_seq).
  if (!cfg_->tail_loss_probe || !tcb_.sack_ok || body().tx.tlp_outstanding || body().tx.in_loss || body().cc.in_recovery()) return false;
  if (timers_.armed(TimerKind::Reorder)) return false;  // Linux's one transmit timer waits for RACK
  if (!may_hold_unsent_data(state_) || seq_le(tcb_.snd_una, tcb_.iss)) return false;  // our SYN first
  return tcb_.snd_una != tcb_.snd_max;
}

Duration Connection::probe_timeout(Instant now, bool advancing_rto) const {
  // 7.2: PTO = 2*SRTT, plus the worst-case delayed ACK when one segment is in flight (Linux
  // adds its minimum RTO, 200 ms, or TCP_TIMEOUT_MIN with more); 1 s with no RTT sample.
  Duration pto = cfg_->rto_initial_ns;
  if (rtt_.has_sample()) {
    const std::uint32_t fin = fin_sent_ && !our_fin_acked() ? 1 : 0;
    const bool one_segment = flight_size() - fin <= tcb_.snd_mss;
    pto = 2 * rtt_.srtt() + (one_segment ? cfg_->rto_min_ns : cfg_->tlp_multi_segment_extra_ns);
  }
  // "If the RTO formula yields an earlier time, use that time": the RTO a new ACK restarts
  // (advancing_rto), or what is left of the running one.
  Duration rto_left = rtt_.rto();
  if (!advancing_rto && timers_.armed(TimerKind::Rto)) rto_left = timers_.at(TimerKind::Rto) - now;
  return rto_left > 0 ? std::min(pto, rto_left) : pto;
}

bool Connection::schedule_loss_probe(Instant now, bool advancing_rto, Output& out) {
  if (!loss_probe_allowed()) {
    disarm(TimerKind::LossProbe, out);
    return false;
  }
  arm(TimerKind::LossProbe, now + probe_timeout(now, advancing_rto), out);
  return true;
}

void Connection::on_loss_probe(Instant now, Output& out) {
  if (!loss_probe_allowed()) return;  // the RTO still runs
  if (!send_loss_probe(now, out)) return;
  body().tx.tlp_outstanding = true;
  body().tx.tlp_high_seq = tcb_.snd_max;
  // 7.3: after the probe, the RTO (not another PTO) is armed; Linux restarts it in full
  // from the probe and does not back it off.
  restart_rto(now, out);
}

void Connection::on_reorder_timeout(Instant now, Output& out) {
  // RFC 8985 6.3 (Linux tcp_rack_reo_timeout): mark what has now waited long enough, enter
  // recovery if that found a loss, and retransmit it.
  if (!rack_on() || !may_hold_unsent_data(state_) || tcb_.snd_una == tcb_.snd_max) return;
  const std::uint32_t lost_before = body().rack.lost_bytes();
  rack_detect_loss(now, true, out);
  if (body().rack.lost_bytes() == lost_before) return;
  if (!body().cc.in_recovery()) {
    enter_fast_recovery(now, out);
    // Linux tcp_cwnd_reduction(sk, 1, ...): one PRR step as if a segment was delivered, so
    // the retransmission may go.
    if (!body().cc.controls_recovery()) body().cc.on_ack(cc_ack(now, tcb_.snd_mss, bytes_in_flight()));
  }
  output(now, out);
}

bool Connection::send_loss_probe(Instant now, Output& out) {
  // 7.3: "If a previously unsent segment exists AND the receive window allows, send it"
  // (past cwnd and Nagle, as Linux's tcp_write_xmit for a probe does) ...
  const std::uint32_t mss = tcb_.snd_mss;
  const auto room = static_cast<std::int64_t>(tcb_.snd_una + tcb_.snd_wnd - tcb_.snd_max);
  const std::uint32_t unsent = unsent_bytes();
  if (unsent > 0 && tcb_.snd_nxt == tcb_.snd_max && room > 0) {
    DataChoice c;
    c.seq = tcb_.snd_max;
    c.len = static_cast<std::uint32_t>(std::min<std::int64_t>({mss, unsent, room}));
    c.rewrite_nxt = true;
    send_data(now, c, data_flags(c), out, true);
    return true;
  }
  // ... "else retransmit the highest-sequence segment sent": the last one, at most one MSS
  // of it (its FIN too, if it carried one).
  const Seq32 start = seq_max(body().tx.tail_seq, tcb_.snd_una);
  const std::uint32_t fin = fin_sent_ && !our_fin_acked() ? 1 : 0;
  const auto span = static_cast<std::uint32_t>(std::max(0, tcb_.snd_max - start));
  if (span == 0) return false;
  DataChoice c;
  c.len = std::min(span - fin, mss);
  c.seq = tcb_.snd_max - fin - c.len;
  const std::uint8_t flags = data_flags(c);
  if (c.len == 0 && !(flags & kFin)) return false;
  send_data(now, c, flags, out, true);
  return true;
}

void Connection::on_window_probe_answer(Instant now, Output& out) {
  // Linux tcp_ack_probe: an ACK while nothing is in flight and the window is still shut
  // restarts the probe timer with the current (backed-off) interval, from this answer.
  if (!cfg_->zwp_interval_from_answer || !timers_.armed(TimerKind::Persist)) return;
  if (tcb_.snd_wnd != 0 || flight_size() != 0) return;
  arm(TimerKind::Persist, now + persist_timeout(), out);
}


Duration Connection::persist_timeout() const {
  // The RTO, doubled per probe sent (RFC 9293 3.8.6.1: "increase exponentially the interval
  // between successive probes"), capped at the RTO maximum.
  Duration d = rtt_.rto();
  for (int i = 0; i < persist_backoff_ && d < cfg_->rto_max_ns; ++i) d *= 2;
  return std::min(d, cfg_->rto_max_ns);
}

void Connection::on_persist(Instant now, Output& out) {
  if (!may_hold_unsent_data(state_) || tcb_.snd_wnd > 0 || body().snd_buf.size() == 0) return;
  if (persist_backoff_ < 16) ++persist_backoff_;
  ++zwp_out_;
  if (cfg_->zwp_at_snd_una_minus_1) {
    send_probe(now, RetxCause::Probe, out);
    output(now, out);  // re-arms persist with the doubled interval
    return;
  }
  // RFC 9293 3.8.6.1: send one octet of data past the zero window. As in BSD's persist
  // state, SND.NXT stays at SND.UNA while the window is shut, and the persist timer (not
  // the RTO, whose back-off would end in ETIMEDOUT) sends the octet again with a doubled
  // interval: RFC 1122 4.2.2.17, the connection stays open while the probes are answered.
  // When the window opens, the octet goes again with the rest (or was ACKed already).
  const Seq32 seq = tcb_.snd_una;
  Segment s = make_segment(now, seq, kAck);
  s.payload = body().snd_buf.slice(0, 1);  // the send buffer starts at SND.UNA
  const bool retx = seq_lt(seq, tcb_.snd_max);
  if (seq_gt(seq + 1, tcb_.snd_max)) tcb_.snd_max = seq + 1;
  emit(now, std::move(s), retx, out, false, RetxCause::Probe);
  arm(TimerKind::Persist, now + persist_timeout(), out);
}

void Connection::on_keepalive(Instant now, Output& out) {
  // Linux keeps probing in every synchronized state the app still owns, FIN_WAIT_2 included
  // (a half-closed socket waiting for the peer's data would otherwise wait forever).
  const bool idle_state = state_ == State::Established || state_ == State::CloseWait || state_ == State::FinWait2;
  if (!cfg_->keepalive) return;
  if (!idle_state) {
    // FIN_WAIT_1, CLOSING, LAST_ACK: retransmission watches the peer now; keep the timer
    // running so probing resumes if the connection settles in FIN_WAIT_2.
    const bool alive = state_ == State::FinWait1 || state_ == State::Closing || state_ == State::LastAck;
    if (alive) arm(TimerKind::Keepalive, now + cfg_->keepalive_idle_ns, out);
    return;
  }
  if (keepalive_sent_ == 0 && now < body().rx.last_rcv_at + cfg_->keepalive_idle_ns) {
    arm(TimerKind::Keepalive, body().rx.last_rcv_at + cfg_->keepalive_idle_ns, out);  // there was traffic since
    return;
  }
  if (keepalive_sent_ >= cfg_->keepalive_probes) {
    send_active_reset(now, out);
    fail(now, Errno::TimedOut, TcpEvent::KeepaliveTimeout, str("keepalive: ", keepalive_sent_, " probes unanswered (tcp_keepalive_probes=",
                                    cfg_->keepalive_probes, ") → CLOSED (connection timed out)"), out);
    return;
  }
  ++keepalive_sent_;
  send_probe(now, RetxCause::Keepalive, out);
  arm(TimerKind::Keepalive, now + cfg_->keepalive_interval_ns, out);
}

}  // namespace tcplab
