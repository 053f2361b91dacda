// TcpHost: demultiplexing, the replies for segments that match no connection (RFC 9293
// 3.10.7.1), the listen backlog, EADDRINUSE with TIME_WAIT (SO_REUSEADDR), and calls with
// bad ids. Segments from the peer are hand-made; one test runs two hosts back to back.
#include <tuple>
#include <variant>

#include "harness.hpp"
#include "stack/syn_cookie.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

constexpr Ipv4 kHostIp = kLocal.ip;
constexpr Ipv4 kPeerIp = kRemote.ip;

// A segment from the peer at port `from` to the host's port `to`.
Segment from_peer(std::uint16_t from, std::uint16_t to, const Seg& s) {
  return to_segment(s, Endpoint{kPeerIp, from}, Endpoint{kHostIp, to});
}

std::vector<Segment> segs(const Output& out) {
  std::vector<Segment> v;
  for (const auto& s : sends_of(out)) v.push_back(s.seg);
  return v;
}

struct Host {
  TcpHost h;
  Output out;
  explicit Host(const TcpConfig& cfg = plain(), Ipv4 ip = kHostIp, std::uint64_t secret = 42) : h(ip, cfg, secret) {}
  const Output& deliver(Instant t, const Segment& s) {
    out.clear();
    h.on_segment(t, s, out);
    check();
    return out;
  }
  void check() {
    for (ConnId c = 0; c < h.conn_count(); ++c) {
      CAPTURE(c);
      CHECK(h.conn(c).check_invariants() == "");
    }
  }
  // Fires every connection timer due at t.
  void tick(Instant t) {
    out.clear();
    for (ConnId c = 0; c < h.conn_count(); ++c)
      if (h.conn(c).next_deadline() <= t) h.on_timer(t, c, out);
    check();
  }
};

// A listener on 80 with one accepted connection from the peer's port 1000; returns the
// child's id and its ISS.
std::pair<ConnId, std::uint32_t> accepted(Host& host, ConnId* listener, int backlog = 8) {
  REQUIRE(host.h.listen(0, 80, backlog, listener, host.out) == Errno::Ok);
  host.deliver(0, from_peer(1000, 80, peer_syn()));
  const auto synack = segs(host.out);
  REQUIRE(synack.size() == 1);
  CHECK(flag_letters(synack[0].flags) == "S.");
  const std::uint32_t iss = synack[0].seq.raw();
  host.deliver(ms(1), from_peer(1000, 80, Seg{.ack = iss + 1}));
  const ConnId child = host.h.accept(*listener);
  REQUIRE(child != kNoConn);
  CHECK(host.h.conn(child).state() == State::Established);
  return {child, iss};
}

}  // namespace

