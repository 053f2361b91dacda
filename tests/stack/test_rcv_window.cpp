// The receive window: Linux's rule (stack/rcv_memory.hpp), with the numbers Linux 6.18 sent
// in tests/pkt/scripts/b-window-*.pkt, and the rfc9293 profile's free-space window.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// A receiver's memory after the handshake, as in the scripts: our MSS 1460, less the
// timestamp option (1448) when `ts`.
RcvMemory handshaken(const TcpConfig& cfg, bool ts, bool wscale_ok) {
  RcvMemory m(cfg);
  const std::uint32_t mss = cfg.mss - (ts ? 12 : 0);
  m.choose_initial(mss, wscale_ok);
  m.on_established(mss, mss);
  return m;
}

// Feeds `n` full segments (1448 bytes in a 1500-byte packet) and returns the window field of
// the ACK after each, advertised as Connection::emit records it.
std::vector<std::uint32_t> windows_after(RcvMemory& m, int n, std::uint32_t& rcv_wnd, std::uint8_t ws) {
  std::vector<std::uint32_t> v;
  for (int i = 0; i < n; ++i) {
    m.queue_in_order(1448, 1500);
    const std::uint32_t left = rcv_wnd > 1448 ? rcv_wnd - 1448 : 0;  // what the segment left
    rcv_wnd = m.next_window(left, rcv_wnd, ws);
    v.push_back(std::min<std::uint32_t>(rcv_wnd >> ws, 65535));
  }
  return v;
}

}  // namespace

TEST_SUITE("receive window") {

TEST_CASE("Linux: a 1500-byte packet from a TUN device is charged 2304 bytes") {
  CHECK(RcvMemory::truesize(1500) == 2304);  // a 2048-byte slab and the sk_buff
  CHECK(RcvMemory::truesize(540) == 1280);   // b-zero-window-probe-ratelimit's 500-byte segments
}

TEST_CASE("Linux: SYN,ACK 65160 with wscale 10 for tcp_rmem 4096 131072 32 MiB, then growth and never-shrink") {
  const TcpConfig cfg = TcpConfig::for_profile(Profile::Linux);
  RcvMemory m = handshaken(cfg, true, true);
  CHECK(m.initial_window() == 65160);  // 45 x 1448: half of 131072, whole segments
  CHECK(m.wscale() == 10);             // 2^25 >> 10 fits 16 bits
  std::uint32_t rcv_wnd = m.initial_window();
  // b-window-fills.pkt: growing by 2 x 1448 per segment, then what is left, rounded up.
  CHECK(windows_after(m, 12, rcv_wnd, 10) ==
        std::vector<std::uint32_t>{67, 70, 73, 75, 74, 73, 72, 71, 70, 69, 68, 67});
  m.on_read(12 * 1448);
  CHECK(m.rmem() == 0);
  CHECK(windows_after(m, 1, rcv_wnd, 10) == std::vector<std::uint32_t>{78});
}

TEST_CASE("Linux: SO_RCVBUF 8192 offers 7240 unscaled, closes to 0, and a read of two segments reopens it") {
  TcpConfig cfg = TcpConfig::for_profile(Profile::Linux);
  cfg.rcv_buf_bytes = 16384;  // setsockopt doubles the 8192
  cfg.rcv_buf_locked = true;
  RcvMemory m = handshaken(cfg, true, true);
  CHECK(m.initial_window() == 7240);
  CHECK(m.wscale() == 0);  // chosen for the locked buffer's share, 8192
  std::uint32_t rcv_wnd = m.initial_window();
  CHECK(windows_after(m, 7, rcv_wnd, 0) == std::vector<std::uint32_t>{8688, 7240, 5792, 4344, 2896, 1448, 0});
  CHECK(m.under_pressure());
  CHECK(m.admit());  // the memory (16128 of 16384) would still take one
  m.on_read(2896);
  CHECK(m.read_opens_window(0, rcv_wnd, 0));
  CHECK(m.wanted_window(rcv_wnd, 0) == 2896);
}

TEST_CASE("Linux: the connection's ACKs without window scaling (b-window-unscaled.pkt)") {
  TcpConfig cfg = TcpConfig::for_profile(Profile::Linux);
  cfg.timestamps = false;
  cfg.sack = false;
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    Seg syn = peer_syn();
    syn.mss = 1460;
    c.accept_syn(0, to_segment(syn), Seq32(L), o);
    return Errno::Ok;
  });
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .wnd = 64240}});  // 44 x 1460
  feed(ep, 0, Seg{});
  REQUIRE(ep.state() == State::Established);
  const std::string data(1460, 'x');
  std::uint32_t seq = R + 1;
  std::vector<std::uint16_t> wins;
  for (int i = 0; i < 13; ++i) {
    feed(ep, ms(1) * (i + 1), Seg{.seq = seq, .payload = data});
    seq += 1460;
    const auto sent = sends_of(ep.out);
    REQUIRE(sent.size() == 1);  // every segment ACKed at once (quick-ACK)
    CHECK(sent[0].seg.ack.raw() == seq);
    wins.push_back(sent[0].seg.wnd);
  }
  CHECK(wins == std::vector<std::uint16_t>{65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535,
                                           65535, 64240, 62780});
}

