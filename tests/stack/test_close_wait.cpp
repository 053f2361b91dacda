// RFC 9293 3.10.7.4 in CLOSE-WAIT: the peer has closed; we may still send; CLOSE → LAST-ACK.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("CLOSE-WAIT") {

TEST_CASE("CLOSE-WAIT: the fixture ACKed the FIN") {
  Ep ep = close_wait();
  expect_sends(ep, {{.ack = R + 2}});
  CHECK(ep.c.eof_received());
}

TEST_CASE("CLOSE-WAIT: CLOSE → LAST_ACK and FIN") {
  Ep ep = close_wait();
  CHECK(close(ep, ms(1)) == Errno::Ok);
  CHECK(transitions(ep) == path({"CLOSE_WAIT>LAST_ACK"}));
  expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 2}});
  sanity(ep, last_ack());
}

TEST_CASE("CLOSE-WAIT: SHUTDOWN → LAST_ACK as well") {
  Ep ep = close_wait();
  CHECK(shutdown(ep, ms(1)) == Errno::Ok);
  CHECK(transitions(ep) == path({"CLOSE_WAIT>LAST_ACK"}));
  expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 2}});
}

TEST_CASE("CLOSE-WAIT: SEND still works and the data is acknowledged") {
  Ep ep = close_wait();
  CHECK(send(ep, ms(1), "reply") == Errno::Ok);
  expect_sends(ep, {{.flags = kPsh | kAck, .ack = R + 2, .len = 5}});
  feed(ep, ms(10), Seg{.seq = R + 2, .ack = L + 6});
  expect_silent(ep);
  CHECK(ep.tcb().snd_una.raw() == L + 6);
}

TEST_CASE("CLOSE-WAIT: a retransmitted FIN → ACK") {
  Ep ep = close_wait();
  feed(ep, ms(100), Seg{.flags = kFin | kAck});
  expect_sends(ep, {{.ack = R + 2}});
  CHECK(ep.state() == State::CloseWait);
}

TEST_CASE("CLOSE-WAIT: text after the FIN is ignored") {
  Ep ep = close_wait();
  feed(ep, ms(1), Seg{.seq = R + 2, .payload = "after"});
  CHECK(ep.c.readable_bytes() == 0);
  CHECK(ep.state() == State::CloseWait);
  std::string data;
  CHECK(recv(ep, ms(2), &data) == Errno::Ok);
  CHECK(data.empty());
}

}  // TEST_SUITE
