// RFC 9293 3.10.7.3: SYN-SENT. First the ACK bit, then RST (RFC 5961 3.2: only an RST that
// acknowledges our SYN is believed), then SYN: with an acceptable ACK → ESTABLISHED, without
// → SYN-RECEIVED (simultaneous open). Timeouts: RFC 6298 back-off, tcp_syn_retries.
#include <vector>

#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
// The peer's SYN,ACK to our SYN.
Seg syn_ack() { return Seg{.seq = R, .ack = L + 1, .flags = kSyn | kAck, .mss = kMss}; }
}  // namespace

TEST_SUITE("SYN-SENT") {

TEST_CASE("SYN-SENT: SYN,ACK → ESTABLISHED and ACK <SEQ=SND.NXT><ACK=RCV.NXT>") {
  Ep ep = syn_sent();
  feed(ep, ms(10), syn_ack());
  CHECK(transitions(ep) == path({"SYN_SENT>ESTABLISHED"}));
  expect_sends(ep, {{}});
  CHECK(ep.tcb().snd_una.raw() == L + 1);
  CHECK(ep.tcb().irs.raw() == R);
  CHECK(ep.tcb().rcv_nxt.raw() == R + 1);
  CHECK(ep.tcb().snd_wnd == kPeerWnd);
  CHECK_FALSE(ep.armed(TimerKind::Rto));
  const auto notes = notices_of(ep.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].what == Notice::Connected);
  // RFC 6298 2.2: the SYN's round trip (10 ms) is the first sample.
  CHECK(ep.c.rtt().srtt() == ms(10));
}

TEST_CASE("SYN-SENT: the cause of the transition names the rule and the numbers") {
  Ep ep = syn_sent();
  feed(ep, 0, syn_ack());
  const auto st = states_of(ep.out);
  REQUIRE(st.size() == 1);
  CHECK(st[0].cause.find("3.10.7.3") != std::string::npos);
  CHECK(st[0].cause.find("SEG.ACK=1001") != std::string::npos);
}

TEST_CASE("SYN-SENT: SYN without ACK → SYN_RECEIVED (simultaneous open) and SYN,ACK") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = R, .ack = 0, .flags = kSyn, .mss = kMss});
  CHECK(transitions(ep) == path({"SYN_SENT>SYN_RECEIVED"}));
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1}});
  CHECK_FALSE(ep.c.passive());
  // The peer's SYN,ACK then completes it (RFC 9293 Figure 8).
  feed(ep, ms(20), syn_ack());
  CHECK(transitions(ep) == path({"SYN_RECEIVED>ESTABLISHED"}));
  // Its SYN was received before: the ACK the peer needs in SYN_RECEIVED, at once.
  expect_sends(ep, {{.seq = L + 1, .ack = R + 1}});
}

TEST_CASE("SYN-SENT: simultaneous open with SACK: the final ACK carries a D-SACK of the SYN (RFC 2883)") {
  TcpConfig cfg = plain();
  cfg.sack = true;
  Ep ep = syn_sent(cfg);
  feed(ep, ms(10), Seg{.seq = R, .ack = 0, .flags = kSyn, .mss = kMss, .sack_permitted = true});
  REQUIRE(ep.state() == State::SynReceived);
  Seg sa = syn_ack();
  sa.sack_permitted = true;
  feed(ep, ms(20), sa);
  const auto sent = sends_of(ep.out);
  REQUIRE(sent.size() == 1);
  const Segment& ack = sent[0].seg;
  REQUIRE(ack.sack_count == 1);
  CHECK(ack.sack[0].left.raw() == R);
  CHECK(ack.sack[0].right.raw() == R + 1);
  // rfc9293 (no RFC 2883): the same ACK, no block.
  TcpConfig r = rfc();
  r.sack = true;
  Ep rf = syn_sent(r);
  feed(rf, ms(10), Seg{.seq = R, .ack = 0, .flags = kSyn, .mss = kMss, .sack_permitted = true});
  feed(rf, ms(20), sa);
  REQUIRE(sends_of(rf.out).size() == 1);
  CHECK(sends_of(rf.out)[0].seg.sack_count == 0);
}

