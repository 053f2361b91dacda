#include "stack/rack.hpp"

#include <algorithm>

namespace tcplab {

namespace {
// RFC 8985 6.2 RACK_sent_after: t1/seq1 was sent after t2/seq2 (the end sequence breaks ties
// between segments sent at the same instant).
bool sent_after(Instant t1, Seq32 seq1, Instant t2, Seq32 seq2) {
  return t1 > t2 || (t1 == t2 && seq_gt(seq1, seq2));
}
}  // namespace

void Rack::on_delivered(const RateSampler::Delivery& d, Instant now, Duration min_rtt, Seq32 prior_fack) {
  // An original segment delivered below data SACKed earlier arrived out of order (Linux
  // tcp_check_sack_reordering): from now on the reordering window is kept in recovery too.
  if (!d.retx && seq_le(d.end, prior_fack)) reord_seen_ = true;
  const Duration rtt = now - d.sent;
  // Step 2: a retransmitted segment delivered sooner than the minimum RTT after it was resent
  // was probably the original's delivery (Linux: no TS echo check, min_rtt only; no minimum
  // RTT yet: not trusted).
  if (d.retx && (min_rtt == 0 || rtt < min_rtt)) return;
  rtt_ = rtt;
  advanced_ = true;
  if (!have_ || sent_after(d.sent, d.end, xmit_ts_, end_seq_)) {
    have_ = true;
    xmit_ts_ = d.sent;
    end_seq_ = d.end;
  }
}

Duration Rack::reo_wnd(bool recovering, std::uint32_t sacked_segments, Duration min_rtt, Duration srtt) const {
  if (!reord_seen_ && (recovering || sacked_segments >= kDupThresh)) return 0;
  return std::min(min_rtt / 4, srtt);
}

Duration Rack::detect_loss(const Ring<RateSampler::Tx>& sent, Instant now, Duration reo_wnd) {
  advanced_ = false;
  if (!have_) return 0;
  Duration wait = 0;
  for (std::size_t i = RateSampler::first_unsacked(sent, 0); i < sent.size();
       i = RateSampler::first_unsacked(sent, i + 1)) {
    const RateSampler::Tx& p = sent[i];
    // Marked lost and not yet resent: nothing more to learn about it.
    bool pending = false;
    for (const SackBlock& b : lost_)
      if (seq_le(b.left, p.seq) && seq_le(p.end, b.right)) pending = true;
    if (pending) continue;
    if (!sent_after(xmit_ts_, end_seq_, p.sent, p.end)) {
      // The records are in sequence order; originals went out in that order and a
      // retransmission after its original, so nothing above an original sent this late was
      // sent earlier (Linux walks its time-sorted list and stops here too).
      if (!p.retx) break;
      continue;
    }
    const Duration remaining = rtt_ + reo_wnd - (now - p.sent);
    if (remaining <= 0) mark(p.seq, p.end);
    else wait = std::max(wait, remaining);
  }
  return wait;
}

Instant Rack::timer_deadline(Instant now, Duration remaining) {
  const Duration d = remaining + kTimerSlack;
  return now + (d + kTick - 1) / kTick * kTick;
}

std::uint32_t Rack::lost_bytes() const {
  std::uint32_t n = 0;
  for (const SackBlock& b : lost_) n += static_cast<std::uint32_t>(b.right - b.left);
  return n;
}

void Rack::mark(Seq32 seq, Seq32 end) {
  std::vector<SackBlock> merged;
  merged.reserve(lost_.size() + 1);
  SackBlock b{seq, end};
  bool placed = false;
  for (const SackBlock& s : lost_) {
    if (seq_lt(s.right, b.left)) {
      merged.push_back(s);
    } else if (seq_lt(b.right, s.left)) {
      if (!placed) merged.push_back(b), placed = true;
      merged.push_back(s);
    } else {
      b.left = seq_min(b.left, s.left);
      b.right = seq_max(b.right, s.right);
    }
  }
  if (!placed) merged.push_back(b);
  lost_ = std::move(merged);
}

void Rack::unmark(Seq32 seq, Seq32 end) {
  // Called for every segment an ACK delivers; most of them were never marked lost.
  const bool overlaps = std::any_of(lost_.begin(), lost_.end(), [&](const SackBlock& s) {
    return seq_lt(seq, s.right) && seq_lt(s.left, end);
  });
  if (!overlaps) return;
  std::vector<SackBlock> kept;
  kept.reserve(lost_.size() + 1);
  for (const SackBlock& s : lost_) {
    if (!seq_lt(seq, s.right) || !seq_lt(s.left, end)) {
      kept.push_back(s);
      continue;
    }
    if (seq_lt(s.left, seq)) kept.push_back({s.left, seq});
    if (seq_lt(end, s.right)) kept.push_back({end, s.right});
  }
  lost_ = std::move(kept);
}

void Rack::drop_below(Seq32 snd_una) {
  if (!lost_.empty()) unmark(lost_.front().left, snd_una);
}

}  // namespace tcplab
