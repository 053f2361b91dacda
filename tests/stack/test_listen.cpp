// RFC 9293 3.10.7.2: LISTEN. RST ignored, ACK answered with <SEQ=SEG.ACK><CTL=RST>, SYN
// opens SYN-RECEIVED; 3.10.2 SEND with a foreign socket turns it active; CLOSE → CLOSED.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("LISTEN") {

TEST_CASE("LISTEN: SYN → SYN_RECEIVED and SYN,ACK <SEQ=ISS><ACK=SEG.SEQ+1>") {
  // A listener's child takes the SYN with the ISS the host chose (TcpHost does this).
  Ep ep{Connection(1, share(plain()), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    c.accept_syn(0, to_segment(peer_syn()), Seq32(L), o);
    return Errno::Ok;
  });
  CHECK(transitions(ep) == path({"LISTEN>SYN_RECEIVED"}));
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1}});
  CHECK(ep.tcb().irs.raw() == R);
  CHECK(ep.tcb().rcv_nxt.raw() == R + 1);
  CHECK(ep.tcb().snd_wnd == kPeerWnd);  // RFC 7323 2.2: a SYN's window is not scaled
  CHECK(ep.deadline(TimerKind::Rto) == sec(1));
  sanity(ep, syn_received());
}

TEST_CASE("LISTEN: SYN to the listening connection itself → SYN_RECEIVED") {
  Ep ep = listen();
  feed(ep, 0, peer_syn());
  CHECK(transitions(ep) == path({"LISTEN>SYN_RECEIVED"}));
  // The listener's TCB supplies the ISS (TcpHost gives each child its own, RFC 6528).
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = ep.tcb().iss.raw(), .ack = R + 1}});
}

TEST_CASE("LISTEN: RST is ignored") {
  Ep ep = listen();
  feed(ep, 0, Seg{.seq = R, .ack = 0, .flags = kRst});
  feed(ep, 0, Seg{.seq = R, .ack = 77, .flags = kRst | kAck});
  expect_silent(ep);
  CHECK(ep.state() == State::Listen);
}

TEST_CASE("LISTEN: ACK → RST <SEQ=SEG.ACK>") {
  Ep ep = listen();
  feed(ep, 0, Seg{.seq = R, .ack = 777});
  expect_sends(ep, {{.flags = kRst, .seq = 777, .ack = 0, .wnd = 0}});
  CHECK(ep.state() == State::Listen);
}

TEST_CASE("LISTEN: text without SYN or ACK is dropped") {
  Ep ep = listen();
  feed(ep, 0, Seg{.seq = R, .ack = 0, .flags = kPsh, .payload = "data"});
  feed(ep, 0, Seg{.seq = R, .ack = 0, .flags = kFin});
  expect_silent(ep);
  CHECK(ep.state() == State::Listen);
}

TEST_CASE("LISTEN: SEND with a foreign socket → SYN_SENT (passive becomes active)") {
  Ep ep = listen();
  const Errno e = call(ep, 0, [](Connection& c, Output& o) { return c.connect_from_listen(0, kRemote, Seq32(L), o); });
  CHECK(e == Errno::Ok);
  CHECK(transitions(ep) == path({"LISTEN>SYN_SENT"}));
  expect_sends(ep, {{.flags = kSyn, .seq = L, .ack = 0}});
  CHECK_FALSE(ep.c.passive());
  CHECK(ep.c.remote() == kRemote);
  CHECK(ep.deadline(TimerKind::Rto) == sec(1));
  // And the handshake completes from there.
  feed(ep, ms(5), Seg{.seq = R, .ack = L + 1, .flags = kSyn | kAck, .mss = kMss});
  CHECK(transitions(ep) == path({"SYN_SENT>ESTABLISHED"}));
  expect_sends(ep, {{}});
}

TEST_CASE("LISTEN: CLOSE → CLOSED") {
  Ep ep = listen();
  CHECK(close(ep, 0) == Errno::Ok);
  CHECK(transitions(ep) == path({"LISTEN>CLOSED"}));
  expect_silent(ep);
}

TEST_CASE("LISTEN: ABORT → CLOSED without a RST") {
  Ep ep = listen();
  CHECK(abort(ep, 0) == Errno::Ok);
  CHECK(transitions(ep) == path({"LISTEN>CLOSED"}));
  expect_silent(ep);
}

TEST_CASE("LISTEN: SEND, RECEIVE and SHUTDOWN → ENOTCONN") {
  Ep ep = listen();
  std::string data;
  CHECK(send(ep, 0, "x") == Errno::NotConn);
  CHECK(recv(ep, 0, &data) == Errno::NotConn);
  CHECK(shutdown(ep, 0) == Errno::NotConn);
  CHECK(ep.state() == State::Listen);
  expect_silent(ep);
}

}  // TEST_SUITE