TEST_CASE("Linux: the data that fills a small buffer is refused, not queued beyond it") {
  TcpConfig cfg = TcpConfig::for_profile(Profile::Linux);
  cfg.timestamps = false;
  cfg.sack = false;
  cfg.rcv_buf_bytes = 4096;  // SO_RCVBUF 2048, as in b-zero-window-probe-ratelimit.pkt
  cfg.rcv_buf_locked = true;
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    Seg syn = peer_syn();
    syn.mss = 500;
    c.accept_syn(0, to_segment(syn), Seq32(L), o);
    return Errno::Ok;
  });
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .wnd = 1460}});
  feed(ep, 0, Seg{});
  const std::string data(500, 'x');
  feed(ep, ms(1), Seg{.seq = R + 1, .payload = data});
  expect_sends(ep, {{.ack = R + 501, .wnd = 1000}});  // 2 x 500 of the 1408 the memory allows
  feed(ep, ms(2), Seg{.seq = R + 501, .payload = data});
  fire(ep, ms(2) + sec(1));
  feed(ep, sec(2), Seg{.seq = R + 1001, .payload = data});
  fire(ep, sec(3));
  CHECK(ep.tcb().rcv_nxt.raw() == R + 1501);
  CHECK(ep.tcb().rcv_wnd == 0);  // three segments' memory (3840 of 4096): the window is shut
  feed(ep, sec(4), Seg{.seq = R + 1501, .payload = data});
  expect_sends(ep, {{.ack = R + 1501, .wnd = 0}});  // the fourth is outside it: ACK, drop
  CHECK(ep.c.readable_bytes() == 1500);
}

TEST_CASE("rfc9293: the window is the free buffer, with the smallest scale that covers it (RFC 7323 2.3)") {
  TcpConfig cfg = TcpConfig::for_profile(Profile::Rfc9293);
  cfg.timestamps = false;
  cfg.sack = false;
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    Seg syn = peer_syn();
    syn.wscale = 7;
    c.accept_syn(0, to_segment(syn), Seq32(L), o);
    return Errno::Ok;
  });
  // 131072 needs shift 2 to fit 16 bits; a SYN's window is not scaled: 65535.
  CHECK(ep.tcb().rcv_wscale == 2);
  expect_sends(ep, {{.flags = kSyn | kAck, .seq = L, .ack = R + 1, .wnd = 65535}});
  feed(ep, 0, Seg{});
  feed(ep, ms(1), Seg{.seq = R + 1, .payload = std::string(1000, 'x')});
  fire(ep, sec(1));
  const auto sent = sends_of(ep.out);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].seg.wnd == (131072 - 1000) >> 2);  // the free bytes, scaled
}

}  // TEST_SUITE