TEST_SUITE("TcpHost") {

TEST_CASE("TcpHost: ACK to a closed port → <SEQ=SEG.ACK><CTL=RST>") {
  Host host;
  host.deliver(0, from_peer(1000, 81, Seg{.seq = 7777, .ack = 4242, .payload = "data"}));
  const auto s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(flag_letters(s[0].flags) == "R");
  CHECK(s[0].seq.raw() == 4242);
  CHECK(s[0].src == (Endpoint{kHostIp, 81}));
  CHECK(s[0].dst == (Endpoint{kPeerIp, 1000}));
  CHECK(host.h.counters().no_listener == 1);
  CHECK(host.h.counters().rst_out == 1);
}

TEST_CASE("TcpHost: SYN to a closed port → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>") {
  Host host;
  host.deliver(0, from_peer(1000, 81, Seg{.seq = 7777, .ack = 0, .flags = kSyn}));
  auto s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(flag_letters(s[0].flags) == "R.");
  CHECK(s[0].seq.raw() == 0);
  CHECK(s[0].ack.raw() == 7778);
  // SEG.LEN counts the payload, SYN and FIN.
  host.deliver(0, from_peer(1000, 81, Seg{.seq = 100, .ack = 0, .flags = kSyn | kFin, .payload = "abc"}));
  s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(s[0].ack.raw() == 105);
}

TEST_CASE("TcpHost: RST to a closed port → nothing") {
  Host host;
  host.deliver(0, from_peer(1000, 81, Seg{.flags = kRst}));
  host.deliver(0, from_peer(1000, 81, Seg{.flags = kRst | kAck}));
  CHECK(segs(host.out).empty());
  CHECK(host.h.counters().rst_out == 0);
}

TEST_CASE("TcpHost: ACK to a listening port → RST, the listener is unaffected") {
  Host host;
  ConnId l = kNoConn;
  REQUIRE(host.h.listen(0, 80, 8, &l, host.out) == Errno::Ok);
  host.deliver(0, from_peer(1000, 80, Seg{.ack = 999}));
  const auto s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(flag_letters(s[0].flags) == "R");
  CHECK(s[0].seq.raw() == 999);
  CHECK(host.h.conn(l).state() == State::Listen);
}

TEST_CASE("TcpHost: SYN → child in SYN_RECEIVED, ACK → accept queue, accept() takes it") {
  Host host;
  ConnId l = kNoConn;
  const auto [child, iss] = accepted(host, &l);
  CHECK(child != l);
  CHECK(host.h.conn(child).remote() == (Endpoint{kPeerIp, 1000}));
  CHECK(host.h.accept(l) == kNoConn);  // queue empty now
  std::uint32_t taken = 0;
  CHECK(host.h.send(ms(2), child, "hi", &taken, host.out) == Errno::Ok);
  CHECK(taken == 2);
  host.deliver(ms(3), from_peer(1000, 80, Seg{.ack = iss + 1, .payload = "yo"}));
  std::string data;
  CHECK(host.h.recv(ms(4), child, 100, &data, host.out) == Errno::Ok);
  CHECK(data == "yo");
  CHECK(host.h.counters().passive_opens == 1);
}

TEST_CASE("TcpHost: listen backlog full, SYN cookies off (tcp_syncookies=0) → SYN dropped without a reply") {
  TcpConfig cfg = plain();
  cfg.syn_cookies = 0;
  Host host(cfg);
  ConnId l = kNoConn;
  REQUIRE(host.h.listen(0, 80, 1, &l, host.out) == Errno::Ok);
  host.deliver(0, from_peer(1000, 80, peer_syn()));
  const auto first = segs(host.out);
  REQUIRE(first.size() == 1);
  // The SYN queue holds one: the second client's SYN is dropped, no RST, no SYN,ACK.
  host.deliver(0, from_peer(1001, 80, peer_syn()));
  CHECK(segs(host.out).empty());
  const auto notes = notices_of(host.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].what == Notice::Dropped);
  CHECK(host.h.listeners().at(80).overflows == 1);
  CHECK(host.h.counters().listen_drops == 1);
  // The first completes and waits in the accept queue, which is now full too.
  host.deliver(ms(1), from_peer(1000, 80, Seg{.ack = first[0].seq.raw() + 1}));
  host.deliver(ms(2), from_peer(1002, 80, peer_syn()));
  CHECK(segs(host.out).empty());
  CHECK(host.h.listeners().at(80).overflows == 2);
  // accept() makes room.
  CHECK(host.h.accept(l) != kNoConn);
  host.deliver(ms(3), from_peer(1003, 80, peer_syn()));
  const auto s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(flag_letters(s[0].flags) == "S.");
}

TEST_CASE("TcpHost: EADDRINUSE when listening on a port held by TIME_WAIT, unless SO_REUSEADDR") {
  Host host;
  ConnId l = kNoConn;
  const auto [child, iss] = accepted(host, &l);
  // The server closes first: its connection ends in TIME_WAIT holding port 80.
  CHECK(host.h.close(ms(10), child, host.out) == Errno::Ok);
  host.deliver(ms(20), from_peer(1000, 80, Seg{.ack = iss + 2}));
  host.deliver(ms(21), from_peer(1000, 80, Seg{.ack = iss + 2, .flags = kFin | kAck}));
  REQUIRE(host.h.conn(child).state() == State::TimeWait);
  CHECK(host.h.close(ms(30), l, host.out) == Errno::Ok);  // the server process exits
  CHECK(host.h.listeners().empty());

  SUBCASE("without SO_REUSEADDR: EADDRINUSE until 2*MSL has passed") {
    ConnId again = kNoConn;
    CHECK(host.h.listen(sec(1), 80, 8, &again, host.out) == Errno::AddrInUse);
    CHECK(again == kNoConn);
    host.tick(ms(21) + sec(60));
    CHECK(host.h.conn(child).state() == State::Closed);
    CHECK(host.h.listen(sec(61), 80, 8, &again, host.out) == Errno::Ok);
  }
  SUBCASE("SO_REUSEADDR on the new socket only: still EADDRINUSE (the TIME_WAIT's socket lacked it)") {
    TcpConfig cfg = plain();
    cfg.reuse_addr = true;
    host.h.set_config(cfg);
    ConnId again = kNoConn;
    CHECK(host.h.bind_check(80, true) == Errno::AddrInUse);
    CHECK(host.h.listen(sec(1), 80, 8, &again, host.out) == Errno::AddrInUse);
  }
}

