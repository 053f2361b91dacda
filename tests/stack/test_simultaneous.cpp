// Two Connections back to back: crossing SYNs (RFC 9293 Figure 8), crossing FINs
// (Figure 13), and the ordinary open/transfer/close for comparison (Figures 7 and 12).
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
std::vector<std::string> edge_names(const Ep& ep) {
  std::vector<std::string> v;
  for (const auto& s : ep.edges) v.push_back(std::string(state_name(s.from)) + ">" + std::string(state_name(s.to)));
  return v;
}
}  // namespace

TEST_SUITE("Simultaneous") {

TEST_CASE("Crossing SYNs: both sides go SYN_SENT → SYN_RECEIVED → ESTABLISHED") {
  Pair p = pair();
  call(p.a, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(R), o); return Errno::Ok; });
  call(p.b, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(L), o); return Errno::Ok; });
  p.settle();
  const auto expected = path({"CLOSED>SYN_SENT", "SYN_SENT>SYN_RECEIVED", "SYN_RECEIVED>ESTABLISHED"});
  CHECK(edge_names(p.a) == expected);
  CHECK(edge_names(p.b) == expected);
  // Figure 8: SYN, then SYN,ACK <SEQ=ISS><ACK=peer's ISS+1> from each side; then each
  // side ACKs the other's SYN,ACK, whose SYN it has already received (3.10.7.4 first: not
  // acceptable, "an acknowledgment should be sent in reply"; Linux does, see
  // tests/pkt/scripts/a-simultaneous-open.pkt).
  REQUIRE(p.sent_ab.size() == 3);
  CHECK(flag_letters(p.sent_ab[0].flags) == "S");
  CHECK(flag_letters(p.sent_ab[1].flags) == "S.");
  CHECK(p.sent_ab[1].seq.raw() == R);
  CHECK(p.sent_ab[1].ack.raw() == L + 1);
  CHECK(flag_letters(p.sent_ab[2].flags) == ".");
  CHECK(p.sent_ab[2].seq.raw() == R + 1);
  CHECK(p.sent_ab[2].ack.raw() == L + 1);
  REQUIRE(p.sent_ba.size() == 3);
  CHECK(p.sent_ba[1].seq.raw() == L);
  CHECK(p.sent_ba[1].ack.raw() == R + 1);
  CHECK(flag_letters(p.sent_ba[2].flags) == ".");
  CHECK(p.a.tcb().snd_una.raw() == R + 1);
  CHECK(p.b.tcb().snd_una.raw() == L + 1);
  CHECK(p.a.c.next_deadline() == kNever);
  CHECK(p.b.c.next_deadline() == kNever);
  // The connection works both ways.
  send(p.a, p.now, "ping");
  send(p.b, p.now, "pong");
  p.settle();
  CHECK(p.got_b == "ping");
  CHECK(p.got_a == "pong");
}

TEST_CASE("Crossing SYNs: a lost SYN,ACK is recovered by retransmission") {
  Pair p = pair();
  int synacks_from_a = 0;
  p.fate = [&](const Segment& s, bool to_b) {
    if (to_b && s.has(kSyn) && s.has(kAck) && synacks_from_a++ == 0) return Pair::Fate{.copies = 0};
    return Pair::Fate{};
  };
  call(p.a, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(R), o); return Errno::Ok; });
  call(p.b, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(L), o); return Errno::Ok; });
  p.run(sec(10));
  CHECK(p.a.state() == State::Established);
  CHECK(p.b.state() == State::Established);
}

TEST_CASE("Crossing FINs: both sides go FIN_WAIT_1 → CLOSING → TIME_WAIT → CLOSED") {
  Pair p = connected_pair();
  const Instant t = p.now;
  close(p.a, t);
  close(p.b, t);
  p.settle();
  const auto expected = path({"ESTABLISHED>FIN_WAIT_1", "FIN_WAIT_1>CLOSING", "CLOSING>TIME_WAIT"});
  auto tail = [](const Ep& ep) {
    auto v = edge_names(ep);
    return std::vector<std::string>(v.end() - 3, v.end());
  };
  CHECK(tail(p.a) == expected);
  CHECK(tail(p.b) == expected);
  // Each side ACKed the other's FIN once, and no FIN was retransmitted.
  CHECK(p.a.c.retransmissions() == 0);
  CHECK(p.b.c.retransmissions() == 0);
  // 2*MSL after entering TIME_WAIT, both are gone.
  const Instant tw = p.a.deadline(TimerKind::TimeWait);
  CHECK(tw == t + 2 * p.delay + sec(60));
  p.run(tw - 1);
  CHECK(p.a.state() == State::TimeWait);
  p.run(tw);
  CHECK(p.a.state() == State::Closed);
  CHECK(p.b.state() == State::Closed);
}

TEST_CASE("Open, transfer both ways, close: FIN_WAIT_2/TIME_WAIT on one side, CLOSE_WAIT/LAST_ACK on the other") {
  Pair p = connected_pair();
  const std::string up(5000, 'u'), down(3000, 'd');
  send(p.a, p.now, up);
  send(p.b, p.now, down);
  p.settle();
  CHECK(p.got_b == up);
  CHECK(p.got_a == down);
  close(p.a, p.now);
  p.settle();
  CHECK(p.a.state() == State::FinWait2);
  CHECK(p.b.state() == State::CloseWait);
  close(p.b, p.now);
  p.settle();
  CHECK(p.a.state() == State::TimeWait);
  CHECK(p.b.state() == State::Closed);
  p.run(p.now + sec(61));
  CHECK(p.a.state() == State::Closed);
  CHECK(p.a.c.retransmissions() == 0);
  CHECK(p.b.c.retransmissions() == 0);
}

TEST_CASE("Lost last ACK: LAST_ACK retransmits the FIN and TIME_WAIT re-ACKs it") {
  Pair p = connected_pair();
  close(p.a, p.now);
  p.settle();
  close(p.b, p.now);
  int acks_after_fin = 0;
  p.fate = [&](const Segment& s, bool to_b) {
    // Drop a's first ACK of b's FIN.
    if (to_b && !s.has(kFin) && p.a.state() == State::TimeWait && acks_after_fin++ == 0) return Pair::Fate{.copies = 0};
    return Pair::Fate{};
  };
  p.run(p.now + sec(5));
  CHECK(p.b.state() == State::Closed);
  CHECK(p.a.state() == State::TimeWait);
  CHECK(p.b.c.retransmissions() == 1);
  CHECK(acks_after_fin == 2);
}

}  // TEST_SUITE
