#pragma once
// CUBIC (RFC 9438). Under `linux` it follows Linux's tcp_cubic.c (Linux 6.18), which differs
// from the RFC in these places (each said again where it is done in cc_cubic.cpp):
//   - beta is 717/1024 (the RFC's 0.7), C is 410/1024 (the RFC's 0.4), time in 1/1024 s;
//   - the window grows through a count: cwnd gains one segment per `cnt` segments ACKed, with
//     cnt = cwnd / (W_cubic(t + min RTT) - cwnd), at most 20 before the first loss, at least 2
//     (bictcp_update with tcp_cong_avoid_ai); the RFC adds (target - cwnd) / cwnd per ACK
//     with the target clamped to [cwnd, 1.5 cwnd] (RFC 9438 4.2);
//   - "TCP friendliness": an estimated Reno window that gains one segment per
//     cwnd / (3 (1 - beta) / (1 + beta)) segments ACKed since the epoch began (beta_scale);
//     where it is above cwnd it speeds cnt up. The RFC's Reno-friendly region (4.3) sets cwnd
//     to W_est directly and uses alpha = 1 once cwnd passes the cwnd before the loss.
//   - K from an exact cube root (Linux's cubic_root uses a table and one Newton step, within
//     about 0.2 %), and the cnt is recomputed at most every 1/32 s while cwnd stays the same
//     (Linux: HZ / 32 jiffies).
//   - HyStart (Linux's, not RFC 9406's HyStart++): leaves slow start (ssthresh = cwnd) once
//     cwnd >= 16 segments when an ACK train spans half the minimum RTT, or when a round's
//     minimum RTT (its first 8 samples) exceeds the minimum by min RTT / 8 clamped to
//     [4 ms, 16 ms]. The RFC profile uses RFC 9406's HyStart++ instead (stack/hystart_pp.hpp):
//     delay increase between rounds, then 5 rounds of Conservative Slow Start.
// A loss (RFC 9438 4.6) sets ssthresh = max(cwnd * beta, 2 MSS) and starts a new epoch; with
// fast convergence (4.7) W_max = cwnd (1 + beta) / 2 when the window had not regained the
// previous W_max. After an RTO (4.8) the next epoch starts with K = 0 and W_max = the window
// then (Linux forgets W_max and the minimum RTT: bictcp_reset on entering TCP_CA_Loss).
#include <cstdint>
#include <string_view>

#include "stack/cc_types.hpp"
#include "stack/hystart_pp.hpp"

namespace tcplab {

struct Cubic {
  static constexpr bool kControlsRecovery = false;

  void init(CcWindow& w, const CcInit& i);
  void on_ack(CcWindow& w, const CcAck& a);
  std::uint32_t ssthresh_on_loss(const CcWindow& w, const CcLoss& l);
  void on_recovery_exit(CcWindow&, Instant) {}
  void on_timeout(CcWindow& w, Instant now);
  // Sending starts again after `idle` without data: the curve moves later by the idle time, so
  // that t counts only time spent sending (Linux bictcp_cwnd_event on CA_EVENT_TX_START; RFC
  // 9438 5.8: no growth while application-limited), never past now.
  void on_tx_start(CcWindow& w, Instant now, Duration idle, bool app_limited);
  std::uint64_t pacing_bps(const CcWindow&) const { return 0; }
  std::string_view phase(const CcWindow& w) const;

  // RFC 9438 K, in ns, for a window to regain w_max_segs from cwnd_segs (C = 0.4 segments/s^3).
  static Duration rfc_k_ns(double w_max_segs, double cwnd_segs);
  // RFC 9438 eq. (1): W_cubic(t) in segments.
  static double rfc_w_cubic(double w_max_segs, Duration k_ns, Duration t_ns);

  // --- state, public for tests and the series ---
  bool linux_ = true;
  bool hystart_ = true;
  std::uint32_t mss_ = 1460;
  // The epoch: when the current congestion avoidance curve began (0: none yet).
  Instant epoch_start_ = 0;
  bool epoch_started_ = false;
  std::uint32_t w_max_ = 0;      // segments: the window at the last loss (Linux last_max_cwnd)
  std::uint32_t origin_ = 0;     // segments: the curve's plateau (W_max, or cwnd if above it)
  Duration k_ns_ = 0;            // RFC 9438 K
  std::uint64_t k_units_ = 0;    // Linux: K in 1/1024 s (bic_K)
  double w_max_rfc_ = 0;         // RFC path: W_max in segments (0: no loss yet, or an RTO)
  std::uint32_t cnt_ = 0;        // Linux: segments ACKed per one segment of growth
  std::uint32_t cwnd_cnt_ = 0;   // Linux snd_cwnd_cnt: segments ACKed toward the next growth
  std::uint32_t ack_cnt_ = 0;    // segments ACKed this epoch (for the Reno estimate)
  std::uint32_t tcp_cwnd_ = 0;   // segments: Linux's estimated Reno window
  std::uint32_t last_cwnd_ = 0;  // segments when cnt was last computed
  Instant last_time_ = 0;
  std::uint32_t acked_rem_ = 0;  // ACKed bytes short of a whole segment
  // RFC path: W_est (4.3) and the cwnd before the last reduction, in segments.
  double w_est_ = 0, cwnd_prior_ = 0, grow_frac_ = 0;
  Duration delay_min_ = 0;       // the smallest RTT sample CUBIC has seen
  // HyStart (Linux): one round = the data in flight when the round began.
  bool hystart_found_ = false;
  std::uint64_t round_end_ = 0;  // delivered count that ends the round (Linux end_seq)
  Instant round_start_ = 0, last_ack_ = 0;
  Duration curr_rtt_ = 0;        // the round's minimum RTT (0: none yet)
  std::uint32_t sample_cnt_ = 0;
  // HyStart++ (RFC 9406): the RFC profile's initial slow start, when hystart is on.
  HyStartPlusPlus hspp_;

 private:
  void reset_epoch_state();
  void hystart_reset(const CcAck& a);
  void on_rtt(CcWindow& w, const CcAck& a);
  void hystart_update(CcWindow& w, const CcAck& a, Duration delay);
  void linux_avoid(CcWindow& w, const CcAck& a, std::uint32_t acked_segs);
  void rfc_avoid(CcWindow& w, const CcAck& a, std::uint32_t acked_bytes);
  void start_epoch(std::uint32_t cwnd_segs, Instant now, std::uint32_t acked_segs);
};

}  // namespace tcplab
