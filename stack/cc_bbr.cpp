// BBR v1 (Linux tcp_bbr.c): see cc_bbr.hpp for the model, the phases and what is left out.
#include "stack/cc_bbr.hpp"

#include <algorithm>

namespace tcplab {

namespace {
__extension__ typedef unsigned __int128 U128;  // products of rate, time and gain
constexpr std::uint64_t kNsPerSec = 1'000'000'000ULL;
constexpr std::uint32_t kPacingMarginPercent = 1;  // pace 1 % below BtlBw (Linux)

// A fixed mix of the start time (splitmix64's finalizer): any deterministic spread will do.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

void Bbr::init(CcWindow& w, const CcInit& i) {
  *this = Bbr{};
  mss_ = i.mss;
  init_cwnd_packets_ = i.initial_window_segments;
  start_hash_ = mix(static_cast<std::uint64_t>(i.now));
  w.cwnd = i.mss * i.initial_window_segments;  // RFC 6928, as every algorithm starts
  w.ssthresh = kInfiniteSsthresh;
  min_rtt_stamp_ = i.now;
  mode_ = Mode::Startup;
  update_gains();
  init_pacing_rate(w, 0);
}

std::string_view Bbr::phase(const CcWindow&) const {
  switch (mode_) {
    case Mode::Startup: return "startup";
    case Mode::Drain: return "drain";
    case Mode::ProbeBw: return "probe_bw";
    case Mode::ProbeRtt: return "probe_rtt";
  }
  return "";
}

std::uint64_t Bbr::btl_bw_bps() const {
  std::uint64_t best = 0;
  for (std::uint32_t k = 0; k < kBwRounds; ++k)
    if (rtt_cnt_ - bw_round_[k] < kBwRounds) best = std::max(best, bw_max_[k]);
  return best;
}

std::uint32_t Bbr::bdp_bytes(std::uint64_t bw_bps, std::uint32_t gain) const {
  // No RTT yet (all acknowledged data was retransmitted): the initial window, as Linux.
  if (min_rtt_ns_ == kNoRtt) return init_cwnd_packets_ * mss_;
  // ceil(bw x RTprop x gain) in packets: rounding up avoids a shrinking feedback loop.
  const U128 bits = static_cast<U128>(bw_bps) * static_cast<std::uint64_t>(min_rtt_ns_) * gain;
  const U128 per_packet = static_cast<U128>(8) * kNsPerSec * kUnit * mss_;
  const auto packets = static_cast<std::uint64_t>((bits + per_packet - 1) / per_packet);
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(packets * mss_, kInfiniteSsthresh));
}

std::uint32_t Bbr::inflight_target(std::uint64_t bw_bps, std::uint32_t gain) const {
  std::uint32_t packets = bdp_bytes(bw_bps, gain) / mss_;
  packets += kQuantizationPackets;  // a packet each in the sender, on the wire and at the receiver
  packets = (packets + 1) & ~1U;    // even, so that delayed ACKs are not held back
  if (mode_ == Mode::ProbeBw && cycle_idx_ == 0) packets += 2;  // the 1.25 phase gets above BDP
  return packets * mss_;
}

std::uint64_t Bbr::rate_with_gain(std::uint64_t bw_bps, std::uint32_t gain) const {
  const U128 r = static_cast<U128>(bw_bps) * gain * (100 - kPacingMarginPercent);
  return static_cast<std::uint64_t>(r / (kUnit * 100ULL));
}

void Bbr::init_pacing_rate(const CcWindow& w, Duration srtt_ns) {
  // high_gain x cwnd / RTT, with a nominal 1 ms before any RTT sample.
  Duration rtt = ms(1);
  if (srtt_ns > 0) {
    rtt = srtt_ns;
    has_seen_rtt_ = true;
  }
  const std::uint64_t bw = static_cast<std::uint64_t>(w.cwnd) * 8ULL * kNsPerSec / static_cast<std::uint64_t>(rtt);
  pacing_bps_ = rate_with_gain(bw, kHighGain);
}

void Bbr::set_pacing_rate(std::uint64_t bw_bps, std::uint32_t gain, const CcAck& a, const CcWindow& w) {
  const std::uint64_t rate = rate_with_gain(bw_bps, gain);
  if (!has_seen_rtt_ && a.srtt_ns > 0) init_pacing_rate(w, a.srtt_ns);
  // In STARTUP the rate only grows: an early low sample must not slow the ramp.
  if (full_bw_reached_ || rate > pacing_bps_) pacing_bps_ = rate;
}

void Bbr::on_ack(CcWindow& w, const CcAck& a) {
  if (ca_state_ == CaState::Loss && !a.in_recovery) ca_state_ = CaState::Open;  // the RTO's episode ended
  update_model(w, a);
  const std::uint64_t bw = btl_bw_bps();
  set_pacing_rate(bw, pacing_gain_, a, w);
  set_cwnd(w, a);
}

void Bbr::update_model(CcWindow& w, const CcAck& a) {
  update_bw(a);
  update_cycle_phase(a);
  check_full_bw_reached(a);
  check_drain(w, a);
  update_min_rtt(w, a);
  update_gains();
}

void Bbr::update_bw(const CcAck& a) {
  round_start_ = false;
  if (!a.rs.valid()) return;
  // A round ends when data sent after it began is acknowledged.
  if (a.rs.prior_delivered >= next_rtt_delivered_) {
    next_rtt_delivered_ = a.delivered;
    ++rtt_cnt_;
    round_start_ = true;
    packet_conservation_ = false;
  }
  const std::uint64_t bw = a.rs.rate_bps();
  // An app-limited sample measures the application, not the path: only a higher one counts.
  if (a.rs.app_limited && bw < btl_bw_bps()) return;
  const std::uint32_t slot = rtt_cnt_ % kBwRounds;
  if (bw_round_[slot] != rtt_cnt_) {
    bw_round_[slot] = rtt_cnt_;
    bw_max_[slot] = 0;
  }
  bw_max_[slot] = std::max(bw_max_[slot], bw);
}

void Bbr::advance_cycle_phase(Instant now) {
  cycle_idx_ = (cycle_idx_ + 1) % kCycleLen;
  cycle_stamp_ = now;
}

void Bbr::enter_probe_bw(Instant now) {
  mode_ = Mode::ProbeBw;
  // Linux: a random phase among the last 7 before advancing, so never the 0.75 phase first.
  cycle_idx_ = kCycleLen - 1 - static_cast<int>(start_hash_ % (kCycleLen - 1));
  start_hash_ = mix(start_hash_);
  advance_cycle_phase(now);
}

void Bbr::reset_mode(Instant now) {
  if (full_bw_reached_) enter_probe_bw(now);
  else mode_ = Mode::Startup;
}

void Bbr::update_cycle_phase(const CcAck& a) {
  if (mode_ != Mode::ProbeBw) return;
  const bool full_length = a.now - cycle_stamp_ > min_rtt_ns_;
  const std::uint64_t bw = btl_bw_bps();
  bool next = false;
  if (pacing_gain_ == kUnit) {
    next = full_length;  // cruising: one RTprop per phase
  } else if (pacing_gain_ > kUnit) {
    // Probing: until in flight reached gain x BDP, unless losses say it will not fit.
    next = full_length && (a.lost > 0 || a.prior_in_flight >= inflight_target(bw, pacing_gain_));
  } else {
    // Draining what the probe queued: done early once in flight is down to one BDP.
    next = full_length || a.prior_in_flight <= inflight_target(bw, kUnit);
  }
  if (next) advance_cycle_phase(a.now);
}

void Bbr::check_full_bw_reached(const CcAck& a) {
  if (full_bw_reached_ || !round_start_ || a.rs.app_limited) return;
  const std::uint64_t bw = btl_bw_bps();
  if (bw >= full_bw_ * kFullBwThresh / kUnit) {  // still growing by 25 % a round
    full_bw_ = bw;
    full_bw_cnt_ = 0;
    return;
  }
  ++full_bw_cnt_;
  full_bw_reached_ = full_bw_cnt_ >= kFullBwRounds;
}

void Bbr::check_drain(CcWindow& w, const CcAck& a) {
  if (mode_ == Mode::Startup && full_bw_reached_) {
    mode_ = Mode::Drain;
    w.ssthresh = inflight_target(btl_bw_bps(), kUnit);  // as Linux, for tools that show it
  }
  if (mode_ == Mode::Drain && a.in_flight <= inflight_target(btl_bw_bps(), kUnit)) enter_probe_bw(a.now);
}

void Bbr::update_min_rtt(CcWindow& w, const CcAck& a) {
  const Duration rtt = a.rs.rtt_ns > 0 ? a.rs.rtt_ns : a.rtt_ns;
  // The connection's min RTT (the handshake's) stands in until BBR's own first sample, as
  // Linux starts from tcp_min_rtt.
  if (min_rtt_ns_ == kNoRtt && a.min_rtt_ns > 0) min_rtt_ns_ = a.min_rtt_ns;
  const bool expired = a.now > min_rtt_stamp_ + kMinRttWindow;
  if (rtt > 0 && (rtt < min_rtt_ns_ || expired)) {
    min_rtt_ns_ = rtt;
    min_rtt_stamp_ = a.now;
  }
  if (expired && !idle_restart_ && mode_ != Mode::ProbeRtt) {
    mode_ = Mode::ProbeRtt;  // drain the queue to see the propagation delay again
    save_cwnd(w);
    probe_rtt_done_armed_ = false;
  }
  if (mode_ == Mode::ProbeRtt) {
    // Hold at most 4 packets in flight for 200 ms and one round.
    if (!probe_rtt_done_armed_ && a.in_flight <= kMinCwndPackets * mss_) {
      probe_rtt_done_stamp_ = a.now + kProbeRttTime;
      probe_rtt_done_armed_ = true;
      probe_rtt_round_done_ = false;
      next_rtt_delivered_ = a.delivered;
    } else if (probe_rtt_done_armed_) {
      if (round_start_) probe_rtt_round_done_ = true;
      if (probe_rtt_round_done_) check_probe_rtt_done(w, a.now);
    }
  }
  if (a.rs.delivered > 0) idle_restart_ = false;  // new data acknowledged since the restart
}

void Bbr::check_probe_rtt_done(CcWindow& w, Instant now) {
  if (!probe_rtt_done_armed_ || now <= probe_rtt_done_stamp_) return;
  min_rtt_stamp_ = now;  // the next PROBE_RTT is 10 s away
  probe_rtt_done_armed_ = false;
  w.cwnd = std::max(w.cwnd, prior_cwnd_);
  reset_mode(now);
}

void Bbr::update_gains() {
  switch (mode_) {
    case Mode::Startup: pacing_gain_ = kHighGain; cwnd_gain_ = kHighGain; break;
    case Mode::Drain: pacing_gain_ = kDrainGain; cwnd_gain_ = kHighGain; break;
    case Mode::ProbeBw: pacing_gain_ = kPacingGain[static_cast<std::size_t>(cycle_idx_)]; cwnd_gain_ = kCwndGain; break;
    case Mode::ProbeRtt: pacing_gain_ = kUnit; cwnd_gain_ = kUnit; break;
  }
}

void Bbr::save_cwnd(const CcWindow& w) {
  // A cwnd cut by recovery or PROBE_RTT is not "good": keep the larger one saved before.
  if (prev_ca_state_ == CaState::Open && mode_ != Mode::ProbeRtt) prior_cwnd_ = w.cwnd;
  else prior_cwnd_ = std::max(prior_cwnd_, w.cwnd);
}

bool Bbr::recover_or_restore(CcWindow& w, const CcAck& a, std::uint32_t* cwnd) {
  std::uint32_t c = w.cwnd;
  // An ACK of P packets releases at most 2P: first take off what it marked lost.
  if (a.lost > 0) c = c > a.lost + mss_ ? c - a.lost : mss_;
  if (ca_state_ == CaState::Recovery && prev_ca_state_ != CaState::Recovery) {
    packet_conservation_ = true;       // first round of recovery: a packet out per packet in
    next_rtt_delivered_ = a.delivered;  // that round starts now
    c = a.in_flight + a.acked;
  } else if (prev_ca_state_ != CaState::Open && ca_state_ == CaState::Open) {
    c = std::max(c, prior_cwnd_);
    packet_conservation_ = false;
  }
  prev_ca_state_ = ca_state_;
  if (packet_conservation_) {
    *cwnd = std::max(c, a.in_flight + a.acked);
    return true;
  }
  *cwnd = c;
  return false;
}

void Bbr::set_cwnd(CcWindow& w, const CcAck& a) {
  std::uint32_t cwnd = w.cwnd;
  if (a.acked > 0 && !recover_or_restore(w, a, &cwnd)) {
    const std::uint32_t target = inflight_target(btl_bw_bps(), cwnd_gain_);
    if (full_bw_reached_) cwnd = std::min(cwnd + a.acked, target);  // grow toward or snap to target
    else if (cwnd < target || a.delivered < std::uint64_t{init_cwnd_packets_} * mss_) cwnd += a.acked;
    cwnd = std::max(cwnd, kMinCwndPackets * mss_);
  }
  if (mode_ == Mode::ProbeRtt) cwnd = std::min(cwnd, kMinCwndPackets * mss_);
  w.cwnd = cwnd;
}

std::uint32_t Bbr::ssthresh_on_loss(const CcWindow& w, const CcLoss& l) {
  save_cwnd(w);
  ca_state_ = l.kind == LossKind::Timeout ? CaState::Loss : CaState::Recovery;
  return w.ssthresh;
}

void Bbr::on_recovery_exit(CcWindow& w, Instant) {
  ca_state_ = CaState::Open;
  if (prev_ca_state_ != CaState::Open) w.cwnd = std::max(w.cwnd, prior_cwnd_);  // restore
  prev_ca_state_ = CaState::Open;
  packet_conservation_ = false;
}

void Bbr::on_timeout(CcWindow&, Instant) {
  // An RTO: cwnd is already 1 packet; it ends a round and full-pipe detection starts over.
  ca_state_ = CaState::Loss;
  prev_ca_state_ = CaState::Loss;
  full_bw_ = 0;
  round_start_ = true;
}

void Bbr::on_idle_restart(CcWindow& w, Instant now) {
  idle_restart_ = true;
  // No need for more speed when restarting app-limited: pace at BtlBw, not above it.
  if (mode_ == Mode::ProbeBw) pacing_bps_ = rate_with_gain(btl_bw_bps(), kUnit);
  else if (mode_ == Mode::ProbeRtt) check_probe_rtt_done(w, now);
}

}  // namespace tcplab