TEST_CASE("TcpHost: SO_REUSEADDR on the old listener and the new socket: listening over TIME_WAIT succeeds") {
  TcpConfig cfg = plain();
  cfg.reuse_addr = true;
  Host host(cfg);
  ConnId l = kNoConn;
  const auto [child, iss] = accepted(host, &l);
  CHECK(host.h.conn(child).config().reuse_addr);  // the child inherits the listener's setting
  CHECK(host.h.close(ms(10), child, host.out) == Errno::Ok);
  host.deliver(ms(20), from_peer(1000, 80, Seg{.ack = iss + 2, .flags = kFin | kAck}));
  REQUIRE(host.h.conn(child).state() == State::TimeWait);
  CHECK(host.h.close(ms(30), l, host.out) == Errno::Ok);
  CHECK(host.h.bind_check(80, false) == Errno::AddrInUse);  // a socket without it still fails
  ConnId again = kNoConn;
  CHECK(host.h.listen(sec(1), 80, 8, &again, host.out) == Errno::Ok);
  CHECK(host.h.conn(again).state() == State::Listen);
}

TEST_CASE("TcpHost: connect() from a bound port to a pair in TIME_WAIT: taken over with timestamps, else EADDRNOTAVAIL") {
  for (const bool ts : {true, false}) {
    CAPTURE(ts);
    TcpConfig cfg = plain();
    cfg.reuse_addr = true;
    cfg.timestamps = ts;
    Host host(cfg);
    const Endpoint peer{kPeerIp, 80};
    ConnId c = kNoConn;
    REQUIRE(host.h.connect(0, peer, 5000, &c, host.out) == Errno::Ok);
    const std::uint32_t iss = segs(host.out).at(0).seq.raw();
    Segment synack = to_segment(Seg{.seq = R, .ack = iss + 1, .flags = kSyn | kAck, .mss = kMss}, peer, Endpoint{kHostIp, 5000});
    if (ts) synack.ts = Timestamps{100, 1};
    host.deliver(ms(10), synack);
    REQUIRE(host.h.conn(c).state() == State::Established);
    host.h.close(ms(20), c, host.out);
    Segment fin = to_segment(Seg{.seq = R + 1, .ack = iss + 2, .flags = kFin | kAck}, peer, Endpoint{kHostIp, 5000});
    if (ts) fin.ts = Timestamps{110, 2};
    host.deliver(ms(30), fin);
    REQUIRE(host.h.conn(c).state() == State::TimeWait);
    ConnId again = kNoConn;
    host.out.clear();
    const Errno e = host.h.connect(sec(1), peer, 5000, &again, host.out);
    if (!ts) {
      CHECK(e == Errno::AddrNotAvail);
      CHECK(host.h.conn(c).state() == State::TimeWait);
      continue;
    }
    REQUIRE(e == Errno::Ok);
    CHECK(host.h.conn(c).state() == State::Closed);
    const auto s = segs(host.out);
    REQUIRE(s.size() == 1);
    CHECK(flag_letters(s[0].flags) == "S");
    CHECK(s[0].seq.raw() == iss + 2 + 65537);  // the old SND.NXT + 65537
    // rfc9293 has no such rule: the pair stays taken.
    TcpConfig r = TcpConfig::for_profile(Profile::Rfc9293);
    r.reuse_addr = true;
    r.timestamps = true;
    CHECK_FALSE(r.time_wait_reopen_iss_gap.has_value());
  }
}

TEST_CASE("TcpHost: a new SYN with a higher sequence number reopens a pair in TIME_WAIT") {
  Host host;
  ConnId l = kNoConn;
  const auto [child, iss] = accepted(host, &l);
  host.h.close(ms(10), child, host.out);
  host.deliver(ms(20), from_peer(1000, 80, Seg{.ack = iss + 2, .flags = kFin | kAck}));
  REQUIRE(host.h.conn(child).state() == State::TimeWait);
  host.deliver(sec(1), from_peer(1000, 80, Seg{.seq = R + 100000, .ack = 0, .flags = kSyn, .mss = kMss}));
  CHECK(host.h.conn(child).state() == State::Closed);
  const auto s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(flag_letters(s[0].flags) == "S.");
  CHECK(s[0].ack.raw() == R + 100001);
  // Linux: the new ISS is the old SND.NXT (ISS + SYN + FIN) + 65537, above anything the old
  // connection used, so none of its segments can land in the new one's sequence space.
  CHECK(s[0].seq.raw() == iss + 2 + 65537);
}

