// Lost, duplicated and reordered segments: the Reassembler holds out-of-order bytes and the
// connection delivers every byte exactly once, in order (RFC 9293 3.10.7.4 seventh).
#include <random>
#include <set>

#include "harness.hpp"
#include "stack/reassembler.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
std::string reassembly_pattern(std::size_t n, std::size_t salt = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('A' + (i * 7 + salt + i / 26) % 26);
  return s;
}
}  // namespace

TEST_SUITE("Reassembly") {

TEST_CASE("Reassembler: holes, overlap and contiguous take") {
  Reassembler r;
  CHECK(r.insert(10, "klmno"));
  CHECK(r.insert(20, "uvw"));
  CHECK(r.bytes_held() == 8);
  CHECK(r.ranges() == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{10, 15}, {20, 23}});
  CHECK(r.take_contiguous(0).empty());  // hole at 0..10
  CHECK(r.insert(12, "mnopqrst"));      // overlaps both, fills 15..20
  CHECK(r.bytes_held() == 13);
  CHECK(r.ranges() == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{10, 23}});
  CHECK(r.insert(10, "klm"));  // wholly duplicate
  CHECK(r.bytes_held() == 13);
  CHECK(join(r.take_contiguous(10)) == "klmnopqrstuvw");
  CHECK(r.empty());
  CHECK(r.bytes_held() == 0);
}

TEST_CASE("Reassembler: take_contiguous skips what the caller already has") {
  Reassembler r;
  r.insert(5, "fghij");
  CHECK(join(r.take_contiguous(7)) == "hij");
  CHECK(r.empty());
}

TEST_CASE("Reassembler: the count of separate ranges is bounded, not the segments") {
  Reassembler r;
  for (std::uint64_t i = 0; i < Reassembler::kMaxRuns; ++i) CHECK(r.insert(10 + 2 * i, "x"));
  CHECK_FALSE(r.insert(10 + 2 * Reassembler::kMaxRuns, "y"));  // a new range: dropped, will be retransmitted
  CHECK(r.ranges().size() == Reassembler::kMaxRuns);
  CHECK(r.insert(11, "z"));  // joins two ranges: taken
  CHECK(r.ranges().size() == Reassembler::kMaxRuns - 1);
  // 10,000 segments after one hole are one range (a bound of 256 segments dropped the rest).
  Reassembler w;
  for (std::uint64_t i = 1; i <= 10000; ++i) CHECK(w.insert(i * 1000, std::string(1000, 'w')));
  CHECK(w.ranges() == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1000, 10001000}});
  CHECK(w.range_of(5000500) == std::make_pair(std::uint64_t{1000}, std::uint64_t{10001000}));
  CHECK_FALSE(w.range_of(999).has_value());
  CHECK(w.bytes_held() == 10000000);
  CHECK(w.insert(0, std::string(1000, 'v')));
  std::uint64_t got = 0;
  for (const Payload& p : w.take_contiguous(0)) got += p.size();
  CHECK(got == 10001000);
  CHECK(w.empty());
}

TEST_CASE("Reassembler: random inserts and takes against a byte map") {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 60; ++round) {
    Reassembler r;
    constexpr std::uint64_t span = 400;
    const std::string stream = reassembly_pattern(span, static_cast<std::size_t>(round));
    std::vector<bool> held(span, false);
    std::uint64_t next = 0;
    std::string delivered;
    for (int n = 0; n < 80; ++n) {
      const std::uint64_t at = next + 1 + rng() % 60;
      if (at >= span) continue;
      const std::uint64_t len = std::min<std::uint64_t>(1 + rng() % 25, span - at);
      REQUIRE(r.insert(at, Payload(stream.substr(at, len))));
      for (std::uint64_t i = at; i < at + len; ++i) held[i] = true;
      // The model's ranges from `next` on: maximal runs of held bytes.
      std::vector<std::pair<std::uint64_t, std::uint64_t>> want;
      for (std::uint64_t i = next; i < span; ++i)
        if (held[i] && (i == next || !held[i - 1])) {
          std::uint64_t e = i;
          while (e < span && held[e]) ++e;
          want.emplace_back(i, e);
        }
      REQUIRE(r.ranges() == want);
      CHECK(r.bytes_held() == static_cast<std::uint64_t>(std::count(held.begin() + static_cast<std::ptrdiff_t>(next), held.end(), true)));
      if (rng() % 4 == 0) {  // the hole at `next` fills: take what became contiguous
        const std::uint64_t fill = std::min<std::uint64_t>(1 + rng() % 10, span - next);
        delivered += stream.substr(next, fill);
        for (std::uint64_t i = next; i < next + fill; ++i) held[i] = false;
        next += fill;
        const std::string more = join(r.take_contiguous(next));
        delivered += more;
        next += more.size();
        for (std::uint64_t i = 0; i < next; ++i) held[i] = false;
        REQUIRE(delivered == stream.substr(0, next));
      }
    }
  }
}

