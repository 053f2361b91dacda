// A connection in TIME_WAIT or CLOSED gives its body back (Connection::compact, issue 20):
// the queues, congestion control, SACK scoreboard, rate sampler and RACK. What is left must
// behave as before: RFC 9293 3.10.7.4 "TIME-WAIT STATE" (a retransmitted FIN is ACKed and
// restarts the 2 MSL timeout), the RST, SYN and out-of-window answers, the 2MSL expiry, and
// the views' figures; a copy of the connection (a world's seek or fork) too.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// Everything a call reported, as text: the segments, timer changes and state changes.
std::vector<std::string> reported(const Output& out) {
  std::vector<std::string> r;
  for (const auto& s : sends_of(out)) r.push_back(describe(s.seg, s.retx) + " ts=" + (s.seg.ts ? "y" : "n") +
                                                  " sack=" + std::to_string(s.seg.sack_count));
  for (const auto& t : timers_of(out))
    r.push_back("timer " + std::to_string(static_cast<int>(t.kind)) + " " + std::to_string(static_cast<int>(t.action)) +
                " at " + std::to_string(t.deadline_ns));
  for (const auto& s : transitions(out)) r.push_back(s);
  return r;
}

// What a TIME_WAIT may be sent, in order, each 300 ms after the last (the out-of-window
// answers are rate limited per invalid_ack_ratelimit, so some come at the same instant too).
struct Probe {
  Duration after;
  Seg seg;
};
std::vector<Probe> probes() {
  return {
      {ms(300), Seg{.ack = L + 2, .flags = kFin | kAck}},                        // retransmitted FIN
      {ms(300), Seg{.seq = R + 2, .ack = L + 2, .flags = kAck}},                 // pure ACK in window
      {0, Seg{.seq = R + 2, .ack = L + 1, .flags = kAck}},                       // an older ACK
      {ms(300), Seg{.seq = R + 2, .ack = L + 9, .flags = kAck}},                 // ACK of what was never sent
      {ms(300), Seg{.seq = R + 2, .ack = L + 2, .flags = kAck, .payload = "xy"}},  // data after the FIN
      {ms(300), Seg{.seq = R + 900000, .ack = L + 2, .flags = kAck}},            // out of window
      {0, Seg{.seq = R + 900000, .ack = L + 2, .flags = kAck}},                  // ... again at once
      {ms(300), Seg{.seq = R + 3, .ack = 0, .flags = kSyn}},                     // SYN in window
      {ms(300), Seg{.seq = R + 5, .ack = L + 2, .flags = kRst}},                 // RST in window, not exact
      {ms(300), Seg{.ack = L + 2, .flags = kFin | kAck, .sack = {{L + 2, L + 4}}}},  // FIN with a SACK block
      {ms(300), Seg{.seq = R + 2, .ack = L + 2, .flags = kRst}},                 // RST at RCV.NXT
  };
}

// Packs a compact connection into its record (stack/conn_record.hpp) and makes `c` the
// connection the record unpacks to; checks that packing that again gives the same bytes.
void round_trip(Connection& c, RecordShared& cfgs) {
  std::string rec;
  REQUIRE(c.pack(rec, cfgs));
  Connection back;
  const auto* p = reinterpret_cast<const std::uint8_t*>(rec.data());
  CHECK(back.unpack(p, cfgs) == rec.size());
  std::string again;
  REQUIRE(back.pack(again, cfgs));
  CHECK(again == rec);
  c = back;
}

// Feeds the probes to two copies of one TIME_WAIT: `lean` compacted before every call (and,
// with `packed`, kept as its record in between, as TcpHost keeps it), `full` never. Both must
// report the same, call by call, and end in the same state.
void same_as_full(const TcpConfig& cfg, bool packed = false) {
  RecordShared cfgs;
  Ep full = time_wait(cfg);
  Ep lean = full;
  REQUIRE(lean.c.compact());
  REQUIRE(lean.c.compact_now());
  Instant t = 0;
  for (const Probe& p : probes()) {
    t += p.after;
    REQUIRE(lean.c.compact());
    if (packed && (lean.state() == State::TimeWait || lean.state() == State::Closed)) round_trip(lean.c, cfgs);
    feed(full, t, p.seg);
    feed(lean, t, p.seg);
    lean.c.compact();  // as TcpHost does after every segment: the views read the record
    INFO("probe at t=" << t << " seq=" << p.seg.seq << " flags=" << static_cast<int>(p.seg.flags));
    CHECK(reported(lean.out) == reported(full.out));
    CHECK(lean.state() == full.state());
    CHECK(lean.tcb().rcv_wnd == full.tcb().rcv_wnd);
    CHECK(lean.tcb().rcv_nxt.raw() == full.tcb().rcv_nxt.raw());
    CHECK(lean.c.next_deadline() == full.c.next_deadline());
    CHECK(lean.c.cwnd() == full.c.cwnd());
    CHECK(lean.c.ssthresh() == full.c.ssthresh());
    CHECK(lean.c.cc_phase() == full.c.cc_phase());
    CHECK(lean.c.bytes_in_flight() == full.c.bytes_in_flight());
    CHECK(lean.c.rcv_buf_size() == full.c.rcv_buf_size());
    CHECK(lean.c.rtt().srtt() == full.c.rtt().srtt());
    CHECK(lean.c.rtt().rto() == full.c.rtt().rto());
    CHECK(lean.c.bytes_acked_total() == full.c.bytes_acked_total());
    CHECK(lean.c.bytes_received() == full.c.bytes_received());
    CHECK(lean.c.check_invariants() == "");
  }
  if (packed) round_trip(lean.c, cfgs);
  fire(full, t + sec(300));
  fire(lean, t + sec(300));
  CHECK(reported(lean.out) == reported(full.out));
}

}  // namespace

