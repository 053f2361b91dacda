// RFC 9293 3.10: CLOSED. The OPEN calls leave it; segments for it are the host's business
// (3.10.7.1, see test_tcp_host.cpp); every other call is an error.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

TEST_SUITE("CLOSED") {

TEST_CASE("CLOSED: OPEN passive → LISTEN") {
  Ep ep = closed();
  call(ep, 0, [](Connection& c, Output& o) { c.open_passive(0, o); return Errno::Ok; });
  CHECK(transitions(ep) == path({"CLOSED>LISTEN"}));
  expect_silent(ep);
  CHECK(ep.c.passive());
}

TEST_CASE("CLOSED: OPEN active → SYN_SENT and the SYN goes out with our MSS") {
  Ep ep = closed();
  call(ep, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(L), o); return Errno::Ok; });
  CHECK(transitions(ep) == path({"CLOSED>SYN_SENT"}));
  expect_sends(ep, {{.flags = kSyn, .seq = L, .ack = 0}});
  const Segment syn = sends_of(ep.out).at(0).seg;
  CHECK(syn.mss == std::optional<std::uint16_t>(kMss));
  CHECK_FALSE(syn.wscale.has_value());  // options off in plain()
  CHECK(ep.tcb().snd_una.raw() == L);
  CHECK(ep.tcb().snd_nxt.raw() == L + 1);
  CHECK(ep.deadline(TimerKind::Rto) == sec(1));  // RFC 6298 2.1: initial RTO 1 s
}

TEST_CASE("CLOSED: OPEN active offers window scale, timestamps and SACK when configured") {
  TcpConfig cfg = plain();
  cfg.window_scaling = cfg.timestamps = cfg.sack = true;
  cfg.rcv_buf_bytes = 131072;
  cfg.mss = 1460;
  cfg.rcv_window = TcpConfig::RcvWindow::Linux;
  Ep ep = closed(cfg);
  call(ep, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(L), o); return Errno::Ok; });
  // RFC 7323 2.2: the window in a SYN is never scaled; Linux offers half of its 131072-byte
  // buffer in whole segments (44 x 1460) and the scale for tcp_rmem's max (32 MiB: 10).
  expect_sends(ep, {{.flags = kSyn, .seq = L, .ack = 0, .wnd = 64240}});
  const Segment syn = sends_of(ep.out).at(0).seg;
  CHECK(syn.wscale == std::optional<std::uint8_t>(10));
  CHECK(syn.sack_permitted);
  REQUIRE(syn.ts.has_value());
  CHECK(syn.ts->ecr == 0);
}

TEST_CASE("CLOSED: an arriving segment gets nothing from the connection (the host answers)") {
  Ep ep = closed();
  feed(ep, 0, Seg{.payload = "hello"});
  expect_silent(ep);
  CHECK(ep.state() == State::Closed);
  CHECK(ep.c.readable_bytes() == 0);
}

TEST_CASE("CLOSED: SEND, RECEIVE, SHUTDOWN, ABORT → ENOTCONN") {
  Ep ep = closed();
  std::string data;
  CHECK(send(ep, 0, "x") == Errno::NotConn);
  CHECK(recv(ep, 0, &data) == Errno::NotConn);
  CHECK(shutdown(ep, 0) == Errno::NotConn);
  CHECK(abort(ep, 0) == Errno::NotConn);
  expect_silent(ep);
  CHECK(ep.state() == State::Closed);
}

TEST_CASE("CLOSED: CLOSE once is fine and CLOSE twice → ENOTCONN") {
  Ep ep = closed();
  CHECK(close(ep, 0) == Errno::Ok);
  CHECK(close(ep, 0) == Errno::NotConn);
  expect_silent(ep);
}

}  // TEST_SUITE
