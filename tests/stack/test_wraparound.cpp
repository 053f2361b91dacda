// Sequence numbers across 2^32 (RFC 9293 3.4): ISSs just below the wrap, data carried
// across it, with and without loss, and the close after it.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
constexpr std::uint32_t kIssA = 0xFFFFFF00U;
constexpr std::uint32_t kIssB = 0xFFFFFFF0U;

std::string wrap_pattern(std::size_t n, std::size_t salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 11 + salt) % 26);
  return s;
}
}  // namespace

TEST_SUITE("Wraparound") {

TEST_CASE("Wraparound: data both ways across 2^32, then a clean close") {
  Pair p = connected_pair(plain(), plain(), kIssA, kIssB);
  const std::string up = wrap_pattern(6000, 1), down = wrap_pattern(5000, 2);
  send(p.a, p.now, up);
  send(p.b, p.now, down);
  p.settle();
  CHECK(p.got_b == up);
  CHECK(p.got_a == down);
  // Some segment really did start after the wrap.
  const bool crossed = std::any_of(p.sent_ab.begin(), p.sent_ab.end(), [](const Segment& s) {
    return !s.payload.empty() && s.seq.raw() < 0x10000U;
  });
  CHECK(crossed);
  CHECK(p.a.tcb().snd_una.raw() == kIssA + 1 + 6000);  // wrapped: 0x00001670
  CHECK(p.b.tcb().rcv_nxt.raw() == kIssA + 1 + 6000);
  CHECK(p.a.c.bytes_acked_total() == 6000);
  close(p.a, p.now);
  p.settle();
  close(p.b, p.now);
  p.settle();
  CHECK(p.a.state() == State::TimeWait);
  CHECK(p.b.state() == State::Closed);
}

TEST_CASE("Wraparound: the segment holding the wrap is lost, later ones wait in the reassembler") {
  Pair p = connected_pair(plain(), plain(), kIssA, kIssB);
  bool dropped = false;
  p.fate = [&](const Segment& s, bool to_b) {
    const Seq32 end = s.seq + static_cast<std::uint32_t>(s.payload.size());
    if (to_b && !dropped && !s.payload.empty() && seq_lt(s.seq, Seq32(0)) && seq_gt(end, Seq32(0))) {
      dropped = true;
      return Pair::Fate{.copies = 0};
    }
    return Pair::Fate{};
  };
  const std::string up = wrap_pattern(8000, 3);
  send(p.a, p.now, up);
  p.run(p.now + sec(5));
  CHECK(dropped);
  CHECK(p.got_b == up);
  CHECK(p.a.c.retransmissions() >= 1);
}

TEST_CASE("Wraparound: out-of-order segments on both sides of 2^32 at one endpoint") {
  // Our receive side with IRS just below the wrap: bytes at RCV.NXT..2^32 and past it.
  const std::uint32_t irs = 0xFFFFFFF8U;
  Ep ep{Connection(1, share(plain()), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [&](Connection& c, Output& o) {
    c.accept_syn(0, to_segment(Seg{.seq = irs, .ack = 0, .flags = kSyn, .mss = kMss}), Seq32(L), o);
    return Errno::Ok;
  });
  feed(ep, 0, Seg{.seq = irs + 1, .ack = L + 1});
  REQUIRE(ep.state() == State::Established);
  // irs+1 = 0xFFFFFFF9: "0123456" fills to 2^32, "789" starts at 0.
  feed(ep, ms(1), Seg{.seq = 0, .ack = L + 1, .payload = "789"});
  expect_sends(ep, {{.ack = irs + 1}});
  feed(ep, ms(2), Seg{.seq = irs + 1, .ack = L + 1, .payload = "0123456"});
  expect_sends(ep, {{.ack = 3, .wnd = kWnd - 10}});
  CHECK(recv_all(ep, ms(3)) == "0123456789");
  feed(ep, ms(4), Seg{.seq = 3, .ack = L + 1, .flags = kFin | kAck});
  CHECK(ep.state() == State::CloseWait);
  expect_silent(ep);  // Linux: the FIN's ACK is a delayed one
  fire(ep, ms(44));
  expect_sends(ep, {{.ack = 4}});
}

}  // TEST_SUITE
