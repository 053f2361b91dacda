// RACK loss detection (RFC 8985 section 6, Linux net.ipv4.tcp_recovery=1): the reordering
// timer and its deadline, reordering that the timer waits out, the DupThresh case, a lost
// retransmission found without the RTO, and the rfc9293 profile without RACK.
// The pkt scripts tests/pkt/scripts/b-rack-*.pkt check the same against the kernel.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
constexpr Duration kRackRtt = ms(40);
constexpr Instant t0 = ms(100);  // when the data goes out
constexpr Instant tack = t0 + kRackRtt;  // when the first answer to it arrives

// ESTABLISHED with SACK and one 40 ms RTT sample (our SYN,ACK at 0, the peer's ACK at 40 ms):
// min_rtt 40 ms, so RACK's reordering window is 10 ms.
Ep established_rack(const TcpConfig& cfg = sack_cfg()) {
  Ep ep = established_with_rtt(kRackRtt, cfg);
  REQUIRE(ep.c.rtt().min_rtt() == kRackRtt);
  return ep;
}

// n segments of kMss at t0.
void send_segments(Ep& ep, std::uint32_t n) {
  send(ep, t0, std::string(n * kMss, 's'));
  REQUIRE(sends_of(ep.out).size() == n);
}

Seg sack_ack(std::uint32_t ack, std::uint32_t left, std::uint32_t right) {
  return Seg{.ack = ack, .sack = {{left, right}}};
}
}  // namespace

TEST_SUITE("RACK") {

TEST_CASE("RACK: one SACK above a hole arms the reordering timer; when it fires the hole is resent") {
  Ep ep = established_rack();
  send_segments(ep, 4);
  feed(ep, tack, sack_ack(L + 1, L + 1001, L + 2001));
  expect_silent(ep);  // one SACK is not a loss yet
  CHECK_FALSE(ep.c.congestion().in_recovery());
  // RACK.rtt = 40 ms, reo_wnd = min_rtt/4 = 10 ms: L+1 (sent with the SACKed segment) is
  // overdue 10 ms from now; Linux arms the timer 2 ms later, in whole 4 ms jiffies: 12 ms.
  CHECK(ep.c.rack().rtt() == kRackRtt);
  REQUIRE(ep.armed(TimerKind::Reorder));
  CHECK(ep.deadline(TimerKind::Reorder) == tack + ms(12));
  CHECK_FALSE(ep.armed(TimerKind::LossProbe));  // one transmit timer: the probe waits
  fire(ep, tack + ms(12) - 1);
  expect_silent(ep);
  fire(ep, tack + ms(12));
  expect_sends(ep, {{.seq = L + 1, .len = kMss, .retx = true}});
  CHECK(ep.c.congestion().in_recovery());
  CHECK_FALSE(ep.armed(TimerKind::Reorder));
  // The hole is in flight again: 1, 3, 4 (2 was SACKed).
  CHECK(ep.c.bytes_in_flight() == 3 * kMss);
  feed(ep, tack + kRackRtt, Seg{.ack = L + 4001});
  CHECK_FALSE(ep.c.congestion().in_recovery());
}

TEST_CASE("RACK: the hole's own ACK before the timer fires: no retransmission, and reordering is remembered") {
  Ep ep = established_rack();
  send_segments(ep, 4);
  feed(ep, tack, sack_ack(L + 1, L + 1001, L + 2001));
  feed(ep, tack, sack_ack(L + 1, L + 1001, L + 3001));
  expect_silent(ep);
  REQUIRE(ep.armed(TimerKind::Reorder));
  CHECK_FALSE(ep.c.rack().reordering_seen());
  feed(ep, tack + ms(5), Seg{.ack = L + 3001});  // L+1 was late, not lost
  expect_silent(ep);
  CHECK_FALSE(ep.armed(TimerKind::Reorder));
  CHECK(ep.c.rack().reordering_seen());
  CHECK_FALSE(ep.c.congestion().in_recovery());
  CHECK(ep.c.retransmissions() == 0);
  // With reordering seen, three SACKed segments no longer mean "lost now" (Linux
  // tcp_rack_reo_wnd): the window stays min_rtt/4 and the timer waits it out.
  feed(ep, tack + ms(6), Seg{.ack = L + 4001});
  const Instant t1 = tack + ms(10);
  send(ep, t1, std::string(5 * kMss, 'u'));
  REQUIRE(sends_of(ep.out).size() == 5);
  const Instant t2 = t1 + kRackRtt;
  feed(ep, t2, sack_ack(L + 4001, L + 5001, L + 8001));
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::Reorder) == t2 + ms(12));
}

TEST_CASE("RACK: three segments SACKed with no reordering seen: the hole is lost at once (reo_wnd 0)") {
  Ep ep = established_rack();
  send_segments(ep, 5);
  feed(ep, tack, sack_ack(L + 1, L + 1001, L + 4001));
  expect_sends(ep, {{.seq = L + 1, .len = kMss, .retx = true}});
  CHECK(ep.c.congestion().in_recovery());
  CHECK_FALSE(ep.armed(TimerKind::Reorder));
}

TEST_CASE("RACK: a lost retransmission is resent once data sent after it is SACKed, without the RTO") {
  Ep ep = established_rack();
  send_segments(ep, 10);
  feed(ep, tack, sack_ack(L + 1, L + 1001, L + 4001));
  expect_sends(ep, {{.seq = L + 1, .len = kMss, .retx = true}});  // the fast retransmit, lost
  const Instant trx = tack;
  feed(ep, trx + ms(10), sack_ack(L + 1, L + 1001, L + 10001));
  expect_silent(ep);  // the retransmission was sent before nothing delivered yet
  send(ep, trx + ms(20), std::string(2 * kMss, 'n'));
  expect_sends(ep, {{.seq = L + 10001, .len = kMss}, {.flags = kPsh | kAck, .seq = L + 11001, .len = kMss}});
  const Instant rto_at = ep.deadline(TimerKind::Rto);
  // The new data's SACK: RACK.xmit_ts is now later than the retransmission's, which has waited
  // RACK.rtt (40 ms) + reo_wnd (0 in recovery) since it was sent: lost again.
  const Instant tsack = trx + ms(20) + kRackRtt;
  feed(ep, tsack, sack_ack(L + 1, L + 1001, L + 12001));
  expect_sends(ep, {{.seq = L + 1, .len = kMss, .retx = true}});
  CHECK(tsack < rto_at);
  CHECK(ep.c.retransmissions() == 2);
  feed(ep, tsack + kRackRtt, Seg{.ack = L + 12001});
  CHECK_FALSE(ep.c.congestion().in_recovery());
  CHECK_FALSE(ep.c.rack().has_lost());
}

TEST_CASE("RACK: the rfc9293 profile keeps RFC 6675's duplicate ACKs: no reordering timer") {
  CHECK_FALSE(TcpConfig::for_profile(Profile::Rfc9293).rack);
  CHECK(TcpConfig::for_profile(Profile::Linux).rack);
  Ep ep = established_rack(sack_cfg(Profile::Rfc9293));
  send_segments(ep, 4);
  feed(ep, tack, sack_ack(L + 1, L + 1001, L + 2001));
  expect_silent(ep);
  CHECK_FALSE(ep.armed(TimerKind::Reorder));
  fire(ep, tack + ms(20));
  expect_silent(ep);
  CHECK_FALSE(ep.c.congestion().in_recovery());
}

}  // TEST_SUITE