TEST_CASE("SYN-SENT linux: a SYN,ACK with a bad ACK gets RST and the SYN goes again 8 ms later (once)") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = R, .ack = L + 100, .flags = kSyn | kAck, .mss = kMss});
  expect_sends(ep, {{.flags = kRst, .seq = L + 100, .ack = 0, .wnd = 0}});
  CHECK(ep.state() == State::SynSent);
  CHECK(ep.deadline(TimerKind::Rto) == ms(18));
  fire(ep, ms(18));
  expect_sends(ep, {{.flags = kSyn, .seq = L, .ack = 0, .retx = true}});
  // Only before a retransmission: a second bad ACK leaves the timer alone.
  const Instant next = ep.deadline(TimerKind::Rto);
  feed(ep, ms(30), Seg{.seq = R, .ack = L + 100, .flags = kRst | kAck, .wnd = 0});
  expect_silent(ep);
  CHECK(ep.deadline(TimerKind::Rto) == next);
  // rfc9293: "discard the segment"; the timer keeps its 1 s.
  Ep rf = syn_sent(rfc());
  feed(rf, ms(10), Seg{.seq = R, .ack = L + 100, .flags = kSyn | kAck, .mss = kMss});
  CHECK(rf.deadline(TimerKind::Rto) == sec(1));
}

TEST_CASE("SYN-SENT: RST,ACK acknowledging our SYN → CLOSED with ECONNREFUSED") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = 0, .ack = L + 1, .flags = kRst | kAck, .wnd = 0});
  CHECK(transitions(ep) == path({"SYN_SENT>CLOSED"}));
  expect_silent(ep);
  CHECK(ep.c.error() == Errno::ConnRefused);
  const auto notes = notices_of(ep.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].what == Notice::Error);
  CHECK(notes[0].err == Errno::ConnRefused);
  CHECK(ep.c.next_deadline() == kNever);
  std::string data;
  CHECK(recv(ep, ms(11), &data) == Errno::ConnRefused);
  CHECK(send(ep, ms(11), "x") == Errno::ConnRefused);
}

TEST_CASE("SYN-SENT: RST without ACK is dropped (RFC 5961 3.2)") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = R, .ack = 0, .flags = kRst});
  expect_silent(ep);
  CHECK(ep.state() == State::SynSent);
  CHECK(ep.c.error() == Errno::Ok);
}

TEST_CASE("SYN-SENT: RST with an unacceptable ACK is dropped without a reply") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = 0, .ack = L + 9, .flags = kRst | kAck});
  feed(ep, ms(10), Seg{.seq = 0, .ack = L, .flags = kRst | kAck});
  expect_silent(ep);
  CHECK(ep.state() == State::SynSent);
}

TEST_CASE("SYN-SENT: ACK of something never sent → RST <SEQ=SEG.ACK>") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = R, .ack = L + 100, .flags = kSyn | kAck});
  expect_sends(ep, {{.flags = kRst, .seq = L + 100, .ack = 0, .wnd = 0}});
  feed(ep, ms(10), Seg{.seq = R, .ack = L});  // SEG.ACK =< ISS
  expect_sends(ep, {{.flags = kRst, .seq = L, .ack = 0, .wnd = 0}});
  CHECK(ep.state() == State::SynSent);
}

TEST_CASE("SYN-SENT: a segment with neither SYN nor RST is dropped") {
  Ep ep = syn_sent();
  feed(ep, ms(10), Seg{.seq = R, .ack = L + 1, .payload = "early"});
  expect_silent(ep);
  CHECK(ep.state() == State::SynSent);
}

