// RFC 9293 3.10.7.4 in TIME-WAIT: a retransmitted FIN is ACKed and restarts the 2 MSL
// timeout; 3.10.8: when it expires → CLOSED. RST: CLOSED (both profiles; Linux's tcp_rfc1337=0),
// or ignored with time_wait_rst_closes=false (RFC 1337, tcp_rfc1337=1).
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
// A passive connection with timestamps (the peer's TSval 100, 101), ESTABLISHED at t=0.
Ep established_ts(const TcpConfig& base = plain()) {
  TcpConfig cfg = base;
  cfg.timestamps = true;
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  Segment syn = to_segment(peer_syn());
  syn.ts = Timestamps{100, 0};
  call(ep, 0, [&](Connection& c, Output& o) { c.accept_syn(0, syn, Seq32(L), o); return Errno::Ok; });
  Segment ack = to_segment(Seg{});
  ack.ts = Timestamps{101, 1};
  feed_raw(ep, 0, ack);
  REQUIRE(ep.state() == State::Established);
  return ep;
}
}  // namespace

TEST_SUITE("TIME-WAIT") {

TEST_CASE("TIME-WAIT: the fixture ACKed the FIN and armed 2*MSL") {
  Ep ep = time_wait();
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.deadline(TimerKind::TimeWait) == sec(60));
  CHECK(time_wait(rfc()).deadline(TimerKind::TimeWait) == sec(240));  // MSL = 2 min
}

TEST_CASE("TIME-WAIT: 2*MSL expires → CLOSED") {
  Ep ep = time_wait();
  fire(ep, sec(60) - 1);
  expect_silent(ep);
  CHECK(ep.state() == State::TimeWait);
  fire(ep, sec(60));
  CHECK(transitions(ep) == path({"TIME_WAIT>CLOSED"}));
  expect_silent(ep);
  CHECK(ep.c.error() == Errno::Ok);
}

TEST_CASE("TIME-WAIT: retransmitted FIN → ACK and the 2*MSL deadline restarts") {
  Ep ep = time_wait();
  feed(ep, sec(10), Seg{.ack = L + 2, .flags = kFin | kAck});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.deadline(TimerKind::TimeWait) == sec(70));
  const auto timers = timers_of(ep.out);
  REQUIRE(timers.size() == 1);
  CHECK(timers[0].kind == TimerKind::TimeWait);
  CHECK(timers[0].action == TimerAction::Set);
  CHECK(timers[0].deadline_ns == sec(70));
  fire(ep, sec(60));
  expect_silent(ep);
  CHECK(ep.state() == State::TimeWait);
  fire(ep, sec(70));
  CHECK(transitions(ep) == path({"TIME_WAIT>CLOSED"}));
}

TEST_CASE("TIME-WAIT: retransmitted FIN carrying data is also re-ACKed") {
  Ep ep = established();
  shutdown(ep, 0);
  feed(ep, 0, Seg{.ack = L + 2, .flags = kFin | kAck, .payload = "data"});
  REQUIRE(ep.state() == State::TimeWait);
  feed(ep, sec(1), Seg{.ack = L + 2, .flags = kFin | kAck, .payload = "data"});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 6, .wnd = kWnd - 4}});
  CHECK(ep.deadline(TimerKind::TimeWait) == sec(61));
  CHECK(recv_all(ep, sec(2)) == "data");  // delivered once
}

TEST_CASE("TIME-WAIT: a retransmitted FIN updates TS.Recent before it is re-ACKed (RFC 7323)") {
  Ep ep = established_ts();
  REQUIRE(ep.tcb().ts_ok);
  close(ep, 0);
  Segment fin = to_segment(Seg{.ack = L + 2, .flags = kFin | kAck});
  fin.ts = Timestamps{102, 1};
  feed_raw(ep, ms(1), fin);
  REQUIRE(ep.state() == State::TimeWait);
  CHECK(ep.tcb().ts_recent == 102);
  fin.ts = Timestamps{900, 1};  // the peer's FIN again, later
  feed_raw(ep, sec(1), fin);
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.tcb().ts_recent == 900);
  const auto sent = sends_of(ep.out);
  REQUIRE(sent[0].seg.ts.has_value());
  CHECK(sent[0].seg.ts->val == sec(1) / ms(1) + 1);  // our 1 ms TS clock
  CHECK(sent[0].seg.ts->ecr == 900);                 // echoes the FIN that it answers
  CHECK(ep.deadline(TimerKind::TimeWait) == sec(61));
}

