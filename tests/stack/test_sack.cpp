// SACK (RFC 2018): blocks in our ACKs for out-of-order data (the most recent first), and
// the sender's scoreboard from the peer's blocks.
#include <random>

#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
// RFC 6675's loss detection (three duplicate ACKs): these fixtures' handshake measures an
// RTT of 0, with which RACK (test_rack.cpp) would deem a hole lost on the first SACK.
TcpConfig with_sack() {
  TcpConfig c = plain();
  c.sack = true;
  c.rack = false;
  return c;
}

Ep established_sack(const TcpConfig& cfg = with_sack()) {
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  Seg syn = peer_syn();
  syn.sack_permitted = true;
  call(ep, 0, [&](Connection& c, Output& o) { c.accept_syn(0, to_segment(syn), Seq32(L), o); return Errno::Ok; });
  CHECK(sends_of(ep.out).at(0).seg.sack_permitted);  // echoed in the SYN,ACK
  feed(ep, 0, Seg{});
  REQUIRE(ep.state() == State::Established);
  REQUIRE(ep.tcb().sack_ok);
  return ep;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks(const Output& out) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> v;
  const auto s = sends_of(out);
  REQUIRE(s.size() == 1);
  for (std::uint8_t i = 0; i < s[0].seg.sack_count; ++i) v.emplace_back(s[0].seg.sack[i].left.raw(), s[0].seg.sack[i].right.raw());
  return v;
}
using Blocks = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
}  // namespace

TEST_SUITE("SACK") {

TEST_CASE("SACK: out-of-order data is reported in SACK blocks, the newest first") {
  Ep ep = established_sack();
  const std::string k(kMss, 'k');
  feed(ep, ms(1), Seg{.seq = R + 1001, .payload = k});
  expect_sends(ep, {{}});
  CHECK(blocks(ep.out) == Blocks{{R + 1001, R + 2001}});
  feed(ep, ms(2), Seg{.seq = R + 3001, .payload = k});
  CHECK(blocks(ep.out) == Blocks{{R + 3001, R + 4001}, {R + 1001, R + 2001}});
  feed(ep, ms(3), Seg{.seq = R + 2001, .payload = k});  // joins the two
  CHECK(blocks(ep.out) == Blocks{{R + 1001, R + 4001}});
  feed(ep, ms(4), Seg{.seq = R + 1, .payload = k});  // fills the hole
  expect_sends(ep, {{.ack = R + 4001, .wnd = kWnd - 4000}});
  CHECK(blocks(ep.out).empty());
  CHECK(recv_all(ep, ms(5)) == std::string(4000, 'k'));
}

TEST_CASE("SACK: after the first block, the blocks of the next most recent segments (RFC 2018 4)") {
  Ep ep = established_sack();
  const std::string k(1000, 'k');
  feed(ep, ms(1), Seg{.seq = R + 1001, .payload = k});
  feed(ep, ms(2), Seg{.seq = R + 3001, .payload = k});
  feed(ep, ms(3), Seg{.seq = R + 5001, .payload = k});
  CHECK(blocks(ep.out) == Blocks{{R + 5001, R + 6001}, {R + 3001, R + 4001}, {R + 1001, R + 2001}});
  feed(ep, ms(4), Seg{.seq = R + 2001, .payload = k});  // joins the oldest two: now the newest
  CHECK(blocks(ep.out) == Blocks{{R + 1001, R + 4001}, {R + 5001, R + 6001}});
  feed(ep, ms(5), Seg{.seq = R + 7001, .payload = k});
  CHECK(blocks(ep.out) == Blocks{{R + 7001, R + 8001}, {R + 1001, R + 4001}, {R + 5001, R + 6001}});
}

TEST_CASE("SACK: a duplicate segment is reported first as a D-SACK block, once (RFC 2883; not in rfc9293)") {
  Ep ep = established_sack();
  feed(ep, ms(1), Seg{.payload = std::string(200, 'a')});
  expect_sends(ep, {{.ack = R + 201, .wnd = kWnd - 200}});
  feed(ep, ms(2), Seg{.payload = std::string(100, 'a')});  // 1:101 again
  expect_sends(ep, {{.ack = R + 201, .wnd = kWnd - 200}});
  CHECK(blocks(ep.out) == Blocks{{R + 1, R + 101}});
  // Partly new: the old part is the D-SACK block, the new part is taken.
  feed(ep, ms(3), Seg{.seq = R + 151, .payload = std::string(100, 'b')});
  expect_sends(ep, {{.ack = R + 251, .wnd = kWnd - 250}});
  CHECK(blocks(ep.out) == Blocks{{R + 151, R + 201}});
  feed(ep, ms(4), Seg{.seq = R + 251, .payload = "c"});
  CHECK(blocks(ep.out).empty());
  TcpConfig r = with_sack();
  r.dsack = false;
  Ep no{Connection(1, share(r), kLocal, kRemote, State::Listen), {}, {}, {}};
  Seg syn = peer_syn();
  syn.sack_permitted = true;
  call(no, 0, [&](Connection& c, Output& o) { c.accept_syn(0, to_segment(syn), Seq32(L), o); return Errno::Ok; });
  feed(no, 0, Seg{});
  feed(no, ms(1), Seg{.payload = std::string(200, 'a')});
  feed(no, ms(2), Seg{.payload = std::string(100, 'a')});
  CHECK(blocks(no.out).empty());
  CHECK(TcpConfig::for_profile(Profile::Rfc9293).dsack == false);
}

TEST_CASE("SACK: at most four blocks (three with timestamps)") {
  Ep ep = established_sack();
  for (std::uint32_t i = 0; i < 6; ++i) feed(ep, ms(1), Seg{.seq = R + 101 + 200 * i, .payload = "x"});
  CHECK(blocks(ep.out).size() == 4);
  CHECK(blocks(ep.out).front() == std::pair<std::uint32_t, std::uint32_t>{R + 1101, R + 1102});
}

TEST_CASE("SACK: not negotiated → no blocks") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.seq = R + 1001, .payload = "x"});
  expect_sends(ep, {{}});
  CHECK(blocks(ep.out).empty());
}