TEST_CASE("TcpHost: rfc9293: the reopened pair's ISS is the clock's, kept above the old connection's SND.MAX") {
  Host host(TcpConfig::for_profile(Profile::Rfc9293));
  ConnId l = kNoConn;
  const auto [child, iss] = accepted(host, &l);
  host.h.close(ms(10), child, host.out);
  host.deliver(ms(20), from_peer(1000, 80, Seg{.ack = iss + 2, .flags = kFin | kAck}));
  REQUIRE(host.h.conn(child).state() == State::TimeWait);
  host.deliver(sec(1), from_peer(1000, 80, Seg{.seq = R + 100000, .ack = 0, .flags = kSyn, .mss = kMss}));
  const auto s = segs(host.out);
  REQUIRE(s.size() == 1);
  CHECK(seq_gt(s[0].seq, Seq32(iss + 2)));
  CHECK(s[0].seq.raw() != iss + 2 + 65537);
}

TEST_CASE("TcpHost: SYN queue full, SYN cookies on (linux default): a cookie SYN,ACK, and its ACK makes an ESTABLISHED child") {
  for (const bool ts : {false, true}) {
    CAPTURE(ts);
    TcpConfig cfg = plain();
    cfg.timestamps = ts;
    cfg.sack = true;
    cfg.window_scaling = true;
    cfg.mss = 1460;
    REQUIRE(cfg.syn_cookies == 1);
    Host host(cfg);
    ConnId l = kNoConn;
    REQUIRE(host.h.listen(0, 80, 1, &l, host.out) == Errno::Ok);
    host.deliver(0, from_peer(1000, 80, peer_syn()));  // fills the SYN queue (backlog 1)
    const std::size_t conns = host.h.conn_count();
    Seg syn{.seq = R, .ack = 0, .flags = kSyn, .mss = 1400, .wscale = 7, .sack_permitted = true};
    Segment s1 = from_peer(1001, 80, syn);
    if (ts) s1.ts = Timestamps{500, 0};
    host.deliver(ms(1), s1);
    CHECK(host.h.conn_count() == conns);  // nothing kept
    const auto sa = segs(host.out);
    REQUIRE(sa.size() == 1);
    CHECK(flag_letters(sa[0].flags) == "S.");
    CHECK(sa[0].ack.raw() == R + 1);
    CHECK(sa[0].mss == std::optional<std::uint16_t>(1460));
    // Without timestamps the cookie cannot keep window scale and SACK-permitted.
    CHECK(sa[0].sack_permitted == ts);
    CHECK(sa[0].wscale.has_value() == ts);
    CHECK(host.h.counters().syncookies_sent == 1);
    // The client's ACK: the cookie rebuilds the connection, ESTABLISHED at once.
    Segment a = from_peer(1001, 80, Seg{.seq = R + 1, .ack = sa[0].seq.raw() + 1, .wnd = 100});
    if (ts) a.ts = Timestamps{510, sa[0].ts->val};
    host.deliver(ms(2), a);
    CHECK(segs(host.out).empty());
    CHECK(transitions(host.out) == path({"LISTEN>ESTABLISHED"}));
    CHECK(host.h.counters().syncookies_recv == 1);
    const ConnId child = host.h.accept(l);
    REQUIRE(child != kNoConn);
    const Connection& k = host.h.conn(child);
    CHECK(k.state() == State::Established);
    CHECK(k.tcb().snd_mss == (ts ? 1300 - 12 : 1300));  // 1400 rounded down to a cookie MSS
    CHECK(k.tcb().sack_ok == ts);
    CHECK(k.tcb().snd_wscale == (ts ? 7 : 0));
    CHECK(k.tcb().rcv_nxt.raw() == R + 1);
    CHECK(k.tcb().snd_una.raw() == sa[0].seq.raw() + 1);
    // An ACK whose cookie we never issued is answered with RST, as for any stray ACK.
    host.deliver(ms(3), from_peer(1002, 80, Seg{.seq = R + 1, .ack = sa[0].seq.raw() + 77}));
    REQUIRE(segs(host.out).size() == 1);
    CHECK(flag_letters(segs(host.out)[0].flags) == "R");
    CHECK(host.h.counters().syncookies_failed == 1);
  }
}

