// RFC 9293 3.10.7.4 in FIN-WAIT-1: the ACK of our FIN → FIN-WAIT-2; the peer's FIN →
// CLOSING, or TIME-WAIT when it also acknowledges our FIN; text is still received.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("FIN-WAIT-1") {

TEST_CASE("FIN-WAIT-1: the fixture sent FIN <SEQ=SND.NXT> and armed the RTO") {
  Ep ep = fin_wait_1();
  expect_sends(ep, {{.flags = kFin | kAck}});
  CHECK(ep.tcb().snd_nxt.raw() == L + 2);
  CHECK(ep.deadline(TimerKind::Rto) == kLinuxRto);  // SRTT + 200 ms
}

TEST_CASE("FIN-WAIT-1: ACK of our FIN → FIN_WAIT_2") {
  Ep ep = fin_wait_1();
  feed(ep, ms(10), Seg{.ack = L + 2});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>FIN_WAIT_2"}));
  expect_silent(ep);
  CHECK_FALSE(ep.armed(TimerKind::Rto));
  // Linux: an orphaned socket in FIN_WAIT_2 is freed after tcp_fin_timeout.
  CHECK(ep.deadline(TimerKind::FinWait2) == ms(10) + sec(60));
  sanity(ep, fin_wait_2());
}

TEST_CASE("FIN-WAIT-1: ACK below our FIN stays in FIN_WAIT_1") {
  Ep ep = fin_wait_1();
  feed(ep, ms(10), Seg{.ack = L + 1});
  expect_silent(ep);
  CHECK(ep.state() == State::FinWait1);
}

TEST_CASE("FIN-WAIT-1: FIN that does not ACK ours → CLOSING and ACK of the FIN") {
  Ep ep = fin_wait_1();
  feed(ep, ms(10), Seg{.flags = kFin | kAck});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>CLOSING"}));
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  sanity(ep, closing());
}

TEST_CASE("FIN-WAIT-1: FIN that also ACKs our FIN → TIME_WAIT") {
  Ep ep = fin_wait_1();
  feed(ep, ms(10), Seg{.ack = L + 2, .flags = kFin | kAck});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>TIME_WAIT"}));
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.deadline(TimerKind::TimeWait) == ms(10) + sec(60));
  CHECK_FALSE(ep.armed(TimerKind::Rto));
  CHECK_FALSE(ep.armed(TimerKind::FinWait2));
}

TEST_CASE("FIN-WAIT-1: data, FIN and the ACK of our FIN in one segment → TIME_WAIT") {
  Ep ep = fin_wait_1_half_closed();
  feed(ep, ms(10), Seg{.ack = L + 2, .flags = kFin | kPsh | kAck, .payload = "last"});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>TIME_WAIT"}));
  expect_sends(ep, {{.seq = L + 2, .ack = R + 6, .wnd = kWnd - 4}});
  CHECK(recv_all(ep, ms(11)) == "last");
}

TEST_CASE("FIN-WAIT-1: after shutdown(), text from the peer is still delivered") {
  Ep ep = fin_wait_1_half_closed();
  feed(ep, ms(10), Seg{.payload = "abc"});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 4, .wnd = kWnd - 3}});
  CHECK(ep.state() == State::FinWait1);
  CHECK(recv_all(ep, ms(11)) == "abc");
}

TEST_CASE("FIN-WAIT-1: after close(), new data gets RST <SEQ=SEG.ACK> and the connection is dropped (3.6.1)") {
  for (const TcpConfig& cfg : {plain(), rfc()}) {
    Ep ep = fin_wait_1(cfg);
    feed(ep, ms(10), Seg{.ack = L + 1, .payload = "abc"});
    expect_sends(ep, {{.flags = kRst, .seq = L + 1, .ack = 0, .wnd = 0}});
    CHECK(transitions(ep) == path({"FIN_WAIT_1>CLOSED"}));
    CHECK(ep.edges.back().rule->on == TcpEvent::RcvDataAfterClose);
    CHECK(ep.c.next_deadline() == kNever);
  }
}

TEST_CASE("FIN-WAIT-1: after close(), an old duplicate of delivered data is only re-ACKed") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.payload = "abc"});
  CHECK(recv_all(ep, ms(2)) == "abc");
  close(ep, ms(3));
  feed(ep, ms(10), Seg{.payload = "abc"});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 4}});
  CHECK(ep.state() == State::FinWait1);
}

TEST_CASE("FIN-WAIT-1: FIN retransmitted on RTO with back-off") {
  Ep ep = fin_wait_1();
  fire(ep, kLinuxRto - 1);
  expect_silent(ep);
  fire(ep, kLinuxRto);
  expect_sends(ep, {{.flags = kFin | kAck, .retx = true}});
  // RFC 6298 5.5: the back-off doubles the whole RTO (SRTT included): 2*RTO, then 4*RTO.
  CHECK(ep.deadline(TimerKind::Rto) == kLinuxRto + 2 * kLinuxRto);  // 600 ms + 3 ns
  fire(ep, 3 * kLinuxRto - 1);
  expect_silent(ep);
  fire(ep, 3 * kLinuxRto);
  expect_sends(ep, {{.flags = kFin | kAck, .retx = true}});
  CHECK(ep.deadline(TimerKind::Rto) == 3 * kLinuxRto + 4 * kLinuxRto);  // 1400 ms + 7 ns
}

TEST_CASE("FIN-WAIT-1: an orphan gives up after orphan_retries with ETIMEDOUT") {
  Ep ep = fin_wait_1();
  int sent = 0;
  for (int i = 0; i < 40 && ep.state() == State::FinWait1; ++i) {
    fire(ep, ep.deadline(TimerKind::Rto));
    sent += static_cast<int>(sends_of(ep.out).size());
  }
  CHECK(sent == plain().orphan_retries);
  CHECK(ep.state() == State::Closed);
  CHECK(ep.c.error() == Errno::TimedOut);
}

TEST_CASE("FIN-WAIT-1: SEND → EPIPE") {
  Ep ep = fin_wait_1();
  CHECK(send(ep, ms(1), "x") == Errno::Pipe);
  expect_silent(ep);
}

TEST_CASE("FIN-WAIT-1: zero window with data and FIN queued → persist probes keep going") {
  // The app wrote and closed at once while the peer's window was zero: the data and the
  // FIN wait for the window, and the persist timer must keep probing (RFC 9293 3.8.6.1,
  // RFC 1122 4.2.2.17) in FIN-WAIT-1 as in ESTABLISHED, or a lost window update hangs it.
  Ep ep = established();
  feed(ep, ms(1), Seg{.wnd = 0});
  send(ep, ms(2), "tail");
  close(ep, ms(3));
  CHECK(ep.state() == State::FinWait1);
  expect_silent(ep);
  REQUIRE(ep.armed(TimerKind::Persist));
  const Instant first = ep.deadline(TimerKind::Persist);
  CHECK(first == ms(2) + kLinuxRto);  // armed by the SEND, one RTO (SRTT + 200 ms)
  fire(ep, first);
  expect_sends(ep, {{.seq = L}});  // Linux: SEQ=SND.UNA-1, no data
  REQUIRE(ep.armed(TimerKind::Persist));
  CHECK(ep.deadline(TimerKind::Persist) == first + 2 * kLinuxRto);
  // The window opens: data and FIN go together.
  feed(ep, first + ms(10), Seg{.wnd = 20000});
  expect_sends(ep, {{.flags = kFin | kPsh | kAck, .len = 4, .payload = "tail"}});
  CHECK_FALSE(ep.armed(TimerKind::Persist));
}

}  // TEST_SUITE
