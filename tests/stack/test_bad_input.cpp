// Bad input never crashes and never breaks the TCB (DESIGN rule 6): segments with
// impossible fields, calls in the wrong state, and a deterministic random barrage against
// every state's fixture with the invariants checked after each step.
#include <functional>

#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

struct Fixture {
  const char* name;
  std::function<Ep()> make;
};

std::vector<Fixture> all_fixtures() {
  return {
      {"CLOSED", [] { return closed(); }},
      {"LISTEN", [] { return listen(); }},
      {"SYN_SENT", [] { return syn_sent(); }},
      {"SYN_RECEIVED", [] { return syn_received(); }},
      {"ESTABLISHED", [] { return established(); }},
      {"FIN_WAIT_1", [] { return fin_wait_1(); }},
      {"FIN_WAIT_2", [] { return fin_wait_2(); }},
      {"CLOSE_WAIT", [] { return close_wait(); }},
      {"CLOSING", [] { return closing(); }},
      {"LAST_ACK", [] { return last_ack(); }},
      {"TIME_WAIT", [] { return time_wait(); }},
      {"ESTABLISHED rfc9293", [] { return established(rfc()); }},
      {"TIME_WAIT rfc9293", [] { return time_wait(rfc()); }},
  };
}

// splitmix64: a fixed sequence, so the barrage is the same on every run.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
};

}  // namespace

TEST_SUITE("Bad input") {

TEST_CASE("Bad input: SYN+FIN+RST in every state: no crash, invariants hold") {
  for (const auto& f : all_fixtures()) {
    for (std::uint32_t seq : {0U, R, R + 1, R + 2, R + 500, R + 100000}) {
      const std::string fixture = f.name;
    CAPTURE(fixture);
      CAPTURE(seq);
      Ep ep = f.make();
      feed(ep, sec(1), Seg{.seq = seq, .ack = L + 1, .flags = kSyn | kFin | kRst | kAck, .payload = "boom"});
      CHECK(ep.c.readable_bytes() == 0);
      for (const auto& s : sends_of(ep.out)) CHECK_FALSE(s.seg.has(kRst));  // never answer a RST with a RST
    }
  }
}

TEST_CASE("Bad input: SYN+FIN+RST with SEG.SEQ=RCV.NXT in ESTABLISHED is a reset (RST is checked before SYN)") {
  Ep ep = established();
  feed(ep, sec(1), Seg{.flags = kSyn | kFin | kRst});
  CHECK(ep.state() == State::Closed);
  CHECK(ep.c.error() == Errno::ConnReset);
  expect_silent(ep);
}

TEST_CASE("Bad input: SYN+FIN to LISTEN opens a connection and ignores the FIN") {
  Ep ep{Connection(1, share(plain()), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    c.accept_syn(0, to_segment(Seg{.seq = R, .ack = 0, .flags = kSyn | kFin}), Seq32(L), o);
    return Errno::Ok;
  });
  CHECK(ep.state() == State::SynReceived);
  CHECK(ep.tcb().rcv_nxt.raw() == R + 1);
  CHECK_FALSE(ep.c.eof_received());
}

TEST_CASE("Bad input: ACK of data never sent, in each state that checks it") {
  SUBCASE("SYN_SENT → RST") {
    Ep ep = syn_sent();
    feed(ep, ms(1), Seg{.seq = R, .ack = L + 50000, .flags = kSyn | kAck});
    expect_sends(ep, {{.flags = kRst, .seq = L + 50000, .ack = 0, .wnd = 0}});
    CHECK(ep.state() == State::SynSent);
  }
  SUBCASE("SYN_RECEIVED → RST") {
    Ep ep = syn_received();
    feed(ep, ms(1), Seg{.ack = L + 50000});
    expect_sends(ep, {{.flags = kRst, .seq = L + 50000, .ack = 0, .wnd = 0}});
    CHECK(ep.state() == State::SynReceived);
  }
  SUBCASE("ESTABLISHED → ACK, dropped") {
    Ep ep = established();
    feed(ep, ms(1), Seg{.ack = L + 50000, .flags = kAck | kFin, .payload = "x"});
    expect_sends(ep, {{}});
    CHECK(ep.state() == State::Established);
    CHECK(ep.tcb().snd_una.raw() == L + 1);
  }
  SUBCASE("FIN_WAIT_1 → ACK, dropped") {
    Ep ep = fin_wait_1();
    feed(ep, ms(1), Seg{.ack = L + 3});
    expect_sends(ep, {{.seq = L + 2}});
    CHECK(ep.state() == State::FinWait1);
  }
  SUBCASE("LAST_ACK → ACK, dropped") {
    Ep ep = last_ack();
    feed(ep, ms(1), Seg{.seq = R + 2, .ack = L + 3});
    expect_sends(ep, {{.seq = L + 2, .ack = R + 2}});
    CHECK(ep.state() == State::LastAck);
  }
}

TEST_CASE("Bad input: absurd windows and window scale are clamped") {
  TcpConfig cfg = plain();
  cfg.window_scaling = true;
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    c.accept_syn(0, to_segment(Seg{.seq = R, .ack = 0, .flags = kSyn, .wnd = 65535, .mss = kMss, .wscale = 200}),
                 Seq32(L), o);
    return Errno::Ok;
  });
  CHECK(ep.tcb().snd_wscale == 14);  // RFC 7323 2.3: a shift over 14 is taken as 14
  feed(ep, 0, Seg{.wnd = 65535});
  REQUIRE(ep.state() == State::Established);
  CHECK(ep.tcb().snd_wnd == 65535U << 14);
  // The congestion window still bounds what goes out.
  send(ep, ms(1), std::string(30000, 'w'));
  CHECK(sends_of(ep.out).size() == 10);  // the initial window: 10 segments
}

