#pragma once
// The retransmission timeout of RFC 6298: SRTT, RTTVAR, clamped RTO and exponential back-off.
#include "stack/time.hpp"

namespace tcplab {

class RttEstimator {
 public:
  RttEstimator() = default;
  // linux_floor: Linux computes SRTT + max(4*RTTVAR, min) (tcp_set_rto with rttvar >= rto_min)
  // instead of RFC 6298's clamp(SRTT + max(G, 4*RTTVAR), min, max).
  RttEstimator(Duration initial, Duration min, Duration max, bool linux_floor = false)
      : rto_(initial), min_(min), max_(max), linux_floor_(linux_floor) {}

  // RFC 6298 2.2/2.3: fold one measurement in (K = 4, alpha = 1/8, beta = 1/4).
  void sample(Duration r);
  // The current timeout with back-off applied (2.5: doubled per expiry, capped at max).
  Duration rto() const;
  void back_off() { if (backoff_ < 30) ++backoff_; }
  void reset_backoff() { backoff_ = 0; }
  int backoffs() const { return backoff_; }
  Duration srtt() const { return srtt_; }
  Duration rttvar() const { return rttvar_; }
  // The smallest measurement so far (0: none), the handshake's included (Linux tcp_min_rtt,
  // whose 5-minute window no lab outlasts).
  Duration min_rtt() const { return min_rtt_; }
  bool has_sample() const { return srtt_ > 0; }
  // RFC 6298 5.7: after a retransmitted SYN and no RTT sample, data starts with RTO = 3 s.
  void reinit(Duration rto) { if (!has_sample()) rto_ = rto; }
  // Every member, for a compact record (stack/conn_record.hpp).
  template <typename Self, typename V>
  static void record_fields(Self& s, V& v) {
    v.dur(s.srtt_), v.dur(s.rttvar_), v.dur(s.min_rtt_), v.dur(s.rto_), v.dur(s.min_), v.dur(s.max_);
    v.num(s.backoff_), v.num(s.linux_floor_);
  }

 private:
  Duration srtt_ = 0, rttvar_ = 0, min_rtt_ = 0;
  Duration rto_ = sec(1), min_ = ms(200), max_ = sec(120);
  int backoff_ = 0;
  bool linux_floor_ = false;
};

}  // namespace tcplab
