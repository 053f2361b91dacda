// The other timers: keepalive (RFC 9293 3.8.4, Linux's probe SEQ=SND.UNA-1), persist
// (3.8.6.1: zero-window probes; linux SEQ=SND.UNA-1, rfc9293 one octet), delayed ACK
// (3.8.6.3 / RFC 5681 4.2: within the delay, and for every second full-sized segment).
// Virtual time moves explicitly, to `deadline - 1` and `deadline` (STYLE 7).
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
TcpConfig with_keepalive() {
  TcpConfig c = plain();
  c.keepalive = true;
  return c;
}
}  // namespace

TEST_SUITE("Timers") {

TEST_CASE("Keepalive: probes every 75 s after 2 h idle, then RST,ACK and ETIMEDOUT") {
  Ep ep = established(with_keepalive());
  Instant deadline = sec(7200);
  CHECK(ep.deadline(TimerKind::Keepalive) == deadline);
  for (int i = 0; i < 9; ++i) {
    CAPTURE(i);
    fire(ep, deadline - 1);
    expect_silent(ep);
    fire(ep, deadline);
    expect_sends(ep, {{.seq = L}});  // <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data
    deadline += sec(75);
    CHECK(ep.deadline(TimerKind::Keepalive) == deadline);
  }
  CHECK(deadline == sec(7200 + 9 * 75));
  fire(ep, deadline);
  // Linux's tcp_send_active_reset: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, window 0.
  expect_sends(ep, {{.flags = kRst | kAck, .seq = L + 1, .ack = R + 1, .wnd = 0}});
  CHECK(transitions(ep) == path({"ESTABLISHED>CLOSED"}));
  CHECK(ep.c.error() == Errno::TimedOut);
}

TEST_CASE("Keepalive: an answered probe puts the connection back to sleep for 2 h") {
  Ep ep = established(with_keepalive());
  fire(ep, sec(7200));
  expect_sends(ep, {{.seq = L}});
  feed(ep, sec(7200) + ms(10), Seg{});  // the peer's ACK
  expect_silent(ep);
  fire(ep, sec(7275));
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::Keepalive) == sec(7200) + ms(10) + sec(7200));
  CHECK(ep.state() == State::Established);
}

TEST_CASE("Keepalive: traffic postpones the first probe") {
  Ep ep = established(with_keepalive());
  feed(ep, sec(100), Seg{.payload = "hi"});
  fire(ep, sec(7200));
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::Keepalive) == sec(7300));
}

TEST_CASE("Keepalive: off by default (SO_KEEPALIVE)") {
  Ep ep = established();
  CHECK_FALSE(ep.armed(TimerKind::Keepalive));
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("Persist: linux: zero window → probes with SEQ=SND.UNA-1 at RTO, doubling from each answer, until the window opens") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.wnd = 0});
  CHECK(ep.tcb().snd_wnd == 0);
  send(ep, sec(1), "hello");
  expect_silent(ep);
  Instant deadline = sec(1) + kLinuxRto;  // the RTO: SRTT + 200 ms
  Duration interval = kLinuxRto;
  for (int i = 0; i < 12; ++i) {
    CAPTURE(i);
    REQUIRE(ep.deadline(TimerKind::Persist) == deadline);
    fire(ep, deadline - 1);
    expect_silent(ep);
    fire(ep, deadline);
    expect_sends(ep, {{.seq = L}});
    // Still closed. Linux (tcp_ack_probe) restarts the timer when the answer arrives: the
    // next probe goes one doubled interval after it, not after the probe.
    const Instant answer = deadline + ms(10);
    feed(ep, answer, Seg{.wnd = 0});
    expect_silent(ep);
    interval = std::min(2 * interval, sec(120));
    deadline = answer + interval;
  }
  CHECK(ep.state() == State::Established);  // never gives up while the peer answers
  feed(ep, deadline - sec(1), Seg{.wnd = 20000});
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 5, .payload = "hello"}});
  CHECK_FALSE(ep.armed(TimerKind::Persist));
}

