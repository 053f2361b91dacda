// Fault rules name segments by stable ids (DESIGN rule 4): a rule drops exactly its segment,
// whatever was dropped before it.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "sim/capture.hpp"
#include "sim/fault.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// client = A, server = B. The client sends 5 x 1000 bytes after the handshake; the
// server answers, then both close.
std::string transfer_lab(const std::string& faults) {
  return R"(
title = "faults"
seed = 5
until = "120s"
)" + faults + R"(
[[host]]
name = "client"
ip = "10.0.0.1"
[[host]]
name = "server"
ip = "10.0.0.2"
[link]
delay = "1ms"
[[app]]
host = "server"
script = ["listen 80", "accept", "recv 5000 verify", "send 100", "wait eof", "close"]
[[app]]
host = "client"
start = "1ms"
script = ["connect server 80", "send 1000", "wait 1ms", "send 1000", "wait 1ms", "send 1000", "wait 1ms", "send 1000", "wait 1ms", "send 1000", "recv 100", "close"]
)";
}

struct Seen {
  std::vector<const TraceEvent*> sends, drops;
  std::map<std::string, const TraceEvent*> send_by_id;
};

Seen look(const TraceEvents& ev) {
  Seen s;
  for (const auto& e : ev) {
    if (e.type == TraceType::Send) {
      s.sends.push_back(&e);
      s.send_by_id[e.id] = &e;
    }
    if (e.type == TraceType::Drop) s.drops.push_back(&e);
  }
  return s;
}

// The n-th segment host `from` sent (by the trace's order, not by id), dropped or not.
const TraceEvent* nth_send(const Seen& s, int from, std::uint32_t n) {
  for (const TraceEvent* e : s.sends)
    if (e->host == from && --n == 0) return e;
  return nullptr;
}

// The ids of segments A sent to B, in order: A>B#1, A>B#2, ... with nothing skipped.
void check_ids_are_dense(const Seen& s, const std::string& dir) {
  std::uint32_t n = 0;
  for (const TraceEvent* e : s.sends) {
    if (e->id.rfind(dir + "#", 0) != 0) continue;
    ++n;
    CHECK(e->id == dir + "#" + std::to_string(n));
  }
  CHECK(n > 0);
}

}  // namespace

TEST_CASE("drop A>B#3 and drop A>B#5 drop exactly those two segments") {
  const LabRun base = run_lab(lab_text(transfer_lab("")), std::nullopt, false);
  const LabRun r = run_lab(lab_text(transfer_lab("faults = [\"drop A>B#3\", \"drop A>B#5\"]\n")), std::nullopt, false);
  const Seen b = look(base.sink->events), s = look(r.sink->events);
  REQUIRE(b.drops.empty());
  REQUIRE(s.drops.size() == 2);
  CHECK(s.drops[0]->id == "A>B#3");
  CHECK(s.drops[1]->id == "A>B#5");
  for (const TraceEvent* d : s.drops) CHECK(d->where == "fault");
  // #3 is sent before anything was dropped: the same segment as in the fault-free run.
  CHECK(s.send_by_id.at("A>B#3")->seg.seq == b.send_by_id.at("A>B#3")->seg.seq);
  CHECK(s.send_by_id.at("A>B#3")->len == b.send_by_id.at("A>B#3")->len);
  CHECK(s.send_by_id.at("A>B#3")->kind == "DATA");
  // #5 is still the fifth segment A sent: the dropped #3 kept its number.
  CHECK(nth_send(s, 0, 5) == s.send_by_id.at("A>B#5"));
  CHECK(s.send_by_id.at("A>B#5")->kind == "DATA");
  // Nothing else A or B sent was lost: every other segment was delivered.
  std::set<std::string> delivered;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::Deliver) delivered.insert(e.id);
  for (const TraceEvent* e : s.sends) {
    if (e->id == "A>B#3" || e->id == "A>B#5") {
      CHECK_FALSE(delivered.count(e->id));
    } else {
      INFO(e->id);
      CHECK(delivered.count(e->id));
    }
  }
  check_ids_are_dense(s, "A>B");
  check_ids_are_dense(s, "B>A");
  // The lost bytes were retransmitted under new ids and the transfer completed.
  bool retx = false;
  for (const TraceEvent* e : s.sends) retx = retx || (e->id.rfind("A>B#", 0) == 0 && e->retx);
  CHECK(retx);
  CHECK(r.world.counters().fault_drops == 2);
  CHECK(r.world.counters().stream_mismatches == 0);
}

TEST_CASE("drop A>B#5 alone drops the same segment as when #3 was dropped before it") {
  const LabRun both = run_lab(lab_text(transfer_lab("faults = [\"drop A>B#3\", \"drop A>B#5\"]\n")), std::nullopt, false);
  const LabRun only5 = run_lab(lab_text(transfer_lab("faults = [\"drop A>B#5\"]\n")), std::nullopt, false);
  const Seen a = look(both.sink->events), b = look(only5.sink->events);
  REQUIRE(b.drops.size() == 1);
  CHECK(b.drops[0]->id == "A>B#5");
  // In both runs the rule took the fifth segment A sent to B, whatever came before it.
  CHECK(nth_send(b, 0, 5) == b.send_by_id.at("A>B#5"));
  CHECK(nth_send(a, 0, 5) == a.send_by_id.at("A>B#5"));
  REQUIRE(a.drops.size() == 2);
  CHECK(a.drops[1]->id == "A>B#5");
}

