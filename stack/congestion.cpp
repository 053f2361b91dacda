#include "stack/congestion.hpp"

#include <algorithm>

namespace tcplab {

void Congestion::init(std::uint32_t mss, std::uint32_t iw) {
  cwnd_ = mss * iw;  // RFC 6928 initial window
  ssthresh_ = UINT32_MAX / 2;
  ca_acked_ = 0;
  dupacks_ = 0;
  in_recovery_ = false;
  sacked_.clear();
}

void Congestion::on_new_ack(std::uint32_t acked, std::uint32_t mss) {
  dupacks_ = 0;
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, 2 * mss);  // slow start, appropriate byte counting with L = 2
    return;
  }
  ca_acked_ += acked;  // congestion avoidance: one MSS per cwnd of bytes acked
  if (ca_acked_ >= cwnd_) {
    ca_acked_ -= cwnd_;
    cwnd_ += mss;
  }
}

bool Congestion::on_dupack() { return ++dupacks_ == 3; }

void Congestion::enter_recovery(std::uint32_t flight, std::uint32_t mss, Seq32 snd_una, Seq32 snd_max,
                                bool sack) {
  ssthresh_ = std::max(flight / 2, 2 * mss);
  cwnd_ = sack ? ssthresh_ : ssthresh_ + 3 * mss;
  in_recovery_ = true;
  recover_ = snd_max;
  high_rxt_ = snd_una;
}

void Congestion::on_partial_ack(std::uint32_t acked, std::uint32_t mss, bool sack) {
  if (sack) return;  // RFC 6675 paces by pipe, not by inflation
  cwnd_ = (cwnd_ > acked ? cwnd_ - acked : 0) + mss;
  if (cwnd_ < mss) cwnd_ = mss;
}

void Congestion::exit_recovery(std::uint32_t flight, std::uint32_t mss) {
  cwnd_ = std::min(ssthresh_, std::max(flight, mss) + mss);
  in_recovery_ = false;
  dupacks_ = 0;
}

void Congestion::on_timeout(std::uint32_t flight, std::uint32_t mss) {
  ssthresh_ = std::max(flight / 2, 2 * mss);
  cwnd_ = mss;
  ca_acked_ = 0;
  in_recovery_ = false;
  dupacks_ = 0;
  sacked_.clear();  // RFC 2018 8: the receiver may renege; don't trust old SACKs after a timeout
}

void Congestion::add_sack(SackBlock b, Seq32 snd_una) {
  if (seq_le(b.right, snd_una) || !seq_lt(b.left, b.right)) return;
  if (seq_lt(b.left, snd_una)) b.left = snd_una;
  std::vector<SackBlock> merged;
  merged.reserve(sacked_.size() + 1);
  bool placed = false;
  for (const auto& s : sacked_) {
    if (seq_lt(s.right, b.left)) {
      merged.push_back(s);
    } else if (seq_lt(b.right, s.left)) {
      if (!placed) { merged.push_back(b); placed = true; }
      merged.push_back(s);
    } else {  // overlap or touch: absorb
      b.left = seq_min(b.left, s.left);
      b.right = seq_max(b.right, s.right);
    }
  }
  if (!placed) merged.push_back(b);
  if (merged.size() > kMaxScoreboardBlocks) merged.erase(merged.begin());
  sacked_ = std::move(merged);
}

void Congestion::drop_below(Seq32 snd_una) {
  std::size_t keep = 0;
  for (auto& s : sacked_) {
    if (seq_le(s.right, snd_una)) continue;
    if (seq_lt(s.left, snd_una)) s.left = snd_una;
    sacked_[keep++] = s;
  }
  sacked_.resize(keep);
}

const SackBlock* Congestion::sacked_at_or_after(Seq32 s) const {
  for (const auto& b : sacked_)
    if (seq_lt(s, b.right)) return &b;
  return nullptr;
}

std::uint32_t Congestion::sacked_bytes() const {
  std::uint32_t n = 0;
  for (const auto& b : sacked_) n += static_cast<std::uint32_t>(b.right - b.left);
  return n;
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
  // not retransmitted yet (lost, so no longer in the network).
  std::int64_t p = snd_max - snd_una;
  p -= sacked_bytes();
  if (!sacked_.empty()) {
    Seq32 cur = seq_max(snd_una, high_rxt_);
    for (const auto& b : sacked_) {
      if (seq_lt(cur, b.left)) p -= (b.left - cur);
      if (seq_lt(cur, b.right)) cur = b.right;
    }
  }
  return p > 0 ? static_cast<std::uint32_t>(p) : 0;
}

}  // namespace tcplab