TEST_CASE("Persist: rfc9293: zero window → one octet of data as the probe, repeated with back-off") {
  Ep ep = established(rfc());
  feed(ep, ms(1), Seg{.wnd = 0});
  send(ep, sec(1), "hello");
  expect_silent(ep);
  Instant deadline = sec(2);  // RTO = 1 s
  Duration interval = sec(1);
  for (int i = 0; i < 12; ++i) {
    CAPTURE(i);
    REQUIRE(ep.c.next_deadline() == deadline);
    fire(ep, deadline - 1);
    expect_silent(ep);
    fire(ep, deadline);
    expect_sends(ep, {{.flags = kAck, .len = 1, .payload = "h", .retx = i > 0}});
    // The receiver's window is still zero: it drops the octet and ACKs RCV.NXT.
    feed(ep, deadline + ms(10), Seg{.wnd = 0});
    expect_silent(ep);
    CHECK(ep.state() == State::Established);
    interval = std::min(2 * interval, sec(120));
    deadline += interval;
  }
  // The window opens: everything goes, the probed octet included.
  feed(ep, deadline - sec(1), Seg{.wnd = 20000});
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 5, .payload = "hello", .retx = true}});
  feed(ep, deadline, Seg{.ack = L + 6});
  CHECK(ep.c.bytes_acked_total() == 5);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("Persist: rfc9293: a probe octet the receiver takes is acknowledged and the next one follows") {
  Ep ep = established(rfc());
  feed(ep, ms(1), Seg{.wnd = 0});
  send(ep, sec(1), "hello");
  fire(ep, sec(2));
  expect_sends(ep, {{.flags = kAck, .len = 1, .payload = "h"}});
  feed(ep, sec(2) + ms(10), Seg{.ack = L + 2, .wnd = 0});  // taken, window closed again
  CHECK(ep.c.bytes_acked_total() == 1);
  fire(ep, ep.c.next_deadline());
  expect_sends(ep, {{.flags = kAck, .seq = L + 2, .len = 1, .payload = "e"}});
}

TEST_CASE("Delayed ACK: rfc9293: one segment is ACKed when the 200 ms delay expires") {
  Ep ep = established(rfc());
  feed(ep, sec(1), Seg{.payload = std::string(100, 'd')});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(200));
  fire(ep, sec(1) + ms(200) - 1);
  expect_silent(ep);
  fire(ep, sec(1) + ms(200));
  expect_sends(ep, {{.ack = R + 101, .wnd = kWnd - 100}});
  CHECK_FALSE(ep.armed(TimerKind::DelAck));
}

TEST_CASE("Delayed ACK: every second full-sized segment is ACKed at once") {
  Ep ep = established(rfc());
  const std::string full(kMss, 'F');
  feed(ep, sec(1), Seg{.payload = full});
  expect_silent(ep);
  feed(ep, sec(1) + ms(1), Seg{.seq = R + 1 + kMss, .payload = full});
  expect_sends(ep, {{.ack = R + 1 + 2 * kMss, .wnd = kWnd - 2 * kMss}});
  CHECK_FALSE(ep.armed(TimerKind::DelAck));
  feed(ep, sec(1) + ms(2), Seg{.seq = R + 1 + 2 * kMss, .payload = full});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(202));
}

TEST_CASE("Delayed ACK: linux: the first 16 segments are quick-ACKed, then 40 ms") {
  // A window of 64240 (Linux's default) holds more than 2 * 16 segments of rcv_mss (536 until
  // a larger segment arrives): the budget is the maximum, 16.
  TcpConfig cfg = plain();
  cfg.rcv_buf_bytes = 64240;
  Ep ep = established(cfg);
  for (std::uint32_t i = 0; i < 16; ++i) {
    feed(ep, sec(1), Seg{.seq = R + 1 + 10 * i, .payload = std::string(10, 'q')});
    expect_sends(ep, {{.ack = R + 11 + 10 * i, .wnd = static_cast<std::uint16_t>(64240 - 10 * (i + 1))}});
  }
  feed(ep, sec(1), Seg{.seq = R + 161, .payload = std::string(10, 'q')});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(40));
  fire(ep, sec(1) + ms(40));
  expect_sends(ep, {{.ack = R + 171, .wnd = 64240 - 170}});
}

TEST_CASE("Delayed ACK: linux: the quick-ACK budget is RCV.WND / (2 * rcv_mss)") {
  // Our window 8192, small segments (rcv_mss stays 536): 8192 / 1072 = 7 quick ACKs.
  Ep ep = established();
  for (std::uint32_t i = 0; i < 7; ++i) {
    feed(ep, sec(1), Seg{.seq = R + 1 + 10 * i, .payload = std::string(10, 'q')});
    expect_sends(ep, {{.ack = R + 11 + 10 * i, .wnd = static_cast<std::uint16_t>(kWnd - 10 * (i + 1))}});
  }
  feed(ep, sec(1), Seg{.seq = R + 71, .payload = std::string(10, 'q')});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(40));
}

