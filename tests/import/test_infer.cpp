// The importer's inference on hand-made segments: each side's states, the rule named, and
// where in time the far side's changes are placed (import/infer.hpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "import/frame.hpp"
#include "import/infer.hpp"

using namespace tcplab;
using namespace tcplab::capture;

namespace {

IpAddr v4(std::uint8_t last) {
  IpAddr a;
  a.bytes[0] = 10;
  a.bytes[3] = last;
  return a;
}

// A segment from 10.0.0.<from>:<fport> to 10.0.0.<to>:<tport>.
DecodedFrame seg(std::uint8_t from, std::uint16_t fport, std::uint8_t to, std::uint16_t tport, std::uint8_t flags,
                 std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0) {
  DecodedFrame f;
  f.src_ip = v4(from);
  f.dst_ip = v4(to);
  f.seg.src.port = fport;
  f.seg.dst.port = tport;
  f.seg.flags = flags;
  f.seg.seq = Seq32{seq};
  f.seg.ack = Seq32{ack};
  f.seg.wnd = 64;
  f.len = len;
  return f;
}

struct Run {
  std::vector<TraceEvent> events;
  std::vector<TraceEvent> states() const {
    std::vector<TraceEvent> out;
    for (const auto& e : events)
      if (e.type == TraceType::State) out.push_back(e);
    return out;
  }
};

// The inference of frames (capture time, frame) as a capture at `host` sees them.
Run infer_at(const char* host, const std::vector<std::pair<Instant, DecodedFrame>>& frames) {
  Run r;
  InferOptions opt;
  opt.at_host = host;
  Inference inf(opt, [&](const TraceEvent& e) { r.events.push_back(e); });
  std::uint64_t n = 0;
  for (const auto& [t, f] : frames) inf.frame(t, ++n, f);
  inf.finish();
  return r;
}

// Client 10.0.0.1:40000, server 10.0.0.2:80: a handshake, 7 bytes, the client closes first.
// Times as a capture at `at` (1: the client, 2: the server) sees them, one-way delay 5 ms.
Run handshake_and_close(int at) {
  Run r;
  InferOptions opt;
  opt.at_host = at == 1 ? "10.0.0.1" : "10.0.0.2";
  Inference inf(opt, [&](const TraceEvent& e) { r.events.push_back(e); });
  const Instant d = ms(5);
  // Send times at the client (c) and at the server (s); a capture sees its own sends then,
  // the other's one delay later.
  auto at_client = [&](Instant c_send, bool from_client) { return from_client ? c_send : c_send + d; };
  auto at_server = [&](Instant s_send, bool from_server) { return from_server ? s_send : s_send + d; };
  struct S {
    Instant sent;
    bool client;
    DecodedFrame f;
  };
  const std::vector<S> segs = {
      {ms(0), true, seg(1, 40000, 2, 80, kSyn, 1000, 0)},
      {ms(5), false, seg(2, 80, 1, 40000, kSyn | kAck, 5000, 1001)},
      {ms(10), true, seg(1, 40000, 2, 80, kAck, 1001, 5001)},
      {ms(10), true, seg(1, 40000, 2, 80, kAck | kPsh, 1001, 5001, 7)},
      {ms(15), false, seg(2, 80, 1, 40000, kAck, 5001, 1008)},
      {ms(100), true, seg(1, 40000, 2, 80, kFin | kAck, 1008, 5001)},
      {ms(105), false, seg(2, 80, 1, 40000, kFin | kAck, 5001, 1009)},
      {ms(110), true, seg(1, 40000, 2, 80, kAck, 1009, 5002)},
  };
  std::vector<std::pair<Instant, DecodedFrame>> frames;
  for (const S& s : segs) frames.emplace_back(at == 1 ? at_client(s.sent, s.client) : at_server(s.sent, !s.client), s.f);
  std::stable_sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::uint64_t n = 0;
  for (const auto& [t, f] : frames) inf.frame(t, ++n, f);
  inf.finish();
  return r;
}

}  // namespace

