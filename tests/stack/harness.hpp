#pragma once
// Test harness for the TCP endpoint, in the manner of smoltcp's tcp.rs tests (STYLE 7):
// one fixture per RFC 9293 state, segments from the peer written as differences from a
// template (`Seg{.flags = kSyn}`), `feed` / `fire` to drive the endpoint at an explicit
// virtual time, `expect_sends` (exactly these segments, in order) and `expect_silent`.
// Every step runs `sanity` (Connection::check_invariants) right after the call.
//
// The cast: the endpoint under test is LOCAL (10.0.0.1:80, ISS 1000); the peer is REMOTE
// (10.0.0.2:49152, ISS 5000). Options are off in plain() so windows and lengths are
// easy to read: our receive buffer is 8192 bytes, both sides announce MSS 1000.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "stack/connection.hpp"
#include "stack/tcp_host.hpp"

// Where a helper was called from, for failure messages. (std::source_location would do, but
// clang 14 with libstdc++ 12 lacks it; __builtin_LINE as a default argument works in both.)
struct CallSite {
  int line_ = 0;
  static constexpr CallSite current(int l = __builtin_LINE()) { return CallSite{l}; }
  constexpr int line() const { return line_; }
};

namespace tcplab::test {

inline constexpr Endpoint kLocal{0x0A000001, 80};
inline constexpr Endpoint kRemote{0x0A000002, 49152};
inline constexpr std::uint32_t L = 1000;        // our ISS
inline constexpr std::uint32_t R = 5000;        // the peer's ISS
inline constexpr std::uint16_t kWnd = 8192;     // our window with an empty receive buffer
inline constexpr std::uint16_t kPeerWnd = 20000;  // the peer's window (unscaled)
inline constexpr std::uint16_t kMss = 1000;
// The linux profile's RTO once a fixture's handshake completed at t=0. That gives an RTT sample
// of 0 ns, counted as 1 ns (RttEstimator::sample), so SRTT = 1 ns and RTTVAR = 0. Linux
// computes RTO = SRTT + max(4*RTTVAR, rto_min) = 1 ns + 200 ms, not RFC 6298's
// clamp(SRTT + max(G, 4*RTTVAR), 200 ms, 120 s) = 200 ms. Back-off doubles all of it.
inline constexpr Duration kLinuxRto = ms(200) + 1;

// The configuration of most tests: a profile's values with the options off.
inline TcpConfig plain(Profile p = Profile::Linux) {
  TcpConfig c = TcpConfig::for_profile(p);
  c.mss = kMss;
  c.rcv_buf_bytes = kWnd;
  // The fixtures' arithmetic assumes the free-space window (kWnd with an empty buffer);
  // Linux's own window has its tests in test_rcv_window.cpp.
  c.rcv_window = TcpConfig::RcvWindow::FreeSpace;
  c.window_scaling = false;
  c.timestamps = false;
  c.sack = false;
  return c;
}
inline TcpConfig rfc() { return plain(Profile::Rfc9293); }

// ------------------------------------------------------------------ segments

// A segment from the peer, as differences from the template (the peer is synchronized,
// its next byte is R+1 and it has seen our SYN).
struct Seg {
  std::uint32_t seq = R + 1;
  std::uint32_t ack = L + 1;
  std::uint8_t flags = kAck;
  std::uint16_t wnd = kPeerWnd;
  std::string payload = {};
  std::optional<std::uint16_t> mss = std::nullopt;
  std::optional<std::uint8_t> wscale = std::nullopt;
  bool sack_permitted = false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sack = {};
};

// The peer's SYN that opens the connection in most fixtures.
inline Seg peer_syn() { return Seg{.seq = R, .ack = 0, .flags = kSyn, .mss = kMss}; }

inline Segment to_segment(const Seg& s, Endpoint src = kRemote, Endpoint dst = kLocal) {
  Segment g;
  g.src = src;
  g.dst = dst;
  g.seq = Seq32(s.seq);
  g.ack = Seq32(s.ack);
  g.flags = s.flags;
  g.wnd = s.wnd;
  g.payload = s.payload;
  g.mss = s.mss;
  g.wscale = s.wscale;
  g.sack_permitted = s.sack_permitted;
  for (const auto& [l, r] : s.sack) {
    if (g.sack_count < g.sack.size()) g.sack[g.sack_count++] = SackBlock{Seq32(l), Seq32(r)};
  }
  return g;
}

// What we expect the endpoint to send; every field is compared.
struct Exp {
  std::uint8_t flags = kAck;
  std::uint32_t seq = L + 1;
  std::uint32_t ack = R + 1;
  std::uint32_t len = 0;  // payload bytes
  std::uint16_t wnd = kWnd;
  std::optional<std::string> payload = std::nullopt;  // checked when given
  bool retx = false;
};

inline std::string describe(const Segment& s, bool retx) {
  std::ostringstream os;
  os << "[" << flag_letters(s.flags) << "] seq=" << s.seq.raw() << " ack=" << s.ack.raw()
     << " len=" << s.payload.size() << " wnd=" << s.wnd << (retx ? " retx" : "");
  return os.str();
}
inline std::string describe(const Exp& e) {
  std::ostringstream os;
  os << "[" << flag_letters(e.flags) << "] seq=" << e.seq << " ack=" << e.ack << " len=" << e.len
     << " wnd=" << e.wnd << (e.retx ? " retx" : "");
  return os.str();
}

inline std::vector<SendEvent> sends_of(const Output& out) {
  std::vector<SendEvent> v;
  for (const auto& ev : out.events)
    if (const auto* s = std::get_if<SendEvent>(&ev.body)) v.push_back(*s);
  return v;
}
inline std::vector<StateEvent> states_of(const Output& out) {
  std::vector<StateEvent> v;
  for (const auto& ev : out.events)
    if (const auto* s = std::get_if<StateEvent>(&ev.body)) v.push_back(*s);
  return v;
}
inline std::vector<NoticeEvent> notices_of(const Output& out) {
  std::vector<NoticeEvent> v;
  for (const auto& ev : out.events)
    if (const auto* s = std::get_if<NoticeEvent>(&ev.body)) v.push_back(*s);
  return v;
}
inline std::vector<TimerEvent> timers_of(const Output& out) {
  std::vector<TimerEvent> v;
  for (const auto& ev : out.events)
    if (const auto* s = std::get_if<TimerEvent>(&ev.body)) v.push_back(*s);
  return v;
}

// Exactly these segments, in this order (flags, seq, ack, len, wnd, retx).
inline void expect_sends(const Output& out, std::initializer_list<Exp> want,
                         CallSite loc = CallSite::current()) {
  const auto got = sends_of(out);
  std::ostringstream g, w;
  for (const auto& s : got) g << "\n  " << describe(s.seg, s.retx);
  for (const auto& e : want) w << "\n  " << describe(e);
  INFO("expect_sends at line " << loc.line() << "\nsent:" << (got.empty() ? " nothing" : g.str())
                               << "\nexpected:" << (want.size() == 0 ? " nothing" : w.str()));
  REQUIRE(got.size() == want.size());
  std::size_t i = 0;
  for (const Exp& e : want) {
    const Segment& s = got[i].seg;
    CAPTURE(i);
    CHECK(flag_letters(s.flags) == flag_letters(e.flags));
    CHECK(s.seq.raw() == e.seq);
    CHECK(s.ack.raw() == e.ack);
    CHECK(s.payload.size() == e.len);
    CHECK(s.wnd == e.wnd);
    CHECK(got[i].retx == e.retx);
    if (e.payload) CHECK(s.payload == *e.payload);
    ++i;
  }
}

inline void expect_silent(const Output& out, CallSite loc = CallSite::current()) {
  expect_sends(out, {}, loc);
}

// The transitions reported by one call, as "FROM>TO" strings (easy to compare and print).
inline std::vector<std::string> transitions(const Output& out) {
  std::vector<std::string> v;
  for (const auto& s : states_of(out)) v.push_back(std::string(state_name(s.from)) + ">" + std::string(state_name(s.to)));
  return v;
}

// ------------------------------------------------------------------ an endpoint under test

// A Connection with the record of what it did: `out` holds the events of the last call,
// `edges` every transition so far, `outbox` every segment sent (with its time) not yet
// taken by a Pair.
struct Ep {
  Connection c;
  Output out;
  std::vector<StateEvent> edges;
  std::vector<std::pair<Instant, Segment>> outbox;