TEST_CASE("SACK: the sender keeps the peer's blocks and fast-retransmits the hole") {
  Ep ep = established_sack();
  send(ep, 0, std::string(5000, 's'));
  REQUIRE(sends_of(ep.out).size() == 5);
  feed(ep, ms(10), Seg{.ack = L + 1, .sack = {{L + 1001, L + 2001}}});
  feed(ep, ms(11), Seg{.ack = L + 1, .sack = {{L + 1001, L + 3001}}});
  expect_silent(ep);
  feed(ep, ms(12), Seg{.ack = L + 1, .sack = {{L + 1001, L + 4001}}});
  const auto sent = sends_of(ep.out);
  REQUIRE_FALSE(sent.empty());
  CHECK(sent[0].seg.seq.raw() == L + 1);
  CHECK(sent[0].seg.payload.size() == kMss);
  CHECK(sent[0].retx);
  for (const auto& s : sent) CHECK_FALSE((seq_ge(s.seg.seq, Seq32(L + 1001)) && seq_lt(s.seg.seq, Seq32(L + 4001))));
  const auto& board = ep.c.congestion().scoreboard();
  REQUIRE(board.size() == 1);
  CHECK(board[0].left.raw() == L + 1001);
  CHECK(board[0].right.raw() == L + 4001);
}

TEST_CASE("SACK: an ACK with new SACK information is a duplicate ACK even if its window changed (RFC 6675)") {
  Ep ep = established_sack();
  send(ep, 0, std::string(5000, 's'));
  REQUIRE(sends_of(ep.out).size() == 5);
  SUBCASE("new blocks, window shrinking: the third one fast-retransmits SND.UNA") {
    feed(ep, ms(10), Seg{.ack = L + 1, .wnd = 19000, .sack = {{L + 1001, L + 2001}}});
    expect_silent(ep);
    feed(ep, ms(11), Seg{.ack = L + 1, .wnd = 18000, .sack = {{L + 1001, L + 3001}}});
    expect_silent(ep);
    feed(ep, ms(12), Seg{.ack = L + 1, .wnd = 17000, .sack = {{L + 1001, L + 4001}}});
    expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = kMss, .retx = true}});
    CHECK(ep.tcb().snd_wnd == 17000);
  }
  SUBCASE("the same block again with another window: window updates, not duplicate ACKs") {
    for (std::uint16_t w : {19000, 18000, 17000, 16000}) {
      feed(ep, ms(10), Seg{.ack = L + 1, .wnd = w, .sack = {{L + 1001, L + 2001}}});
      expect_silent(ep);
      CHECK(ep.tcb().snd_wnd == w);
    }
  }
  SUBCASE("new blocks with a zero window: not duplicate ACKs, no fast retransmit") {
    feed(ep, ms(10), Seg{.ack = L + 1, .wnd = 0, .sack = {{L + 1001, L + 2001}}});
    feed(ep, ms(11), Seg{.ack = L + 1, .wnd = 0, .sack = {{L + 1001, L + 3001}}});
    feed(ep, ms(12), Seg{.ack = L + 1, .wnd = 0, .sack = {{L + 1001, L + 4001}}});
    expect_silent(ep);
    CHECK(ep.tcb().snd_wnd == 0);
  }
}

