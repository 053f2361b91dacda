// The trace index (sim/trace_index) and tcpdump's relative numbering (sim/relative_seq):
// what the checks and the visualizer look up in a finished trace.
#include <doctest/doctest.h>

#include "sim/relative_seq.hpp"
#include "sim/timeline.hpp"
#include "sim/trace_index.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

constexpr Ipv4 kA = 0x0a000001, kB = 0x0a000002;  // 10.0.0.1, 10.0.0.2

TraceEvent send(Ipv4 src, std::uint16_t sport, Ipv4 dst, std::uint16_t dport, std::uint8_t flags, std::uint32_t seq,
                std::uint32_t ack, std::uint32_t len = 0) {
  TraceEvent e;
  e.type = TraceType::Send;
  e.seg.src = {src, sport};
  e.seg.dst = {dst, dport};
  e.seg.flags = flags;
  e.seg.seq = Seq32(seq);
  e.seg.ack = Seq32(ack);
  e.len = len;
  return e;
}

TraceEvent state(int host, const std::string& conn, State from, State to) {
  TraceEvent e;
  e.type = TraceType::State;
  e.host = host;
  e.conn = conn;
  e.from = from;
  e.to = to;
  return e;
}

// The handshake lab of the reference capture; the client's first two SYNs are lost.
std::string lab_with(const std::string& faults) {
  return "title = \"t\"\nseed = 1\nuntil = \"60s\"\n" + faults +
         "[[host]]\nname = \"client\"\nip = \"10.0.0.1\"\ntcp = { ephemeral_ports = [39870, 39870] }\n"
         "[[host]]\nname = \"server\"\nip = \"10.0.0.2\"\n"
         "[link]\ndelay = \"50us\"\n"
         "[[app]]\nhost = \"server\"\nscript = [\"listen 9502\", \"accept\", \"recv 7\", \"send 18\", \"wait eof\", \"close\"]\n"
         "[[app]]\nhost = \"client\"\nstart = \"1ms\"\nscript = [\"connect server 9502\", \"send 7\", \"recv 18\", \"close\"]\n";
}

}  // namespace