TEST_CASE("TcpHost: tcp_syncookies=2 answers every SYN with a cookie; rfc9293 has none") {
  TcpConfig cfg = plain();
  cfg.syn_cookies = 2;
  Host host(cfg);
  ConnId l = kNoConn;
  REQUIRE(host.h.listen(0, 80, 8, &l, host.out) == Errno::Ok);
  host.deliver(0, from_peer(1000, 80, peer_syn()));
  CHECK(host.h.counters().syncookies_sent == 1);
  CHECK(host.h.listeners().at(80).syn_queue == 0);
  CHECK(TcpConfig::for_profile(Profile::Rfc9293).syn_cookies == 0);
}

TEST_CASE("TcpHost: calls with an invalid ConnId → EINVAL, never a crash") {
  Host host;
  const ConnId bad = 999;
  std::uint32_t taken = 7;
  std::string data = "x";
  CHECK_FALSE(host.h.valid(bad));
  CHECK(host.h.send(0, bad, "x", &taken, host.out) == Errno::Inval);
  CHECK(taken == 0);
  CHECK(host.h.send_fill(0, bad, 10, &taken, host.out) == Errno::Inval);
  CHECK(host.h.recv(0, bad, 10, &data, host.out) == Errno::Inval);
  CHECK(host.h.shutdown(0, bad, host.out) == Errno::Inval);
  CHECK(host.h.close(0, bad, host.out) == Errno::Inval);
  CHECK(host.h.abort(0, bad, host.out) == Errno::Inval);
  CHECK(host.h.close(0, kNoConn, host.out) == Errno::Inval);
  CHECK(host.h.accept(bad) == kNoConn);
  CHECK(host.h.accept(kNoConn) == kNoConn);
  host.h.on_timer(0, bad, host.out);
  CHECK(host.h.listener_of(bad) == nullptr);
  CHECK(segs(host.out).empty());
}

TEST_CASE("TcpHost: accept on a connection that is not a listener → no connection") {
  Host host;
  ConnId c = kNoConn;
  REQUIRE(host.h.connect(0, Endpoint{kPeerIp, 80}, 0, &c, host.out) == Errno::Ok);
  CHECK(host.h.accept(c) == kNoConn);
  ConnId l = kNoConn;
  const auto [child, iss] = accepted(host, &l);
  (void)iss;
  CHECK(host.h.accept(child) == kNoConn);
}

TEST_CASE("TcpHost: bad socket calls → errors") {
  Host host;
  ConnId id = 5;
  CHECK(host.h.listen(0, 0, 8, &id, host.out) == Errno::Inval);
  CHECK(id == kNoConn);
  CHECK(host.h.listen(0, 80, -1, &id, host.out) == Errno::Inval);
  CHECK(host.h.connect(0, Endpoint{kPeerIp, 0}, 0, &id, host.out) == Errno::Inval);
  CHECK(host.h.connect(0, Endpoint{0, 80}, 0, &id, host.out) == Errno::Inval);
  ConnId l = kNoConn;
  REQUIRE(host.h.listen(0, 80, 8, &l, host.out) == Errno::Ok);
  CHECK(host.h.listen(0, 80, 8, &id, host.out) == Errno::AddrInUse);
  CHECK(host.h.connect(0, Endpoint{kPeerIp, 9}, 80, &id, host.out) == Errno::AddrInUse);
  std::uint32_t taken = 0;
  CHECK(host.h.send(0, l, "x", &taken, host.out) == Errno::NotConn);  // send on LISTEN
  CHECK(host.h.close(0, l, host.out) == Errno::Ok);
  CHECK(host.h.close(0, l, host.out) == Errno::NotConn);  // close twice
}

