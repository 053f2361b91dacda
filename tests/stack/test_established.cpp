// RFC 9293 3.10.7.4 in ESTABLISHED: acceptability (first check), ACK processing (fifth),
// segment text (seventh), FIN (eighth); 3.10.4 CLOSE → FIN-WAIT-1; 3.10.5 ABORT.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("ESTABLISHED") {

TEST_CASE("ESTABLISHED: data in order → delivered and ACKed (Linux quick-ACK)") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.flags = kAck | kPsh, .payload = "abcdef"});
  expect_sends(ep, {{.ack = R + 7, .wnd = kWnd - 6}});
  CHECK(ep.state() == State::Established);
  CHECK(ep.c.readable_bytes() == 6);
  CHECK(recv_all(ep, ms(2)) == "abcdef");
  std::string more;
  CHECK(recv(ep, ms(2), &more) == Errno::Again);
}

TEST_CASE("ESTABLISHED: SEND → one data segment, RTO armed") {
  Ep ep = established();
  std::uint32_t taken = 0;
  CHECK(send(ep, ms(1), "hello", &taken) == Errno::Ok);
  CHECK(taken == 5);
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 5, .payload = "hello"}});
  // The handshake gave a sample (SRTT = 1 ns): Linux's RTO is SRTT + max(4*RTTVAR, 200 ms).
  CHECK(ep.c.rtt().rto() == kLinuxRto);
  CHECK(ep.deadline(TimerKind::Rto) == ms(1) + kLinuxRto);
  feed(ep, ms(11), Seg{.ack = L + 6});
  expect_silent(ep);
  CHECK(ep.tcb().snd_una.raw() == L + 6);
  CHECK_FALSE(ep.armed(TimerKind::Rto));  // RFC 6298 5.2: all data acknowledged
  CHECK(ep.c.bytes_acked_total() == 5);
}

TEST_CASE("ESTABLISHED: a large SEND is cut into MSS-sized segments and Nagle holds the tail") {
  Ep ep = established();
  const std::string data(2500, 'q');
  CHECK(send(ep, ms(1), data) == Errno::Ok);
  // RFC 9293 3.7.4 (Nagle): the small last piece waits while data is unacknowledged.
  expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = 1000}, {.flags = kAck, .seq = L + 1001, .len = 1000}});
  feed(ep, ms(11), Seg{.ack = L + 1001});
  expect_silent(ep);
  feed(ep, ms(12), Seg{.ack = L + 2001});
  expect_sends(ep, {{.flags = kPsh | kAck, .seq = L + 2001, .len = 500}});
}

TEST_CASE("ESTABLISHED: the peer's window limits what is sent (and no silly window)") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.wnd = 1500});
  CHECK(ep.tcb().snd_wnd == 1500);
  const std::string data(3000, 'w');
  send(ep, ms(2), data);
  // RFC 9293 3.8.6.2.1: the 500 bytes left in the window are not cut off as a small segment.
  expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = 1000}});
  // The ACK opens the window again: the rest follows.
  feed(ep, ms(12), Seg{.ack = L + 1001, .wnd = 20000});
  expect_sends(ep, {{.flags = kAck, .seq = L + 1001, .len = 1000}, {.flags = kPsh | kAck, .seq = L + 2001, .len = 1000}});
}

TEST_CASE("ESTABLISHED: FIN → CLOSE_WAIT and ACK of the FIN") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.flags = kFin | kAck});
  CHECK(transitions(ep) == path({"ESTABLISHED>CLOSE_WAIT"}));
  expect_sends(ep, {{.ack = R + 2}});
  sanity(ep, close_wait());
  const auto notes = notices_of(ep.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].what == Notice::Eof);
  std::string data;
  CHECK(recv(ep, ms(2), &data) == Errno::Ok);
  CHECK(data.empty());  // end of stream
}

TEST_CASE("ESTABLISHED: data with FIN → CLOSE_WAIT, data then end of stream") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.flags = kFin | kPsh | kAck, .payload = "bye"});
  CHECK(transitions(ep) == path({"ESTABLISHED>CLOSE_WAIT"}));
  expect_sends(ep, {{.ack = R + 5, .wnd = kWnd - 3}});
  CHECK(recv_all(ep, ms(2)) == "bye");
}

TEST_CASE("ESTABLISHED: CLOSE → FIN_WAIT_1 and FIN <SEQ=SND.NXT>") {
  Ep ep = established();
  CHECK(close(ep, ms(1)) == Errno::Ok);
  CHECK(transitions(ep) == path({"ESTABLISHED>FIN_WAIT_1"}));
  expect_sends(ep, {{.flags = kFin | kAck}});
  CHECK(ep.deadline(TimerKind::Rto) == ms(1) + kLinuxRto);
}

