// Retransmission: the RFC 6298 timer (5.4-5.6: retransmit the earliest segment, back off,
// restart; the limit → ETIMEDOUT, RFC 9293 3.8.3 R2) and RFC 5681 3.2 fast retransmit.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("Retransmission") {

TEST_CASE("RTO: rfc9293: deadlines 1, 2, 4, 8 ... s capped at 120 s, ETIMEDOUT after data_retries") {
  Ep ep = established(rfc());
  send(ep, 0, "x");
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 1, .payload = "x"}});
  const TcpConfig cfg = rfc();
  Instant deadline = 0;
  Duration rto = sec(1);
  for (int i = 0; i < cfg.data_retries; ++i) {
    CAPTURE(i);
    deadline += rto;
    REQUIRE(ep.deadline(TimerKind::Rto) == deadline);
    fire(ep, deadline - 1);
    expect_silent(ep);
    fire(ep, deadline);
    expect_sends(ep, {{.flags = kPsh | kAck, .len = 1, .retx = true}});
    rto = std::min(2 * rto, cfg.rto_max_ns);  // RFC 6298 5.5, and 2.5's maximum
  }
  // 1+2+4+8+16+32+64 s, then 120 s eight more times.
  CHECK(deadline == sec(127) + 8 * sec(120));
  CHECK(ep.deadline(TimerKind::Rto) == deadline + sec(120));
  fire(ep, deadline + sec(120));
  expect_silent(ep);
  CHECK(transitions(ep) == path({"ESTABLISHED>CLOSED"}));
  CHECK(ep.c.error() == Errno::TimedOut);
  const auto notes = notices_of(ep.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].err == Errno::TimedOut);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("RTO: linux: SRTT + 200 ms, then doubled: 2x, 4x, 8x") {
  Ep ep = established();
  // Linux: RTO = SRTT + max(4*RTTVAR, rto_min), not clamped to exactly 200 ms.
  CHECK(ep.c.rtt().srtt() == 1);
  CHECK(ep.c.rtt().rttvar() == 0);
  CHECK(ep.c.rtt().rto() == kLinuxRto);
  send(ep, 0, "abc");
  Instant deadline = 0;
  for (Duration rto : {kLinuxRto, 2 * kLinuxRto, 4 * kLinuxRto, 8 * kLinuxRto}) {
    CAPTURE(rto);
    deadline += rto;
    CHECK(ep.deadline(TimerKind::Rto) == deadline);
    fire(ep, deadline - 1);
    expect_silent(ep);
    fire(ep, deadline);
    expect_sends(ep, {{.flags = kPsh | kAck, .len = 3, .retx = true}});
  }
}

TEST_CASE("RTO: after a timeout the window collapses to one segment (RFC 5681 3.1)") {
  // ssthresh = max(FlightSize/2, 2*SMSS) in the RFC; Linux's reno halves cwnd instead
  // (tcp_reno_ssthresh), the same 5000 here only because cwnd (10 segments) = 2 x flight.
  for (const bool linux : {false, true}) {
    CAPTURE(linux);
    TcpConfig cfg = linux ? plain() : rfc();
    cfg.cc = CcKind::NewReno;
    Ep ep = established(cfg);
    send(ep, 0, std::string(5000, 'r'));
    CHECK(sends_of(ep.out).size() == 5);
    const Instant rto = ep.deadline(TimerKind::Rto);
    fire(ep, rto);
    expect_sends(ep, {{.flags = kAck, .len = 1000, .retx = true}});  // one segment only
    CHECK(ep.c.congestion().cwnd() == kMss);
    CHECK(ep.c.congestion().ssthresh() == (linux ? 5000 : 2500));
    // The ACK of it lets two go (slow start), from where SND.NXT was rewound.
    feed(ep, rto + ms(10), Seg{.ack = L + 1001});
    expect_sends(ep, {{.flags = kAck, .seq = L + 1001, .len = 1000, .retx = true},
                      {.flags = kAck, .seq = L + 2001, .len = 1000, .retx = true}});
  }
}

TEST_CASE("RTO: only the unacknowledged part is resent") {
  Ep ep = established();
  send(ep, 0, std::string(3000, 'p'));
  feed(ep, ms(10), Seg{.ack = L + 1001});
  // RFC 6298 5.3: the ACK of new data restarts the timer.
  CHECK(ep.deadline(TimerKind::Rto) == ms(10) + ep.c.rtt().rto());
  fire(ep, ep.deadline(TimerKind::Rto));
  expect_sends(ep, {{.flags = kAck, .seq = L + 1001, .len = 1000, .retx = true}});
}

