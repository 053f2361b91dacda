// Tail loss probe (RFC 8985 section 7, Linux's default) and TCP_USER_TIMEOUT: when the probe
// timer is armed, what the probe sends, how the RTO follows it, and when a user timeout ends
// the connection.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
constexpr Duration kTlpRtt = ms(40);
// After one 40 ms sample: SRTT 40 ms, RTTVAR 20 ms, Linux RTO = SRTT + max(4*RTTVAR, 200 ms).
constexpr Duration kTlpRto = ms(240);

// ESTABLISHED with SACK and an RTT sample of 40 ms (our SYN,ACK at 0, the peer's ACK at 40 ms).
Ep established_tlp(const TcpConfig& cfg = sack_cfg()) {
  Ep ep = established_with_rtt(kTlpRtt, cfg);
  REQUIRE(ep.c.rtt().srtt() == kTlpRtt);
  if (cfg.profile == Profile::Linux) REQUIRE(ep.c.rtt().rto() == kTlpRto);
  return ep;
}

bool is_loss_probe(const Output& out) {
  const auto s = sends_of(out);
  REQUIRE(s.size() == 1);
  return s[0].loss_probe;
}
}  // namespace

TEST_SUITE("Tail loss probe") {

TEST_CASE("TLP: a lone segment is probed after min(2*SRTT + 200 ms, RTO); the RTO restarts in full, then doubles") {
  Ep ep = established_tlp();
  const Instant t0 = ms(100);
  send(ep, t0, "abc");
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 3}});
  // RFC 8985 7.2: PTO = 2*SRTT + 200 ms = 280 ms, but the RTO (240 ms) comes first.
  CHECK(ep.deadline(TimerKind::LossProbe) == t0 + kTlpRto);
  fire(ep, t0 + kTlpRto - 1);
  expect_silent(ep);
  fire(ep, t0 + kTlpRto);
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 3, .retx = true}});
  CHECK(is_loss_probe(ep.out));
  CHECK(ep.c.loss_probes() == 1);
  CHECK(ep.c.retransmissions() == 0);  // a loss probe, not a retransmission
  CHECK(ep.c.rtt().backoffs() == 0);   // and the RTO is not backed off
  // 7.3: the RTO, not another probe, is armed: a full RTO from the probe.
  const Instant probe = t0 + kTlpRto;
  CHECK_FALSE(ep.armed(TimerKind::LossProbe));
  CHECK(ep.deadline(TimerKind::Rto) == probe + kTlpRto);
  fire(ep, probe + kTlpRto);
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 3, .retx = true}});
  CHECK_FALSE(is_loss_probe(ep.out));
  CHECK(ep.c.retransmissions() == 1);
  CHECK(ep.deadline(TimerKind::Rto) == probe + 3 * kTlpRto);  // doubled (RFC 6298 5.5)
  CHECK_FALSE(ep.armed(TimerKind::LossProbe));             // no probe after an RTO
  feed(ep, probe + 2 * kTlpRto, Seg{.ack = L + 4});
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("TLP: with more segments in flight PTO = 2*SRTT + 8 ms and the last segment is sent again") {
  Ep ep = established_tlp();
  const Instant t0 = ms(100);
  send(ep, t0, std::string(3000, 'm'));
  CHECK(sends_of(ep.out).size() == 3);
  CHECK(ep.deadline(TimerKind::LossProbe) == t0 + 2 * kTlpRtt + ms(8));
  CHECK(ep.deadline(TimerKind::Rto) == t0 + kTlpRto);
  fire(ep, t0 + 2 * kTlpRtt + ms(8));
  expect_sends(ep, {{.flags = kPsh | kAck, .seq = L + 2001, .len = 1000, .retx = true}});
  CHECK(is_loss_probe(ep.out));
  CHECK(ep.deadline(TimerKind::Rto) == t0 + 2 * kTlpRtt + ms(8) + kTlpRto);
}

TEST_CASE("TLP: an ACK of new data re-arms the probe from the ACK; the ACK of everything stops it") {
  Ep ep = established_tlp();
  const Instant t0 = ms(100);
  send(ep, t0, std::string(3000, 'a'));
  feed(ep, t0 + kTlpRtt, Seg{.ack = L + 1001});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::LossProbe) == t0 + kTlpRtt + 2 * kTlpRtt + ms(8));
  feed(ep, t0 + kTlpRtt + ms(1), Seg{.ack = L + 2001});  // one segment left: + 200 ms
  CHECK(ep.deadline(TimerKind::LossProbe) == t0 + kTlpRtt + ms(1) + std::min(2 * ep.c.rtt().srtt() + ms(200), ep.c.rtt().rto()));
  feed(ep, t0 + kTlpRtt + ms(2), Seg{.ack = L + 3001});
  CHECK_FALSE(ep.armed(TimerKind::LossProbe));
  CHECK_FALSE(ep.armed(TimerKind::Rto));
}