TEST_CASE("SYN-SENT: CLOSE → CLOSED, the retransmission timer is cancelled") {
  Ep ep = syn_sent();
  CHECK(close(ep, ms(1)) == Errno::Ok);
  CHECK(transitions(ep) == path({"SYN_SENT>CLOSED"}));
  expect_silent(ep);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("SYN-SENT: data queued before the handshake goes out with the third segment") {
  Ep ep = syn_sent();
  CHECK(send(ep, ms(1), "hello") == Errno::Ok);
  expect_silent(ep);
  feed(ep, ms(10), syn_ack());
  CHECK(transitions(ep) == path({"SYN_SENT>ESTABLISHED"}));
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 5, .payload = "hello"}});
}

// Drives SYN_SENT's retransmission timer to the end: each SYN at its time (silent 1 ns
// before), then ETIMEDOUT with no SYN at `give_up`.
void syn_schedule(const TcpConfig& cfg, const std::vector<Instant>& syns, Instant give_up) {
  Ep ep = syn_sent(cfg);
  for (Instant t : syns) {
    CAPTURE(t);
    CHECK(ep.deadline(TimerKind::Rto) == t);
    fire(ep, t - 1);  // not yet
    expect_silent(ep);
    fire(ep, t);
    expect_sends(ep, {{.flags = kSyn, .seq = L, .ack = 0, .retx = true}});
  }
  CHECK(ep.deadline(TimerKind::Rto) == give_up);
  fire(ep, give_up);
  expect_silent(ep);
  CHECK(transitions(ep) == path({"SYN_SENT>CLOSED"}));
  CHECK(ep.c.error() == Errno::TimedOut);
  CHECK(ep.c.next_deadline() == kNever);
}

TEST_CASE("SYN-SENT linux: SYNs 1 s apart 5 times (tcp_syn_linear_timeouts=4), then doubling; ETIMEDOUT at 131 s") {
  syn_schedule(plain(), {sec(1), sec(2), sec(3), sec(4), sec(5), sec(7), sec(11), sec(19), sec(35), sec(67)}, sec(131));
}

TEST_CASE("SYN-SENT linux: tcp_syn_retries=1 gives up at 3 s, =3 at 19 s (tcp_model_timeout 3 s, 15 s)") {
  TcpConfig c = plain();
  c.syn_retries = 1;
  syn_schedule(c, {sec(1), sec(2)}, sec(3));
  c.syn_retries = 3;
  syn_schedule(c, {sec(1), sec(2), sec(3), sec(4), sec(5), sec(7), sec(11)}, sec(19));
  c.syn_retries = 0;
  syn_schedule(c, {}, sec(1));
}

TEST_CASE("SYN-SENT: tcp_syn_linear_timeouts=0 (kernels before 6.5): 1, 2, 4, ... 32 s, then ETIMEDOUT at 127 s") {
  TcpConfig c = plain();
  c.syn_linear_timeouts = 0;
  syn_schedule(c, {sec(1), sec(3), sec(7), sec(15), sec(31), sec(63)}, sec(127));
}

TEST_CASE("SYN-SENT rfc9293: RTO doubles (RFC 6298 5.5); SYNs for more than 3 minutes (3.8.3): ETIMEDOUT at 247 s") {
  // The 8th back-off is capped at RTO max 120 s: 127 + 120 s.
  syn_schedule(rfc(), {sec(1), sec(3), sec(7), sec(15), sec(31), sec(63), sec(127)}, sec(247));
}

TEST_CASE("SYN-SENT: an answer to a retransmitted SYN gives no RTT sample (Karn) and RTO = 3 s (RFC 6298 5.7)") {
  Ep ep = syn_sent();
  fire(ep, sec(1));
  feed(ep, sec(1) + ms(10), syn_ack());
  CHECK(ep.state() == State::Established);
  CHECK_FALSE(ep.c.rtt().has_sample());
  // RFC 6298 5.7: SYN retransmitted and no sample → RTO re-initialised to 3 s for the data
  // (not the backed-off 2 s, nor the initial 1 s).
  CHECK(ep.c.rtt().backoffs() == 0);
  CHECK(ep.c.rtt().rto() == sec(3));
  send(ep, sec(2), "x");
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 1, .payload = "x"}});
  CHECK(ep.deadline(TimerKind::Rto) == sec(2) + sec(3));
}

}  // TEST_SUITE