TEST_CASE("import: at the client, its side exact and the server's placed by half the handshake's RTT") {
  const Run r = handshake_and_close(1);
  const auto st = r.states();
  REQUIRE(st.size() == 9);
  auto check = [&](std::size_t i, const char* host, State from, State to, Instant t) {
    CAPTURE(i);
    CHECK(r.events.size() > 0);
    CHECK(st[i].conn.substr(0, std::string(host).size()) == host);
    CHECK(st[i].from == from);
    CHECK(st[i].to == to);
    CHECK(st[i].t_ns == t);
  };
  check(0, "10.0.0.1", State::Closed, State::SynSent, ms(0));
  check(1, "10.0.0.2", State::Listen, State::SynReceived, ms(5));  // the far side: SYN,ACK seen at 10 ms, minus 5
  check(2, "10.0.0.1", State::SynSent, State::Established, ms(10));
  check(3, "10.0.0.2", State::SynReceived, State::Established, ms(15));
  check(4, "10.0.0.1", State::Established, State::FinWait1, ms(100));
  check(5, "10.0.0.2", State::Established, State::CloseWait, ms(105));  // shown by its FIN,ACK at 110 ms
  check(6, "10.0.0.2", State::CloseWait, State::LastAck, ms(105));
  check(7, "10.0.0.1", State::FinWait1, State::TimeWait, ms(110));
  check(8, "10.0.0.2", State::LastAck, State::Closed, ms(115));
  CHECK(st[0].cause.find("capture at this host: exact") != std::string::npos);
  CHECK(st[0].cause.find("3.10.1 OPEN call, active: SYN sent with ISS=1000") != std::string::npos);
  CHECK(st[1].cause.find("far side") != std::string::npos);
  CHECK(st[1].cause.find("3.10.7.2 LISTEN") != std::string::npos);
  CHECK(st[7].cause.find("our FIN acknowledged") != std::string::npos);
}

TEST_CASE("import: at the server, the same connection with the sides' roles swapped") {
  const Run r = handshake_and_close(2);
  const auto st = r.states();
  REQUIRE(st.size() == 9);
  CHECK(st[0].to == State::SynSent);
  CHECK(st[0].t_ns == ms(0));  // the client's SYN seen at 5 ms, one delay before
  CHECK(st[1].to == State::SynReceived);
  CHECK(st[1].t_ns == ms(5));  // the SYN's arrival at this host
  CHECK(st[1].cause.find("exact") != std::string::npos);
  // The segment lines come in capture order and carry ids per side.
  std::vector<std::string> ids;
  for (const auto& e : r.events)
    if (e.type == TraceType::Send) ids.push_back(e.id);
  REQUIRE(ids.size() == 8);
  CHECK(ids[0] == "10.0.0.1>10.0.0.2#1");
  CHECK(ids[1] == "10.0.0.2>10.0.0.1#1");
}

TEST_CASE("import: a far LAST_ACK that repeats its FIN did not get our ACK: the CLOSED is taken back") {
  Run r;
  InferOptions opt;
  opt.at_host = "10.0.0.1";
  Inference inf(opt, [&](const TraceEvent& e) { r.events.push_back(e); });
  std::uint64_t n = 0;
  inf.frame(ms(0), ++n, seg(1, 40000, 2, 80, kSyn, 1000, 0));
  inf.frame(ms(10), ++n, seg(2, 80, 1, 40000, kSyn | kAck, 5000, 1001));
  inf.frame(ms(10), ++n, seg(1, 40000, 2, 80, kAck, 1001, 5001));
  inf.frame(ms(100), ++n, seg(1, 40000, 2, 80, kFin | kAck, 1001, 5001));
  inf.frame(ms(110), ++n, seg(2, 80, 1, 40000, kFin | kAck, 5001, 1002));
  inf.frame(ms(110), ++n, seg(1, 40000, 2, 80, kAck, 1002, 5002));  // lost on the way
  inf.frame(ms(320), ++n, seg(2, 80, 1, 40000, kFin | kAck, 5001, 1002));  // its FIN again (RTO)
  inf.frame(ms(320), ++n, seg(1, 40000, 2, 80, kAck, 1002, 5002));
  inf.finish();
  std::vector<std::pair<State, Instant>> server;
  for (const auto& e : r.events)
    if (e.type == TraceType::State && e.conn.starts_with("10.0.0.2")) server.emplace_back(e.to, e.t_ns);
  REQUIRE(server.size() == 5);
  CHECK(server[3].first == State::LastAck);
  CHECK(server[4].first == State::Closed);
  CHECK(server[4].second == ms(325));  // the second ACK, one delay after it left
  bool retx = false;
  for (const auto& e : r.events)
    if (e.type == TraceType::Send && e.retx && e.kind == "FIN") retx = e.retx_cause == RetxCause::Rto;
  CHECK(retx);
}