TEST_CASE("ESTABLISHED: CLOSE with data queued → the FIN rides on the last data segment") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.wnd = 0});  // hold the data back
  send(ep, ms(2), "tail");
  expect_silent(ep);
  close(ep, ms(3));
  CHECK(ep.state() == State::FinWait1);
  expect_silent(ep);
  feed(ep, ms(4), Seg{.wnd = 20000});
  expect_sends(ep, {{.flags = kFin | kPsh | kAck, .len = 4, .payload = "tail"}});
}

TEST_CASE("ESTABLISHED: SHUTDOWN → FIN_WAIT_1, receiving still works") {
  Ep ep = established();
  CHECK(shutdown(ep, ms(1)) == Errno::Ok);
  CHECK(transitions(ep) == path({"ESTABLISHED>FIN_WAIT_1"}));
  expect_sends(ep, {{.flags = kFin | kAck}});
  CHECK(send(ep, ms(2), "late") == Errno::Pipe);
  feed(ep, ms(3), Seg{.ack = L + 2, .payload = "more"});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 5, .wnd = kWnd - 4}});
  CHECK(recv_all(ep, ms(4)) == "more");
}

TEST_CASE("ESTABLISHED: CLOSE with unread data → RST,ACK (linux) or FIN (rfc9293)") {
  SUBCASE("linux: tcp_close sends RST,ACK (tcp_send_active_reset: ACK=RCV.NXT, window 0)") {
    Ep ep = established();
    feed(ep, ms(1), Seg{.payload = "unread"});
    close(ep, ms(2));
    expect_sends(ep, {{.flags = kRst | kAck, .seq = L + 1, .ack = R + 7, .wnd = 0}});
    CHECK(transitions(ep) == path({"ESTABLISHED>CLOSED"}));
  }
  SUBCASE("rfc9293: FIN") {
    Ep ep = established(rfc());
    feed(ep, ms(1), Seg{.payload = "unread"});
    close(ep, ms(2));
    expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 7, .wnd = kWnd - 6}});
    CHECK(transitions(ep) == path({"ESTABLISHED>FIN_WAIT_1"}));
  }
}

TEST_CASE("ESTABLISHED: segment beyond the window → ACK, data dropped") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.seq = R + 1 + kWnd, .payload = "x"});
  expect_sends(ep, {{}});
  CHECK(ep.c.readable_bytes() == 0);
}

TEST_CASE("ESTABLISHED: old duplicate → ACK, delivered once") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.payload = "abc"});
  expect_sends(ep, {{.ack = R + 4, .wnd = kWnd - 3}});
  feed(ep, ms(2), Seg{.payload = "abc"});
  expect_sends(ep, {{.ack = R + 4, .wnd = kWnd - 3}});
  CHECK(recv_all(ep, ms(3)) == "abc");
}

TEST_CASE("ESTABLISHED: ACK of unsent data → ACK, the segment is dropped") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.ack = L + 100, .payload = "zz"});
  expect_sends(ep, {{}});
  CHECK(ep.c.readable_bytes() == 0);
  CHECK(ep.tcb().snd_una.raw() == L + 1);
  CHECK(ep.state() == State::Established);
}

TEST_CASE("ESTABLISHED: an ACK older than SND.UNA - MAX.SND.WND → challenge ACK, segment dropped (RFC 5961 5.2)") {
  for (const TcpConfig& cfg : {plain(), rfc()}) {
    Ep ep = established(cfg);  // the peer's window: 1000 at most
    feed(ep, ms(1), Seg{.wnd = 1000});
    for (int i = 0; i < 2; ++i) {
      send(ep, ms(2), std::string(1000, 'a'));
      feed(ep, ms(3), Seg{.ack = L + 1 + 1000 * static_cast<std::uint32_t>(i + 1), .wnd = 1000});
    }
    REQUIRE(ep.tcb().snd_una.raw() == L + 2001);
    CHECK(ep.tcb().max_snd_wnd == kPeerWnd);  // the handshake's 20000 was the largest
    // Not too old yet: L+501 is within SND.UNA - 20000.
    feed(ep, ms(4), Seg{.ack = L + 501, .wnd = 1000});
    expect_silent(ep);
    // Older than SND.UNA - MAX.SND.WND: challenge ACK, and its data is not taken.
    feed(ep, ms(5), Seg{.ack = L + 2001 - kPeerWnd - 1, .wnd = 1000, .payload = "injected"});
    expect_sends(ep, {{.seq = L + 2001}});
    CHECK(ep.c.readable_bytes() == 0);
    CHECK(ep.tcb().rcv_nxt.raw() == R + 1);
  }
}

