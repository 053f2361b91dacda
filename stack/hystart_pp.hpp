#pragma once
// HyStart++ (RFC 9406), the slow start of CUBIC under the rfc9293 profile (Linux has its own
// HyStart instead: stack/cc_cubic.cpp). Used only in the initial slow start, while ssthresh is
// still "arbitrarily high" (RFC 9406 4.2: later slow starts have a discovered ssthresh).
//   - Rounds: a round ends when the data in flight at its start is delivered (windowEnd =
//     SND.NXT; here: bytes delivered + in flight). Each round keeps the minimum of its RTT
//     samples (currentRoundMinRTT) and the previous round's (lastRoundMinRTT).
//   - Standard slow start grows cwnd by min(N, L * SMSS) per ACK, L = 8 (not paced).
//   - Once a round has N_RTT_SAMPLE = 8 samples and its minimum reaches lastRoundMinRTT +
//     RttThresh (lastRoundMinRTT / 8 clamped to [4 ms, 16 ms]), Conservative Slow Start (CSS)
//     begins: growth divided by CSS_GROWTH_DIVISOR = 4, cssBaselineMinRtt = that minimum.
//   - In CSS, a round whose minimum (over 8 samples) falls below the baseline was a false
//     alarm: back to standard slow start. After CSS_ROUNDS = 5 rounds: ssthresh = cwnd,
//     congestion avoidance.
//   - A loss ends it (the algorithm sets ssthresh; HyStart++ is not used again).
#include <cstdint>

#include "stack/cc_types.hpp"

namespace tcplab {

struct HyStartPlusPlus {
  enum class Phase : std::uint8_t { SlowStart, Conservative, Done };

  // An ACK of new data while cwnd < ssthresh: grows w (and ends slow start after CSS).
  void on_ack(CcWindow& w, const CcAck& a);
  // A loss or an RTO: HyStart++ is over for this connection.
  void stop() { phase = Phase::Done; }
  bool active() const { return phase != Phase::Done; }

  // RFC 9406 4.3 constants.
  static constexpr Duration kMinRttThresh = 4'000'000, kMaxRttThresh = 16'000'000;
  static constexpr std::uint32_t kMinRttDivisor = 8, kNRttSample = 8, kCssGrowthDivisor = 4, kCssRounds = 5;
  static constexpr std::uint32_t kL = 8;  // segments per ACK at most (not paced)

  Phase phase = Phase::SlowStart;
  Duration last_round_min_rtt = 0;     // 0: none (the RFC's infinity)
  Duration current_round_min_rtt = 0;  // 0: none
  Duration css_baseline_min_rtt = 0;
  std::uint32_t rtt_sample_count = 0;
  std::uint32_t css_rounds = 0;        // rounds completed in CSS
  std::uint64_t window_end = 0;        // bytes delivered that end the round (0: start one)
  std::uint32_t css_rem = 0;           // CSS: ACKed bytes not yet divided into growth (< 4)

 private:
  void start_round(CcWindow& w, const CcAck& a);
};

}  // namespace tcplab