TEST_CASE("import: a new SYN with another ISN after TIME-WAIT is a new connection") {
  Run r;
  InferOptions opt;
  opt.at_host = "10.0.0.1";
  Inference inf(opt, [&](const TraceEvent& e) { r.events.push_back(e); });
  std::uint64_t n = 0;
  inf.frame(ms(0), ++n, seg(1, 40000, 2, 80, kSyn, 1000, 0));
  inf.frame(ms(10), ++n, seg(2, 80, 1, 40000, kSyn | kAck, 5000, 1001));
  inf.frame(ms(10), ++n, seg(1, 40000, 2, 80, kAck, 1001, 5001));
  inf.frame(ms(20), ++n, seg(1, 40000, 2, 80, kFin | kAck, 1001, 5001));
  inf.frame(ms(30), ++n, seg(2, 80, 1, 40000, kFin | kAck, 5001, 1002));
  inf.frame(ms(30), ++n, seg(1, 40000, 2, 80, kAck, 1002, 5002));
  inf.frame(sec(2), ++n, seg(1, 40000, 2, 80, kSyn, 900000, 0));
  inf.finish();
  std::vector<std::string> ids;
  State last_client = State::Closed;
  for (const auto& e : r.events) {
    if (e.type == TraceType::Send) ids.push_back(e.id);
    if (e.type == TraceType::State && e.conn.starts_with("10.0.0.1") && e.t_ns == sec(2) && e.from == State::TimeWait) {
      CHECK(e.to == State::Closed);
      CHECK(e.cause.find("new SYN") != std::string::npos);
    }
    if (e.type == TraceType::State && e.conn.starts_with("10.0.0.1")) last_client = e.to;
  }
  CHECK(ids.back() == "10.0.0.1>10.0.0.2.2#1");  // the pair's second connection
  CHECK(last_client == State::SynSent);
}

TEST_CASE("import: a SYN,ACK retransmitted 5 times and no more: SYN_RECV given up a doubled interval later") {
  Run r;
  InferOptions opt;
  opt.at_host = "10.0.0.2";
  Inference inf(opt, [&](const TraceEvent& e) { r.events.push_back(e); });
  std::uint64_t n = 0;
  inf.frame(ms(5), ++n, seg(9, 1234, 2, 80, kSyn, 77, 0));
  const Instant retries[] = {ms(5), sec(1) + ms(5), sec(3) + ms(5), sec(7) + ms(5), sec(15) + ms(5), sec(31) + ms(5)};
  for (Instant t : retries) inf.frame(t, ++n, seg(2, 80, 9, 1234, kSyn | kAck, 4242, 78));
  inf.frame(sec(100), ++n, seg(9, 1, 2, 80, kSyn, 1, 0));  // something later: the capture goes on
  inf.finish();
  bool closed = false;
  for (const auto& e : r.events)
    if (e.type == TraceType::State && e.conn == "10.0.0.2:80>10.0.0.9:1234" && e.to == State::Closed) {
      closed = true;
      CHECK(e.from == State::SynReceived);
      CHECK(e.t_ns == sec(63) + ms(5));  // 31 s + 2 * 16 s, as Linux's tcp_synack_retries=5
    }
  CHECK(closed);
}

