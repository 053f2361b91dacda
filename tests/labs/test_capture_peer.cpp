// Issue 21: a captured opener that sent what no TCP stack sends becomes a scripted peer in the
// lab `tcplab import --to-lab` writes (labs/capture_peer.hpp).
#include <doctest/doctest.h>

#include "labs/capture_peer.hpp"
#include "tests/labs/capture_events.hpp"

using namespace tcplab;

namespace {

using labtest::captured;
using labtest::kClientIsn;
using labtest::kServerIsn;

// A handshake at the server (10 ms each way: the client is 10 ms behind the capture).
std::vector<TraceEvent> handshake() {
  TraceEvent syn = captured(true, 1, 10'000, kSyn, kClientIsn);
  syn.seg.mss = 1460;
  return {syn, captured(false, 1, 10'000, kSyn | kAck, kServerIsn, kClientIsn + 1),
          captured(true, 2, 30'000, kAck, kClientIsn + 1, kServerIsn + 1)};
}

constexpr Duration kLag = 10'000'000;  // the one-way delay: the capture is at the server

}  // namespace

TEST_CASE("capture -> lab: a stack's own segments need no scripted peer") {
  auto s = handshake();
  s.push_back(captured(true, 3, 50'000, kAck | kPsh, kClientIsn + 1, kServerIsn + 1, 100));
  s.push_back(captured(false, 2, 50'000, kAck, kServerIsn + 1, kClientIsn + 101));
  s.push_back(captured(true, 4, 70'000, kRst, kClientIsn + 101));  // an abort: at SND.NXT
  CHECK_FALSE(opener_unlike_a_stack(s, "10.0.0.1:48001", kLag).has_value());
}

TEST_CASE("capture -> lab: what no stack sends makes the opener a scripted peer, and says why") {
  SUBCASE("a RST away from SND.NXT (a blind reset)") {
    auto s = handshake();
    s.push_back(captured(true, 3, 130'000, kRst, kClientIsn + 1001));
    const auto why = opener_unlike_a_stack(s, "10.0.0.1:48001", kLag);
    REQUIRE(why);
    CHECK(*why == "a RST at sequence number 1001 where its next was 1 (a blind reset, RFC 5961 3)");
  }
  SUBCASE("a SYN in an established connection") {
    auto s = handshake();
    s.push_back(captured(true, 3, 130'000, kSyn, kClientIsn + 1000));
    CHECK(opener_unlike_a_stack(s, "10.0.0.1:48001", kLag)->starts_with("a SYN in the middle"));
  }
  SUBCASE("an ACK older than one it sent, or of data never sent") {
    auto s = handshake();
    s.push_back(captured(true, 3, 130'000, kAck, kClientIsn + 1, kServerIsn - 100000));
    CHECK(opener_unlike_a_stack(s, "10.0.0.1:48001", kLag)->starts_with("an ACK below"));
    s.back() = captured(true, 3, 130'000, kAck, kClientIsn + 1, kServerIsn + 1000);
    CHECK(opener_unlike_a_stack(s, "10.0.0.1:48001", kLag)->starts_with("an ACK of data the other side never sent"));
  }
  SUBCASE("a FIN after the peer's RST had reached it, not one already on its way") {
    auto s = handshake();
    s.push_back(captured(false, 2, 170'000, kRst, kServerIsn + 1));  // reaches the client at 180 ms
    s.push_back(captured(true, 3, 185'000, kFin | kAck, kClientIsn + 1, kServerIsn + 1));  // left at 175 ms
    CHECK_FALSE(opener_unlike_a_stack(s, "10.0.0.1:48001", kLag).has_value());
    s.back().t_ns = 195'000'000;  // left at 185 ms, after the RST arrived
    CHECK(opener_unlike_a_stack(s, "10.0.0.1:48001", kLag)->starts_with("it sent on after the other side's RST"));
  }
}

TEST_CASE("capture -> lab: the peer script has the opener's segments at its own times, the other side's when they reach it") {
  auto s = handshake();
  s.push_back(captured(true, 3, 130'000, kRst, kClientIsn + 1001));
  s.push_back(captured(false, 2, 150'000, kAck, kServerIsn + 1, kClientIsn + 1));  // a challenge ACK
  s.push_back(captured(false, 3, 160'000, kAck, kServerIsn + 1, kClientIsn + 1));  // dropped by a fault
  CHECK(opener_peer_script(s, "10.0.0.1:48001", kLag, {3}) ==
        "0.000000 < S 0:0(0) win 65535 <mss 1460>\n"
        "0.020000 > S. 0:0(0) ack 1 <...>\n"
        "0.020000 < . 1:1(0) ack 1 win 65535\n"
        "0.120000 < R 1001:1001(0) win 65535\n"
        "0.160000 > . 1:1(0) ack 1 <...>\n");
}
