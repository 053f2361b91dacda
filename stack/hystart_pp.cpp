#include "stack/hystart_pp.hpp"

#include <algorithm>

namespace tcplab {

void HyStartPlusPlus::start_round(CcWindow& w, const CcAck& a) {
  // RFC 9406 4.2: at the start of each round, lastRoundMinRTT = currentRoundMinRTT,
  // currentRoundMinRTT = infinity, rttSampleCount = 0, windowEnd = SND.NXT.
  if (window_end != 0 && phase == Phase::Conservative && ++css_rounds >= kCssRounds) {
    w.ssthresh = w.cwnd;  // CSS_ROUNDS rounds in CSS: congestion avoidance
    phase = Phase::Done;
    return;
  }
  last_round_min_rtt = current_round_min_rtt;
  current_round_min_rtt = 0;
  rtt_sample_count = 0;
  window_end = a.delivered + a.in_flight;
}

void HyStartPlusPlus::on_ack(CcWindow& w, const CcAck& a) {
  if (!active()) return;
  if (window_end == 0 || a.delivered >= window_end) {
    start_round(w, a);
    if (!active()) return;
  }
  // Growth: min(N, L * SMSS), divided by CSS_GROWTH_DIVISOR in CSS.
  const std::uint32_t n = std::min(a.acked, kL * a.mss);
  if (phase == Phase::Conservative) {
    const std::uint32_t quarters = n + css_rem;
    w.cwnd += quarters / kCssGrowthDivisor;
    css_rem = quarters % kCssGrowthDivisor;
  } else {
    w.cwnd += n;
  }
  const Duration rtt = a.rtt_ns != 0 ? a.rtt_ns : a.rs.rtt_ns;
  if (rtt <= 0) return;
  if (current_round_min_rtt == 0 || rtt < current_round_min_rtt) current_round_min_rtt = rtt;
  ++rtt_sample_count;
  if (rtt_sample_count < kNRttSample) return;
  if (phase == Phase::SlowStart && last_round_min_rtt != 0) {
    const Duration thresh = std::clamp<Duration>(last_round_min_rtt / kMinRttDivisor, kMinRttThresh, kMaxRttThresh);
    if (current_round_min_rtt >= last_round_min_rtt + thresh) {
      css_baseline_min_rtt = current_round_min_rtt;
      phase = Phase::Conservative;
      css_rounds = 0;
    }
  } else if (phase == Phase::Conservative && current_round_min_rtt < css_baseline_min_rtt) {
    css_baseline_min_rtt = 0;  // the RTT came back down: the exit was spurious
    phase = Phase::SlowStart;
  }
}

}  // namespace tcplab
