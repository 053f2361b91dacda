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

bool Connection::learn_sack(const Segment& seg) {
  if (!tcb_.sack_ok) return false;
  const std::uint32_t before = cc_.sacked_bytes();
  for (std::uint8_t i = 0; i < seg.sack_count && i < seg.sack.size(); ++i) {
    const SackBlock& b = seg.sack[i];
    // RFC 2018 4: ignore blocks outside what we have sent.
    if (seq_gt(b.right, tcb_.snd_max) || !seq_lt(b.left, b.right)) continue;
    cc_.add_sack(b, tcb_.snd_una);
  }
  return cc_.sacked_bytes() != before;
}

void Connection::update_window(const Segment& seg) {
  // 3.10.7.4: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)".
  if (seq_lt(tcb_.snd_wl1, seg.seq) || (tcb_.snd_wl1 == seg.seq && seq_le(tcb_.snd_wl2, seg.ack))) {
    tcb_.snd_wnd = static_cast<std::uint32_t>(seg.wnd) << tcb_.snd_wscale;
    tcb_.snd_wl1 = seg.seq;
    tcb_.snd_wl2 = seg.ack;
  }
}

void Connection::process_ack_of_data(Instant now, const Segment& seg, Output& out) {
  const std::uint32_t mss = tcb_.snd_mss;
  const bool new_sack = learn_sack(seg);
  if (seq_lt(tcb_.snd_una, seg.ack)) {
    // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK" (SND.MAX after a rewind).
    const Seq32 data_start = snd_data_start();
    const auto acked = static_cast<std::uint32_t>(seg.ack - tcb_.snd_una);
    const auto data_acked = std::min<std::uint32_t>(static_cast<std::uint32_t>(std::max(0, seg.ack - data_start)),
                                                    snd_buf_.size());
    snd_buf_.pop(data_acked);
    acked_total_ += data_acked;
    if (rtt_timing_ && seq_ge(seg.ack, rtt_seq_)) {
      rtt_.sample(now - rtt_sent_at_);  // Karn: only timed segments never retransmitted
      rtt_timing_ = false;
    }
    rtt_.reset_backoff();
    persist_backoff_ = 0;
    retrans_stamp_ = kNever;
    if (tlp_outstanding_ && seq_ge(seg.ack, tlp_high_seq_)) tlp_outstanding_ = false;  // the probe's episode is over
    if (in_loss_ && seq_ge(seg.ack, loss_recover_)) in_loss_ = false;
    tcb_.snd_una = seg.ack;
    if (seq_lt(tcb_.snd_nxt, tcb_.snd_una)) tcb_.snd_nxt = tcb_.snd_una;
    cc_.drop_below(tcb_.snd_una);
    if (cc_.in_recovery()) {
      if (seq_ge(seg.ack, cc_.recover())) {
        cc_.exit_recovery(flight_size(), mss);
      } else {
        cc_.on_partial_ack(acked, mss, tcb_.sack_ok);  // RFC 6582 3.2 step 5
        if (!tcb_.sack_ok) rtx_una_pending_ = true;
      }
    } else {
      cc_.on_new_ack(acked, mss);
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
  if (!dup) return;
  // RFC 5681 3.2 duplicate ACK.
  if (cc_.in_recovery()) {
    if (!tcb_.sack_ok) cc_.inflate(mss);
    return;
  }
  if (cc_.on_dupack()) {
    cc_.enter_recovery(flight_size(), mss, tcb_.snd_una, tcb_.snd_max, tcb_.sack_ok);
    rtx_una_pending_ = true;  // fast retransmit
    disarm(TimerKind::LossProbe, out);  // RFC 8985 7.2: no probe during recovery
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
  const std::uint32_t room = rcv_buf_.free_space();
  if (offset <= 0) {
    const auto skip = static_cast<std::uint32_t>(-offset);
    if (skip >= seg.payload.size()) {
      ack_now_ = true;  // all old: a duplicate; ACK so the sender learns RCV.NXT
      return;
    }
    std::string_view fresh = std::string_view(seg.payload).substr(skip);
    const std::uint32_t n = rcv_buf_.push(fresh.substr(0, room));
    tcb_.rcv_nxt += n;
    rcv_total_ += n;
    const bool had_holes = !ooo_.empty();
    std::string more = ooo_.take_contiguous(rcv_total_);
    if (!more.empty()) {
      const std::uint32_t m = rcv_buf_.push(more);
      tcb_.rcv_nxt += m;
      rcv_total_ += m;
    }
    if (peer_fin_at_ == rcv_total_) {
      notice(Notice::Readable, Errno::Ok, out);
      on_fin(now, out);
      return;
    }
    // RFC 5681 4.2: ACK at once when a segment fills a hole or reordering persists.
    schedule_ack(now, n >= tcb_.snd_mss, had_holes || !ooo_.empty(), out);
    notice(Notice::Readable, Errno::Ok, out);
    return;
  }
  // Out of order: keep what fits in the window and send a duplicate ACK (with SACK).
  const std::uint64_t at = rcv_total_ + static_cast<std::uint32_t>(offset);
  const std::uint64_t limit = rcv_total_ + room;
  if (at < limit) {
    const auto keep = static_cast<std::size_t>(std::min<std::uint64_t>(seg.payload.size(), limit - at));
    if (ooo_.insert(at, std::string_view(seg.payload).substr(0, keep))) last_ooo_at_ = at;
  }
  ack_now_ = true;
}

void Connection::schedule_ack(Instant now, bool full_segment, bool force, Output& out) {
  if (force || !cfg_->delayed_ack || quickacks_left_ > 0) {
    if (quickacks_left_ > 0) --quickacks_left_;
    ack_now_ = true;
    return;
  }
  // RFC 9293 3.8.6.3: ACK at least every second full-sized segment, else within the delay.
  if (full_segment && ++unacked_full_segments_ >= 2) {
    ack_now_ = true;
    return;
  }
  if (!timers_.armed(TimerKind::DelAck)) arm(TimerKind::DelAck, now + cfg_->delack_ns, out);
}

}  // namespace tcplab
