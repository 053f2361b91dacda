// Slow start after idle (RFC 5681 4.1; Linux tcp_cwnd_restart): what the window becomes when
// the application writes after a silence longer than the RTO. The Connection side (when the
// check runs, what counts as idle) is checked against the kernel by
// tests/pkt/scripts/b-slow-start-after-idle.pkt.
#include <doctest/doctest.h>

#include "stack/congestion.hpp"

using namespace tcplab;

namespace {

constexpr std::uint32_t kIdleMss = 1000;
constexpr std::uint32_t kIw = 10 * kIdleMss;
constexpr Duration kIdleRto = 300'000'000;

// NewReno in slow start grown to `segs` segments by ACKs of whole segments.
Congestion grown_to(std::uint32_t segs, std::uint32_t initial_window_segments = 10) {
  Congestion c;
  CcInit i;
  i.mss = kIdleMss;
  i.initial_window_segments = initial_window_segments;
  c.init(CcKind::NewReno, i, true);
  std::uint64_t delivered = 0;
  while (c.cwnd() < segs * kIdleMss) {
    CcAck a;
    a.mss = kIdleMss;
    a.acked = kIdleMss;
    delivered += kIdleMss;
    a.delivered = delivered;
    a.una_advanced = true;
    c.on_ack(a);
  }
  return c;
}

}  // namespace

TEST_CASE("idle restart, linux: cwnd halves once per RTO of idleness, down to the initial window") {
  REQUIRE(grown_to(40).cwnd() == 40 * kIdleMss);
  {
    Congestion c = grown_to(40);
    c.restart_after_idle(kIdleRto * 3 / 2, kIdleRto, kIw, true);  // less than one RTO beyond the first: one halving
    CHECK(c.cwnd() == 20 * kIdleMss);
    CHECK(c.ssthresh() == kInfiniteSsthresh);  // max(infinite, 3/4 * 40)
  }
  {
    Congestion c = grown_to(40);
    c.restart_after_idle(10 * kIdleRto, kIdleRto, kIw, true);  // many RTOs: stops at the initial window
    CHECK(c.cwnd() == kIw);
  }
  {
    Congestion c = grown_to(40);
    c.restart_after_idle(2 * kIdleRto + 1, kIdleRto, kIw, true);  // a little over two RTOs: two halvings
    CHECK(c.cwnd() == kIw);
  }
  {
    Congestion c = grown_to(6, 4);  // below the initial window: the restart window is cwnd itself
    c.restart_after_idle(10 * kIdleRto, kIdleRto, kIw, true);
    CHECK(c.cwnd() == 6 * kIdleMss);
  }
}

TEST_CASE("idle restart, rfc9293: cwnd = min(RW, cwnd) at once, ssthresh kept (RFC 5681 4.1)") {
  Congestion c = grown_to(40);
  const std::uint32_t ssthresh = c.ssthresh();
  c.restart_after_idle(2 * kIdleRto + 1, kIdleRto, kIw, false);
  CHECK(c.cwnd() == kIw);
  CHECK(c.ssthresh() == ssthresh);
}
