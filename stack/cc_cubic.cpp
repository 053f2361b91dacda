#include "stack/cc_cubic.hpp"

#include <algorithm>
#include <cmath>

#include "stack/cc_newreno.hpp"

namespace tcplab {

namespace {

constexpr Duration kSecond = 1'000'000'000;
constexpr Duration kMs = 1'000'000;
// Linux: beta 717/1024, C = 410/1024 (bic_scale 41 * 10), time in 1/1024 s (BICTCP_HZ 10).
constexpr std::uint64_t kBetaLinux = 717, kBetaScale = 1024;
constexpr std::uint64_t kCubeRttScale = 410;
// Linux beta_scale: 8 (1 + beta) / 3 / (1 - beta) in those units, = 15. The Reno estimate
// gains a segment per cwnd * 15 / 8 ACKed segments, i.e. alpha = 3 (1 - beta) / (1 + beta).
constexpr std::uint32_t kRenoBetaScale = 8 * (1024 + 717) / 3 / (1024 - 717);
constexpr std::uint32_t kMaxCntBeforeLoss = 20;  // cnt cap while no loss has set W_max
// RFC 9438 4.6 / 4.2.
constexpr double kBetaRfc = 0.7, kCRfc = 0.4;
// HyStart (Linux hystart_low_window, HYSTART_MIN_SAMPLES, delay thresholds, ack delta).
constexpr std::uint32_t kHystartLowWindow = 16;
constexpr std::uint32_t kHystartMinSamples = 8;
constexpr Duration kHystartDelayMin = 4 * kMs, kHystartDelayMax = 16 * kMs;
constexpr Duration kHystartAckDelta = 2 * kMs;

std::uint64_t to_units(Duration ns) { return static_cast<std::uint64_t>(ns) * 1024 / kSecond; }

// Largest k with k^3 <= v (Linux approximates this with a table and one Newton step).
std::uint64_t icbrt(std::uint64_t v) {
  auto k = static_cast<std::uint64_t>(std::cbrt(static_cast<double>(v)));
  while (k > 0 && k * k * k > v) --k;
  while ((k + 1) * (k + 1) * (k + 1) <= v) ++k;
  return k;
}

}  // namespace

Duration Cubic::rfc_k_ns(double w_max_segs, double cwnd_segs) {
  if (w_max_segs <= cwnd_segs) return 0;
  return static_cast<Duration>(std::cbrt((w_max_segs - cwnd_segs) / kCRfc) * kSecond);  // eq. (2)
}

double Cubic::rfc_w_cubic(double w_max_segs, Duration k_ns, Duration t_ns) {
  const double d = static_cast<double>(t_ns - k_ns) / kSecond;
  return kCRfc * d * d * d + w_max_segs;  // eq. (1)
}

void Cubic::init(CcWindow& w, const CcInit& i) {
  *this = Cubic{};
  w.cwnd = i.mss * i.initial_window_segments;  // RFC 6928
  w.ssthresh = kInfiniteSsthresh;
  linux_ = i.linux;
  hystart_ = i.linux && i.hystart;
  if (i.linux || !i.hystart) hspp_.stop();  // RFC profile: HyStart++ (RFC 9406) in its place
  mss_ = i.mss;
  round_start_ = last_ack_ = i.now;
}

void Cubic::reset_epoch_state() {
  epoch_started_ = false;
  cwnd_cnt_ = 0;
  acked_rem_ = 0;
  grow_frac_ = 0;
}

std::string_view Cubic::phase(const CcWindow& w) const {
  // HyStart++'s Conservative Slow Start is slow start by cwnd < ssthresh, but not its pace.
  return w.cwnd < w.ssthresh && hspp_.phase == HyStartPlusPlus::Phase::Conservative ? "conservative slow start" : "";
}

std::uint32_t Cubic::ssthresh_on_loss(const CcWindow& w, const CcLoss& l) {
  mss_ = l.mss;
  reset_epoch_state();
  hspp_.stop();  // RFC 9406 4.2: a loss ends slow start, and HyStart++ is used only once
  const std::uint32_t cwnd_segs = w.cwnd / l.mss;
  if (linux_) {
    // bictcp_recalc_ssthresh: fast convergence, then cwnd * 717 / 1024 in whole segments.
    w_max_ = cwnd_segs < w_max_
                 ? static_cast<std::uint32_t>(cwnd_segs * (kBetaScale + kBetaLinux) / (2 * kBetaScale))
                 : cwnd_segs;
    const auto segs = static_cast<std::uint32_t>(cwnd_segs * kBetaLinux / kBetaScale);
    return std::max(segs, 2U) * l.mss;
  }
  // RFC 9438 4.6 (ssthresh = cwnd * beta_cubic; cwnd_prior = cwnd) and 4.7 (fast convergence).
  const double cwnd = static_cast<double>(w.cwnd) / l.mss;
  w_max_rfc_ = cwnd < w_max_rfc_ ? cwnd * (1 + kBetaRfc) / 2 : cwnd;
  cwnd_prior_ = cwnd;
  w_max_ = static_cast<std::uint32_t>(w_max_rfc_);
  const auto ss = static_cast<std::uint32_t>(static_cast<double>(w.cwnd) * kBetaRfc);
  return std::max(ss, 2 * l.mss);
}

void Cubic::on_tx_start(CcWindow&, Instant now, Duration idle, bool) {
  if (!epoch_started_ || idle <= 0) return;
  epoch_start_ = std::min(epoch_start_ + idle, now);
}

void Cubic::on_timeout(CcWindow&, Instant) {
  // RFC 9438 4.8: the first congestion avoidance after an RTO starts with K = 0 and W_max =
  // the window then. Linux (bictcp_state on TCP_CA_Loss) forgets everything, the minimum RTT
  // and HyStart's verdict included, which comes to the same for the curve.
  const bool lin = linux_, hy = hystart_;
  const std::uint32_t mss = mss_;
  const Duration delay_min = delay_min_;
  *this = Cubic{};
  linux_ = lin;
  hystart_ = hy;
  hspp_.stop();  // the slow start after an RTO is RFC 5681's
  mss_ = mss;
  if (!linux_) delay_min_ = delay_min;
  round_end_ = 0;  // HyStart: a new round begins at the next ACK
}

void Cubic::hystart_reset(const CcAck& a) {
  round_start_ = last_ack_ = a.now;
  round_end_ = a.delivered + a.in_flight;  // Linux end_seq = snd_nxt, in delivered bytes
  curr_rtt_ = 0;
  sample_cnt_ = 0;
}

void Cubic::hystart_update(CcWindow& w, const CcAck& a, Duration delay) {
  if (a.delivered > round_end_) hystart_reset(a);  // SND.UNA passed the round's end
  // ACK train: ACKs closer than 2 ms to each other spanning half the minimum RTT. (Linux adds
  // min(1 ms, 4 GSO sizes / pacing rate) to the half when the socket is paced by fq; tcplab
  // has no GSO bursts, so nothing.)
  if (a.now - last_ack_ <= kHystartAckDelta) {
    last_ack_ = a.now;
    if (a.now - round_start_ > delay_min_ / 2) {
      hystart_found_ = true;
      w.ssthresh = w.cwnd;
    }
  }
  // Delay increase: the round's minimum RTT over its first 8 samples against the minimum.
  if (curr_rtt_ == 0 || curr_rtt_ > delay) curr_rtt_ = delay;
  if (sample_cnt_ < kHystartMinSamples) {
    ++sample_cnt_;
  } else if (curr_rtt_ > delay_min_ + std::clamp(delay_min_ / 8, kHystartDelayMin, kHystartDelayMax)) {
    hystart_found_ = true;
    w.ssthresh = w.cwnd;
  }
}

void Cubic::on_rtt(CcWindow& w, const CcAck& a) {
  const Duration delay = a.rtt_ns != 0 ? a.rtt_ns : a.rs.rtt_ns;
  if (delay <= 0) {
    // No per-ACK sample on this ACK: the smoothed RTT bounds the minimum for the curve's
    // "t + min RTT", but HyStart needs real samples.
    if (a.srtt_ns > 0 && (delay_min_ == 0 || a.srtt_ns < delay_min_)) delay_min_ = a.srtt_ns;
    return;
  }
  // Linux: RTT samples in the first second of an epoch (just after recovery) are not used.
  if (linux_ && epoch_started_ && a.now - epoch_start_ < kSecond) return;
  if (delay_min_ == 0 || delay_min_ > delay) delay_min_ = delay;
  if (hystart_ && !hystart_found_ && w.cwnd < w.ssthresh && w.cwnd / a.mss >= kHystartLowWindow)
    hystart_update(w, a, delay);
}

void Cubic::on_ack(CcWindow& w, const CcAck& a) {
  mss_ = a.mss;
  on_rtt(w, a);                           // Linux: pkts_acked comes before cong_avoid
  if (!a.cwnd_limited && linux_) return;  // tcp_is_cwnd_limited
  std::uint32_t acked = a.acked;
  if (w.cwnd < w.ssthresh && hspp_.active()) {
    hspp_.on_ack(w, a);  // RFC profile, initial slow start (ends with ssthresh = cwnd)
    return;
  }
  if (w.cwnd < w.ssthresh) {
    acked = NewReno::slow_start(w, acked, a.mss, linux_);
    if (acked == 0) return;
  }
  if (!linux_) {
    rfc_avoid(w, a, acked);
    return;
  }
  // Linux counts segments: whole segments ACKed, the rest carried to the next ACK.
  const std::uint32_t total = acked + acked_rem_;
  acked_rem_ = total % a.mss;
  if (total / a.mss == 0) return;
  linux_avoid(w, a, total / a.mss);
}

void Cubic::start_epoch(std::uint32_t cwnd_segs, Instant now, std::uint32_t acked_segs) {
  epoch_started_ = true;
  epoch_start_ = now;
  ack_cnt_ = acked_segs;
  tcp_cwnd_ = cwnd_segs;
  if (w_max_ <= cwnd_segs) {
    k_units_ = 0;
    origin_ = cwnd_segs;
  } else {
    // K = cbrt((W_max - cwnd) / C), in 1/1024 s: cbrt(2^40 / 410 * (W_max - cwnd)).
    k_units_ = icbrt((std::uint64_t{1} << 40) / kCubeRttScale * (w_max_ - cwnd_segs));
    origin_ = w_max_;
  }
  k_ns_ = static_cast<Duration>(k_units_ * kSecond / 1024);
}

void Cubic::linux_avoid(CcWindow& w, const CcAck& a, std::uint32_t acked) {
  const std::uint32_t cwnd = std::max(w.cwnd / a.mss, 1U);
  // bictcp_update: cnt, the segments to ACK per segment of growth.
  ack_cnt_ += acked;
  const bool fresh = epoch_started_ && last_cwnd_ == cwnd && a.now - last_time_ <= kSecond / 32;
  const bool same_tick = epoch_started_ && a.now / kMs == last_time_ / kMs;  // once per jiffy
  if (!fresh && !same_tick) {
    last_cwnd_ = cwnd;
    last_time_ = a.now;
    if (!epoch_started_) start_epoch(cwnd, a.now, acked);
    // The target one minimum RTT ahead: W_cubic(t + RTT) (RFC 9438 4.2 likewise).
    const std::uint64_t t = to_units(a.now - epoch_start_ + delay_min_);
    const std::uint64_t offs = t < k_units_ ? k_units_ - t : t - k_units_;
    const std::uint64_t delta = (kCubeRttScale * offs * offs * offs) >> 40;
    const std::uint64_t target = t < k_units_ ? (origin_ > delta ? origin_ - delta : 0) : origin_ + delta;
    cnt_ = target > cwnd ? static_cast<std::uint32_t>(cwnd / (target - cwnd)) : 100 * cwnd;
    if (w_max_ == 0 && cnt_ > kMaxCntBeforeLoss) cnt_ = kMaxCntBeforeLoss;
  }
  if (!fresh) {
    // TCP friendliness: the Reno window that would have grown over the same ACKs.
    const std::uint32_t per = std::max<std::uint32_t>(cwnd * kRenoBetaScale >> 3, 1);
    while (ack_cnt_ > per) {
      ack_cnt_ -= per;
      ++tcp_cwnd_;
    }
    if (tcp_cwnd_ > cwnd) cnt_ = std::min(cnt_, cwnd / (tcp_cwnd_ - cwnd));
    cnt_ = std::max(cnt_, 2U);
  }
  // tcp_cong_avoid_ai: one segment per cnt segments ACKed.
  std::uint32_t grow = 0;
  if (cwnd_cnt_ >= cnt_) {
    cwnd_cnt_ = 0;
    ++grow;
  }
  cwnd_cnt_ += acked;
  if (cwnd_cnt_ >= cnt_) {
    grow += cwnd_cnt_ / cnt_;
    cwnd_cnt_ -= (cwnd_cnt_ / cnt_) * cnt_;
  }
  w.cwnd += grow * a.mss;
}

void Cubic::rfc_avoid(CcWindow& w, const CcAck& a, std::uint32_t acked_bytes) {
  const double mss = a.mss;
  const double cwnd = static_cast<double>(w.cwnd) / mss;
  if (!epoch_started_) {
    epoch_started_ = true;
    epoch_start_ = a.now;
    // RFC 9438 4.8 and before any loss: K = 0 with W_max the window now.
    if (w_max_rfc_ < cwnd) w_max_rfc_ = cwnd;
    k_ns_ = rfc_k_ns(w_max_rfc_, cwnd);
    origin_ = static_cast<std::uint32_t>(w_max_rfc_);
    w_est_ = cwnd;  // 4.3: W_est = cwnd_epoch
  }
  const double segs = acked_bytes / mss;
  const Duration t = a.now - epoch_start_;
  // 4.3: the Reno-friendly estimate, alpha = 1 once it passed the window before the loss.
  const double alpha = (cwnd_prior_ > 0 && w_est_ >= cwnd_prior_) ? 1.0 : 3 * (1 - kBetaRfc) / (1 + kBetaRfc);
  w_est_ += alpha * segs / cwnd;
  double next;
  if (rfc_w_cubic(w_max_rfc_, k_ns_, t) < w_est_) {
    next = std::max(cwnd, w_est_);  // 4.3: the Reno-friendly region
  } else {
    // 4.4/4.5: towards W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd] (4.2).
    const double target = std::clamp(rfc_w_cubic(w_max_rfc_, k_ns_, t + a.srtt_ns), cwnd, 1.5 * cwnd);
    next = cwnd + (target - cwnd) / cwnd * segs;
  }
  grow_frac_ += (next - cwnd) * mss;
  const auto whole = static_cast<std::uint32_t>(grow_frac_);
  grow_frac_ -= whole;
  w.cwnd += whole;
}

}  // namespace tcplab
