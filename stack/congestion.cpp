#include "stack/congestion.hpp"

#include <algorithm>
#include <type_traits>

namespace tcplab {

void Congestion::init(CcKind kind, const CcInit& i, bool prr) {
  switch (kind) {
    case CcKind::NewReno: algo_.emplace<NewReno>(); break;
    case CcKind::Cubic: algo_.emplace<Cubic>(); break;
    case CcKind::Bbr: algo_.emplace<Bbr>(); break;
  }
  std::visit([&](auto& a) { a.init(w_, i); }, algo_);
  prr_ = prr;
  prr_delivered_ = prr_out_ = recover_fs_ = 0;
  dupacks_ = 0;
  in_recovery_ = false;
  clear_sacks();
}

void Congestion::restart_after_idle(Duration idle, Duration rto, std::uint32_t initial_window, bool decay) {
  const std::uint32_t restart = std::min(initial_window, w_.cwnd);
  if (!decay) {
    w_.cwnd = restart;
    return;
  }
  // tcp_current_ssthresh outside a window reduction: at least 3/4 of the window before.
  if (!in_recovery_) w_.ssthresh = std::max(w_.ssthresh, (w_.cwnd >> 1) + (w_.cwnd >> 2));
  std::uint32_t cwnd = w_.cwnd;
  for (Duration left = idle - rto; left > 0 && cwnd > restart; left -= rto) cwnd >>= 1;
  w_.cwnd = std::max(cwnd, restart);
}

void Congestion::on_tx_start(Instant now, Duration idle, bool app_limited) {
  std::visit([&](auto& a) { a.on_tx_start(w_, now, idle, app_limited); }, algo_);
}

std::string_view Congestion::algo_phase() const {
  return std::visit([&](const auto& a) { return a.phase(w_); }, algo_);
}

std::uint64_t Congestion::pacing_bps() const {
  return std::visit([&](const auto& a) { return a.pacing_bps(w_); }, algo_);
}

bool Congestion::controls_recovery() const {
  return std::visit([](const auto& a) { return std::decay_t<decltype(a)>::kControlsRecovery; }, algo_);
}

void Congestion::on_ack(const CcAck& a) {
  if (controls_recovery()) {
    std::visit([&](auto& x) { x.on_ack(w_, a); }, algo_);
    return;
  }
  if (!in_recovery_) {
    // The window grows on cumulative ACKs only (RFC 5681 3.1; Linux tcp_may_raise_cwnd:
    // FLAG_DATA_ACKED), not on a duplicate ACK that only SACKs.
    if (a.una_advanced) std::visit([&](auto& x) { x.on_ack(w_, a); }, algo_);
    return;
  }
  if (!prr_active_ || a.acked == 0) return;
  // RFC 6937 3: on each ACK in recovery, with DeliveredData = a.acked and pipe = a.in_flight.
  prr_delivered_ += a.acked;
  std::int64_t sndcnt;
  if (a.in_flight > w_.ssthresh) {
    // Proportional Rate Reduction: sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out.
    const std::uint64_t fs = std::max<std::uint32_t>(recover_fs_, 1);
    sndcnt = static_cast<std::int64_t>((static_cast<std::uint64_t>(prr_delivered_) * w_.ssthresh + fs - 1) / fs) -
             prr_out_;
  } else {
    // Slow-start reduction bound (PRR-SSRB): limit = MAX(prr_delivered - prr_out, DeliveredData)
    // + MSS; Linux adds the MSS only when SND.UNA advanced.
    std::int64_t limit = std::max<std::int64_t>(static_cast<std::int64_t>(prr_delivered_) - prr_out_, a.acked);
    if (a.una_advanced) limit += a.mss;
    sndcnt = std::min<std::int64_t>(static_cast<std::int64_t>(w_.ssthresh) - a.in_flight, limit);
  }
  // The fast retransmit always goes (Linux: at least one segment until something was sent).
  if (prr_out_ == 0) sndcnt = std::max<std::int64_t>(sndcnt, a.mss);
  sndcnt = std::max<std::int64_t>(sndcnt, 0);
  w_.cwnd = a.in_flight + static_cast<std::uint32_t>(sndcnt);
}

bool Congestion::on_dupack() { return ++dupacks_ == 3; }

void Congestion::enter_recovery(const CcLoss& l, Seq32 snd_una, Seq32 snd_max, bool sack) {
  const std::uint32_t prior_cwnd = w_.cwnd;
  w_.ssthresh = std::visit([&](auto& a) { return a.ssthresh_on_loss(w_, l); }, algo_);
  in_recovery_ = true;
  recover_ = snd_max;
  high_rxt_ = snd_una;
  prr_active_ = false;
  if (controls_recovery()) return;  // BBR keeps its own window
  if (prr_ && sack) {
    prr_active_ = true;
    prr_delivered_ = prr_out_ = 0;
    recover_fs_ = prior_cwnd;  // Linux's RecoverFS: the cwnd before the cut
    return;                    // on_ack sets cwnd from this ACK on
  }
  w_.cwnd = sack ? w_.ssthresh : w_.ssthresh + 3 * l.mss;
}

void Congestion::on_partial_ack(std::uint32_t acked, std::uint32_t mss, bool sack) {
  if (sack) return;  // RFC 6675 paces by pipe, not by inflation
  w_.cwnd = (w_.cwnd > acked ? w_.cwnd - acked : 0) + mss;
  if (w_.cwnd < mss) w_.cwnd = mss;
}

void Congestion::exit_recovery(std::uint32_t flight, std::uint32_t mss, Instant now) {
  in_recovery_ = false;
  dupacks_ = 0;
  if (!controls_recovery()) {
    if (prr_) w_.cwnd = w_.ssthresh;  // RFC 6937 3 / Linux tcp_end_cwnd_reduction
    else w_.cwnd = std::min(w_.ssthresh, std::max(flight, mss) + mss);
  }
  std::visit([&](auto& a) { a.on_recovery_exit(w_, now); }, algo_);
}

void Congestion::on_timeout(const CcLoss& l) {
  if (!l.again) w_.ssthresh = std::visit([&](auto& a) { return a.ssthresh_on_loss(w_, l); }, algo_);
  w_.cwnd = l.mss;
  in_recovery_ = false;
  dupacks_ = 0;
  if (!l.keep_sacks) clear_sacks();  // RFC 2018 8: the receiver may renege; don't trust old SACKs
  std::visit([&](auto& a) { a.on_timeout(w_, l.now); }, algo_);
}

void Congestion::add_sack(SackBlock b, Seq32 snd_una) {
  if (seq_le(b.right, snd_una) || !seq_lt(b.left, b.right)) return;
  if (seq_lt(b.left, snd_una)) b.left = snd_una;
  // The ranges are sorted, apart and not touching: the first one that ends at or after b's
  // start, and those from it that begin at or before b's end, overlap or touch b and merge
  // into it; the ranges before and after stay as they are.
  const auto first = std::partition_point(sacked_.begin(), sacked_.end(),
                                          [&](const SackBlock& s) { return seq_lt(s.right, b.left); });
  auto last = first;
  for (; last != sacked_.end() && !seq_lt(b.right, last->left); ++last) {
    sacked_total_ -= static_cast<std::uint32_t>(last->right - last->left);
    b.left = seq_min(b.left, last->left);
    b.right = seq_max(b.right, last->right);
  }
  sacked_total_ += static_cast<std::uint32_t>(b.right - b.left);
  if (first == last) {
    sacked_.insert(first, b);
  } else {
    *first = b;
    sacked_.erase(first + 1, last);
  }
  if (sacked_.size() > kMaxScoreboardBlocks) {
    sacked_total_ -= static_cast<std::uint32_t>(sacked_.front().right - sacked_.front().left);
    sacked_.erase(sacked_.begin());
  }
}

void Congestion::drop_below(Seq32 snd_una) {
  std::size_t keep = 0;
  for (auto& s : sacked_) {
    if (seq_le(s.right, snd_una)) continue;
    if (seq_lt(s.left, snd_una)) s.left = snd_una;
    sacked_[keep++] = s;
  }
  sacked_.resize(keep);
  recount();
}

void Congestion::recount() {
  sacked_total_ = 0;
  for (const auto& b : sacked_) sacked_total_ += static_cast<std::uint32_t>(b.right - b.left);
}

std::uint32_t Congestion::sacked_below(Seq32 s) const {
  std::uint32_t n = 0;
  for (const auto& b : sacked_) {
    if (!seq_lt(b.left, s)) break;
    n += static_cast<std::uint32_t>(seq_min(b.right, s) - b.left);
  }
  return n;
}

const SackBlock* Congestion::sacked_at_or_after(Seq32 s) const {
  const auto it = std::partition_point(sacked_.begin(), sacked_.end(), [&](const SackBlock& b) { return seq_le(b.right, s); });
  return it == sacked_.end() ? nullptr : &*it;
}

bool Congestion::next_hole(Seq32 from, Seq32* at, std::uint32_t* len) const {
  if (sacked_.empty()) return false;
  Seq32 cur = from;
  for (const auto& b : sacked_) {
    if (seq_lt(cur, b.left)) {
      *at = cur;
      *len = static_cast<std::uint32_t>(b.left - cur);
      return true;
    }
    if (seq_lt(cur, b.right)) cur = b.right;
  }
  return false;
}

std::uint32_t Congestion::pipe(Seq32 snd_una, Seq32 snd_max) const {
  // Outstanding bytes, less those SACKed, less holes below the highest SACK that were
  // not retransmitted yet (lost, so no longer in the network). HighRxt belongs to the
  // current recovery (RFC 6675 2); outside one (the duplicate ACK that is about to start
  // it) nothing was retransmitted, and a HighRxt left from no recovery at all (0) or an
  // old one would hide the holes depending on where the sequence space started.
  std::int64_t p = snd_max - snd_una;
  p -= sacked_bytes();
  if (!sacked_.empty()) {
    Seq32 cur = in_recovery_ ? seq_max(snd_una, high_rxt_) : snd_una;
    for (const auto& b : sacked_) {
      if (seq_lt(cur, b.left)) p -= (b.left - cur);
      if (seq_lt(cur, b.right)) cur = b.right;
    }
  }
  return p > 0 ? static_cast<std::uint32_t>(p) : 0;
}

}  // namespace tcplab