TEST_CASE("ESTABLISHED: segments in reverse order → delivered once, in order") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.seq = R + 7, .payload = "ghi"});
  expect_sends(ep, {{}});  // duplicate ACK: RCV.NXT has not moved
  feed(ep, ms(2), Seg{.seq = R + 4, .payload = "def"});
  expect_sends(ep, {{}});
  CHECK(ep.c.readable_bytes() == 0);
  feed(ep, ms(3), Seg{.seq = R + 1, .payload = "abc"});
  expect_sends(ep, {{.ack = R + 10, .wnd = kWnd - 9}});
  CHECK(recv_all(ep, ms(4)) == "abcdefghi");
}

TEST_CASE("ESTABLISHED: overlapping and duplicated segments → each byte once") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.seq = R + 5, .payload = "efghij"});
  feed(ep, ms(1), Seg{.seq = R + 5, .payload = "efghij"});  // duplicate out of order
  feed(ep, ms(1), Seg{.seq = R + 3, .payload = "cdef"});    // overlaps the front
  feed(ep, ms(2), Seg{.seq = R + 1, .payload = "abcd"});    // fills the hole, overlaps
  expect_sends(ep, {{.ack = R + 11, .wnd = kWnd - 10}});
  feed(ep, ms(3), Seg{.seq = R + 1, .payload = "abcdefghijk"});  // old bytes plus one new
  expect_sends(ep, {{.ack = R + 12, .wnd = kWnd - 11}});
  CHECK(recv_all(ep, ms(4)) == "abcdefghijk");
}

TEST_CASE("ESTABLISHED: the first segment of a window is lost → the rest is kept and the retransmission completes it") {
  // The peer fills our whole window; the first segment is lost. Every later segment was in
  // the window we offered and must be kept (RFC 9293 3.8.6.2.2: the window must not shrink,
  // so nothing the peer may send is refused), and the retransmission delivers everything.
  Ep ep = established();
  const std::string data = reassembly_pattern(8000);
  for (std::uint32_t off = kMss; off < 8000; off += kMss) {
    feed(ep, ms(1), Seg{.seq = R + 1 + off, .payload = data.substr(off, kMss)});
    expect_sends(ep, {{.ack = R + 1}});  // duplicate ACKs, window unchanged
    CHECK(ep.tcb().rcv_nxt.raw() + ep.tcb().rcv_wnd == R + 1 + kWnd);  // the right edge stays put
  }
  feed(ep, ms(2), Seg{.seq = R + 1, .payload = data.substr(0, kMss)});
  expect_sends(ep, {{.ack = R + 8001, .wnd = kWnd - 8000}});
  CHECK(recv_all(ep, ms(3)) == data);
}

TEST_CASE("Pair: every third data segment lost once → all bytes arrive exactly once, in order") {
  Pair p = connected_pair();
  std::set<std::uint32_t> lost;
  int n = 0;
  p.fate = [&](const Segment& s, bool to_b) {
    if (to_b && !s.payload.empty() && !lost.count(s.seq.raw()) && ++n % 3 == 0) {
      lost.insert(s.seq.raw());
      return Pair::Fate{.copies = 0};
    }
    return Pair::Fate{};
  };
  const std::string data = reassembly_pattern(40000, 3);
  std::size_t off = 0;
  while (off < data.size()) {  // the app writes as fast as the buffer takes it
    std::uint32_t taken = 0;
    send(p.a, p.now, std::string_view(data).substr(off), &taken);
    off += taken;
    p.run(p.now + ms(50));
  }
  p.run(p.now + sec(30));
  CHECK(p.got_b.size() == data.size());
  CHECK(p.got_b == data);
  CHECK(!lost.empty());
  CHECK(p.a.c.bytes_acked_total() == data.size());
}

TEST_CASE("Pair: reordered segments → delivered in order, no retransmission needed") {
  Pair p = connected_pair();
  int n = 0;
  p.fate = [&](const Segment& s, bool to_b) {
    // The 2nd data segment is delayed past the 3rd and 4th.
    if (to_b && !s.payload.empty() && ++n == 2) return Pair::Fate{.extra = ms(3)};
    return Pair::Fate{};
  };
  const std::string data = reassembly_pattern(4000, 5);
  send(p.a, p.now, data);
  p.settle();
  CHECK(p.got_b == data);
  CHECK(p.a.c.retransmissions() == 0);
}

TEST_CASE("Pair: every segment duplicated → bytes delivered once") {
  Pair p = connected_pair();
  p.fate = [](const Segment&, bool) { return Pair::Fate{.copies = 2}; };
  const std::string up = reassembly_pattern(12000, 1), down = reassembly_pattern(3000, 2);
  send(p.a, p.now, up);
  send(p.b, p.now, down);
  p.run(p.now + sec(5));
  CHECK(p.got_b == up);
  CHECK(p.got_a == down);
  close(p.a, p.now);
  close(p.b, p.now);
  p.run(p.now + sec(5));
  CHECK(p.a.state() == State::TimeWait);
  CHECK(p.b.state() == State::TimeWait);
}

}  // TEST_SUITE