TEST_CASE("TcpHost: two hosts back to back: connect, accept, exchange, close") {
  Host a(plain(), kPeerIp, 1), b(plain(), kHostIp, 2);
  ConnId l = kNoConn, c = kNoConn;
  REQUIRE(b.h.listen(0, 80, 8, &l, b.out) == Errno::Ok);
  a.out.clear();
  REQUIRE(a.h.connect(0, Endpoint{kHostIp, 80}, 0, &c, a.out) == Errno::Ok);
  std::vector<std::pair<bool, Segment>> wire;  // (to b, segment)
  Instant now = 0;
  auto take = [&](Host& from, bool to_b) {
    for (const auto& s : segs(from.out)) wire.emplace_back(to_b, s);
    from.out.clear();
  };
  auto pump = [&] {
    take(a, true);
    take(b, false);
    for (int i = 0; i < 1000 && !wire.empty(); ++i) {
      now += ms(1);
      auto [to_b, s] = wire.front();
      wire.erase(wire.begin());
      Host& dst = to_b ? b : a;
      dst.deliver(now, s);
      take(a, true);
      take(b, false);
    }
  };
  pump();
  const ConnId s = b.h.accept(l);
  REQUIRE(s != kNoConn);
  CHECK(a.h.conn(c).state() == State::Established);
  std::uint32_t taken = 0;
  a.out.clear();
  CHECK(a.h.send(now, c, "GET /", &taken, a.out) == Errno::Ok);
  pump();
  std::string got;
  CHECK(b.h.recv(now, s, 100, &got, b.out) == Errno::Ok);
  CHECK(got == "GET /");
  CHECK(b.h.send(now, s, "200 OK", &taken, b.out) == Errno::Ok);
  CHECK(b.h.close(now, s, b.out) == Errno::Ok);
  pump();
  CHECK(a.h.recv(now, c, 100, &got, a.out) == Errno::Ok);
  CHECK(got == "200 OK");
  CHECK(a.h.recv(now, c, 100, &got, a.out) == Errno::Ok);
  CHECK(got.empty());  // EOF
  CHECK(a.h.close(now, c, a.out) == Errno::Ok);
  pump();
  CHECK(a.h.conn(c).state() == State::Closed);
  CHECK(b.h.conn(s).state() == State::TimeWait);
  // A segment for the finished connection now gets a RST from a.
  a.deliver(now, to_segment(Seg{.seq = 1, .ack = 2}, Endpoint{kHostIp, 80}, a.h.conn(c).local()));
  const auto r = segs(a.out);
  REQUIRE(r.size() == 1);
  CHECK(flag_letters(r[0].flags) == "R");
}

TEST_CASE("TcpHost: TIME_WAIT and CLOSED are kept as compact records, unpacked only when a segment, a timer or a caller needs them") {
  TcpHost a(kPeerIp, plain(), 1), b(kHostIp, plain(), 2);
  Output ao, bo;
  ConnId l = kNoConn, c = kNoConn;
  REQUIRE(b.listen(0, 80, 8, &l, bo) == Errno::Ok);
  REQUIRE(a.connect(0, Endpoint{kHostIp, 80}, 0, &c, ao) == Errno::Ok);
  Instant now = 0;
  Segment fin_to_b;  // the client's FIN, to send again
  // Carries what each host sent to the other, 1 ms a segment, without looking at any
  // connection on the way (Host::deliver's invariant check would unpack them all).
  auto pump = [&] {
    for (int i = 0; i < 100 && !(ao.events.empty() && bo.events.empty()); ++i) {
      const auto to_b = segs(ao), to_a = segs(bo);
      ao.clear(), bo.clear();
      for (const Segment& x : to_b) {
        if (x.has(kFin)) fin_to_b = x;
        b.on_segment(now += ms(1), x, bo);
      }
      for (const Segment& x : to_a) a.on_segment(now += ms(1), x, ao);
    }
  };
  pump();
  const ConnId s = b.accept(l);
  REQUIRE(s != kNoConn);
  CHECK_FALSE(a.packed(c));
  CHECK_FALSE(b.packed(s));
  REQUIRE(b.close(now, s, bo) == Errno::Ok);  // the server closes first: it waits in TIME_WAIT
  pump();
  REQUIRE(a.close(now, c, ao) == Errno::Ok);
  pump();
  CHECK(a.head(c).state == State::Closed);
  CHECK(b.head(s).state == State::TimeWait);
  CHECK(a.packed(c));
  CHECK(b.packed(s));
  CHECK(b.packed_count() == 1);
  CHECK(b.record_bytes() > 0);
  CHECK(b.record_bytes() <= 160);  // a length byte and the record: the Connection is 400 bytes
  const ConnRecordHead tw = b.head(s);
  CHECK(tw.local == Endpoint{kHostIp, 80});
  CHECK(tw.remote == a.head(c).local);
  const Instant entered = tw.next_deadline - sec(60);  // 2MSL = 60 s on Linux
  CHECK(entered > 0);
  CHECK(entered <= now);
  // The client's FIN again, to the server's record: answered with the ACK, 2MSL restarted,
  // and a record again afterwards.
  REQUIRE(fin_to_b.has(kFin));
  const Segment again = fin_to_b;
  bo.clear();
  b.on_segment(now + sec(1), again, bo);
  const auto acks = segs(bo);
  REQUIRE(acks.size() == 1);
  CHECK(flag_letters(acks[0].flags) == ".");
  CHECK(acks[0].seq == again.ack);
  CHECK(acks[0].ack == again.seq + 1);
  CHECK(b.packed(s));
  CHECK(b.head(s).next_deadline == now + sec(1) + sec(60));
  // A caller that asks for the connection gets it whole, and it stays unpacked.
  CHECK(b.conn(s).state() == State::TimeWait);
  CHECK(b.conn(s).tcb().rcv_nxt == again.seq + 1);
  CHECK_FALSE(b.packed(s));
  CHECK(b.packed_count() == 0);
  // 2MSL ends it; CLOSED is a record again.
  bo.clear();
  b.on_timer(now + sec(61), s, bo);
  CHECK(b.head(s).state == State::Closed);
  CHECK(b.packed(s));
  CHECK(b.conn(s).tcb().rcv_nxt == again.seq + 1);
}