  State state() const { return c.state(); }
  const Tcb& tcb() const { return c.tcb(); }
  Instant deadline(TimerKind k) const { return c.timers().at(k); }
  bool armed(TimerKind k) const { return c.timers().armed(k); }

  // Records the last call's events; checks the invariants (STYLE 6).
  void record(Instant t, CallSite loc) {
    for (const auto& ev : out.events) {
      if (const auto* s = std::get_if<StateEvent>(&ev.body)) edges.push_back(*s);
      if (const auto* s = std::get_if<SendEvent>(&ev.body)) outbox.emplace_back(t, s->seg);
    }
    INFO("sanity after the call at line " << loc.line() << " (t=" << t << "ns, state " << state_name(c.state()) << ")");
    CHECK(c.check_invariants() == "");
  }
};

inline std::shared_ptr<const TcpConfig> share(const TcpConfig& cfg) { return std::make_shared<const TcpConfig>(cfg); }

// SEGMENT ARRIVES at time t.
inline const Output& feed(Ep& ep, Instant t, const Seg& s, CallSite loc = CallSite::current()) {
  ep.out.clear();
  ep.c.on_segment(t, to_segment(s, ep.c.remote().ip ? ep.c.remote() : kRemote, ep.c.local()), ep.out);
  ep.record(t, loc);
  return ep.out;
}
inline const Output& feed_raw(Ep& ep, Instant t, const Segment& s,
                              CallSite loc = CallSite::current()) {
  ep.out.clear();
  ep.c.on_segment(t, s, ep.out);
  ep.record(t, loc);
  return ep.out;
}
// Timers due at t fire.
inline const Output& fire(Ep& ep, Instant t, CallSite loc = CallSite::current()) {
  ep.out.clear();
  ep.c.on_timer(t, ep.out);
  ep.record(t, loc);
  return ep.out;
}
// A user call: f(connection, output) -> Errno.
template <typename F>
Errno call(Ep& ep, Instant t, F&& f, CallSite loc = CallSite::current()) {
  ep.out.clear();
  const Errno e = f(ep.c, ep.out);
  ep.record(t, loc);
  return e;
}
inline Errno close(Ep& ep, Instant t, CallSite loc = CallSite::current()) {
  return call(ep, t, [&](Connection& c, Output& o) { return c.close(t, o); }, loc);
}
inline Errno shutdown(Ep& ep, Instant t, CallSite loc = CallSite::current()) {
  return call(ep, t, [&](Connection& c, Output& o) { return c.shutdown_write(t, o); }, loc);
}
inline Errno abort(Ep& ep, Instant t, CallSite loc = CallSite::current()) {
  return call(ep, t, [&](Connection& c, Output& o) { return c.abort(t, o); }, loc);
}
inline Errno send(Ep& ep, Instant t, std::string_view data, std::uint32_t* taken = nullptr,
                  CallSite loc = CallSite::current()) {
  std::uint32_t n = 0;
  const Errno e = call(ep, t, [&](Connection& c, Output& o) { return c.send(t, data, &n, o); }, loc);
  if (taken) *taken = n;
  return e;
}
inline Errno recv(Ep& ep, Instant t, std::string* data, std::uint32_t max = 1U << 20,
                  CallSite loc = CallSite::current()) {
  return call(ep, t, [&](Connection& c, Output& o) { return c.recv(t, max, data, o); }, loc);
}
// Everything readable now, as one string.
inline std::string recv_all(Ep& ep, Instant t, CallSite loc = CallSite::current()) {
  std::string all, part;
  while (ep.c.readable_bytes() > 0 && recv(ep, t, &part, 1U << 20, loc) == Errno::Ok) all += part;
  return all;
}

inline void expect_sends(const Ep& ep, std::initializer_list<Exp> want,
                         CallSite loc = CallSite::current()) {
  expect_sends(ep.out, want, loc);
}
inline void expect_silent(const Ep& ep, CallSite loc = CallSite::current()) {
  expect_sends(ep.out, {}, loc);
}
inline std::vector<std::string> transitions(const Ep& ep) { return transitions(ep.out); }
inline std::vector<std::string> path(std::initializer_list<const char*> v) { return {v.begin(), v.end()}; }

// The TCB agrees with a fixture's (smoltcp's sanity!): state and the sequence variables.
inline void sanity(const Ep& got, const Ep& want, CallSite loc = CallSite::current()) {
  INFO("sanity(ep, fixture) at line " << loc.line());
  const Tcb& a = got.tcb();
  const Tcb& b = want.tcb();
  CHECK(state_name(got.state()) == state_name(want.state()));
  CHECK(a.iss.raw() == b.iss.raw());
  CHECK(a.irs.raw() == b.irs.raw());
  CHECK(a.snd_una.raw() == b.snd_una.raw());
  CHECK(a.snd_nxt.raw() == b.snd_nxt.raw());
  CHECK(a.snd_max.raw() == b.snd_max.raw());
  CHECK(a.rcv_nxt.raw() == b.rcv_nxt.raw());
  CHECK(a.snd_wnd == b.snd_wnd);
  CHECK(a.rcv_wnd == b.rcv_wnd);
  CHECK(got.c.error() == want.c.error());
}

// ------------------------------------------------------------------ one fixture per state

inline Ep closed(const TcpConfig& cfg = plain()) {
  return Ep{Connection(1, share(cfg), kLocal, kRemote), {}, {}, {}};
}

// A listener (remote unspecified).
inline Ep listen(const TcpConfig& cfg = plain()) {
  Ep ep{Connection(1, share(cfg), kLocal, Endpoint{}), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) { c.open_passive(0, o); return Errno::Ok; });
  REQUIRE(ep.state() == State::Listen);
  return ep;
}