TEST_CASE("SACK: PRR's first step counts the hole as lost, so a write right after the fast retransmit sends nothing") {
  // tests/pkt/scripts/b-prr-no-send-on-write.pkt: the kernel sets cwnd = in flight + sndcnt on
  // the ACK that starts recovery, with the hole below the SACKed segments already out of the
  // flight (6 + 1 = 7 segments); the retransmission fills that. The pipe once counted the hole
  // as in flight whenever HighRxt, set only by a recovery, read as above SND.UNA: with an ISS
  // in the upper half of the sequence space before the first recovery, cwnd became 8 and a
  // write sent a new segment at once.
  for (const std::uint32_t iss : {L, 0x90000000U}) {
    CAPTURE(iss);
    Ep ep{Connection(1, share(with_sack()), kLocal, kRemote, State::Listen), {}, {}, {}};
    Seg syn = peer_syn();
    syn.sack_permitted = true;
    call(ep, 0, [&](Connection& c, Output& o) { c.accept_syn(0, to_segment(syn), Seq32(iss), o); return Errno::Ok; });
    feed(ep, 0, Seg{.ack = iss + 1});
    REQUIRE(ep.state() == State::Established);
    send(ep, 0, std::string(10000, 's'));
    REQUIRE(sends_of(ep.out).size() == 10);  // the initial window
    feed(ep, ms(100), Seg{.ack = iss + 1, .sack = {{iss + 1001, iss + 2001}}});
    feed(ep, ms(100), Seg{.ack = iss + 1, .sack = {{iss + 1001, iss + 3001}}});
    feed(ep, ms(100), Seg{.ack = iss + 1, .sack = {{iss + 1001, iss + 4001}}});
    expect_sends(ep, {{.flags = kAck, .seq = iss + 1, .len = kMss, .retx = true}});
    CHECK(ep.c.congestion().cwnd() == 7 * kMss);  // 6 in flight + sndcnt 1 (CUBIC's ssthresh is 7)
    CHECK(ep.c.bytes_in_flight() == 7 * kMss);
    send(ep, ms(100), std::string(5000, 't'));
    expect_silent(ep);
    // The next SACK delivers one more segment: PRR lets one new segment go.
    feed(ep, ms(150), Seg{.ack = iss + 1, .sack = {{iss + 1001, iss + 5001}}});
    expect_sends(ep, {{.flags = kAck, .seq = iss + 10001, .len = kMss}});
  }
}