TEST_CASE("TcpHost: records unpacked and packed again leave garbage that a rebuild collects; every record still unpacks as it was") {
  TcpHost a(kPeerIp, plain(), 1), b(kHostIp, plain(), 2);
  a.set_record_gc_floor(0);
  Output ao, bo;
  ConnId l = kNoConn;
  REQUIRE(b.listen(0, 80, 64, &l, bo) == Errno::Ok);
  Instant now = 0;
  std::vector<Segment> fins;  // each client FIN that reached the server
  auto pump = [&] {
    for (int i = 0; i < 100 && !(ao.events.empty() && bo.events.empty()); ++i) {
      const auto to_b = segs(ao), to_a = segs(bo);
      ao.clear(), bo.clear();
      for (const Segment& x : to_b) {
        if (x.has(kFin)) fins.push_back(x);
        b.on_segment(now += ms(1), x, bo);
      }
      for (const Segment& x : to_a) a.on_segment(now += ms(1), x, ao);
    }
  };
  constexpr int kConns = 40;
  std::vector<ConnId> clients;
  for (int i = 0; i < kConns; ++i) {
    ConnId c = kNoConn;
    REQUIRE(a.connect(now, Endpoint{kHostIp, 80}, 0, &c, ao) == Errno::Ok);
    pump();
    const ConnId s = b.accept(l);
    REQUIRE(s != kNoConn);
    REQUIRE(a.close(now, c, ao) == Errno::Ok);  // the client closes first: TIME_WAIT
    REQUIRE(b.close(now, s, bo) == Errno::Ok);
    pump();
    clients.push_back(c);
  }
  REQUIRE(fins.size() == kConns);
  for (ConnId c : clients) REQUIRE(a.packed(c));
  // What each record holds, read from a copy (unpacking there leaves `a` as it is).
  TcpHost seen = a;
  std::vector<Tcb> tcbs;
  for (ConnId c : clients) tcbs.push_back(seen.conn(c).tcb());
  const std::size_t full = a.record_bytes();
  // Half of them looked at (unpacked), then the FIN of each sent again: each answers and is
  // packed again, leaving its old record as garbage; rebuilds keep the garbage below half.
  for (int i = 0; i < kConns; i += 2) CHECK(a.conn(clients[static_cast<std::size_t>(i)]).state() == State::TimeWait);
  CHECK(a.packed_count() == kConns / 2);
  for (int i = 0; i < 2 * kConns; ++i) {  // each twice
    Segment fin = fins[static_cast<std::size_t>(i % kConns)];  // a FIN the server got: resent, to the client
    std::swap(fin.src, fin.dst);
    const Tcb& t = tcbs[static_cast<std::size_t>(i % kConns)];
    fin.seq = t.rcv_nxt - 1;
    fin.ack = t.snd_nxt;
    ao.clear();
    a.on_segment(now + sec(1), fin, ao);
    const auto acks = segs(ao);
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].ack == t.rcv_nxt);
  }
  CHECK(a.packed_count() == kConns);
  CHECK(a.record_rebuilds() >= 1);
  CHECK(a.record_bytes() <= full + 8 * kConns);  // the deadlines moved; little else
  for (std::size_t i = 0; i < clients.size(); ++i) {
    CAPTURE(i);
    const Connection& k = a.conn(clients[i]);
    CHECK(k.state() == State::TimeWait);
    CHECK(k.tcb().snd_nxt == tcbs[i].snd_nxt);
    CHECK(k.tcb().rcv_nxt == tcbs[i].rcv_nxt);
    CHECK(k.tcb().iss == tcbs[i].iss);
    CHECK(k.check_invariants() == "");
  }
}

