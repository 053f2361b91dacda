#pragma once
// Congestion state over time for one connection. The trace does not carry cwnd, so the
// timeline's world is replayed step by step (a copy; the timeline is untouched) and the
// connection's cwnd, ssthresh, flight size and send window are sampled when they change.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/timeline.hpp"

namespace tcplab::viz {

struct CwndSample {
  Instant t_ns = 0;
  std::uint32_t cwnd = 0, ssthresh = 0, flight = 0, snd_wnd = 0;
  Duration rtt = 0;  // a capture's: the RTT sample its latest ACK gave (0: none), for the RTT plot
};

constexpr std::size_t kMaxCwndSamples = 50'000;  // a bound on memory for long transfers

// Samples of the connection `label` on `host` (its latest incarnation at each step).
std::vector<CwndSample> cwnd_series(const Timeline& tl, int host, const std::string& label,
                                    std::size_t max_samples = kMaxCwndSamples);

}  // namespace tcplab::viz