TEST_CASE("SACK: after an RTO, duplicate ACKs with SACK blocks do not start fast recovery (RFC 6582 3.2, Linux CA_Loss)") {
  // The receiver still holds the out-of-order data and reports it in every ACK. Fast recovery
  // there once took the rewound flight (SND.NXT past the SACKed blocks) as its pipe and PRR
  // set cwnd to it and more on each ACK: a burst of a whole send buffer (the ns-3 dumbbell,
  // bench/README.md). No tail loss probe here, so that the RTO is what fires.
  TcpConfig cfg = with_sack();
  cfg.tail_loss_probe = false;
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  Seg syn = peer_syn();
  syn.sack_permitted = true;
  call(ep, 0, [&](Connection& c, Output& o) { c.accept_syn(0, to_segment(syn), Seq32(L), o); return Errno::Ok; });
  feed(ep, 0, Seg{});
  REQUIRE(ep.tcb().sack_ok);
  send(ep, 0, std::string(10000, 's'));
  REQUIRE(sends_of(ep.out).size() == 10);
  const Instant rto = ep.deadline(TimerKind::Rto);
  fire(ep, rto);
  expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = kMss, .retx = true}});
  // The first two segments were lost, the next four arrive late (reordered in the network).
  for (std::uint32_t k = 3; k <= 6; ++k) {
    CAPTURE(k);
    feed(ep, rto + ms(k), Seg{.ack = L + 1, .sack = {{L + 2001, L + 1 + k * 1000}}});
    expect_silent(ep);
    CHECK_FALSE(ep.c.congestion().in_recovery());
    CHECK(ep.c.congestion().cwnd() == kMss);
  }
  // The retransmission's ACK: slow start from one segment, the next hole first.
  feed(ep, rto + ms(10), Seg{.ack = L + 1001, .sack = {{L + 2001, L + 6001}}});
  const auto sent = sends_of(ep.out);
  REQUIRE_FALSE(sent.empty());
  CHECK(sent[0].seg.seq.raw() == L + 1001);
  CHECK(sent[0].retx);
  CHECK(sent.size() <= 2);
  CHECK(ep.c.congestion().cwnd() == 2 * kMss);
}

TEST_CASE("SACK: blocks beyond what was sent are ignored (RFC 2018 4)") {
  Ep ep = established_sack();
  send(ep, 0, std::string(2000, 's'));
  feed(ep, ms(10), Seg{.ack = L + 1, .sack = {{L + 5001, L + 6001}}});
  CHECK(ep.c.congestion().scoreboard().empty());
}

TEST_CASE("SACK: the scoreboard keeps every range of a window with 138 holes (none forgotten and sent again)") {
  // A slow-start overshoot into a drop-tail queue: one segment in 21 lost, 139 SACKed ranges
  // above SND.UNA. A bound of 64 ranges forgot the lowest 75, whose bytes then counted as
  // holes to send again.
  Congestion cc;
  const Seq32 una(4000000000U);  // the ranges cross the wrap of the sequence space
  constexpr std::uint32_t seg = 1460, every = 21;
  for (std::uint32_t i = 0; i < 139; ++i) {
    // Each range as its segments are SACKed one by one (each ACK's first block grows).
    for (std::uint32_t k = 1; k < every; ++k)
      cc.add_sack(SackBlock{una + (i * every + 1) * seg, una + (i * every + k + 1) * seg}, una);
  }
  CHECK(cc.scoreboard().size() == 139);
  CHECK(cc.sacked_bytes() == 139U * (every - 1) * seg);
  // The holes the recovery would fill: exactly the lost segments, from the first to the last.
  Seq32 from = una;
  Seq32 at;
  std::uint32_t len = 0;
  int holes = 0;
  while (cc.next_hole(from, &at, &len)) {
    CHECK(at == una + static_cast<std::uint32_t>(holes) * every * seg);
    CHECK(len == seg);
    from = at + len;
    ++holes;
  }
  CHECK(holes == 139);
  // A segment inside the 5th range: its range is found (what the sender skips).
  const SackBlock* b = cc.sacked_at_or_after(una + (4 * every + 3) * seg);
  REQUIRE(b != nullptr);
  CHECK(b->left == una + (4 * every + 1) * seg);
}

TEST_CASE("SACK: the scoreboard's ranges equal the bytes SACKed, for random blocks (against a byte map)") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 40; ++round) {
    Congestion cc;
    const Seq32 una(static_cast<std::uint32_t>(rng()));
    constexpr std::uint32_t span = 3000;
    std::vector<bool> held(span, false);  // byte i is una + i
    for (int n = 0; n < 60; ++n) {
      const auto l = static_cast<std::uint32_t>(rng() % span), w = 1 + static_cast<std::uint32_t>(rng() % 80);
      const std::uint32_t r = std::min(span, l + w);
      cc.add_sack(SackBlock{una + l, una + r}, una);
      for (std::uint32_t i = l; i < r; ++i) held[i] = true;
      // The model's ranges: maximal runs of held bytes.
      std::vector<std::pair<std::uint32_t, std::uint32_t>> want;
      for (std::uint32_t i = 0; i < span; ++i)
        if (held[i] && (i == 0 || !held[i - 1])) want.emplace_back(i, i);
      for (auto& [a, e] : want) {
        e = a;
        while (e < span && held[e]) ++e;
      }
      std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
      for (const SackBlock& s : cc.scoreboard()) got.emplace_back(s.left - una, s.right - una);
      REQUIRE(got == want);
      CHECK(cc.sacked_bytes() == static_cast<std::uint32_t>(std::count(held.begin(), held.end(), true)));
    }
  }
}