TEST_CASE("Delayed ACK: linux: a small buffer gets one quick ACK, and its zero-window ACK is delayed") {
  // Full segments make rcv_mss 1000; a 2000-byte window gives 2000 / 2000 = 1 quick ACK.
  TcpConfig cfg = plain();
  cfg.rcv_buf_bytes = 2000;
  Ep ep = established(cfg);
  const std::string full(kMss, 'F');
  feed(ep, sec(1), Seg{.payload = full});
  expect_sends(ep, {{.ack = R + 1 + kMss, .wnd = 1000}});
  feed(ep, sec(1) + ms(10), Seg{.seq = R + 1 + kMss, .payload = full});
  expect_silent(ep);  // the window is now 0: still a delayed ACK, as on Linux
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(50));
  fire(ep, sec(1) + ms(50));
  expect_sends(ep, {{.ack = R + 1 + 2 * kMss, .wnd = 0}});
}

TEST_CASE("Delayed ACK: linux: with a window under 2 * rcv_mss the budget is 2") {
  TcpConfig cfg = plain();
  cfg.rcv_buf_bytes = 1500;
  Ep ep = established(cfg);
  // The first full segment makes rcv_mss 1000: 1500 / 2000 = 0, which Linux raises to 2.
  // (The ACKs that only update the window as the application reads do not use the budget.)
  feed(ep, sec(1), Seg{.payload = std::string(1000, 'a')});
  expect_sends(ep, {{.ack = R + 1001, .wnd = 500}});
  std::string got;
  recv(ep, sec(1), &got);  // reopens the window (an update)
  feed(ep, sec(1) + ms(10), Seg{.seq = R + 1001, .payload = std::string(1000, 'b')});
  expect_sends(ep, {{.ack = R + 2001, .wnd = 500}});
  recv(ep, sec(1) + ms(10), &got);
  feed(ep, sec(1) + ms(20), Seg{.seq = R + 2001, .payload = std::string(1000, 'c')});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(60));
}

TEST_CASE("Delayed ACK: linux: ping-pong: after the application answers, the next segment waits for the timer") {
  Ep ep = established();
  feed(ep, sec(1), Seg{.flags = kPsh | kAck, .payload = std::string(100, 'q')});
  expect_sends(ep, {{.ack = R + 101, .wnd = kWnd - 100}});  // quick ACK
  std::string got;
  recv(ep, sec(1), &got);
  send(ep, sec(1), "answer");  // within the delayed-ACK time: interactive (ping-pong) mode
  expect_sends(ep, {{.flags = kPsh | kAck, .ack = R + 101, .len = 6}});
  feed(ep, sec(1) + ms(10), Seg{.seq = R + 101, .ack = L + 7, .flags = kPsh | kAck, .payload = std::string(100, 'r')});
  expect_silent(ep);  // quick ACKs are left, but not in ping-pong mode
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(50));
  fire(ep, sec(1) + ms(50));
  expect_sends(ep, {{.seq = L + 7, .ack = R + 201, .wnd = kWnd - 100}});
  // The timer ended ping-pong mode: the next segment gets a quick ACK again.
  feed(ep, sec(1) + ms(60), Seg{.seq = R + 201, .ack = L + 7, .flags = kPsh | kAck, .payload = std::string(100, 's')});
  expect_sends(ep, {{.seq = L + 7, .ack = R + 301, .wnd = kWnd - 200}});
}

TEST_CASE("Delayed ACK: linux: reading a small segment that waits for the timer sends its ACK") {
  TcpConfig cfg = plain();
  cfg.quickack_segments = 1;
  Ep ep = established(cfg);
  feed(ep, sec(1), Seg{.flags = kPsh | kAck, .payload = std::string(10, 'a')});
  expect_sends(ep, {{.ack = R + 11, .wnd = kWnd - 10}});
  feed(ep, sec(1) + ms(10), Seg{.seq = R + 11, .flags = kPsh | kAck, .payload = std::string(10, 'b')});
  expect_silent(ep);
  CHECK(ep.armed(TimerKind::DelAck));
  std::string got;
  recv(ep, sec(1) + ms(10), &got, 5);  // the buffer is not drained yet
  expect_silent(ep);
  recv(ep, sec(1) + ms(11), &got);     // drained: Linux tcp_cleanup_rbuf sends the ACK
  expect_sends(ep, {{.ack = R + 21, .wnd = kWnd}});
  CHECK_FALSE(ep.armed(TimerKind::DelAck));
}

