// RFC 9293 3.10.7.4 in LAST-ACK: the ACK of our FIN → CLOSED.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("LAST-ACK") {

TEST_CASE("LAST-ACK: the fixture sent FIN") {
  Ep ep = last_ack();
  expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 2}});
}

TEST_CASE("LAST-ACK: ACK of our FIN → CLOSED") {
  Ep ep = last_ack();
  feed(ep, ms(10), Seg{.seq = R + 2, .ack = L + 2});
  CHECK(transitions(ep) == path({"LAST_ACK>CLOSED"}));
  expect_silent(ep);
  CHECK(ep.c.next_deadline() == kNever);
  CHECK(ep.c.error() == Errno::Ok);
}

TEST_CASE("LAST-ACK: an ACK below our FIN changes nothing") {
  Ep ep = last_ack();
  feed(ep, ms(10), Seg{.seq = R + 2, .ack = L + 1});
  expect_silent(ep);
  CHECK(ep.state() == State::LastAck);
}

TEST_CASE("LAST-ACK: FIN retransmitted on RTO") {
  Ep ep = last_ack();
  CHECK(ep.deadline(TimerKind::Rto) == kLinuxRto);  // SRTT + 200 ms, armed by the FIN at t=0
  fire(ep, kLinuxRto - 1);
  expect_silent(ep);
  fire(ep, kLinuxRto);
  expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 2, .retx = true}});
}

TEST_CASE("LAST-ACK: a retransmitted FIN from the peer → ACK") {
  Ep ep = last_ack();
  feed(ep, ms(10), Seg{.flags = kFin | kAck});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.state() == State::LastAck);
}

}  // TEST_SUITE