TEST_CASE("import: decode_frame reads SLL2 and IPv6 with a hop-by-hop header, and flags a bad checksum") {
  // SLL2: protocol 0x0800, then a minimal IPv4/TCP SYN from 10.0.0.1:1 to 10.0.0.2:2.
  std::vector<std::uint8_t> sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  std::vector<std::uint8_t> ip = {0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                                  0, 1, 0, 2, 0, 0, 0, 100, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
  sll2.insert(sll2.end(), ip.begin(), ip.end());
  DecodedFrame f;
  REQUIRE(decode_frame(kLinkSll2, sll2.data(), sll2.size(), f) == Skip::None);
  CHECK(f.seg.src.port == 1);
  CHECK(f.seg.seq.raw() == 100);
  CHECK(f.seg.has(kSyn));
  CHECK((f.notes & kNoteBadTcpChecksum) != 0);  // left 0 on purpose
  CHECK((f.notes & kNoteBadIpChecksum) != 0);
  // IPv6 + hop-by-hop (8 bytes) + the same TCP header.
  std::vector<std::uint8_t> v6 = {0x60, 0, 0, 0, 0, 28, 0, 64};
  for (int i = 0; i < 32; ++i) v6.push_back(static_cast<std::uint8_t>(i < 16 ? (i == 15 ? 1 : 0) : (i == 31 ? 2 : 0)));
  const std::uint8_t hbh[8] = {6, 0, 1, 4, 0, 0, 0, 0};
  v6.insert(v6.end(), hbh, hbh + 8);
  v6.insert(v6.end(), ip.begin() + 20, ip.end());
  REQUIRE(decode_frame(kLinkRaw, v6.data(), v6.size(), f) == Skip::None);
  CHECK(f.src_ip.v6);
  CHECK((f.notes & kNoteIpv6Ext) != 0);
  CHECK(f.seg.dst.port == 2);
  // Cut inside the TCP header: reported, not read past.
  CHECK(decode_frame(kLinkRaw, ip.data(), 30, f) == Skip::ShortTcp);
  CHECK(decode_frame(kLinkEthernet, ip.data(), 10, f) == Skip::ShortLink);
  CHECK(decode_frame(999, ip.data(), ip.size(), f) == Skip::Unsupported);
}

TEST_CASE("import: a RST away from its sender's SND.NXT is no TCB's (a blind reset): only the exact one closes") {
  const Run r = infer_at("10.0.0.2", {{ms(10), seg(1, 48001, 2, 80, kSyn, 0, 0)},
                                      {ms(10), seg(2, 80, 1, 48001, kSyn | kAck, 5000, 1)},
                                      {ms(30), seg(1, 48001, 2, 80, kAck, 1, 5001)},
                                      {ms(130), seg(1, 48001, 2, 80, kRst, 1001, 0)},      // in the server's window, not RCV.NXT
                                      {ms(150), seg(2, 80, 1, 48001, kAck, 5001, 1)},      // the challenge ACK
                                      {ms(250), seg(1, 48001, 2, 80, kRst, 1000000, 0)},   // outside it
                                      {ms(350), seg(1, 48001, 2, 80, kRst, 1, 0)}});       // SEG.SEQ = RCV.NXT = the client's SND.NXT
  // Each side closes once, from ESTABLISHED, at the exact RST: the guesses changed neither side.
  int closed = 0;
  for (const auto& e : r.states())
    if (e.to == State::Closed) {
      ++closed;
      CHECK(e.from == State::Established);
      CHECK(e.t_ns >= ms(340));
    }
  CHECK(closed == 2);
}

TEST_CASE("import: a simultaneous open at one end: a SYN it never answered did not reach its TCP; its SYN,ACK is no retransmission") {
  // At 10.0.0.1:9503, both ends connect to each other. The peer's first SYN arrives at 0.1 ms
  // and is not answered (a firewall dropped it after the capture point); both SYNs go again at
  // 1 s and cross; each end answers the other's with a SYN,ACK.
  const Run r = infer_at("10.0.0.1", {{0, seg(1, 9503, 2, 9502, kSyn, 1000, 0)},
                                      {us(100), seg(2, 9502, 1, 9503, kSyn, 5000, 0)},
                                      {sec(1), seg(1, 9503, 2, 9502, kSyn, 1000, 0)},
                                      {sec(1) + us(20), seg(2, 9502, 1, 9503, kSyn, 5000, 0)},
                                      {sec(1) + us(40), seg(1, 9503, 2, 9502, kSyn | kAck, 1000, 5001)},
                                      {sec(1) + us(60), seg(2, 9502, 1, 9503, kSyn | kAck, 5000, 1001)},
                                      {sec(1) + us(70), seg(1, 9503, 2, 9502, kAck, 1001, 5001)},
                                      {sec(1) + us(80), seg(2, 9502, 1, 9503, kAck, 5001, 1001)}});
  std::vector<std::pair<Instant, State>> near;
  for (const auto& e : r.events) {
    if (e.type == TraceType::State && e.conn == "10.0.0.1:9503>10.0.0.2:9502") near.emplace_back(e.t_ns, e.to);
    if (e.type == TraceType::Send && e.conn == "10.0.0.1:9503>10.0.0.2:9502" && e.seg.has(kSyn) && e.seg.has(kAck)) CHECK_FALSE(e.retx);
  }
  // SYN_SENT until the SYN it answered arrived (1 s + 20 us), not from the unanswered one at 0.1 ms.
  const std::vector<std::pair<Instant, State>> want = {
      {0, State::SynSent}, {sec(1) + us(20), State::SynReceived}, {sec(1) + us(60), State::Established}};
  CHECK(near == want);
}