TEST_CASE("Bad input: a zero MSS or a tiny one does not stall or crash") {
  for (std::uint16_t mss : {std::uint16_t{0}, std::uint16_t{1}, std::uint16_t{12}}) {
    CAPTURE(mss);
    TcpConfig cfg = plain();
    Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
    call(ep, 0, [&](Connection& c, Output& o) {
      c.accept_syn(0, to_segment(Seg{.seq = R, .ack = 0, .flags = kSyn, .mss = mss}), Seq32(L), o);
      return Errno::Ok;
    });
    feed(ep, 0, Seg{});
    send(ep, ms(1), "abc");
    for (int i = 0; i < 10 && ep.c.next_deadline() != kNever; ++i) fire(ep, ep.c.next_deadline());
  }
}

TEST_CASE("Bad input: a segment far larger than the window → only what fits is taken") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.payload = std::string(100000, 'L')});
  expect_sends(ep, {{.ack = R + 1 + kWnd, .wnd = 0}});
  CHECK(ep.c.readable_bytes() == kWnd);
}

TEST_CASE("Bad input: calls in the wrong state get error values") {
  std::string data;
  SUBCASE("send on LISTEN") { Ep ep = listen(); CHECK(send(ep, 0, "x") == Errno::NotConn); }
  SUBCASE("recv on CLOSED") { Ep ep = closed(); CHECK(recv(ep, 0, &data) == Errno::NotConn); }
  SUBCASE("recv on LISTEN") { Ep ep = listen(); CHECK(recv(ep, 0, &data) == Errno::NotConn); }
  SUBCASE("shutdown on LISTEN") { Ep ep = listen(); CHECK(shutdown(ep, 0) == Errno::NotConn); }
  SUBCASE("connect_from_listen on ESTABLISHED") {
    Ep ep = established();
    CHECK(call(ep, 0, [](Connection& c, Output& o) { return c.connect_from_listen(0, kRemote, Seq32(1), o); }) ==
          Errno::IsConn);
    CHECK(ep.state() == State::Established);
  }
  SUBCASE("send after shutdown") {
    Ep ep = established();
    shutdown(ep, 0);
    CHECK(send(ep, 0, "x") == Errno::Pipe);
  }
  SUBCASE("send in TIME_WAIT") { Ep ep = time_wait(); CHECK(send(ep, 0, "x") == Errno::Pipe); }
  SUBCASE("close twice") {
    Ep ep = established();
    CHECK(close(ep, 0) == Errno::Ok);
    CHECK(close(ep, 0) == Errno::NotConn);
    expect_silent(ep);  // and no second FIN
    CHECK(ep.state() == State::FinWait1);
  }
  SUBCASE("close twice from CLOSE_WAIT") {
    Ep ep = close_wait();
    CHECK(close(ep, 0) == Errno::Ok);
    CHECK(close(ep, 0) == Errno::NotConn);
    expect_silent(ep);
  }
  SUBCASE("abort twice") {
    Ep ep = established();
    CHECK(abort(ep, 0) == Errno::Ok);
    CHECK(abort(ep, 0) == Errno::NotConn);
    expect_silent(ep);
  }
  SUBCASE("close after a reset") {
    Ep ep = established();
    feed(ep, 0, Seg{.flags = kRst});
    CHECK(close(ep, 0) == Errno::Ok);  // the app still owns the socket once
    CHECK(close(ep, 0) == Errno::NotConn);
  }
  SUBCASE("recv with max 0") {
    Ep ep = established();
    feed(ep, 0, Seg{.payload = "abc"});
    CHECK(recv(ep, 0, &data, 0) == Errno::Ok);
    CHECK(data.empty());
    CHECK(ep.c.readable_bytes() == 3);
  }
  SUBCASE("send of nothing") {
    Ep ep = established();
    std::uint32_t taken = 9;
    CHECK(send(ep, 0, "", &taken) == Errno::Ok);
    CHECK(taken == 0);
    expect_silent(ep);
  }
}

