// CUBIC (RFC 9438; Linux tcp_cubic under `linux`) and HyStart, driven directly with ACKs:
// no sockets. A "round" here is one RTT: the window's segments are ACKed one by one.
#include <doctest/doctest.h>

#include <cmath>

#include "stack/cc_cubic.hpp"

using namespace tcplab;

namespace {

constexpr std::uint32_t kCubicMss = 1000;
constexpr Duration kMs = 1'000'000;
constexpr Duration kS = 1'000'000'000;

struct Flow {
  Cubic cc;
  CcWindow w;
  Instant now = 0;
  std::uint64_t delivered = 0;

  explicit Flow(bool linux, bool hystart = true) {
    CcInit i;
    i.mss = kCubicMss;
    i.linux = linux;
    i.hystart = hystart;
    cc.init(w, i);
  }
  std::uint32_t segs() const { return w.cwnd / kCubicMss; }
  void ack(Duration rtt) {
    CcAck a;
    a.now = now;
    a.mss = kCubicMss;
    a.acked = kCubicMss;
    delivered += kCubicMss;
    a.delivered = delivered;
    a.in_flight = w.cwnd;  // the sender keeps the window full
    a.prior_in_flight = w.cwnd;
    a.rtt_ns = rtt;
    a.srtt_ns = rtt;
    a.una_advanced = true;
    cc.on_ack(w, a);
  }
  // One round: the window's worth of ACKs, `gap` apart, the first one `rtt` after the round
  // began; the next round begins at the last ACK.
  void round(Duration rtt, Duration gap) {
    const std::uint32_t n = segs();
    now += rtt - gap * (n - 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (i > 0) now += gap;
      ack(rtt);
    }
  }
  // Evenly paced ACKs over one RTT (a bottleneck's rate).
  void paced_round(Duration rtt) {
    const std::uint32_t n = segs();
    for (std::uint32_t i = 0; i < n; ++i) {
      now += rtt / n;
      ack(rtt);
    }
  }
  void loss() {
    CcLoss l;
    l.now = now;
    l.mss = kCubicMss;
    l.flight = w.cwnd;
    w.ssthresh = cc.ssthresh_on_loss(w, l);
    w.cwnd = w.ssthresh;  // recovery ended: cwnd = ssthresh
  }
};

// Start in congestion avoidance at w_max segments and lose there.
Flow after_loss_at(std::uint32_t w_max, bool linux) {
  Flow f(linux, false);
  f.now = 10 * kS;
  f.w.cwnd = w_max * kCubicMss;
  f.w.ssthresh = w_max * kCubicMss;
  f.loss();
  return f;
}

}  // namespace

TEST_CASE("cubic: a loss at W_max leaves 0.7 W_max (Linux 717/1024) and remembers W_max") {
  Flow lin = after_loss_at(100, true);
  CHECK(lin.w.cwnd == 70 * kCubicMss);  // 100 * 717 / 1024 = 70.02, whole segments
  CHECK(lin.w.ssthresh == 70 * kCubicMss);
  CHECK(lin.cc.w_max_ == 100);
  Flow rfc = after_loss_at(100, false);
  CHECK(rfc.w.cwnd == 70 * kCubicMss);  // RFC 9438 4.6: cwnd * 0.7
  CHECK(rfc.cc.w_max_rfc_ == doctest::Approx(100));
  // Never under 2 MSS.
  Flow small = after_loss_at(2, true);
  CHECK(small.w.ssthresh == 2 * kCubicMss);
}

TEST_CASE("cubic: K is RFC 9438's cbrt(W_max (1 - beta) / C)") {
  for (bool linux : {true, false}) {
    Flow f = after_loss_at(100, linux);
    f.now += 100 * kMs;
    f.ack(100 * kMs);  // the first ACK in congestion avoidance begins the epoch
    const double k = std::cbrt(100 * (1 - 0.7) / 0.4);  // 4.217 s
    CHECK(static_cast<double>(f.cc.k_ns_) / kS == doctest::Approx(k).epsilon(0.01));
  }
  CHECK(Cubic::rfc_k_ns(100, 70) == static_cast<Duration>(std::cbrt(75.0) * kS));
}

