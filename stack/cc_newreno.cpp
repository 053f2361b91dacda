#include "stack/cc_newreno.hpp"

#include <algorithm>

namespace tcplab {

void NewReno::init(CcWindow& w, const CcInit& i) {
  w.cwnd = i.mss * i.initial_window_segments;  // RFC 6928 initial window
  w.ssthresh = kInfiniteSsthresh;
  linux_ = i.linux;
  ca_acked_ = 0;
}

std::uint32_t NewReno::slow_start(CcWindow& w, std::uint32_t acked, std::uint32_t mss, bool linux) {
  if (!linux) {
    w.cwnd += std::min(acked, 2 * mss);  // RFC 5681 3.1 with appropriate byte counting, L = 2
    return 0;
  }
  const std::uint32_t grown = std::min(w.cwnd + acked, std::max(w.ssthresh, w.cwnd));
  const std::uint32_t used = grown - w.cwnd;
  w.cwnd = grown;
  return acked - used;
}

void NewReno::on_ack(CcWindow& w, const CcAck& a) {
  if (!a.cwnd_limited && linux_) return;  // Linux grows cwnd only while it limits sending
  std::uint32_t acked = a.acked;
  if (w.cwnd < w.ssthresh) {
    acked = slow_start(w, acked, a.mss, linux_);
    if (acked == 0) return;
  }
  ca_acked_ += acked;  // congestion avoidance: one MSS per cwnd of bytes acked
  if (ca_acked_ >= w.cwnd) {
    ca_acked_ -= w.cwnd;
    w.cwnd += a.mss;
  }
}

std::uint32_t NewReno::ssthresh_on_loss(const CcWindow& w, const CcLoss& l) const {
  // RFC 5681 3.1 eq. (4): max(FlightSize / 2, 2 SMSS); Linux tcp_reno_ssthresh: max(cwnd / 2, 2).
  const std::uint32_t base = linux_ ? w.cwnd : l.flight;
  return std::max(base / 2, 2 * l.mss);
}

}  // namespace tcplab