TEST_CASE("ESTABLISHED: challenge ACKs share one budget per invalid_ack_ratelimit (RFC 5961 7, Linux 500 ms)") {
  Ep ep = established();
  feed(ep, ms(10), Seg{.seq = R + 1001, .ack = 0, .flags = kRst});
  expect_sends(ep, {{}});
  feed(ep, ms(110), Seg{.seq = R + 2001, .ack = 0, .flags = kRst});  // 100 ms later: none
  expect_silent(ep);
  feed(ep, ms(200), Seg{.seq = R + 10, .ack = 0, .flags = kSyn});    // a SYN spends the same budget
  expect_silent(ep);
  feed(ep, ms(510), Seg{.seq = R + 3001, .ack = 0, .flags = kRst});  // 500 ms after the first
  expect_sends(ep, {{}});
  CHECK(ep.state() == State::Established);
}

TEST_CASE("ESTABLISHED: segment without ACK bit is dropped") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.flags = kPsh, .payload = "x"});
  expect_silent(ep);
  CHECK(ep.c.readable_bytes() == 0);
}

TEST_CASE("ESTABLISHED: SYN in the window → challenge ACK (RFC 5961 4.2)") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.seq = R + 10, .ack = 0, .flags = kSyn});
  expect_sends(ep, {{}});
  CHECK(ep.state() == State::Established);
  feed(ep, ms(1), Seg{.seq = R + 100000, .ack = 0, .flags = kSyn});  // and out of it
  expect_sends(ep, {{}});  // an unacceptable segment's ACK (a SYN is not throttled)
  CHECK(ep.state() == State::Established);
}

TEST_CASE("ESTABLISHED: window update: an older segment (SEG.SEQ < SND.WL1) does not change SND.WND") {
  Ep ep = established();
  // The peer sent "a" (window 3000) then "b" (window 100); they arrive swapped.
  feed(ep, ms(1), Seg{.seq = R + 2, .wnd = 100, .payload = "b"});
  CHECK(ep.tcb().snd_wnd == 100);
  feed(ep, ms(2), Seg{.seq = R + 1, .wnd = 3000, .payload = "a"});
  CHECK(ep.tcb().snd_wnd == 100);
  CHECK(recv_all(ep, ms(3)) == "ab");
}

TEST_CASE("ESTABLISHED: ABORT → RST,ACK (linux) or RST <SEQ=SND.NXT> (rfc9293) and CLOSED") {
  SUBCASE("linux: tcp_send_active_reset, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>") {
    Ep ep = established();
    CHECK(abort(ep, ms(1)) == Errno::Ok);
    expect_sends(ep, {{.flags = kRst | kAck, .seq = L + 1, .ack = R + 1, .wnd = 0}});
    CHECK(transitions(ep) == path({"ESTABLISHED>CLOSED"}));
    CHECK(ep.c.next_deadline() == kNever);
  }
  SUBCASE("rfc9293: 3.10.5 <SEQ=SND.NXT><CTL=RST>") {
    Ep ep = established(rfc());
    CHECK(abort(ep, ms(1)) == Errno::Ok);
    expect_sends(ep, {{.flags = kRst, .seq = L + 1, .ack = 0, .wnd = 0}});
    CHECK(transitions(ep) == path({"ESTABLISHED>CLOSED"}));
    CHECK(ep.c.next_deadline() == kNever);
  }
}

TEST_CASE("ESTABLISHED: reading a full buffer reopens the window with an update") {
  Ep ep = established();
  const std::string full(kWnd, 'f');
  for (std::uint32_t off = 0; off < kWnd; off += kMss) {
    feed(ep, ms(1), Seg{.seq = R + 1 + off, .payload = full.substr(off, kMss)});
  }
  expect_sends(ep, {{.ack = R + 1 + kWnd, .wnd = 0}});
  // Zero window: a new byte is not acceptable, an ACK says so.
  feed(ep, ms(2), Seg{.seq = R + 1 + kWnd, .payload = "x"});
  expect_sends(ep, {{.ack = R + 1 + kWnd, .wnd = 0}});
  CHECK(recv_all(ep, ms(3)) == full);
  expect_sends(ep, {{.ack = R + 1 + kWnd, .wnd = kWnd}});
}

}  // TEST_SUITE