TEST_CASE("cubic: the window follows W_cubic(t) in the concave and the convex region") {
  for (bool linux : {true, false}) {
    CAPTURE(linux);
    const std::uint32_t w_max = 1000;
    Flow f = after_loss_at(w_max, linux);
    const Duration rtt = 100 * kMs;
    f.now += rtt;
    f.ack(rtt);
    const Instant epoch = f.cc.epoch_start_;
    const Duration k = static_cast<Duration>(std::cbrt(w_max * 0.3 / 0.4) * kS);  // 9.09 s
    int checked_concave = 0, checked_convex = 0;
    while (f.now - epoch < 13 * kS) {
      f.round(rtt, 10'000);
      const Duration t = f.now - epoch;
      const double expect = Cubic::rfc_w_cubic(w_max, k, t);
      CAPTURE(t);
      // Within one segment, allowing for the RTT the window trails its target by.
      const double lo = std::min(expect, Cubic::rfc_w_cubic(w_max, k, t - rtt)) - 1;
      const double hi = std::max(expect, Cubic::rfc_w_cubic(w_max, k, t + rtt)) + 1;
      CHECK(f.segs() >= lo);
      CHECK(f.segs() <= hi);
      (t < k ? checked_concave : checked_convex)++;
    }
    CHECK(checked_concave > 50);
    CHECK(checked_convex > 20);
    CHECK(f.segs() > w_max + 20);  // well into the convex region: past the old maximum
  }
}

TEST_CASE("cubic: fast convergence lowers W_max when a loss comes before regaining it") {
  for (bool linux : {true, false}) {
    Flow f = after_loss_at(100, linux);
    f.w.cwnd = 80 * kCubicMss;  // lost again at 80, below the W_max of 100
    f.loss();
    if (linux) CHECK(f.cc.w_max_ == 80 * 1741 / 2048);  // 68: cwnd (1 + beta) / 2
    else CHECK(f.cc.w_max_rfc_ == doctest::Approx(80 * 0.85));
    CHECK(f.w.cwnd == 56 * kCubicMss);
    f.w.cwnd = 120 * kCubicMss;  // a loss above W_max: W_max is that window
    f.loss();
    if (linux) CHECK(f.cc.w_max_ == 120);
    else CHECK(f.cc.w_max_rfc_ == doctest::Approx(120));
  }
}

TEST_CASE("cubic: with a short RTT the Reno-friendly region grows faster than W_cubic") {
  for (bool linux : {true, false}) {
    CAPTURE(linux);
    Flow f = after_loss_at(100, linux);
    const Duration rtt = 1 * kMs;
    f.now += rtt;
    f.ack(rtt);
    const Instant epoch = f.cc.epoch_start_;
    for (int r = 0; r < 300; ++r) f.round(rtt, 1'000);
    const Duration t = f.now - epoch;
    const double w_cubic = Cubic::rfc_w_cubic(100, f.cc.k_ns_, t);
    // Reno's estimate: alpha = 3 (1 - 0.7) / (1 + 0.7) = 0.53 segment per RTT from 70. The
    // RFC (4.3) makes alpha 1 once W_est reaches the window before the loss (100, after 57
    // RTTs); Linux keeps 0.53.
    const double w_est = linux ? 70 + 0.53 * 300 : 100 + (300 - 30 / 0.53);
    CHECK(w_cubic < 95);  // still below the plateau
    CHECK(f.segs() > w_est * 0.85);
    CHECK(f.segs() < w_est * 1.15);
  }
}

TEST_CASE("cubic: without a loss, the window grows at least one segment per 20 ACKed (Linux)") {
  Flow f(true, false);
  f.w.ssthresh = 20 * kCubicMss;
  f.w.cwnd = 40 * kCubicMss;
  f.now = kS;
  const Duration rtt = 10 * kMs;
  for (int i = 0; i < 40; ++i) {
    f.now += rtt / 40;
    f.ack(rtt);
  }
  CHECK(f.segs() == 42);  // cnt capped at 20 while W_max is unknown
}

TEST_CASE("HyStart: slow start continues when the RTT does not grow, and stops when it does") {
  const Duration rtt = 40 * kMs;
  Flow steady(true);
  while (steady.segs() < 600) steady.round(rtt, 10'000);  // ACK bursts: no train either
  CHECK(steady.w.ssthresh == kInfiniteSsthresh);
  CHECK_FALSE(steady.cc.hystart_found_);

  Flow grows(true);
  while (grows.segs() < 64) grows.round(rtt, 10'000);
  CHECK(grows.w.ssthresh == kInfiniteSsthresh);
  // The queue builds: 10 ms more, over the threshold clamp(40 ms / 8, 4, 16) = 5 ms.
  grows.round(rtt + 10 * kMs, 10'000);
  grows.round(rtt + 10 * kMs, 10'000);
  CHECK(grows.cc.hystart_found_);
  CHECK(grows.w.ssthresh < kInfiniteSsthresh);
  CHECK(grows.w.ssthresh >= 64 * kCubicMss);
  // Slow start ended there: what is left of the round grows by congestion avoidance only
  // (one segment per 20 ACKed before any loss).
  CHECK(grows.w.cwnd <= grows.w.ssthresh + grows.w.ssthresh / 10);

  // Below 16 segments HyStart does not look, and a rise of 3 ms is under the 5 ms threshold.
  Flow small(true);
  small.round(rtt + 30 * kMs, 10'000);
  CHECK(small.w.ssthresh == kInfiniteSsthresh);
  Flow slight(true);
  while (slight.segs() < 64) slight.round(rtt, 10'000);
  for (int r = 0; r < 3; ++r) slight.round(rtt + 3 * kMs, 10'000);
  CHECK(slight.w.ssthresh == kInfiniteSsthresh);
}

TEST_CASE("HyStart: an ACK train spanning half the minimum RTT ends slow start") {
  const Duration rtt = 40 * kMs;
  Flow f(true);
  f.round(rtt, 10'000);
  f.round(rtt, 10'000);
  while (!f.cc.hystart_found_ && f.segs() < 1000) f.paced_round(rtt);  // 40 ms / cwnd apart
  CHECK(f.cc.hystart_found_);
  // The train (ACKs under 2 ms apart) spans 20 ms once a round has 20+ segments: 16..40.
  CHECK(f.w.ssthresh >= 16 * kCubicMss);
  CHECK(f.w.ssthresh <= 80 * kCubicMss);
  // Switched off (TcpConfig::hystart = false), and in the RFC profile (HyStart++ not done).
  for (bool linux : {true, false}) {
    Flow off(linux, linux ? false : true);
    off.round(rtt, 10'000);
    off.round(rtt, 10'000);
    while (off.segs() < 200) off.paced_round(rtt);
    CHECK(off.w.ssthresh == kInfiniteSsthresh);
  }
}

TEST_CASE("cubic: an RTO resets the epoch: K = 0 and W_max from the window then") {
  for (bool linux : {true, false}) {
    CAPTURE(linux);
    Flow f = after_loss_at(100, linux);
    const Duration rtt = 50 * kMs;
    f.now += rtt;
    f.ack(rtt);
    CHECK(f.cc.k_ns_ > 4 * kS);
    // RTO: ssthresh from the algorithm, cwnd 1 MSS, then slow start to ssthresh.
    CcLoss l;
    l.now = f.now;
    l.mss = kCubicMss;
    l.kind = LossKind::Timeout;
    f.w.ssthresh = f.cc.ssthresh_on_loss(f.w, l);
    f.w.cwnd = kCubicMss;
    f.cc.on_timeout(f.w, f.now);
    CHECK_FALSE(f.cc.epoch_started_);
    CHECK(f.w.ssthresh / kCubicMss == 49);  // 70 * 0.7
    while (f.w.cwnd < f.w.ssthresh) f.round(rtt, 10'000);
    f.round(rtt, 10'000);
    CHECK(f.cc.epoch_started_);
    CHECK(f.cc.k_ns_ == 0);  // RFC 9438 4.8
    const std::uint32_t at = f.segs();
    for (int r = 0; r < 20; ++r) f.round(rtt, 10'000);
    CHECK(f.segs() > at);  // convex growth from the window at the epoch
  }
}

// HyStart++ (RFC 9406), the RFC profile's initial slow start for CUBIC.
TEST_CASE("HyStart++: standard slow start while the RTT stays flat") {
  Flow f(false);
  REQUIRE(f.cc.hspp_.active());
  for (int r = 0; r < 5; ++r) f.round(40 * kMs, kMs / 10);
  // min(N, 8 SMSS) per ACK: one segment per ACKed segment, the window doubles each round.
  CHECK(f.segs() == 10 * 32);
  CHECK(f.cc.hspp_.phase == HyStartPlusPlus::Phase::SlowStart);
  CHECK(f.w.ssthresh == kInfiniteSsthresh);
  CHECK(f.cc.phase(f.w) == "");
}

TEST_CASE("HyStart++: an RTT rise of lastRoundMinRTT/8 (>= 4 ms) starts CSS; 5 CSS rounds end slow start") {
  Flow f(false);
  f.round(40 * kMs, kMs / 10);
  f.round(40 * kMs, kMs / 10);  // lastRoundMinRTT = 40 ms: RttThresh = 5 ms
  f.round(44 * kMs, kMs / 10);  // +4 ms: below the threshold
  CHECK(f.cc.hspp_.phase == HyStartPlusPlus::Phase::SlowStart);
  const std::uint32_t before = f.segs();
  CHECK(before == 80);
  // lastRoundMinRTT is now 44 ms: RttThresh = 5.5 ms. The 8th sample at 50 ms enters CSS.
  for (int i = 0; i < 8; ++i) f.ack(50 * kMs);
  CHECK(f.cc.hspp_.phase == HyStartPlusPlus::Phase::Conservative);
  CHECK(f.cc.hspp_.css_baseline_min_rtt == 50 * kMs);
  CHECK(f.cc.phase(f.w) == "conservative slow start");
  // In CSS each ACKed segment grows cwnd by a quarter segment.
  const std::uint32_t css0 = f.w.cwnd;
  for (int i = 0; i < 8; ++i) f.ack(50 * kMs);
  CHECK(f.w.cwnd == css0 + 2 * kCubicMss);
  // CSS_ROUNDS rounds later ssthresh = cwnd: congestion avoidance.
  for (int r = 0; r < 6 && f.w.ssthresh == kInfiniteSsthresh; ++r) f.round(50 * kMs, kMs / 10);
  CHECK(f.cc.hspp_.phase == HyStartPlusPlus::Phase::Done);
  CHECK(f.cc.hspp_.css_rounds == HyStartPlusPlus::kCssRounds);
  // ssthresh = cwnd when the 5th CSS round ended; the rest of that round's ACKs were
  // congestion avoidance (less than a segment).
  CHECK(f.w.ssthresh <= f.w.cwnd);
  CHECK(f.w.cwnd - f.w.ssthresh < kCubicMss);
  // CSS grows a quarter as fast: 1.25x a round (about 88 -> 259 segments in 5 rounds), where
  // slow start would have doubled each round (32x).
  CHECK(f.w.ssthresh / kCubicMss > 2 * before);
  CHECK(f.w.ssthresh / kCubicMss < 4 * before);
}

TEST_CASE("HyStart++: an RTT back below the CSS baseline resumes standard slow start") {
  Flow f(false);
  f.round(40 * kMs, kMs / 10);
  f.round(40 * kMs, kMs / 10);
  for (int i = 0; i < 8; ++i) f.ack(50 * kMs);
  REQUIRE(f.cc.hspp_.phase == HyStartPlusPlus::Phase::Conservative);
  // The next round's 8 samples at 41 ms: the rise was jitter.
  f.round(41 * kMs, kMs / 10);
  CHECK(f.cc.hspp_.phase == HyStartPlusPlus::Phase::SlowStart);
  const std::uint32_t w0 = f.w.cwnd;
  f.ack(41 * kMs);
  CHECK(f.w.cwnd == w0 + kCubicMss);  // a whole segment per segment again
}

TEST_CASE("HyStart++: only the initial slow start; not with hystart = false, nor under linux") {
  Flow f(false);
  f.round(40 * kMs, kMs / 10);
  f.loss();
  CHECK_FALSE(f.cc.hspp_.active());
  Flow off(false, false);
  CHECK_FALSE(off.cc.hspp_.active());
  Flow lin(true);
  CHECK_FALSE(lin.cc.hspp_.active());
  // An RTO: the slow start after it is RFC 5681's.
  Flow r(false);
  r.round(40 * kMs, kMs / 10);
  r.cc.on_timeout(r.w, r.now);
  CHECK_FALSE(r.cc.hspp_.active());
}

TEST_CASE("cubic: after an idle period the curve moves by the idle time (CA_EVENT_TX_START, RFC 9438 5.8)") {
  for (bool linux : {true, false}) {
    CAPTURE(linux);
    Flow f = after_loss_at(100, linux);
    f.round(100 * kMs, 0);  // the epoch starts at this round's first ACK
    REQUIRE(f.cc.epoch_started_);
    const Instant start = f.cc.epoch_start_;
    const std::uint32_t before = f.w.cwnd;
    // 5 s without data, then sending again: the epoch moves 5 s later, so one more round
    // grows the window as one round after `start` would, not as 5 s of the curve would.
    f.now += 5 * kS;
    f.cc.on_tx_start(f.w, f.now, 5 * kS, true);
    CHECK(f.cc.epoch_start_ == start + 5 * kS);
    f.round(100 * kMs, 0);
    CHECK(f.w.cwnd - before <= 3 * kCubicMss);  // W_cubic near its plateau after 0.2 s of sending
    // Never past now: an idle time longer than the epoch's age puts the epoch at now.
    f.cc.on_tx_start(f.w, f.now, 100 * kS, true);
    CHECK(f.cc.epoch_start_ == f.now);
  }
  // Before any epoch (slow start), nothing to move.
  Flow fresh(true);
  fresh.cc.on_tx_start(fresh.w, 7 * kS, 7 * kS, true);
  CHECK_FALSE(fresh.cc.epoch_started_);
}
