// RFC 9293 3.10.7.4 in FIN-WAIT-2: text is still received, the peer's FIN → TIME-WAIT.
// Linux frees an orphaned FIN_WAIT_2 after tcp_fin_timeout, silently (it lives on as a
// timewait socket that expires; the peer stays in CLOSE_WAIT; README profiles); the rfc9293
// profile has no such timer.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("FIN-WAIT-2") {

TEST_CASE("FIN-WAIT-2: FIN → TIME_WAIT and ACK of the FIN") {
  Ep ep = fin_wait_2();
  feed(ep, sec(1), Seg{.ack = L + 2, .flags = kFin | kAck});
  CHECK(transitions(ep) == path({"FIN_WAIT_2>TIME_WAIT"}));
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.deadline(TimerKind::TimeWait) == sec(1) + sec(60));
  CHECK_FALSE(ep.armed(TimerKind::FinWait2));
}

TEST_CASE("FIN-WAIT-2: after close(), new data gets RST <SEQ=SEG.ACK>, CLOSED; the FIN after it finds no TCB") {
  Ep ep = fin_wait_2();
  feed(ep, ms(1), Seg{.ack = L + 2, .payload = "xyz"});
  expect_sends(ep, {{.flags = kRst, .seq = L + 2, .ack = 0, .wnd = 0}});
  CHECK(transitions(ep) == path({"FIN_WAIT_2>CLOSED"}));
  CHECK(ep.c.error() == Errno::Ok);  // nobody to tell: the application closed
}

TEST_CASE("FIN-WAIT-2: after shutdown(), text from the peer is still delivered") {
  Ep ep = fin_wait_2_half_closed();
  feed(ep, ms(1), Seg{.ack = L + 2, .payload = "xyz"});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 4, .wnd = kWnd - 3}});
  CHECK(recv_all(ep, ms(2)) == "xyz");
  CHECK(ep.state() == State::FinWait2);
}

TEST_CASE("FIN-WAIT-2: out-of-order FIN is taken when the gap before it fills") {
  Ep ep = fin_wait_2_half_closed();
  feed(ep, ms(1), Seg{.seq = R + 4, .ack = L + 2, .flags = kFin | kAck});
  CHECK(ep.state() == State::FinWait2);
  expect_sends(ep, {{.seq = L + 2, .ack = R + 1}});  // duplicate ACK for the hole
  feed(ep, ms(2), Seg{.ack = L + 2, .payload = "abc"});
  CHECK(transitions(ep) == path({"FIN_WAIT_2>TIME_WAIT"}));
  expect_sends(ep, {{.seq = L + 2, .ack = R + 5, .wnd = kWnd - 3}});
  CHECK(recv_all(ep, ms(3)) == "abc");
}

TEST_CASE("FIN-WAIT-2: linux: an orphan is freed silently after tcp_fin_timeout") {
  Ep ep = fin_wait_2();
  CHECK(ep.deadline(TimerKind::FinWait2) == sec(60));
  fire(ep, sec(60) - 1);
  expect_silent(ep);
  CHECK(ep.state() == State::FinWait2);
  fire(ep, sec(60));
  expect_silent(ep);  // no RST: the peer is left in CLOSE_WAIT
  CHECK(transitions(ep) == path({"FIN_WAIT_2>CLOSED"}));
  CHECK(ep.c.error() == Errno::Ok);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("FIN-WAIT-2: rfc9293: no timeout, it waits for the FIN") {
  Ep ep = fin_wait_2(rfc());
  CHECK_FALSE(ep.armed(TimerKind::FinWait2));
  CHECK(ep.c.next_deadline() == kNever);
  fire(ep, sec(100000));
  expect_silent(ep);
  CHECK(ep.state() == State::FinWait2);
}

TEST_CASE("FIN-WAIT-2: linux: a half-closed socket (shutdown) has no timeout until close()") {
  Ep ep = established();
  shutdown(ep, 0);
  feed(ep, ms(10), Seg{.ack = L + 2});
  CHECK(ep.state() == State::FinWait2);
  CHECK_FALSE(ep.armed(TimerKind::FinWait2));
  CHECK(close(ep, sec(5)) == Errno::Ok);
  CHECK(ep.deadline(TimerKind::FinWait2) == sec(65));
}

TEST_CASE("FIN-WAIT-2: SEND → EPIPE") {
  Ep ep = fin_wait_2();
  CHECK(send(ep, ms(1), "x") == Errno::Pipe);
}

}  // TEST_SUITE
