#include "stack/rtt.hpp"

#include <algorithm>

namespace tcplab {

void RttEstimator::sample(Duration r) {
  if (r < 1) r = 1;
  if (min_rtt_ == 0 || r < min_rtt_) min_rtt_ = r;
  if (srtt_ == 0) {
    srtt_ = r;           // 2.2: SRTT <- R, RTTVAR <- R/2
    rttvar_ = r / 2;
  } else {
    const Duration err = srtt_ > r ? srtt_ - r : r - srtt_;
    rttvar_ = (3 * rttvar_ + err) / 4;  // (1 - beta) * RTTVAR + beta * |SRTT - R'|
    srtt_ = (7 * srtt_ + r) / 8;        // (1 - alpha) * SRTT + alpha * R'
  }
  rto_ = linux_floor_ ? std::min(srtt_ + std::max(4 * rttvar_, min_), max_)
                     : std::clamp(srtt_ + std::max<Duration>(ms(1), 4 * rttvar_), min_, max_);
}

Duration RttEstimator::rto() const {
  Duration r = rto_;
  for (int i = 0; i < backoff_ && r < max_; ++i) r *= 2;
  return std::min(r, max_);
}

}  // namespace tcplab