// Active open at t=0: our SYN <SEQ=L> is out.
inline Ep syn_sent(const TcpConfig& cfg = plain()) {
  Ep ep = closed(cfg);
  call(ep, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(L), o); return Errno::Ok; });
  REQUIRE(ep.state() == State::SynSent);
  return ep;
}

// SACK negotiated (the peer's SYN offers it too in established_with_rtt).
inline TcpConfig sack_cfg(Profile p = Profile::Linux) {
  TcpConfig c = plain(p);
  c.sack = true;
  return c;
}

// ESTABLISHED by a passive open with SACK and one RTT sample of `rtt`: our SYN,ACK at 0, the
// peer's ACK at `rtt` (the loss probe and RACK suites start from here).
inline Ep established_with_rtt(Duration rtt, const TcpConfig& cfg) {
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  Seg syn = peer_syn();
  syn.sack_permitted = true;
  call(ep, 0, [&](Connection& c, Output& o) { c.accept_syn(0, to_segment(syn), Seq32(L), o); return Errno::Ok; });
  feed(ep, rtt, Seg{});
  REQUIRE(ep.state() == State::Established);
  return ep;
}

// Passive open at t=0 (a listener's child takes the peer's SYN <SEQ=R>): our SYN,ACK is out.
inline Ep syn_received(const TcpConfig& cfg = plain()) {
  Ep ep{Connection(1, share(cfg), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(ep, 0, [](Connection& c, Output& o) {
    c.accept_syn(0, to_segment(peer_syn()), Seq32(L), o);
    return Errno::Ok;
  });
  REQUIRE(ep.state() == State::SynReceived);
  return ep;
}

// The peer's ACK of our SYN,ACK at t=0.
inline Ep established(const TcpConfig& cfg = plain()) {
  Ep ep = syn_received(cfg);
  feed(ep, 0, Seg{});
  REQUIRE(ep.state() == State::Established);
  return ep;
}

// We closed first: our FIN <SEQ=L+1> is out.
inline Ep fin_wait_1(const TcpConfig& cfg = plain()) {
  Ep ep = established(cfg);
  close(ep, 0);
  REQUIRE(ep.state() == State::FinWait1);
  return ep;
}

// We shut down our side (half-close, the application still reads): our FIN <SEQ=L+1> is out.
inline Ep fin_wait_1_half_closed(const TcpConfig& cfg = plain()) {
  Ep ep = established(cfg);
  shutdown(ep, 0);
  REQUIRE(ep.state() == State::FinWait1);
  return ep;
}

inline Ep fin_wait_2_half_closed(const TcpConfig& cfg = plain()) {
  Ep ep = fin_wait_1_half_closed(cfg);
  feed(ep, 0, Seg{.ack = L + 2});
  REQUIRE(ep.state() == State::FinWait2);
  return ep;
}

inline Ep fin_wait_2(const TcpConfig& cfg = plain()) {
  Ep ep = fin_wait_1(cfg);
  feed(ep, 0, Seg{.ack = L + 2});
  REQUIRE(ep.state() == State::FinWait2);
  return ep;
}

// FINs crossed: the peer's FIN <SEQ=R+1> does not acknowledge ours.
inline Ep closing(const TcpConfig& cfg = plain()) {
  Ep ep = fin_wait_1(cfg);
  feed(ep, 0, Seg{.flags = kFin | kAck});
  REQUIRE(ep.state() == State::Closing);
  return ep;
}

// The peer's FIN in FIN-WAIT-2 at t=0: 2*MSL runs from 0.
inline Ep time_wait(const TcpConfig& cfg = plain()) {
  Ep ep = fin_wait_2(cfg);
  feed(ep, 0, Seg{.ack = L + 2, .flags = kFin | kAck});
  REQUIRE(ep.state() == State::TimeWait);
  return ep;
}

// The peer closed first: its FIN <SEQ=R+1> arrived.
inline Ep close_wait(const TcpConfig& cfg = plain()) {
  Ep ep = established(cfg);
  feed(ep, 0, Seg{.flags = kFin | kAck});
  REQUIRE(ep.state() == State::CloseWait);
  // Linux ACKs that FIN with the delayed-ACK timer, due at once (no data came before it).
  if (ep.armed(TimerKind::DelAck)) fire(ep, 0);
  return ep;
}

// Then we closed: our FIN <SEQ=L+1> is out.
inline Ep last_ack(const TcpConfig& cfg = plain()) {
  Ep ep = close_wait(cfg);
  close(ep, 0);
  REQUIRE(ep.state() == State::LastAck);
  return ep;
}

// ------------------------------------------------------------------ two endpoints back to back

// Two endpoints with a wire between them. Segments an endpoint sends go on the wire with
// an arrival time (sent + delay); tests may drop, duplicate or reorder them by editing
// `wire` before calling run(). run() delivers segments and fires timers in time order.
struct Pair {
  struct InFlight {
    Instant at;
    bool to_b;
    Segment seg;
  };
  Ep a, b;
  Duration delay = ms(10);
  Instant now = 0;
  std::vector<InFlight> wire;                    // in flight, delivered in `at` order (stable)
  std::vector<Segment> sent_ab, sent_ba;         // everything ever sent, for assertions
  std::string got_a, got_b;                      // bytes each side's app has read
  bool auto_read = true;                         // the apps read whatever arrives
  // What the wire does to a segment as it is sent: how many copies arrive (0 = lost,
  // 2 = duplicated) and how much later than `delay` (to reorder). Default: one, on time.
  struct Fate {
    int copies = 1;
    Duration extra = 0;
  };
  std::function<Fate(const Segment&, bool to_b)> fate;

  // Moves what the endpoints sent onto the wire.
  void drain() {
    auto put = [&](Instant t, const Segment& s, bool to_b) {
      (to_b ? sent_ab : sent_ba).push_back(s);
      const Fate f = fate ? fate(s, to_b) : Fate{};
      for (int i = 0; i < f.copies; ++i) wire.push_back({t + delay + f.extra + i, to_b, s});
    };
    for (auto& [t, s] : a.outbox) put(t, s, true);
    a.outbox.clear();
    for (auto& [t, s] : b.outbox) put(t, s, false);
    b.outbox.clear();
  }

  void read_apps(Instant t) {
    if (!auto_read) return;
    if (a.c.readable_bytes() > 0) got_a += recv_all(a, t);
    if (b.c.readable_bytes() > 0) got_b += recv_all(b, t);
  }

  // Runs until `until` (inclusive) or until nothing is left to do; at most `max_steps` events.
  void run(Instant until, int max_steps = 100000) {
    drain();
    for (int step = 0; step < max_steps; ++step) {
      std::size_t best = wire.size();
      for (std::size_t i = 0; i < wire.size(); ++i)
        if (best == wire.size() || wire[i].at < wire[best].at) best = i;
      const Instant t_wire = best < wire.size() ? wire[best].at : kNever;
      const Instant t_a = a.c.next_deadline();
      const Instant t_b = b.c.next_deadline();
      const Instant t = std::min({t_wire, t_a, t_b});
      if (t == kNever || t > until) break;
      now = t;
      if (t_wire == t) {
        InFlight f = wire[best];
        wire.erase(wire.begin() + static_cast<std::ptrdiff_t>(best));
        feed_raw(f.to_b ? b : a, t, f.seg);
      } else if (t_a == t) {
        fire(a, t);
      } else {
        fire(b, t);
      }
      read_apps(t);
      drain();
    }
    if (now < until && until != kNever) now = until;
  }

  // Runs until nothing is in flight (timers may stay armed).
  void settle(int max_steps = 100000) {
    drain();
    for (int step = 0; step < max_steps && !wire.empty(); ++step) {
      Instant first = kNever;
      for (const auto& f : wire) first = std::min(first, f.at);
      run(first);
      drain();
    }
  }
};

// Two fresh connections: a on 10.0.0.2:49152 (the client), b on 10.0.0.1:80 (the server).
inline Pair pair(const TcpConfig& ca = plain(), const TcpConfig& cb = plain()) {
  Pair p;
  p.a = Ep{Connection(1, share(ca), kRemote, kLocal), {}, {}, {}};
  p.b = Ep{Connection(2, share(cb), kLocal, kRemote), {}, {}, {}};
  return p;
}

// a connects to b (a child of a listener, as TcpHost would create it) at t=0 and both
// reach ESTABLISHED. ISSs given so wraparound tests can choose them.
inline Pair connected_pair(const TcpConfig& ca = plain(), const TcpConfig& cb = plain(),
                           std::uint32_t iss_a = R, std::uint32_t iss_b = L) {
  Pair p = pair(ca, cb);
  p.b = Ep{Connection(2, share(cb), kLocal, kRemote, State::Listen), {}, {}, {}};
  call(p.a, 0, [&](Connection& c, Output& o) { c.open_active(0, Seq32(iss_a), o); return Errno::Ok; });
  p.drain();
  REQUIRE(p.wire.size() == 1);
  const Segment syn = p.wire.front().seg;
  p.wire.clear();
  call(p.b, p.delay, [&](Connection& c, Output& o) { c.accept_syn(p.delay, syn, Seq32(iss_b), o); return Errno::Ok; });
  p.settle();
  REQUIRE(p.a.state() == State::Established);
  REQUIRE(p.b.state() == State::Established);
  return p;
}

}  // namespace tcplab::test