TEST_CASE("TIME-WAIT: RST → CLOSED in linux (tcp_rfc1337=0, the default)") {
  Ep ep = time_wait();
  feed(ep, sec(1), Seg{.seq = R + 2, .ack = 0, .flags = kRst});
  expect_silent(ep);
  CHECK(transitions(ep) == path({"TIME_WAIT>CLOSED"}));
  CHECK(ep.deadline(TimerKind::TimeWait) == kNever);
}

TEST_CASE("TIME-WAIT: RST is ignored with time_wait_rst_closes=false (RFC 1337, tcp_rfc1337=1)") {
  TcpConfig c = plain();
  c.time_wait_rst_closes = false;
  Ep ep = time_wait(c);
  feed(ep, sec(1), Seg{.seq = R + 2, .ack = 0, .flags = kRst});
  expect_silent(ep);
  CHECK(ep.state() == State::TimeWait);
}

TEST_CASE("TIME-WAIT: RST → CLOSED in rfc9293") {
  Ep ep = time_wait(rfc());
  feed(ep, sec(1), Seg{.seq = R + 2, .ack = 0, .flags = kRst});
  expect_silent(ep);
  CHECK(transitions(ep) == path({"TIME_WAIT>CLOSED"}));
}

TEST_CASE("TIME-WAIT: a SYN gets a challenge ACK from the connection (RFC 5961 4.2)") {
  Ep ep = time_wait();
  feed(ep, sec(1), Seg{.seq = R + 100, .ack = 0, .flags = kSyn});
  expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
  CHECK(ep.state() == State::TimeWait);
}

TEST_CASE("TIME-WAIT: a new SYN with SEG.SEQ > RCV.NXT may reopen the pair") {
  Ep ep = time_wait();
  Output out;
  CHECK(ep.c.yield_to_new_syn(sec(1), to_segment(Seg{.seq = R + 100, .ack = 0, .flags = kSyn}), out));
  CHECK(transitions(out) == path({"TIME_WAIT>CLOSED"}));
  Ep old = time_wait();
  CHECK_FALSE(old.c.yield_to_new_syn(sec(1), to_segment(Seg{.seq = R + 1, .ack = 0, .flags = kSyn}), out));
  CHECK(old.state() == State::TimeWait);
}

TEST_CASE("TIME-WAIT: SEND → EPIPE and SHUTDOWN changes nothing") {
  Ep ep = time_wait();
  CHECK(send(ep, sec(1), "x") == Errno::Pipe);
  CHECK(shutdown(ep, sec(1)) == Errno::Ok);
  expect_silent(ep);
  CHECK(ep.state() == State::TimeWait);
}

}  // TEST_SUITE


TEST_SUITE("PAWS") {

TEST_CASE("PAWS: a segment with TSval below TS.Recent is ACKed and dropped, data and ACK unprocessed (RFC 7323 5.3)") {
  for (const Profile p : {Profile::Linux, Profile::Rfc9293}) {
    Ep ep = established_ts(p == Profile::Linux ? plain() : rfc());
    Segment data = to_segment(Seg{.payload = "new"});
    data.ts = Timestamps{200, 1};
    feed_raw(ep, ms(1), data);
    CHECK(ep.tcb().ts_recent == 200);
    Segment old = to_segment(Seg{.seq = R + 4, .ack = L + 1, .payload = "old"});
    old.ts = Timestamps{150, 1};  // in sequence, but from before TS.Recent: an old duplicate
    feed_raw(ep, ms(2), old);
    REQUIRE(sends_of(ep.out).size() == 1);
    CHECK(sends_of(ep.out)[0].seg.ack.raw() == R + 4);
    CHECK(ep.tcb().rcv_nxt.raw() == R + 4);
    CHECK(recv_all(ep, ms(3)) == "new");
    // A RST is exempt from PAWS (5.3): judged by its sequence number alone.
    Segment rst = to_segment(Seg{.seq = R + 4, .ack = 0, .flags = kRst});
    rst.ts = Timestamps{1, 1};
    feed_raw(ep, ms(4), rst);
    CHECK(ep.state() == State::Closed);
  }
}

TEST_CASE("TIME-WAIT: a SYN with a lower sequence number but a newer TSval reopens the pair (RFC 6191)") {
  Ep ep = established_ts();
  close(ep, 0);
  Segment fin = to_segment(Seg{.ack = L + 2, .flags = kFin | kAck});
  fin.ts = Timestamps{102, 1};
  feed_raw(ep, ms(1), fin);
  REQUIRE(ep.state() == State::TimeWait);
  Output out;
  Segment syn = to_segment(Seg{.seq = R - 5000, .ack = 0, .flags = kSyn});
  syn.ts = Timestamps{101, 0};  // older than TS.Recent: PAWS keeps the pair
  CHECK_FALSE(ep.c.yield_to_new_syn(sec(1), syn, out));
  syn.ts = Timestamps{500, 0};  // newer: a new connection
  CHECK(ep.c.yield_to_new_syn(sec(1), syn, out));
  CHECK(ep.c.state() == State::Closed);
}

}  // TEST_SUITE

