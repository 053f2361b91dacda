#pragma once
// BBR v1 (Linux tcp_bbr.c), after Cardwell et al., "BBR: Congestion-Based Congestion Control"
// (ACM Queue 14(5), 2016) and draft-cardwell-iccrg-bbr-congestion-control-00. Written for
// tcplab from those descriptions, in bytes and nanoseconds rather than Linux's packets and
// microseconds (windows are still whole packets where Linux counts packets).
//
// The model: BtlBw, the largest delivery rate of the last 10 packet-timed rounds (a round
// ends when data sent after the round began is acknowledged: RateSample::prior_delivered),
// and RTprop, the smallest RTT of the last 10 s. From them: pacing rate = pacing_gain x BtlBw
// (1 % below, Linux's pacing margin) and cwnd = cwnd_gain x BDP + 3 packets.
//
// The phases: STARTUP (gains 2/ln 2 = 2.885) until BtlBw grew less than 25 % in 3 rounds
// ("full pipe"); DRAIN (pacing gain 1/2.885) until what is in flight fits one BDP; PROBE_BW
// (pacing gains 1.25, 0.75, 1 x 6, one phase per RTprop, cwnd gain 2); PROBE_RTT (when RTprop
// was not renewed for 10 s: cwnd 4 packets for 200 ms and one round, then back).
//
// As Linux: packet conservation in the first round of fast recovery, the cwnd before recovery
// restored after it, a loss does not cut cwnd (ssthresh is kept), idle restart (no PROBE_RTT
// entry while restarting from idle).
// Left out: the long-term ("policer") bandwidth mode (lt_bw), the ACK-aggregation
// (extra_acked) cwnd allowance, the EDT in-network correction (tcplab paces each segment at
// its send time, so in flight is what is in the network), and TSO: the quantization budget is
// 3 packets (Linux's 3 x tso_segs_goal with one packet per send). PROBE_BW's start phase is
// drawn by Linux at random from 7; here it comes from a hash of the connection's start time
// (CcInit::now), so runs stay deterministic.
#include <array>
#include <cstdint>
#include <string_view>

#include "stack/cc_types.hpp"

namespace tcplab {

struct Bbr {
  static constexpr bool kControlsRecovery = true;

  enum class Mode : std::uint8_t { Startup, Drain, ProbeBw, ProbeRtt };
  // Gains in 1/256 units, as Linux's BBR_UNIT.
  static constexpr std::uint32_t kUnit = 256;
  static constexpr std::uint32_t kHighGain = kUnit * 2885 / 1000 + 1;  // 2/ln 2
  static constexpr std::uint32_t kDrainGain = kUnit * 1000 / 2885;     // 1/2.885
  static constexpr std::uint32_t kCwndGain = kUnit * 2;
  static constexpr int kCycleLen = 8;
  static constexpr std::array<std::uint32_t, kCycleLen> kPacingGain = {
      kUnit * 5 / 4, kUnit * 3 / 4, kUnit, kUnit, kUnit, kUnit, kUnit, kUnit};
  static constexpr std::uint32_t kBwRounds = kCycleLen + 2;  // BtlBw filter window
  static constexpr Duration kMinRttWindow = sec(10);
  static constexpr Duration kProbeRttTime = ms(200);
  static constexpr std::uint32_t kMinCwndPackets = 4;
  static constexpr std::uint32_t kQuantizationPackets = 3;
  static constexpr std::uint32_t kFullBwThresh = kUnit * 5 / 4;  // 25 % growth
  static constexpr std::uint32_t kFullBwRounds = 3;
  static constexpr Duration kNoRtt = INT64_MAX;

  void init(CcWindow& w, const CcInit& i);
  void on_ack(CcWindow& w, const CcAck& a);
  // Entering fast recovery or an RTO: remember the cwnd to restore; ssthresh is not BBR's.
  std::uint32_t ssthresh_on_loss(const CcWindow& w, const CcLoss& l);
  void on_recovery_exit(CcWindow& w, Instant now);
  void on_timeout(CcWindow& w, Instant now);
  // Sending restarts after the application had nothing to send (Linux CA_EVENT_TX_START
  // while app-limited): no PROBE_RTT until new data is acknowledged; in PROBE_BW pace at BtlBw.
  void on_idle_restart(CcWindow& w, Instant now);
  // Linux bbr_cwnd_event: CA_EVENT_TX_START while app-limited is an idle restart.
  void on_tx_start(CcWindow& w, Instant now, Duration, bool app_limited) {
    if (app_limited) on_idle_restart(w, now);
  }
  std::uint64_t pacing_bps(const CcWindow&) const { return pacing_bps_; }
  std::string_view phase(const CcWindow&) const;