TEST_SUITE("compact TIME_WAIT and CLOSED") {

TEST_CASE("compact: a TIME_WAIT gives its body back and keeps a small record") {
  Ep ep = time_wait();
  CHECK_FALSE(ep.c.compact_now());
  const std::size_t before = ep.c.footprint_bytes();
  const std::uint32_t cwnd = ep.c.cwnd();
  REQUIRE(cwnd > 0);
  REQUIRE(ep.c.compact());
  CHECK(ep.c.compact_now());
  CHECK(ep.c.footprint_bytes() == sizeof(Connection));  // no heap storage of its own
  CHECK(ep.c.footprint_bytes() + sizeof(ConnBody) <= before);
  CHECK(sizeof(Connection) <= 700);
  // The views' figures survive the body.
  CHECK(ep.c.cwnd() == cwnd);
  CHECK(ep.c.cc_phase() != "");
  CHECK(ep.c.unsent_bytes() == 0);
  CHECK(ep.c.readable_bytes() == 0);
  CHECK(ep.c.check_invariants() == "");
}

TEST_CASE("compact: only what nothing needs is released") {
  // Unread data in TIME_WAIT: the app may still read it, so the body stays.
  Ep ep = established();
  shutdown(ep, 0);
  feed(ep, 0, Seg{.ack = L + 2, .flags = kFin | kAck, .payload = "data"});
  REQUIRE(ep.state() == State::TimeWait);
  CHECK_FALSE(ep.c.compact());
  CHECK_FALSE(ep.c.compact_now());
  CHECK(recv_all(ep, sec(1)) == "data");
  CHECK(ep.c.compact());  // read: now it may go
  // An open connection is never compacted.
  Ep open = established();
  CHECK_FALSE(open.c.compact());
  CHECK_FALSE(open.c.compact_now());
}

TEST_CASE("compact: a retransmitted FIN is ACKed and restarts 2MSL, after compaction and in a copy") {
  Ep ep = time_wait();
  REQUIRE(ep.c.compact());
  Ep copy = ep;  // a world copy (seek, fork) copies its connections by value
  CHECK(copy.c.compact_now());
  for (Ep* e : {&ep, &copy}) {
    feed(*e, sec(10), Seg{.ack = L + 2, .flags = kFin | kAck});
    expect_sends(*e, {{.seq = L + 2, .ack = R + 2}});
    CHECK(e->deadline(TimerKind::TimeWait) == sec(70));
    const auto timers = timers_of(e->out);
    REQUIRE(timers.size() == 1);
    CHECK(timers[0].action == TimerAction::Set);
    CHECK(timers[0].deadline_ns == sec(70));
    REQUIRE(e->c.compact());  // what TcpHost does after every segment
    fire(*e, sec(60));
    expect_silent(*e);
    CHECK(e->state() == State::TimeWait);
    fire(*e, sec(70));
    CHECK(transitions(*e) == path({"TIME_WAIT>CLOSED"}));
  }
}

TEST_CASE("compact: a copy of a connection with its body is a deep copy") {
  Ep ep = established();
  Ep copy = ep;
  send(copy, 0, "hello");
  CHECK(copy.c.send_queue_bytes() == 5);
  CHECK(ep.c.send_queue_bytes() == 0);
}

TEST_CASE("compact: a compacted TIME_WAIT answers every segment as a full one (Linux)") { same_as_full(plain()); }
TEST_CASE("compact: ... (RFC 9293 profile)") { same_as_full(rfc()); }
TEST_CASE("compact: ... (SACK)") { same_as_full(sack_cfg()); }
TEST_CASE("compact: ... (RFC 1337: RST ignored)") {
  TcpConfig cfg = plain();
  cfg.time_wait_rst_closes = false;
  same_as_full(cfg);
}

TEST_CASE("record: a TIME_WAIT kept as its record answers every segment as a full one (Linux)") {
  same_as_full(plain(), true);
}
TEST_CASE("record: ... (RFC 9293 profile)") { same_as_full(rfc(), true); }
TEST_CASE("record: ... (SACK)") { same_as_full(sack_cfg(), true); }

TEST_CASE("record: a TIME_WAIT's record is small, and an open connection has none") {
  RecordShared cfgs;
  Ep ep = time_wait(sack_cfg());
  std::string rec;
  CHECK_FALSE(ep.c.pack(rec, cfgs));  // its body is still there
  CHECK(rec.empty());
  REQUIRE(ep.c.compact());
  REQUIRE(ep.c.pack(rec, cfgs));
  // The Connection this stands for is 400 bytes (Linux's tcp_timewait_sock about 200).
  CHECK(rec.size() <= 150);
  const ConnRecordHead h = ConnRecordHead::read(reinterpret_cast<const std::uint8_t*>(rec.data()));
  CHECK(h.state == State::TimeWait);
  CHECK(h.next_deadline == ep.deadline(TimerKind::TimeWait));
  CHECK(h.local == kLocal);
  CHECK(h.remote == kRemote);
  CHECK(h.passive);  // the harness's connection is a listener's child
  Ep open = established();
  REQUIRE(open.c.compact_now() == false);
  CHECK_FALSE(open.c.pack(rec = "", cfgs));
  CHECK(rec.empty());
}

TEST_CASE("record: records of several configurations and states share one table, each against its own prototype") {
  RecordShared shared;
  std::vector<Connection> conns;
  for (const TcpConfig& cfg : {plain(), sack_cfg(), rfc(), plain()}) {
    Ep tw = time_wait(cfg);
    REQUIRE(tw.c.compact());
    conns.push_back(tw.c);
    Ep closed = established(cfg);
    send(closed, 0, "abc");
    abort(closed, ms(1));
    closed.c.release_buffers();
    REQUIRE(closed.c.compact());
    conns.push_back(closed.c);
  }
  std::vector<std::string> recs;
  for (const Connection& c : conns) {
    std::string rec;
    REQUIRE(c.pack(rec, shared));
    recs.push_back(rec);
  }
  // A later connection equal to an earlier one of its kind costs its head and a few bytes.
  CHECK(recs[6].size() < recs[0].size() / 2 + 20);
  for (std::size_t i = 0; i < conns.size(); ++i) {
    CAPTURE(i);
    Connection back;
    CHECK(back.unpack(reinterpret_cast<const std::uint8_t*>(recs[i].data()), shared) == recs[i].size());
    CHECK(back.state() == conns[i].state());
    CHECK(back.config() == conns[i].config());
    CHECK(back.tcb().snd_nxt == conns[i].tcb().snd_nxt);
    CHECK(back.tcb().rcv_nxt == conns[i].tcb().rcv_nxt);
    CHECK(back.tcb().sack_ok == conns[i].tcb().sack_ok);
    CHECK(back.timers().deadline_ns == conns[i].timers().deadline_ns);
    CHECK(back.rtt().rto() == conns[i].rtt().rto());
    CHECK(back.error() == conns[i].error());
    CHECK(back.cc_phase() == conns[i].cc_phase());
    std::string again;
    REQUIRE(back.pack(again, shared));
    CHECK(again == recs[i]);
  }
}

TEST_CASE("compact: a CLOSED connection keeps the views' figures") {
  Ep ep = established();
  send(ep, 0, "abc");
  abort(ep, ms(1));
  REQUIRE(ep.state() == State::Closed);
  const std::uint32_t cwnd = ep.c.cwnd(), ssthresh = ep.c.ssthresh();
  const std::string phase(ep.c.cc_phase());
  ep.c.release_buffers();
  REQUIRE(ep.c.compact());
  CHECK(ep.c.compact_now());
  CHECK(ep.c.cwnd() == cwnd);
  CHECK(ep.c.ssthresh() == ssthresh);
  CHECK(ep.c.cc_phase() == phase);
  CHECK(ep.c.send_queue_bytes() == 0);
}

TEST_CASE("compact: a call on a compact CLOSED connection answers as before") {
  Ep full = established();
  abort(full, ms(1));
  full.c.release_buffers();
  Ep lean = full;
  REQUIRE(lean.c.compact());
  std::string a, b;
  CHECK(recv(lean, ms(2), &a) == recv(full, ms(2), &b));
  CHECK(reported(lean.out) == reported(full.out));
  CHECK(send(lean, ms(3), "x") == send(full, ms(3), "x"));
  CHECK(close(lean, ms(4)) == close(full, ms(4)));
  CHECK(reported(lean.out) == reported(full.out));
}

}  // TEST_SUITE