TEST_CASE("Delayed ACK: rfc9293: reading does not send the delayed ACK") {
  Ep ep = established(rfc());
  feed(ep, sec(1), Seg{.flags = kPsh | kAck, .payload = std::string(10, 'a')});
  expect_silent(ep);
  std::string got;
  recv(ep, sec(1) + ms(1), &got);
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(200));
}

TEST_CASE("Delayed ACK: linux: a FIN after data is ACKed by the delayed-ACK timer, or by our FIN") {
  SUBCASE("the application is slow: the timer ACKs the FIN 40 ms later") {
    Ep ep = established();
    feed(ep, sec(1), Seg{.flags = kPsh | kAck, .payload = "0123456789"});
    expect_sends(ep, {{.ack = R + 11, .wnd = kWnd - 10}});  // quick ACK of the data
    feed(ep, sec(1) + ms(10), Seg{.seq = R + 11, .flags = kFin | kAck});
    CHECK(ep.state() == State::CloseWait);
    expect_silent(ep);
    CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(50));
    fire(ep, sec(1) + ms(50) - 1);
    expect_silent(ep);
    fire(ep, sec(1) + ms(50));
    expect_sends(ep, {{.ack = R + 12, .wnd = kWnd - 10}});
  }
  SUBCASE("the application closes at once: three segments, our FIN carries the ACK") {
    Ep ep = established();
    feed(ep, sec(1), Seg{.flags = kPsh | kAck, .payload = "0123456789"});
    expect_sends(ep, {{.ack = R + 11, .wnd = kWnd - 10}});
    feed(ep, sec(1) + ms(10), Seg{.seq = R + 11, .flags = kFin | kAck});
    expect_silent(ep);
    CHECK(recv_all(ep, sec(1) + ms(10)) == "0123456789");
    expect_silent(ep);
    close(ep, sec(1) + ms(10));
    CHECK(ep.state() == State::LastAck);
    expect_sends(ep, {{.flags = kFin | kAck, .ack = R + 12}});
    CHECK_FALSE(ep.armed(TimerKind::DelAck));
  }
  SUBCASE("data and FIN in one segment: delayed too (the FIN turns quick ACKs off)") {
    Ep ep = established();
    feed(ep, sec(1), Seg{.flags = kFin | kPsh | kAck, .payload = "0123456789"});
    expect_silent(ep);
    CHECK(ep.deadline(TimerKind::DelAck) == sec(1) + ms(40));
  }
}

TEST_CASE("Delayed ACK: linux: a FIN before any data is ACKed at the next tick (delay 0)") {
  Ep ep = established();
  feed(ep, sec(1), Seg{.flags = kFin | kAck});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::DelAck) == sec(1));
  fire(ep, sec(1));
  expect_sends(ep, {{.ack = R + 2}});
}

TEST_CASE("Delayed ACK: rfc9293: a FIN is ACKed at once (3.10.7.4 eighth step)") {
  Ep ep = established(rfc());
  feed(ep, sec(1), Seg{.flags = kPsh | kAck, .payload = "0123456789"});
  expect_silent(ep);
  feed(ep, sec(1) + ms(10), Seg{.seq = R + 11, .flags = kFin | kAck});
  expect_sends(ep, {{.ack = R + 12, .wnd = kWnd - 10}});
}

TEST_CASE("Delayed ACK: a FIN in FIN_WAIT_2 is ACKed at once, both profiles") {
  for (const TcpConfig& cfg : {plain(), rfc()}) {
    Ep ep = fin_wait_2(cfg);
    feed(ep, sec(1), Seg{.ack = L + 2, .flags = kFin | kAck});
    CHECK(ep.state() == State::TimeWait);
    expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  }
}

TEST_CASE("Delayed ACK: the ACK rides on data the application sends meanwhile") {
  Ep ep = established(rfc());
  feed(ep, sec(1), Seg{.payload = "question"});
  expect_silent(ep);
  send(ep, sec(1) + ms(5), "answer");
  expect_sends(ep, {{.flags = kPsh | kAck, .ack = R + 9, .len = 6, .wnd = kWnd - 8}});
  CHECK_FALSE(ep.armed(TimerKind::DelAck));
}

TEST_CASE("Delayed ACK: out-of-order data and the segment filling the hole are ACKed at once") {
  Ep ep = established(rfc());
  feed(ep, sec(1), Seg{.seq = R + 11, .payload = "later"});
  expect_sends(ep, {{}});
  feed(ep, sec(1), Seg{.payload = "first....."});
  expect_sends(ep, {{.ack = R + 16, .wnd = kWnd - 15}});
}

}  // TEST_SUITE