TEST_CASE("TcpHost: a crash takes every open connection to CLOSED, in ConnId order, with nothing sent") {
  Host host;
  ConnId listener = kNoConn;
  const auto [child, iss] = accepted(host, &listener);
  (void)iss;
  ConnId active = kNoConn;
  REQUIRE(host.h.connect(ms(2), Endpoint{kPeerIp, 2000}, 0, &active, host.out) == Errno::Ok);
  host.out.clear();
  host.h.crash(ms(3), "server", host.out);
  const auto st = states_of(host.out);
  REQUIRE(st.size() == 3);
  CHECK(st[0].from == State::Listen);
  CHECK(st[1].from == State::Established);
  CHECK(st[2].from == State::SynSent);
  for (const auto& s : st) {
    CHECK(s.to == State::Closed);
    CHECK(s.cause == "host server crashed: all TCP state lost, nothing sent");
    REQUIRE(s.rule);
    CHECK(s.rule->on == TcpEvent::Crash);
  }
  CHECK(sends_of(host.out).empty());
  CHECK(timers_of(host.out).empty());
  for (ConnId c = 0; c < host.h.conn_count(); ++c) {
    CHECK(host.h.conn(c).state() == State::Closed);
    CHECK(host.h.conn(c).next_deadline() == kNever);
  }
  CHECK(host.h.listeners().empty());
  // A second crash finds nothing left to close.
  host.out.clear();
  host.h.crash(ms(4), "server", host.out);
  CHECK(host.out.events.empty());
}

}  // TEST_SUITE

TEST_CASE("SYN cookie: the TSval that carries the options is never ahead of the clock (else PAWS would drop what follows)") {
  for (const std::uint32_t clock : {1U, 20U, 63U, 64U, 100U, 1000U, 0xffffffffU}) {
    CAPTURE(clock);
    const std::uint32_t ts = syn_cookie_tsval(clock, std::uint8_t{7}, true);
    CHECK(static_cast<std::int32_t>(ts - clock) <= 0);
    CHECK(static_cast<std::int32_t>(clock - ts) < 128);
    CHECK((ts & 0x3f) == (0x20 | 0x10 | 7));
  }
  CHECK(syn_cookie_mss(1400) == 1300);
  CHECK(syn_cookie_mss(100) == 536);
  CHECK(syn_cookie_mss(9000) == 1460);
}

TEST_CASE("TcpHost: with timer events counted instead of listed, the other events are the same and the count is the listed ones'") {
  // What the world does when it records no trace (Output::list_timer_events = false): the
  // SYN, its retransmission by the RTO and the ETIMEDOUT still come, in the same order.
  auto run = [](bool list) {
    TcpConfig cfg = plain();
    cfg.syn_retries = 1;
    TcpHost h(kHostIp, cfg, 42);
    Output out;
    out.list_timer_events = list;
    std::vector<ConnEvent> others;
    std::uint32_t timer_events = 0;
    std::vector<ConnId> timer_conns;
    auto take = [&] {
      for (const ConnEvent& e : out.events) {
        if (std::holds_alternative<TimerEvent>(e.body)) ++timer_events;
        else others.push_back(e);
      }
      timer_events += out.timer_events_unlisted;
      timer_conns.insert(timer_conns.end(), out.timer_conns.begin(), out.timer_conns.end());
      out.clear();
    };
    ConnId c = kNoConn;
    REQUIRE(h.connect(0, Endpoint{kPeerIp, 80}, 40000, &c, out) == Errno::Ok);
    take();
    for (int i = 0; i < 3 && h.conn(c).state() != State::Closed; ++i) {
      h.on_timer(h.conn(c).next_deadline(), c, out);
      take();
    }
    return std::make_tuple(others, timer_events, timer_conns, c);
  };
  const auto [listed_others, listed_timers, listed_conns, c1] = run(true);
  const auto [counted_others, counted_timers, counted_conns, c2] = run(false);
  CHECK(listed_timers >= 4);  // set, fire and set again, fire: the case has timer events to count
  CHECK(counted_timers == listed_timers);
  CHECK(listed_conns.empty());
  REQUIRE(counted_conns.size() >= 2);  // noted once per call that had any
  CHECK(c1 == c2);
  const ConnId conn = c2;  // a structured binding cannot be captured before C++20 (clang 14)
  CHECK(std::all_of(counted_conns.begin(), counted_conns.end(), [&](ConnId k) { return k == conn; }));
  REQUIRE(counted_others.size() == listed_others.size());
  int sends = 0;
  for (std::size_t i = 0; i < listed_others.size(); ++i) {
    CHECK(counted_others[i].body.index() == listed_others[i].body.index());
    if (const auto* s = std::get_if<SendEvent>(&listed_others[i].body)) {
      ++sends;
      CHECK(std::get<SendEvent>(counted_others[i].body).seg == s->seg);
    }
  }
  CHECK(sends >= 2);  // the SYN and its retransmissions
}