TEST_CASE("SACK: a timeout keeps the scoreboard under linux (not after reneging) and forgets it under rfc9293") {
  // Five segments out; the peer SACKs the third; the RTO fires. Linux (tcp_timeout_mark_lost)
  // keeps what was SACKed, so the go-back-N skips 2001:3001 even though the ACKs after the
  // timeout do not report it again; RFC 2018 8 forgets it and sends it again.
  const auto after_timeout = [](Profile p, std::uint32_t sack_left, std::uint32_t sack_right) {
    TcpConfig cfg = with_sack();
    cfg.tail_loss_probe = false;  // the RTO, not a probe, is the first timer to fire
    if (p == Profile::Rfc9293) cfg.rto_keeps_sack = TcpConfig::for_profile(p).rto_keeps_sack;
    Ep ep = established_sack(cfg);
    send(ep, 0, std::string(5000, 's'));
    REQUIRE(sends_of(ep.out).size() == 5);
    feed(ep, ms(10), Seg{.ack = L + 1, .sack = {{sack_left, sack_right}}});
    REQUIRE(ep.c.congestion().scoreboard().size() == 1);
    const Instant rto = ep.c.timers().at(TimerKind::Rto);
    fire(ep, rto);
    expect_sends(ep, {{.seq = L + 1, .len = kMss, .payload = std::string(kMss, 's'), .retx = true}});
    return ep;
  };
  // The ACK of the first segment (no SACK blocks repeated): what goes next, cwnd being 2.
  const auto next_two = [](Ep& ep) {
    feed(ep, ep.c.timers().at(TimerKind::Rto) - ms(1), Seg{.ack = L + 1001});
    std::vector<std::uint32_t> seqs;
    for (const auto& x : sends_of(ep.out)) seqs.push_back(x.seg.seq.raw());
    return seqs;
  };
  SUBCASE("linux: kept; after the ACK of the first segment, 1001:2001 and then 3001:4001") {
    Ep ep = after_timeout(Profile::Linux, L + 2001, L + 3001);
    CHECK(ep.c.congestion().scoreboard().size() == 1);
    CHECK(next_two(ep) == std::vector<std::uint32_t>{L + 1001, L + 3001});
  }
  SUBCASE("rfc9293: forgotten; 1001:2001 and then 2001:3001 again") {
    Ep ep = after_timeout(Profile::Rfc9293, L + 2001, L + 3001);
    CHECK(ep.c.congestion().scoreboard().empty());
    CHECK(next_two(ep) == std::vector<std::uint32_t>{L + 1001, L + 2001});
  }
  SUBCASE("linux, the segment at SND.UNA SACKed and not acknowledged: the receiver reneged, forgotten") {
    Ep ep = after_timeout(Profile::Linux, L + 1, L + 1001);
    CHECK(ep.c.congestion().scoreboard().empty());
  }
}

TEST_CASE("SACK: the fast retransmit of the first segment restarts the RTO under linux, not under rfc9293") {
  for (const bool restarts : {true, false}) {
    CAPTURE(restarts);
    TcpConfig cfg = with_sack();
    cfg.rto_restarts_on_head_resend = restarts;
    Ep ep = established_sack(cfg);
    send(ep, 0, std::string(5000, 's'));
    const Instant first = ep.c.timers().at(TimerKind::Rto);
    feed(ep, ms(10), Seg{.ack = L + 1, .sack = {{L + 1001, L + 2001}}});
    feed(ep, ms(11), Seg{.ack = L + 1, .sack = {{L + 1001, L + 3001}}});
    feed(ep, ms(12), Seg{.ack = L + 1, .sack = {{L + 1001, L + 4001}}});
    const auto sent = sends_of(ep.out);
    REQUIRE_FALSE(sent.empty());
    REQUIRE(sent[0].seg.seq.raw() == L + 1);  // the fast retransmit
    CHECK(ep.c.timers().at(TimerKind::Rto) == (restarts ? ms(12) + ep.c.rtt().rto() : first));
  }
}

}  // TEST_SUITE