TEST_CASE("TLP: one probe per tail: when it is lost too, the RTO takes over") {
  Ep ep = established_tlp();
  send(ep, 0, std::string(2000, 'o'));
  fire(ep, 2 * kTlpRtt + ms(8));
  CHECK(is_loss_probe(ep.out));
  // An ACK of the first segment (not up to the probe's SND.MAX): no second probe.
  feed(ep, ms(100), Seg{.ack = L + 1001});
  CHECK_FALSE(ep.armed(TimerKind::LossProbe));
  CHECK(ep.deadline(TimerKind::Rto) == ms(100) + ep.c.rtt().rto());
}

TEST_CASE("TLP: none without SACK, none in the rfc9293 profile, none in fast recovery") {
  SUBCASE("no SACK") {
    TcpConfig c = sack_cfg();
    c.sack = false;
    Ep ep = established_tlp(c);
    send(ep, ms(100), "abc");
    CHECK_FALSE(ep.armed(TimerKind::LossProbe));
    CHECK(ep.deadline(TimerKind::Rto) == ms(100) + kTlpRto);
  }
  SUBCASE("rfc9293: RFC 9293 does not require RFC 8985") {
    Ep ep = established_tlp(sack_cfg(Profile::Rfc9293));
    send(ep, ms(100), "abc");
    CHECK_FALSE(ep.armed(TimerKind::LossProbe));
    CHECK(ep.armed(TimerKind::Rto));
  }
  SUBCASE("fast recovery") {
    Ep ep = established_tlp();
    send(ep, ms(100), std::string(5000, 'f'));
    REQUIRE(ep.armed(TimerKind::LossProbe));
    for (int i = 0; i < 3; ++i) feed(ep, ms(140) + i, Seg{.ack = L + 1, .sack = {{L + 1001 + 1000 * i, L + 2001 + 1000 * i}}});
    REQUIRE(ep.c.congestion().in_recovery());
    CHECK_FALSE(ep.armed(TimerKind::LossProbe));
  }
}

TEST_CASE("User timeout: ETIMEDOUT and no RST once it has passed since the first RTO retransmission") {
  TcpConfig c = plain();
  c.user_timeout_ns = ms(500);
  Ep ep = established(c);
  send(ep, 0, "u");
  const Instant first = kLinuxRto;  // the first timeout retransmission: the user timeout starts
  fire(ep, first);
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 1, .retx = true}});
  CHECK(ep.deadline(TimerKind::Rto) == first + 2 * kLinuxRto);
  fire(ep, first + 2 * kLinuxRto);
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 1, .retx = true}});
  // The next RTO (4 * 200 ms) would pass the user timeout: the timer is clamped to it.
  CHECK(ep.deadline(TimerKind::Rto) == first + ms(500));
  fire(ep, first + ms(500));
  expect_silent(ep);  // Linux's tcp_write_err: no RST
  CHECK(transitions(ep) == path({"ESTABLISHED>CLOSED"}));
  CHECK(ep.c.error() == Errno::TimedOut);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("User timeout: an ACK of new data starts it over") {
  TcpConfig c = plain();
  c.user_timeout_ns = ms(500);
  Ep ep = established(c);
  send(ep, 0, "ab");
  fire(ep, kLinuxRto);  // retransmission: the user timeout runs from here
  feed(ep, ms(300), Seg{.ack = L + 3});
  send(ep, ms(300), "c");
  const Instant again = ms(300) + kLinuxRto;
  fire(ep, again);
  expect_sends(ep, {{.flags = kPsh | kAck, .seq = L + 3, .len = 1, .retx = true}});
  // Counted from this retransmission, not the one at 200 ms (which would clamp it to 700 ms).
  CHECK(ep.deadline(TimerKind::Rto) == again + 2 * kLinuxRto);
}


TEST_CASE("User timeout: SYN_SENT gives up that long after the first SYN, the SYN timer clamped to it") {
  TcpConfig c = plain();
  c.user_timeout_ns = ms(2500);
  Ep ep = syn_sent(c);
  for (Instant t : {sec(1), sec(2)}) {  // tcp_syn_linear_timeouts: the RTO stays 1 s
    CAPTURE(t);
    REQUIRE(ep.deadline(TimerKind::Rto) == t);
    fire(ep, t);
    expect_sends(ep, {{.flags = kSyn, .seq = L, .ack = 0, .wnd = 8192, .retx = true}});
  }
  CHECK(ep.deadline(TimerKind::Rto) == ms(2500));  // not 3 s
  fire(ep, ms(2500));
  expect_silent(ep);
  CHECK(ep.state() == State::Closed);
  CHECK(ep.c.error() == Errno::TimedOut);
}

}  // TEST_SUITE
