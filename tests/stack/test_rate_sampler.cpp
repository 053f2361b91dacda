// Delivery rate samples (draft-cheng-iccrg-delivery-rate-estimation 3): what BBR sees.
#include <doctest/doctest.h>

#include "stack/rate_sampler.hpp"

using namespace tcplab;

TEST_CASE("rate sampler: a paced flow at 1000 bytes per ms measures 8 Mbit/s, with the RTT of the newest segment") {
  RateSampler rs;
  const Seq32 iss(1000);
  // One 1000-byte segment every millisecond; each is ACKed 40 ms after it left.
  for (int i = 0; i < 200; ++i) {
    const Instant now = ms(i);
    rs.on_send(iss + i * 1000, iss + (i + 1) * 1000, now, false, i < 40 ? static_cast<std::uint32_t>(i * 1000) : 40000);
    if (i >= 40) {
      const RateSample s = rs.on_ack(iss + (i - 39) * 1000, {}, now);
      REQUIRE(s.rtt_ns == ms(40));  // the newest acked segment, i - 40, left 40 ms ago
      if (i >= 90) {  // after the first two round trips (the first intervals start at time 0)
        REQUIRE(s.valid());
        CHECK(s.rate_bps() == 8'000'000);
        CHECK_FALSE(s.app_limited);
      }
    }
  }
  CHECK(rs.min_rtt() == ms(40));
  CHECK(rs.delivered() == 160 * 1000);
}

TEST_CASE("rate sampler: SACKed segments count as delivered once; a retransmission gives no RTT (Karn)") {
  RateSampler rs;
  const Seq32 s0(0);
  for (int i = 0; i < 4; ++i) rs.on_send(s0 + i * 100, s0 + (i + 1) * 100, ms(i), false, static_cast<std::uint32_t>(i * 100));
  // Segment 0 is lost; 1..3 are SACKed at 50 ms.
  RateSample a = rs.on_ack(s0, {SackBlock{s0 + 100, s0 + 400}}, ms(50));
  CHECK(rs.delivered() == 300);
  CHECK(a.rtt_ns == ms(47));  // the newest of them, sent at 3 ms
  rs.on_send(s0, s0 + 100, ms(60), true, 100);
  RateSample b = rs.on_ack(s0 + 400, {}, ms(100));
  CHECK(rs.delivered() == 400);  // the SACKed bytes are not counted again
  CHECK(b.rtt_ns == 0);          // only the retransmitted segment was newly delivered
}

TEST_CASE("rate sampler: samples taken while the application had nothing to send are app-limited") {
  RateSampler rs;
  const Seq32 s0(0);
  rs.on_send(s0, s0 + 1000, 0, false, 0);
  rs.mark_app_limited(1000);
  rs.on_send(s0 + 1000, s0 + 2000, ms(1), false, 1000);
  CHECK_FALSE(rs.on_ack(s0 + 1000, {}, ms(40)).app_limited);  // sent before the mark
  CHECK(rs.on_ack(s0 + 2000, {}, ms(41)).app_limited);
}
