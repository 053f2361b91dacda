// RFC 9293 3.10.7.4 in CLOSING (FINs crossed): the ACK of our FIN → TIME-WAIT.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("CLOSING") {

TEST_CASE("CLOSING: the fixture ACKed the peer's FIN") {
  Ep ep = closing();
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
}

TEST_CASE("CLOSING: ACK of our FIN → TIME_WAIT") {
  Ep ep = closing();
  feed(ep, ms(10), Seg{.seq = R + 2, .ack = L + 2});
  CHECK(transitions(ep) == path({"CLOSING>TIME_WAIT"}));
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::TimeWait) == ms(10) + sec(60));
  CHECK_FALSE(ep.armed(TimerKind::Rto));
}

TEST_CASE("CLOSING: an ACK below our FIN changes nothing") {
  Ep ep = closing();
  feed(ep, ms(10), Seg{.seq = R + 2, .ack = L + 1});
  expect_silent(ep);
  CHECK(ep.state() == State::Closing);
}

TEST_CASE("CLOSING: our FIN is retransmitted on RTO") {
  Ep ep = closing();
  CHECK(ep.deadline(TimerKind::Rto) == kLinuxRto);  // SRTT + 200 ms, armed by the FIN at t=0
  fire(ep, kLinuxRto - 1);
  expect_silent(ep);
  fire(ep, kLinuxRto);
  expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 2, .retx = true}});
  CHECK(ep.state() == State::Closing);
}

TEST_CASE("CLOSING: SEND → EPIPE") {
  Ep ep = closing();
  CHECK(send(ep, ms(1), "x") == Errno::Pipe);
  expect_silent(ep);
  CHECK(ep.state() == State::Closing);
}

}  // TEST_SUITE