TEST_SUITE("trace index") {
  TEST_CASE("RelativeSeq: numbers relative to each direction's ISN, as tcpdump prints them") {
    RelativeSeq rel;
    const auto syn = send(kA, 39870, kB, 9502, kSyn, 1000, 0);
    CHECK(rel.seq(syn) == 1000);  // no SYN seen yet: absolute
    rel.feed(syn);
    CHECK(rel.seq(syn) == 0);
    CHECK_FALSE(rel.ack(syn));  // no ACK flag, no ack number

    const auto synack = send(kB, 9502, kA, 39870, kSyn | kAck, 5000, 1001);
    rel.feed(synack);
    CHECK(rel.seq(synack) == 0);
    CHECK(rel.ack(synack) == 1u);  // relative to the client's ISN

    const auto data = send(kA, 39870, kB, 9502, kAck | kPsh, 1001, 5001, 100);
    rel.feed(data);
    CHECK(rel.seq(data) == 1);
    CHECK(rel.ack(data) == 1u);

    const auto fin = send(kA, 39870, kB, 9502, kFin | kAck, 1101, 5001);
    rel.feed(fin);
    CHECK(rel.seq(fin) == 101);
    CHECK(rel.fin_seq("10.0.0.1:39870>10.0.0.2:9502") == 101u);
    CHECK_FALSE(rel.fin_seq("10.0.0.2:9502>10.0.0.1:39870"));

    // The 4-tuple reused: a new SYN starts a new numbering and forgets the old FIN.
    const auto syn2 = send(kA, 39870, kB, 9502, kSyn, 7000, 0);
    rel.feed(syn2);
    CHECK(rel.seq(send(kA, 39870, kB, 9502, kAck, 7001, 5001)) == 1);
    CHECK_FALSE(rel.fin_seq("10.0.0.1:39870>10.0.0.2:9502"));
  }

  TEST_CASE("connections as the checks count them: a label reused after CLOSED is the next one") {
    World w(1);
    w.add_host("a", kA, TcpConfig{});
    TraceEvents tr;
    const std::string x = "10.0.0.1:39870>10.0.0.2:9502", l = "10.0.0.1:9502>0.0.0.0:0";
    tr.push_back(state(0, l, State::Closed, State::Listen));       // 0
    tr.push_back(state(0, x, State::Closed, State::SynSent));      // 1
    tr.push_back(state(0, x, State::SynSent, State::Closed));      // 2
    tr.push_back(state(0, x, State::Closed, State::SynSent));      // 3
    tr.push_back(state(0, x, State::SynSent, State::Established)); // 4
    tr.push_back(state(5, x, State::Closed, State::SynSent));      // no such host: left out
    const TraceIndex ix(tr, w);
    const auto& t = ix.conn_tracks(0);
    REQUIRE(t.size() == 3);
    CHECK(t[0].listener);
    CHECK(t[0].state_events == std::vector<std::uint64_t>{0});
    CHECK_FALSE(t[1].listener);
    CHECK(t[1].label == x);
    CHECK(t[1].state_events == std::vector<std::uint64_t>{1, 2});
    CHECK(t[2].state_events == std::vector<std::uint64_t>{3, 4});
    CHECK(ix.conn_tracks(5).empty());
    CHECK(ix.endpoints().empty());  // the visualizer's, built only with the timeline
  }

  TEST_CASE("segments: relative numbers, drops matched to their send, the same from a trace or a timeline") {
    const Lab lab = lab_text(lab_with("faults = [\"drop A>B SYN #1\", \"drop A>B SYN #2\"]\n"));
    Timeline tl(build_world(lab));
    tl.run(lab.until);
    const TraceEvents& tr = tl.trace();
    const TraceIndex full(tl, tl.final_world());
    const TraceIndex bare(tr, tl.final_world());

    std::size_t sends = 0;
    for (const auto& e : tr) sends += e.type == TraceType::Send;
    REQUIRE(bare.segments().size() == sends);
    REQUIRE(full.segments().size() == sends);

    std::vector<const SegInfo*> syns;
    for (std::uint32_t i = 0; i < bare.segments().size(); ++i) {
      const SegInfo& s = bare.segments()[i];
      const TraceEvent& e = tr[s.send_k];
      REQUIRE(e.type == TraceType::Send);
      CHECK(bare.seg_of_event(s.send_k) == i);
      // Both builds agree on everything but the steps.
      CHECK(full.segments()[i].send_k == s.send_k);
      CHECK(full.segments()[i].rel_seq == s.rel_seq);
      CHECK(full.segments()[i].rel_ack == s.rel_ack);
      CHECK(full.segments()[i].drop_k == s.drop_k);
      if (e.kind == "SYN") syns.push_back(&s);
      if (e.kind == "SYN-ACK") {
        CHECK(s.rel_seq == 0);
        CHECK(s.rel_ack == 1u);
      }
      if (e.kind == "DATA" && e.host == 0) {
        CHECK(s.rel_seq == 1);
        CHECK(e.len == 7);
      }
      if (e.kind == "DATA" && e.host == 1) {
        CHECK(s.rel_seq == 1);
        CHECK(s.rel_ack == 8u);  // the client's 7 bytes, after its SYN
      }
    }
    REQUIRE(syns.size() == 3);
    for (int k = 0; k < 2; ++k) {
      REQUIRE(syns[k]->drop_k != UINT64_MAX);
      const TraceEvent& d = tr[syns[k]->drop_k];
      CHECK(d.type == TraceType::Drop);
      CHECK(d.id == tr[syns[k]->send_k].id);
      CHECK(d.where == "fault");
      CHECK(syns[k]->rel_seq == 0);
      CHECK_FALSE(syns[k]->rel_ack);
    }
    CHECK(syns[2]->drop_k == UINT64_MAX);

    // Only the timeline knows the steps: rows, fates, labels, lines.
    const SegInfo& lost = full.segments()[bare.seg_of_event(syns[0]->send_k)];
    CHECK(lost.fate == SegFate::LostOnWay);  // the fault drops it as it is sent
    CHECK(lost.fate_k == lost.drop_k);
    CHECK(lost.label == "[S] seq " + std::to_string(tr[lost.send_k].seg.seq.raw()));
    CHECK(full.segments()[bare.seg_of_event(syns[2]->send_k)].fate == SegFate::Delivered);
    CHECK(syns[2]->fate == SegFate::InFlight);
    CHECK(syns[2]->label.empty());
    CHECK(bare.rows().empty());
    CHECK(bare.lines().empty());
    CHECK_FALSE(full.rows().empty());
    CHECK_FALSE(full.lines().empty());
    CHECK(full.row_of_event(syns[2]->send_k) != kNone);

    // Each host's connections: the client's one, the server's listener and its child.
    const auto& client = bare.conn_tracks(0);
    REQUIRE(client.size() == 1);
    CHECK(client[0].label == "10.0.0.1:39870>10.0.0.2:9502");
    CHECK(tr[client[0].state_events.front()].to == State::SynSent);
    const std::uint32_t ep = full.endpoint(0, client[0].label);
    REQUIRE(ep != kNone);
    CHECK(full.endpoints()[ep].state_events == client[0].state_events);
    const auto& server = bare.conn_tracks(1);
    REQUIRE(server.size() == 2);
    CHECK(server[0].listener);
    CHECK(server[1].label == "10.0.0.2:9502>10.0.0.1:39870");
    CHECK(tr[server[1].state_events.front()].from == State::Listen);
  }
}