TEST_CASE("Bad input: a deterministic random barrage against every state keeps the invariants") {
  Rng rng{20240601};
  const std::uint8_t flag_bits[] = {kFin, kSyn, kRst, kPsh, kAck, kUrg};
  for (const auto& f : all_fixtures()) {
    const std::string fixture = f.name;
    CAPTURE(fixture);
    Ep ep = f.make();
    Instant t = sec(1);
    for (int i = 0; i < 300; ++i) {
      CAPTURE(i);
      t += ms(rng.below(300));
      const std::uint32_t kind = rng.below(10);
      if (kind == 0) {
        fire(ep, t);
        continue;
      }
      if (kind == 1) {
        switch (rng.below(6)) {
          case 0: send(ep, t, std::string(rng.below(3000), 's')); break;
          case 1: { std::string d; recv(ep, t, &d, rng.below(5000)); break; }
          case 2: shutdown(ep, t); break;
          case 3: close(ep, t); break;
          case 4: if (rng.below(4) == 0) abort(ep, t); break;
          default: break;
        }
        continue;
      }
      std::uint8_t flags = 0;
      for (std::uint8_t b : flag_bits)
        if (rng.below(3) == 0) flags = static_cast<std::uint8_t>(flags | b);
      if (rng.below(2) == 0) flags = static_cast<std::uint8_t>(flags | kAck);
      const Tcb& tcb = ep.tcb();
      const std::uint32_t near_seq = tcb.rcv_nxt.raw() + rng.below(2 * kWnd) - kWnd / 2;
      const std::uint32_t near_ack = tcb.snd_una.raw() + rng.below(4000) - 1000;
      Seg s{.seq = rng.below(4) == 0 ? static_cast<std::uint32_t>(rng.next()) : near_seq,
            .ack = rng.below(4) == 0 ? static_cast<std::uint32_t>(rng.next()) : near_ack,
            .flags = flags,
            .wnd = static_cast<std::uint16_t>(rng.below(3) == 0 ? 0 : rng.next()),
            .payload = std::string(rng.below(3) == 0 ? rng.below(3000) : 0, 'p')};
      if (rng.below(8) == 0) s.mss = static_cast<std::uint16_t>(rng.next());
      if (rng.below(8) == 0) s.wscale = static_cast<std::uint8_t>(rng.next());
      if (rng.below(8) == 0) s.sack = {{static_cast<std::uint32_t>(rng.next()), static_cast<std::uint32_t>(rng.next())}};
      feed(ep, t, s);
      for (const auto& snd : sends_of(ep.out)) {
        CHECK(snd.seg.payload.size() <= kMss);  // never more than the MSS in one segment
      }
    }
  }
}

}  // TEST_SUITE