// The compact TIME-WAIT (issue 20): a connection that moved data in both directions frees the
// storage of its per-segment records on entering TIME-WAIT, and behaves exactly as before.
TEST_SUITE("TIME-WAIT compact") {

namespace {
// ESTABLISHED, 3 bytes each way (ours acknowledged, the peer's read), then our close and the
// peer's FIN with the ACK of ours: TIME-WAIT at t = 1 ms.
Ep time_wait_after_data(const TcpConfig& cfg = plain()) {
  Ep ep = established(cfg);
  send(ep, 0, "abc");
  feed(ep, us(100), Seg{.seq = R + 1, .ack = L + 1, .flags = kAck | kPsh, .payload = "xyz"});
  CHECK(recv_all(ep, us(200)) == "xyz");
  CHECK(ep.c.record_storage_bytes() > 0);  // the records of what was sent and received
  feed(ep, us(300), Seg{.seq = R + 4, .ack = L + 4});
  close(ep, us(400));
  REQUIRE(ep.state() == State::FinWait1);
  feed(ep, ms(1), Seg{.seq = R + 4, .ack = L + 5, .flags = kFin | kAck});
  REQUIRE(ep.state() == State::TimeWait);
  return ep;
}
}  // namespace

TEST_CASE("TIME-WAIT compact: no record storage once in TIME-WAIT, the FIN ACKed, 2*MSL exact") {
  Ep ep = time_wait_after_data();
  CHECK(ep.c.record_storage_bytes() == 0);
  const auto sent = sends_of(ep.out);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].seg.flags == kAck);
  CHECK(sent[0].seg.seq.raw() == L + 5);
  CHECK(sent[0].seg.ack.raw() == R + 5);
  CHECK(sent[0].seg.seg_len() == 0);
  CHECK(ep.deadline(TimerKind::TimeWait) == ms(1) + sec(60));
  fire(ep, ms(1) + sec(60) - 1);
  expect_silent(ep);
  fire(ep, ms(1) + sec(60));
  CHECK(transitions(ep) == path({"TIME_WAIT>CLOSED"}));
}

TEST_CASE("TIME-WAIT compact: a retransmitted FIN is ACKed as before and restarts 2*MSL; RST then kills it") {
  Ep ep = time_wait_after_data();
  const Segment first_ack = sends_of(ep.out).at(0).seg;
  feed(ep, sec(5), Seg{.seq = R + 4, .ack = L + 5, .flags = kFin | kAck});
  const auto again = sends_of(ep.out);
  REQUIRE(again.size() == 1);
  CHECK(again[0].seg.seq == first_ack.seq);
  CHECK(again[0].seg.ack == first_ack.ack);
  CHECK(again[0].seg.wnd == first_ack.wnd);  // the window comes from the accounting, kept
  CHECK(again[0].seg.flags == kAck);
  CHECK(ep.deadline(TimerKind::TimeWait) == sec(5) + sec(60));
  CHECK(ep.c.record_storage_bytes() == 0);
  feed(ep, sec(6), Seg{.seq = R + 5, .ack = 0, .flags = kRst});
  expect_silent(ep);
  CHECK(transitions(ep) == path({"TIME_WAIT>CLOSED"}));
}

}  // TEST_SUITE