TEST_CASE("drop B>A FIN #1 drops the server's first FIN and not its retransmission") {
  const LabRun r = run_lab(lab_text(transfer_lab("faults = [\"drop B>A FIN #1\"]\n")), std::nullopt, false);
  const Seen s = look(r.sink->events);
  REQUIRE(s.drops.size() == 1);
  CHECK(s.drops[0]->kind == "FIN");
  CHECK(s.drops[0]->where == "fault");
  int fins = 0;
  std::string first_fin;
  for (const TraceEvent* e : s.sends) {
    if (e->id.rfind("B>A#", 0) != 0 || e->kind != "FIN") continue;
    if (++fins == 1) first_fin = e->id;
    else CHECK(e->retx);
  }
  CHECK(fins == 2);
  CHECK(s.drops[0]->id == first_fin);
  // The retransmitted FIN got through: the server's connection ends CLOSED, the client's in TIME_WAIT.
  bool server_closed = false;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::State && e.host == 1 && e.from == State::LastAck && e.to == State::Closed) server_closed = true;
  CHECK(server_closed);
}

TEST_CASE("a kind ordinal counts that kind only: drop A>B DATA #2 and drop A>B ACK #1") {
  const LabRun base = run_lab(lab_text(transfer_lab("")), std::nullopt, false);
  const LabRun r = run_lab(lab_text(transfer_lab("faults = [\"drop A>B DATA #2\", \"drop A>B ACK #1\"]\n")),
                           std::nullopt, false);
  const Seen b = look(base.sink->events), s = look(r.sink->events);
  REQUIRE(s.drops.size() == 2);
  std::vector<std::string> data, acks;
  for (const TraceEvent* e : b.sends) {
    if (e->id.rfind("A>B#", 0) != 0) continue;
    if (e->kind == "DATA") data.push_back(e->id);
    if (e->kind == "ACK") acks.push_back(e->id);
  }
  REQUIRE(data.size() >= 2);
  REQUIRE(!acks.empty());
  std::set<std::string> dropped = {s.drops[0]->id, s.drops[1]->id};
  CHECK(dropped == std::set<std::string>{data[1], acks[0]});
}

TEST_CASE("discard B>A#1: the SYN,ACK reaches the client's capture, not its TCP, and the retransmission completes the handshake") {
  const auto run_with = [](const char* rule) {
    return run_lab(lab_text(transfer_lab(std::string("faults = [\"") + rule + "\"]\n")), std::nullopt, false);
  };
  const LabRun r = run_with("discard B>A#1");
  const Seen s = look(r.sink->events);
  REQUIRE(s.drops.size() == 1);
  const TraceEvent& d = *s.drops[0];
  CHECK(d.id == "B>A#1");
  CHECK(d.kind == "SYN-ACK");
  CHECK(d.where == "firewall");
  CHECK(d.host == 0);  // at the receiver, on arrival: one link delay after it left
  REQUIRE(s.send_by_id.count("B>A#1"));
  CHECK(d.t_ns == s.send_by_id.at("B>A#1")->t_ns + ms(1));
  // The client's capture has it, at its arrival; with `drop` (lost on the link) it does not.
  const auto captured_at_client = [](const LabRun& run) {
    std::vector<std::pair<std::string, Instant>> got;
    for_each_captured(run.sink->events, run.lab.hosts.size(), 0, [&](const CapturedFrame& f) {
      if (f.arrival) got.emplace_back(std::string(run.sink->events[f.send].id), f.t_ns);
    });
    return got;
  };
  const auto got = captured_at_client(r);
  REQUIRE(!got.empty());
  CHECK(got.front().first == "B>A#1");
  CHECK(got.front().second == d.t_ns);
  const auto lost = captured_at_client(run_with("drop B>A#1"));
  REQUIRE(!lost.empty());
  CHECK(lost.front().first != "B>A#1");
  // The client's TCP never took it: it leaves SYN_SENT on the SYN,ACK sent again (1 s later).
  Instant established = -1;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::State && e.host == 0 && e.from == State::SynSent && e.to == State::Established) established = e.t_ns;
  CHECK(established > d.t_ns + ms(900));
  CHECK(r.world.counters().fault_drops == 1);
}

TEST_CASE("parse_fault: discard is an action; an unknown one is named with the list") {
  std::string err;
  const auto rule = parse_fault("discard B>A SYN-ACK #1", &err);
  REQUIRE(rule);
  CHECK(rule->action == FaultAction::Discard);
  CHECK(!parse_fault("reject A>B#1", &err));
  CHECK(err == "unknown fault action 'reject' (drop, delay, duplicate, corrupt, discard)");
}