  // The model, for tests and the visualizer.
  Mode mode() const { return mode_; }
  std::uint64_t btl_bw_bps() const;       // 0 before any sample
  Duration min_rtt_ns() const { return min_rtt_ns_; }  // kNoRtt before any sample
  std::uint32_t pacing_gain() const { return pacing_gain_; }
  std::uint32_t cwnd_gain() const { return cwnd_gain_; }
  int cycle_index() const { return cycle_idx_; }
  std::uint32_t round_count() const { return rtt_cnt_; }
  bool full_bw_reached() const { return full_bw_reached_; }
  // gain x BDP in bytes rounded up to whole packets, without the budget (init window with no RTT).
  std::uint32_t bdp_bytes(std::uint64_t bw_bps, std::uint32_t gain) const;
  // bdp_bytes plus the quantization budget (Linux bbr_inflight / the cwnd target).
  std::uint32_t inflight_target(std::uint64_t bw_bps, std::uint32_t gain) const;

 private:
  enum class CaState : std::uint8_t { Open, Recovery, Loss };  // Linux's icsk_ca_state, reduced

  void update_model(CcWindow& w, const CcAck& a);
  void update_bw(const CcAck& a);
  void update_cycle_phase(const CcAck& a);
  void check_full_bw_reached(const CcAck& a);
  void check_drain(CcWindow& w, const CcAck& a);
  void update_min_rtt(CcWindow& w, const CcAck& a);
  void check_probe_rtt_done(CcWindow& w, Instant now);
  void update_gains();
  void set_pacing_rate(std::uint64_t bw_bps, std::uint32_t gain, const CcAck& a, const CcWindow& w);
  void init_pacing_rate(const CcWindow& w, Duration srtt_ns);
  void set_cwnd(CcWindow& w, const CcAck& a);
  bool recover_or_restore(CcWindow& w, const CcAck& a, std::uint32_t* cwnd);
  void save_cwnd(const CcWindow& w);
  void reset_mode(Instant now);
  void enter_probe_bw(Instant now);
  void advance_cycle_phase(Instant now);
  std::uint64_t rate_with_gain(std::uint64_t bw_bps, std::uint32_t gain) const;

  std::uint32_t mss_ = 1460;
  std::uint32_t init_cwnd_packets_ = 10;
  std::uint64_t start_hash_ = 0;  // chooses PROBE_BW's first phase (Linux: random)

  Mode mode_ = Mode::Startup;
  CaState ca_state_ = CaState::Open;
  CaState prev_ca_state_ = CaState::Open;
  bool packet_conservation_ = false;
  bool round_start_ = false;
  bool idle_restart_ = false;
  bool full_bw_reached_ = false;
  bool has_seen_rtt_ = false;
  bool probe_rtt_round_done_ = false;
  std::uint32_t full_bw_cnt_ = 0;
  std::uint64_t full_bw_ = 0;
  std::uint32_t rtt_cnt_ = 0;
  std::uint64_t next_rtt_delivered_ = 0;
  // BtlBw: the largest sample of each of the last kBwRounds rounds (slot = round % kBwRounds).
  std::array<std::uint64_t, kBwRounds> bw_max_{};
  std::array<std::uint32_t, kBwRounds> bw_round_{};
  Duration min_rtt_ns_ = kNoRtt;
  Instant min_rtt_stamp_ = 0;
  Instant probe_rtt_done_stamp_ = 0;  // 0: not yet at 4 packets
  bool probe_rtt_done_armed_ = false;
  Instant cycle_stamp_ = 0;
  int cycle_idx_ = 0;
  std::uint32_t pacing_gain_ = kHighGain;
  std::uint32_t cwnd_gain_ = kHighGain;
  std::uint32_t prior_cwnd_ = 0;
  std::uint64_t pacing_bps_ = 0;
};

}  // namespace tcplab
