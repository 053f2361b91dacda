// RFC 9293 3.10.7.4 in SYN-RECEIVED: an acceptable ACK → ESTABLISHED, an unacceptable one →
// <SEQ=SEG.ACK><CTL=RST>; RST → LISTEN (passive) or CLOSED (active); SYN → LISTEN (passive);
// CLOSE → FIN-WAIT-1 (3.10.4). The SYN,ACK is retransmitted tcp_synack_retries times.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
// SYN-RECEIVED reached by an active open (simultaneous open).
Ep syn_received_active() {
  Ep ep = syn_sent();
  feed(ep, 0, Seg{.seq = R, .ack = 0, .flags = kSyn, .mss = kMss});
  REQUIRE(ep.state() == State::SynReceived);
  return ep;
}
}  // namespace

TEST_SUITE("SYN-RECEIVED") {

TEST_CASE("SYN-RECEIVED: the fixture sent SYN,ACK <SEQ=ISS><ACK=RCV.NXT>") {
  Ep ep = syn_received();
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1}});
  CHECK(ep.tcb().rcv_wnd == kWnd);
}

TEST_CASE("SYN-RECEIVED: ACK → ESTABLISHED") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>ESTABLISHED"}));
  expect_silent(ep);
  sanity(ep, established());
  const auto notes = notices_of(ep.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].what == Notice::Acceptable);
  CHECK_FALSE(ep.armed(TimerKind::Rto));
  CHECK(ep.c.rtt().srtt() == ms(10));
}

TEST_CASE("SYN-RECEIVED: ACK carrying data → ESTABLISHED and the data is ACKed") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.flags = kAck | kPsh, .payload = "hello"});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>ESTABLISHED"}));
  expect_sends(ep, {{.ack = R + 6, .wnd = kWnd - 5}});  // Linux quick-ACK
  CHECK(recv_all(ep, ms(11)) == "hello");
}

TEST_CASE("SYN-RECEIVED: unacceptable ACK → RST <SEQ=SEG.ACK>, state unchanged") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.ack = L + 7});
  expect_sends(ep, {{.flags = kRst, .seq = L + 7, .ack = 0, .wnd = 0}});
  feed(ep, ms(10), Seg{.ack = L});  // does not acknowledge our SYN
  expect_sends(ep, {{.flags = kRst, .seq = L, .ack = 0, .wnd = 0}});
  CHECK(ep.state() == State::SynReceived);
}

TEST_CASE("SYN-RECEIVED: segment without ACK is dropped") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.flags = kPsh, .payload = "x"});
  expect_silent(ep);
  CHECK(ep.state() == State::SynReceived);
  CHECK(ep.c.readable_bytes() == 0);
}

TEST_CASE("SYN-RECEIVED: RST with SEG.SEQ=RCV.NXT on a passive open → LISTEN") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.ack = 0, .flags = kRst});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>LISTEN"}));
  expect_silent(ep);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("SYN-RECEIVED: RST on an active open → CLOSED with ECONNREFUSED") {
  Ep ep = syn_received_active();
  feed(ep, ms(10), Seg{.ack = 0, .flags = kRst});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>CLOSED"}));
  expect_silent(ep);
  CHECK(ep.c.error() == Errno::ConnRefused);
}

TEST_CASE("SYN-RECEIVED: retransmitted SYN → the SYN,ACK again and the RTO restarts") {
  Ep ep = syn_received();
  CHECK(ep.deadline(TimerKind::Rto) == sec(1));
  feed(ep, sec(1) - 1, peer_syn());
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .retx = true}});
  CHECK(ep.state() == State::SynReceived);
  // Linux tcp_check_req: the SYN,ACK timer restarts from this resend (no back-off).
  CHECK(ep.deadline(TimerKind::Rto) == sec(1) - 1 + sec(1));
  fire(ep, sec(1));
  expect_silent(ep);
  fire(ep, sec(2) - 1);
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .retx = true}});
}

TEST_CASE("SYN-RECEIVED: a different SYN in the window on a passive open → LISTEN") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.seq = R + 10, .ack = 0, .flags = kSyn});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>LISTEN"}));
  expect_silent(ep);
}

TEST_CASE("SYN-RECEIVED: FIN with the ACK → ESTABLISHED → CLOSE_WAIT") {
  // Figure 5's SYN-RECEIVED → CLOSE-WAIT does not happen in one step: a FIN must carry an
  // ACK (fifth check), and the ACK moves the connection to ESTABLISHED first.
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.flags = kFin | kAck});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT"}));
  // Linux ACKs the FIN with its delayed-ACK timer, due at once before any data came.
  expect_silent(ep);
  fire(ep, ms(10));
  expect_sends(ep, {{.ack = R + 2}});
  CHECK(ep.c.eof_received());
}

TEST_CASE("SYN-RECEIVED: FIN without ACK is dropped") {
  Ep ep = syn_received();
  feed(ep, ms(10), Seg{.flags = kFin});
  expect_silent(ep);
  CHECK(ep.state() == State::SynReceived);
}

TEST_CASE("SYN-RECEIVED: CLOSE → FIN_WAIT_1 and the FIN <SEQ=ISS+1> goes out") {
  Ep ep = syn_received();
  CHECK(close(ep, ms(1)) == Errno::Ok);
  CHECK(transitions(ep) == path({"SYN_RECEIVED>FIN_WAIT_1"}));
  expect_sends(ep, {{.flags = kFin | kAck, .seq = L + 1, .ack = R + 1}});
  // The peer's ACK covers our SYN and FIN at once.
  feed(ep, ms(10), Seg{.ack = L + 2});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>FIN_WAIT_2"}));
  expect_silent(ep);
  // And its FIN finishes the close.
  feed(ep, ms(20), Seg{.ack = L + 2, .flags = kFin | kAck});
  CHECK(transitions(ep) == path({"FIN_WAIT_2>TIME_WAIT"}));
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
}

