// The data path of a connection: acknowledgments and congestion control on the send side
// (RFC 9293 3.10.7.4 fifth, RFC 5681/6582/6675), segment text and ACK policy on the
// receive side (3.10.7.4 seventh, RFC 1122 4.2.3.2 delayed ACK, RFC 2018 SACK).
#include <algorithm>

#include "stack/connection.hpp"
#include "stack/text.hpp"

namespace tcplab {

std::uint32_t Connection::flight_size() const {
  return static_cast<std::uint32_t>(std::max(0, tcb_.snd_max - tcb_.snd_una));
}

std::string_view Connection::cc_phase() const {
  if (lean()) return settled_.phase;
  if (const std::string_view own = body().cc.algo_phase(); !own.empty()) return own;  // BBR's phases
  if (body().tx.in_loss) return "loss";  // after an RTO, until SND.UNA passes what was outstanding
  if (body().cc.in_recovery()) return "recovery";
  return body().cc.cwnd() < body().cc.ssthresh() ? "slow start" : "congestion avoidance";
}

CcAck Connection::cc_ack(Instant now, std::uint32_t acked, std::uint32_t prior_in_flight) const {
  CcAck a;
  a.now = now;
  a.mss = tcb_.snd_mss;
  a.acked = acked;
  a.prior_in_flight = prior_in_flight;
  a.in_flight = bytes_in_flight();
  a.srtt_ns = rtt_.srtt();
  a.delivered = body().rate.delivered();
  a.rs = body().last_rs;
  a.rtt_ns = body().last_rs.rtt_ns;
  a.min_rtt_ns = body().rate.min_rtt();
  a.in_recovery = body().cc.in_recovery() || body().tx.in_loss;
  // Linux tcp_is_cwnd_limited: the window limited sending in this window of data, or (slow
  // start) cwnd is below twice the largest flight. The RFC profile grows on every ACK.
  a.cwnd_limited = cfg_->profile != Profile::Linux || body().tx.cwnd_limited ||
                   (body().cc.cwnd() < body().cc.ssthresh() && body().cc.cwnd() < 2 * body().tx.max_flight);
  return a;
}

bool Connection::learn_sack(const Segment& seg) {
  if (!tcb_.sack_ok) return false;
  const std::uint32_t before = body().cc.sacked_bytes();
  for (std::uint8_t i = 0; i < seg.sack_count && i < seg.sack.size(); ++i) {
    const SackBlock& b = seg.sack[i];
    // RFC 2018 4: ignore blocks outside what we have sent.
    if (seq_gt(b.right, tcb_.snd_max) || !seq_lt(b.left, b.right)) continue;
    body().cc.add_sack(b, tcb_.snd_una);
  }
  return body().cc.sacked_bytes() != before;
}

void Connection::update_window(const Segment& seg) {
  // 3.10.7.4: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)".
  if (seq_lt(tcb_.snd_wl1, seg.seq) || (tcb_.snd_wl1 == seg.seq && seq_le(tcb_.snd_wl2, seg.ack))) {
    set_snd_wnd(static_cast<std::uint32_t>(seg.wnd) << tcb_.snd_wscale);
    tcb_.snd_wl1 = seg.seq;
    tcb_.snd_wl2 = seg.ack;
  }
}

void Connection::set_snd_wnd(std::uint32_t wnd) {
  tcb_.snd_wnd = wnd;
  tcb_.max_snd_wnd = std::max(tcb_.max_snd_wnd, wnd);
}

bool Connection::oow_ack_allowed(Instant now) {
  if (last_invalid_ack_ != INT64_MIN && now - last_invalid_ack_ < cfg_->invalid_ack_ratelimit_ns) return false;
  last_invalid_ack_ = now;
  return true;
}

void Connection::send_challenge_ack(Instant now, Output& out) {
  // RFC 5961 3.2 (in-window RST), 4.2 (SYN), 5.2 (ACK too old): <SEQ=SND.NXT><ACK=RCV.NXT>,
  // throttled (RFC 5961 7) per socket as Linux's tcp_send_challenge_ack does.
  if (oow_ack_allowed(now)) send_ack(now, out);
}

void Connection::note_dsack(SackBlock b) {
  if (!tcb_.sack_ok || !cfg_->dsack) return;
  body().rx.dsack = b;
  body().rx.dsack_pending = true;
}

void Connection::remember_sack_segment(std::uint64_t at) {
  // One entry per held block: those in `at`'s block (which becomes the most recent) and those
  // already delivered go; `at` goes first; the oldest falls off when all slots are in use.
  std::uint64_t lo = at, hi = at + 1;
  if (const auto r = body().ooo.range_of(at)) lo = r->first, hi = r->second;
  std::array<std::uint64_t, 4> kept{};
  std::uint8_t n = 0;
  kept[n++] = at;
  for (std::uint8_t i = 0; i < body().rx.sack_recent_count && n < kept.size(); ++i) {
    const std::uint64_t x = body().rx.sack_recent[i];
    if (x >= rcv_total_ && !(lo <= x && x < hi)) kept[n++] = x;
  }
  body().rx.sack_recent = kept;
  body().rx.sack_recent_count = n;
}

void Connection::process_ack_of_data(Instant now, const Segment& seg, Output& out) {
  const std::uint32_t mss = tcb_.snd_mss;
  const std::uint32_t prior_in_flight = bytes_in_flight();
  const std::uint32_t sacked_before = body().cc.sacked_bytes();
  const Seq32 prior_fack = body().cc.scoreboard().empty() ? tcb_.snd_una : body().cc.scoreboard().back().right;
  const bool new_sack = learn_sack(seg);
  std::vector<RateSampler::Delivery>& delivered = body().delivered_scratch;
  delivered.clear();
  body().last_rs = body().rate.on_ack(seq_lt(tcb_.snd_una, seg.ack) ? seg.ack : tcb_.snd_una, body().cc.scoreboard(), now,
                          rack_on() ? &delivered : nullptr);
  if (rack_on()) rack_note_delivered(now, delivered, prior_fack);
  if (seq_lt(tcb_.snd_una, seg.ack)) {
    // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK" (SND.MAX after a rewind).
    const Seq32 data_start = snd_data_start();
    const auto acked = static_cast<std::uint32_t>(seg.ack - tcb_.snd_una);
    const auto data_acked = std::min<std::uint32_t>(static_cast<std::uint32_t>(std::max(0, seg.ack - data_start)),
                                                    body().snd_buf.size());
    body().snd_buf.pop(data_acked);
    acked_total_ += data_acked;
    if (body().tx.rtt_timing && seq_ge(seg.ack, body().tx.rtt_seq)) {
      rtt_.sample(now - body().tx.rtt_sent_at);  // Karn: only timed segments never retransmitted
      body().tx.rtt_timing = false;
    }
    rtt_.reset_backoff();
    persist_backoff_ = 0;
    body().tx.retrans_stamp = kNever;
    if (body().tx.tlp_outstanding && seq_ge(seg.ack, body().tx.tlp_high_seq)) body().tx.tlp_outstanding = false;  // the probe's episode is over
    if (body().tx.in_loss && seq_ge(seg.ack, body().tx.loss_recover)) body().tx.in_loss = false;
    tcb_.snd_una = seg.ack;
    if (seq_lt(tcb_.snd_nxt, tcb_.snd_una)) tcb_.snd_nxt = tcb_.snd_una;
    body().cc.drop_below(tcb_.snd_una);
    rack_detect_loss(now, false, out);
    // Bytes newly delivered: cumulatively acknowledged, less what was SACKed before, plus
    // what this ACK newly SACKs (RFC 6937 DeliveredData).
    const std::int64_t delivered = static_cast<std::int64_t>(acked) + body().cc.sacked_bytes() - sacked_before;
    CcAck a = cc_ack(now, cfg_->profile == Profile::Linux ? static_cast<std::uint32_t>(std::max<std::int64_t>(0, delivered)) : acked,
                     prior_in_flight);
    a.una_advanced = true;
    if (body().cc.in_recovery()) {
      if (seq_ge(seg.ack, body().cc.recover())) {
        body().cc.exit_recovery(flight_size(), mss, now);
        if (cfg_->prr) body().cc.on_ack(a);  // Linux: the ACK that ends recovery may grow the window
      } else {
        body().cc.on_partial_ack(acked, mss, tcb_.sack_ok);  // RFC 6582 3.2 step 5
        if (!tcb_.sack_ok) {
          body().tx.rtx_una_pending = true;
          body().tx.rtx_una_cause = RetxCause::Recovery;
        }
        body().cc.on_ack(a);  // PRR (RFC 6937 3)
      }
    } else {
      body().cc.reset_dupacks();
      // RACK (RFC 8985 6.2) may find a loss on an ACK that advances SND.UNA too.
      if (rack_on() && body().rack.has_lost() && !body().tx.in_loss) enter_fast_recovery(now, out);
      body().cc.on_ack(a);
    }
    update_window(seg);
    if (tcb_.snd_una == tcb_.snd_max) {
      disarm(TimerKind::Rto, out);  // RFC 6298 5.2
      disarm(TimerKind::LossProbe, out);
    } else {
      restart_rto(now, out);                 // RFC 6298 5.3
      schedule_loss_probe(now, true, out);   // RFC 8985 7.2: and the PTO, capped by that RTO
    }
    return;
  }
  // RFC 5681 2 "DUPLICATE ACKNOWLEDGMENT". Not with a zero window: those ACKs answer the
  // persist probe (the receiver says "stop", not "lost"), and a fast retransmit may not go
  // into a zero window (RFC 9293 3.8.6.1); BSD likewise counts them only while the
  // retransmission timer, not the persist timer, runs.
  // With SACK, an ACK that reports newly SACKed data is a duplicate ACK whatever its window
  // says (RFC 6675 2: "DupAck ... contains previously unknown SACK information").
  const bool same_wnd = (static_cast<std::uint32_t>(seg.wnd) << tcb_.snd_wscale) == tcb_.snd_wnd;
  const bool dup = seg.ack == tcb_.snd_una && seg.payload.empty() && !seg.has(kSyn) && !seg.has(kFin) &&
                   (same_wnd || (new_sack && seg.wnd != 0)) && tcb_.snd_wnd != 0 && tcb_.snd_max != tcb_.snd_una;
  update_window(seg);
  on_window_probe_answer(now, out);
  rack_detect_loss(now, false, out);
  if (!dup) {
    if (rack_on() && body().rack.has_lost() && !body().tx.in_loss && !body().cc.in_recovery()) enter_fast_recovery(now, out);
    return;
  }
  // RFC 5681 3.2 duplicate ACK.
  const CcAck a = cc_ack(now, body().cc.sacked_bytes() - sacked_before, prior_in_flight);
  if (body().cc.in_recovery()) {
    if (!tcb_.sack_ok) body().cc.inflate(mss);
    body().cc.on_ack(a);  // PRR: newly SACKed data counts as delivered (RFC 6937 3)
    return;
  }
  if (body().tx.in_loss) {
    // After a timeout, duplicate ACKs of what was outstanding when it fired do not start a
    // fast retransmit (RFC 6582 3.2 step 2 and 4: not unless the ACK covers more than
    // "recover"; Linux stays in CA_Loss). The receiver still reports the out-of-order data
    // it holds, so SACKs come at once; entering PRR here took the rewound flight as the pipe
    // and blew the window up.
    body().cc.on_ack(a);
    return;
  }
  // The third duplicate ACK starts recovery (RFC 5681 3.2, RFC 6675 5); with RACK, a segment
  // marked lost does (Linux tcp_time_to_recover: the DupThresh rule is then RACK's
  // reordering window of 0 with three segments SACKed). The count still lets limited
  // transmit send (RFC 3042).
  const bool third = body().cc.on_dupack();
  if (rack_on() ? body().rack.has_lost() : third) enter_fast_recovery(now, out);
  body().cc.on_ack(a);  // the first PRR step, or (BBR) the SACKed delivery
}

void Connection::enter_fast_recovery(Instant now, Output& out) {
  CcLoss l;
  l.now = now;
  l.mss = tcb_.snd_mss;
  l.flight = flight_size();
  body().cc.enter_recovery(l, tcb_.snd_una, tcb_.snd_max, tcb_.sack_ok);
  // Fast retransmit: of SND.UNA; with RACK, of what it marked lost (choose_sack_hole), the
  // first of which is the recovery's fast retransmit too (retx_cause "fast").
  if (!rack_on()) {
    body().tx.rtx_una_pending = true;
    body().tx.rtx_una_cause = RetxCause::Fast;
  } else {
    body().tx.rack_fast_pending = true;
  }
  disarm(TimerKind::LossProbe, out);  // RFC 8985 7.2: no probe during recovery
}

Duration Connection::min_rtt() const {
  // Linux's tcp_min_rtt takes every RTT sample: the timed segments' and the delivered ones'.
  const Duration a = rtt_.min_rtt(), b = body().rate.min_rtt();
  return a == 0 ? b : b == 0 ? a : std::min(a, b);
}

std::uint32_t Connection::pipe() const {
  if (!rack_on()) return body().cc.pipe(tcb_.snd_una, tcb_.snd_max);
  // Linux tcp_packets_in_flight: packets_out - (sacked_out + lost_out) + retrans_out.
  const std::int64_t p = static_cast<std::int64_t>(flight_size()) - body().cc.sacked_bytes() - body().rack.lost_bytes();
  return p > 0 ? static_cast<std::uint32_t>(p) : 0;
}

void Connection::rack_note_delivered(Instant now, const std::vector<RateSampler::Delivery>& delivered,
                                     Seq32 prior_fack) {
  for (const RateSampler::Delivery& d : delivered) {
    body().rack.on_delivered(d, now, min_rtt(), prior_fack);
    body().rack.unmark(d.seq, d.end);  // delivered after all: not to be resent
  }
}

void Connection::rack_detect_loss(Instant now, bool force, Output& out) {
  if (!rack_on()) return;
  body().rack.drop_below(tcb_.snd_una);
  // After an RTO everything outstanding goes again from SND.UNA (Linux CA_Loss).
  if (body().tx.in_loss || (!force && !body().rack.advanced())) return;
  const std::uint32_t mss = std::max<std::uint32_t>(tcb_.snd_mss, 1);
  const std::uint32_t sacked_segments = (body().cc.sacked_bytes() + mss - 1) / mss;
  const Duration reo_wnd = body().rack.reo_wnd(body().cc.in_recovery(), sacked_segments, min_rtt(), rtt_.srtt());
  const Duration wait = body().rack.detect_loss(body().rate.sent(), now, reo_wnd);
  if (wait > 0) {
    // Linux's one transmit timer: the reordering timer takes the probe's place.
    disarm(TimerKind::LossProbe, out);
    arm(TimerKind::Reorder, Rack::timer_deadline(now, wait), out);
  } else {
    disarm(TimerKind::Reorder, out);
  }
}

void Connection::on_text(Instant now, const Segment& seg, Output& out) {
  switch (state_) {
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
      break;
    case State::Closed:
    case State::Listen:
    case State::SynSent:
    case State::SynReceived:
    case State::CloseWait:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait:
      return;  // "this should not occur, since a FIN has been received" / not yet synchronized
  }
  if (seg.payload.empty()) return;
  const std::int32_t offset = seg.seq - tcb_.rcv_nxt;
  // The bytes the buffer takes: under Linux's rule what the charged memory allows (a
  // segment that starts in the window is taken whole, tcp_data_queue), else the free space.
  const bool memory_ok = !linux_window() || rmem_.admit();
  const std::uint32_t room = memory_ok ? body().rcv_buf.free_space() : 0;
  if (offset <= 0) {
    const auto skip = static_cast<std::uint32_t>(-offset);
    if (skip > 0) {
      // RFC 2883: report what was received twice, [SEG.SEQ, min(SEG.SEQ+len, RCV.NXT)).
      const std::uint32_t dup = std::min<std::uint32_t>(skip, static_cast<std::uint32_t>(seg.payload.size()));
      note_dsack(SackBlock{seg.seq, seg.seq + dup});
    }
    if (skip >= seg.payload.size() || room == 0) {
      // All old (a duplicate), or no memory: ACK so the sender learns RCV.NXT. After a duplicate
      // Linux re-enters quick-ACK mode (tcp_enter_quickack_mode: the sender may be
      // retransmitting after a lost ACK) and schedules the ACK, which decide_ack() then sends at
      // once unless the buffer is nearly full (see there).
      if (linux_window() && skip >= seg.payload.size()) {
        body().rx.ack_scheduled = true;
      } else {
        body().rx.ack_now = true;
      }
      if (skip >= seg.payload.size()) {
        body().rx.pingpong = false;
        grant_quickacks();
      }
      return;
    }
    const std::uint32_t n = body().rcv_buf.push(seg.payload.substr(skip, room));
    tcb_.rcv_nxt += n;
    rcv_total_ += n;
    if (linux_window()) take_in_order(n, ip_length(seg));
    const bool had_holes = !body().ooo.empty();
    for (const Payload& more : body().ooo.take_contiguous(rcv_total_)) {
      const std::uint32_t m = body().rcv_buf.push(more);
      tcb_.rcv_nxt += m;
      rcv_total_ += m;
    }
    if (linux_window()) rmem_.ooo_joined(rcv_total_);
    note_data_received(now, n);
    // A segment that grew the window is ACKed at once: Linux's tcp_grow_window sets a quick
    // ACK (quick |= 1) after tcp_incr_quickack sized the budget.
    if (linux_window() && rmem_.grew()) body().rx.quickacks_left |= 1;
    if (n >= tcb_.snd_mss) ++body().rx.unacked_full_segments;
    // RFC 5681 4.2: ACK at once when a segment fills a hole or reordering persists.
    if (had_holes || !body().ooo.empty()) body().rx.ack_now = true;
    notice(Notice::Readable, Errno::Ok, out);
    if (body().rx.peer_fin_at == rcv_total_) {
      on_fin(now, out);
      body().rx.ack_now = true;  // the segment filled the hole before an out-of-order FIN
    }
    return;
  }
  // Out of order: keep what fits in the window and send a duplicate ACK (with SACK).
  const std::uint64_t at = rcv_total_ + static_cast<std::uint32_t>(offset);
  const std::uint64_t limit = rcv_total_ + room;
  if (at < limit) {
    const auto keep = static_cast<std::size_t>(std::min<std::uint64_t>(seg.payload.size(), limit - at));
    if (body().ooo.insert(at, seg.payload.substr(0, static_cast<std::uint32_t>(keep)))) {
      remember_sack_segment(at);
      if (linux_window()) rmem_.queue_out_of_order(at, static_cast<std::uint32_t>(keep), ip_length(seg));
    }
  }
  body().rx.ack_now = true;
}

void Connection::grant_quickacks() {
  // Linux tcp_incr_quickack: about one quick ACK per two segments that fit in the window we
  // advertised, at least 2, at most quickack_segments (a small buffer gets one or two).
  const std::uint32_t per = 2 * std::max<std::uint32_t>(rcv_mss_, 1);
  int budget = static_cast<int>(std::min<std::uint32_t>(tcb_.rcv_wnd / per, 1u << 16));
  if (budget == 0) budget = 2;
  budget = std::min(budget, cfg_->quickack_segments);
  body().rx.quickacks_left = std::max(body().rx.quickacks_left, budget);
}

void Connection::note_data_received(Instant now, std::uint32_t len) {
  if (len == 0) return;
  body().rx.ack_scheduled = true;
  // Linux tcp_measure_rcv_mss: rcv_mss follows the largest segment (up to our MSS); a shorter
  // one counts as a "pushed" small segment, which a read may ACK at once (read_sends_ack).
  if (len >= rcv_mss_) {
    rcv_mss_ = std::min<std::uint32_t>(len, cfg_->mss);
  } else if (body().rx.unacked_small_segments < 2) {
    ++body().rx.unacked_small_segments;
  }
  // The first data grants the quick-ACK budget, and so does data after an idle gap longer than
  // the RTO (the sender restarts from a small window and should not wait for our ACKs).
  if (!body().rx.data_seen || now - body().rx.last_data_at > rtt_.rto()) grant_quickacks();
  body().rx.data_seen = true;
  body().rx.last_data_at = now;
}

Duration Connection::delack_timeout() const {
  // Linux's ato is 0 until data arrives: a FIN that comes first is ACKed at the next tick.
  return body().rx.data_seen ? cfg_->delack_ns : 0;
}

void Connection::decide_ack(Instant now, Output& out) {
  // After a segment's data and FIN are taken (Linux __tcp_ack_snd_check): ACK now, or let the
  // delayed-ACK timer do it (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2).
  if (!body().rx.ack_scheduled || body().rx.ack_now) return;
  // Linux (__tcp_ack_snd_check) asks "more than a segment unacknowledged, and would an ACK
  // offer no smaller window?" before "quick-ACK mode?", and choosing that window
  // (__tcp_select_window) ends quick-ACK mode when less than half the buffer is free: a
  // duplicate of unread data in a nearly full buffer then waits for the delayed ACK
  // (tests/pkt/scripts/b-zero-window-dup-idle.pkt, checked against Linux 6.18).
  if (linux_window() && over_a_segment() && !body().rcv_buf.empty() && rmem_.under_pressure())
    body().rx.quickacks_left = 0;
  const bool quick = body().rx.quickacks_left > 0 && !body().rx.pingpong;
  if (!cfg_->delayed_ack || quick || enough_unacked()) {
    body().rx.ack_now = true;
    return;
  }
  if (!timers_.armed(TimerKind::DelAck)) arm(TimerKind::DelAck, now + delack_timeout(), out);
}

bool Connection::enough_unacked() const {
  if (linux_window()) {
    // Linux __tcp_ack_snd_check: more than a segment arrived since the last ACK, and that ACK
    // would not offer a smaller window; else the delayed-ACK timer or the next read sends it.
    return over_a_segment() && (body().rcv_buf.empty() || rmem_.wanted_window(tcb_.rcv_wnd, tcb_.rcv_wscale) >= tcb_.rcv_wnd);
  }
  // RFC 9293 3.8.6.3: ACK at least every second full-sized segment, else within the delay.
  return body().rx.unacked_full_segments >= 2;
}

void Connection::take_in_order(std::uint32_t n, std::uint32_t ip_len) {
  rmem_.queue_in_order(n, ip_len);
}

bool Connection::read_sends_ack(std::uint32_t copied) const {
  // Linux tcp_cleanup_rbuf: a read sends the pending ACK when more than one segment is
  // unacknowledged, or when it drained the buffer after a small ("pushed") segment, unless the
  // connection is interactive and only one such segment came (its answer will carry the ACK).
  if (!cfg_->ack_on_read || !body().rx.ack_scheduled || !timers_.armed(TimerKind::DelAck)) return false;
  if (static_cast<std::uint32_t>(tcb_.rcv_nxt - tcb_.rcv_wup) > rcv_mss_) return true;
  const bool pushed = body().rx.unacked_small_segments >= 2 || (body().rx.unacked_small_segments == 1 && !body().rx.pingpong);
  return copied > 0 && body().rcv_buf.empty() && pushed;
}

}  // namespace tcplab