TEST_CASE("Fast retransmit: the third duplicate ACK resends SND.UNA (RFC 5681 3.2)") {
  for (const bool linux : {false, true}) {
    CAPTURE(linux);
    TcpConfig cfg = linux ? plain() : rfc();
    cfg.cc = CcKind::NewReno;
    Ep ep = established(cfg);
    send(ep, 0, std::string(5000, 'f'));
    CHECK(sends_of(ep.out).size() == 5);
    feed(ep, ms(10), Seg{.ack = L + 1});
    expect_silent(ep);  // limited transmit has no new data to send
    feed(ep, ms(11), Seg{.ack = L + 1});
    expect_silent(ep);
    CHECK(ep.c.congestion().dupacks() == 2);
    feed(ep, ms(12), Seg{.ack = L + 1});
    expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = 1000, .retx = true}});
    CHECK(ep.c.congestion().in_recovery());
    // RFC: max(FlightSize/2, 2 SMSS) = 2500; Linux reno: cwnd/2 = 5000.
    const std::uint32_t ssthresh = linux ? 5000 : 2500;
    CHECK(ep.c.congestion().ssthresh() == ssthresh);
    CHECK(ep.c.congestion().cwnd() == ssthresh + 3 * kMss);  // NewReno: ssthresh + 3*SMSS
    // The full ACK ends recovery with cwnd = min(ssthresh, FlightSize + SMSS) (RFC 6582 3.2
    // step 3); Linux sets cwnd = ssthresh (tcp_end_cwnd_reduction), and does not grow it on
    // that ACK: 5000 bytes never filled the 10-segment window (not cwnd-limited).
    feed(ep, ms(20), Seg{.ack = L + 5001});
    CHECK_FALSE(ep.c.congestion().in_recovery());
    CHECK(ep.c.congestion().cwnd() == (linux ? 5000U : 2000U));  // RFC: min(2500, 0 + 1000 + 1000)
    CHECK_FALSE(ep.armed(TimerKind::Rto));
  }
}

TEST_CASE("Fast retransmit: an ACK that changes the window or carries data is not a duplicate") {
  Ep ep = established();
  send(ep, 0, std::string(5000, 'f'));
  feed(ep, ms(10), Seg{.ack = L + 1});
  feed(ep, ms(11), Seg{.ack = L + 1, .wnd = 19000});  // window update
  feed(ep, ms(12), Seg{.ack = L + 1, .payload = "d"});  // data
  CHECK(ep.c.congestion().dupacks() == 1);
  CHECK_FALSE(ep.c.congestion().in_recovery());
}

TEST_CASE("Fast retransmit: ACKs of a zero window are not duplicates (no retransmission into it)") {
  // rfc9293 probes with one octet of data: the receiver's answers repeat SND.UNA with a zero
  // window. Counting them as duplicate ACKs would fast-retransmit into the closed window.
  Ep ep = established(rfc());
  feed(ep, ms(1), Seg{.wnd = 0});
  send(ep, ms(2), "hello");
  fire(ep, ep.deadline(TimerKind::Persist));
  expect_sends(ep, {{.flags = kAck, .len = 1, .payload = "h"}});
  for (int i = 0; i < 5; ++i) {
    feed(ep, sec(2) + ms(i), Seg{.wnd = 0});
    expect_silent(ep);
  }
  CHECK(ep.c.congestion().dupacks() == 0);
  CHECK_FALSE(ep.c.congestion().in_recovery());
}

TEST_CASE("Fast retransmit: NewReno partial ACK resends the next hole at once") {
  Ep ep = established();
  send(ep, 0, std::string(5000, 'n'));
  for (int i = 0; i < 3; ++i) feed(ep, ms(10 + i), Seg{.ack = L + 1});
  REQUIRE(ep.c.congestion().in_recovery());
  // The retransmission is ACKed but 2001.. was lost too: partial ACK (RFC 6582 3.2 step 5).
  feed(ep, ms(30), Seg{.ack = L + 2001});
  const auto sent = sends_of(ep.out);
  REQUIRE_FALSE(sent.empty());
  CHECK(sent[0].seg.seq.raw() == L + 2001);
  CHECK(sent[0].retx);
  CHECK(ep.c.congestion().in_recovery());
}

}  // TEST_SUITE

TEST_CASE("Fast recovery without SACK: a partial ACK deflates the window; PRR (SACK only) does not blow it up") {
  // linux profile (prr on) without SACK: NewReno recovery (RFC 6582). A PRR step there once
  // divided by a RecoverFS never set and sent a storm (torture --world seeds 50034853, 50080965).
  TcpConfig cfg = plain();
  cfg.cc = CcKind::NewReno;
  Ep ep = established(cfg);
  send(ep, 0, std::string(5000, 'p'));
  for (int i = 0; i < 3; ++i) feed(ep, ms(10 + i), Seg{.ack = L + 1});
  REQUIRE(ep.c.congestion().in_recovery());
  (void)sends_of(ep.out);
  feed(ep, ms(20), Seg{.ack = L + 2001});  // partial: below recover (L + 5001)
  CHECK(ep.c.congestion().in_recovery());
  CHECK(ep.c.congestion().cwnd() <= 5000 + 3 * kMss);  // RFC 6582 3.2 step 5: deflated, not grown
  CHECK(sends_of(ep.out).size() <= 2);
}