TEST_CASE("SYN-RECEIVED: CLOSE then RTO → the SYN,ACK goes again, then the FIN") {
  // Our SYN is still unacknowledged in FIN-WAIT-1: the earliest unacknowledged segment
  // is the SYN (RFC 6298 5.4), and the FIN keeps its sequence number ISS+1.
  Ep ep = syn_received();
  close(ep, ms(1));
  CHECK(ep.deadline(TimerKind::Rto) == ms(1) + sec(1));
  fire(ep, ms(1) + sec(1));
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .retx = true}});
  CHECK(ep.deadline(TimerKind::Rto) == ms(1) + sec(3));
  feed(ep, sec(2), Seg{.ack = L + 1});  // the SYN is acknowledged, the FIN not yet
  CHECK(ep.state() == State::FinWait1);
  fire(ep, ep.deadline(TimerKind::Rto));
  expect_sends(ep, {{.flags = kFin | kAck, .seq = L + 1, .retx = true}});
  feed(ep, sec(5), Seg{.ack = L + 2});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>FIN_WAIT_2"}));
}

TEST_CASE("SYN-RECEIVED: SEND then CLOSE → the FIN waits behind the data until ESTABLISHED") {
  // 3.10.4 CLOSE in SYN-RECEIVED: "If no SENDs have been issued and there is no pending data
  // to send, then form a FIN segment ...; otherwise, queue for processing after entering
  // ESTABLISHED state." The FIN must not take the sequence number of the queued data.
  Ep ep = syn_received();
  CHECK(send(ep, ms(1), "abc") == Errno::Ok);
  CHECK(close(ep, ms(2)) == Errno::Ok);
  expect_silent(ep);
  CHECK(send(ep, ms(3), "more") == Errno::Pipe);
  feed(ep, ms(10), Seg{});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>ESTABLISHED", "ESTABLISHED>FIN_WAIT_1"}));
  expect_sends(ep, {{.flags = kFin | kPsh | kAck, .len = 3, .payload = "abc"}});
  feed(ep, ms(20), Seg{.ack = L + 5});
  CHECK(transitions(ep) == path({"FIN_WAIT_1>FIN_WAIT_2"}));
  CHECK(ep.c.bytes_acked_total() == 3);
}

TEST_CASE("SYN-RECEIVED: SEND then SHUTDOWN → the FIN waits behind the data until ESTABLISHED") {
  Ep ep = syn_received();
  send(ep, ms(1), std::string(2500, 'b'));
  CHECK(shutdown(ep, ms(2)) == Errno::Ok);
  expect_silent(ep);
  feed(ep, ms(10), Seg{});
  CHECK(transitions(ep) == path({"SYN_RECEIVED>ESTABLISHED", "ESTABLISHED>FIN_WAIT_1"}));
  // The full initial window, not a byte at a time; the FIN rides on the last piece.
  expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = 1000},
                    {.flags = kAck, .seq = L + 1001, .len = 1000},
                    {.flags = kFin | kPsh | kAck, .seq = L + 2001, .len = 500}});
}

TEST_CASE("SYN-RECEIVED: SYN,ACK retransmitted after 1, 2, 4, 8, 16 s, then the child is dropped") {
  Ep ep = syn_received();
  Instant deadline = sec(1);
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(ep.deadline(TimerKind::Rto) == deadline);
    fire(ep, deadline - 1);
    expect_silent(ep);
    fire(ep, deadline);
    expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .retx = true}});
    deadline += sec(2) << i;
  }
  CHECK(ep.deadline(TimerKind::Rto) == sec(63));
  fire(ep, sec(63));
  CHECK(transitions(ep) == path({"SYN_RECEIVED>CLOSED"}));
  expect_silent(ep);
}

TEST_CASE("SYN-RECEIVED: ABORT → RST,ACK (linux) or RST <SEQ=SND.NXT> (rfc9293) and CLOSED") {
  SUBCASE("linux: tcp_send_active_reset, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>") {
    Ep ep = syn_received();
    CHECK(abort(ep, ms(1)) == Errno::Ok);
    expect_sends(ep, {{.flags = kRst | kAck, .seq = L + 1, .ack = R + 1, .wnd = 0}});
    CHECK(transitions(ep) == path({"SYN_RECEIVED>CLOSED"}));
  }
  SUBCASE("rfc9293: 3.10.5 <SEQ=SND.NXT><CTL=RST>") {
    Ep ep = syn_received(rfc());
    CHECK(abort(ep, ms(1)) == Errno::Ok);
    expect_sends(ep, {{.flags = kRst, .seq = L + 1, .ack = 0, .wnd = 0}});
    CHECK(transitions(ep) == path({"SYN_RECEIVED>CLOSED"}));
  }
}

TEST_CASE("SYN-RECEIVED: SEND queues until ESTABLISHED") {
  Ep ep = syn_received();
  CHECK(send(ep, ms(1), "abc") == Errno::Ok);
  expect_silent(ep);
  feed(ep, ms(10), Seg{});
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 3, .payload = "abc"}});
}

}  // TEST_SUITE
