// Rewind and fork (DESIGN rule 3): seeking to any event and running on reproduces the
// original run exactly; a fork is the original up to its point and differs after it.
#include <doctest/doctest.h>

#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// Runs w to `limit` recording into a fresh sink; returns the events.
TraceEvents continue_run(World w, Instant limit) {
  TraceSink sink;
  w.run(UINT64_MAX, limit, &sink);
  return std::move(sink.events);
}

// The continued events must be the original's suffix that starts at their first seq_no.
void check_suffix(const Timeline& tl, const TraceEvents& rest, std::uint64_t expect_first) {
  const auto names = tl.final_world().host_names();
  REQUIRE(rest.size() == tl.size() - expect_first);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string a = to_json_line(rest[i], names), b = to_json_line(tl.trace()[expect_first + i], names);
    if (a != b) {
      FAIL_CHECK("event " << expect_first + i << " differs:\n  replay:   " << a << "\n  original: " << b);
      return;
    }
  }
}

// Indices to seek to: backwards from the end, then forwards again.
std::vector<std::uint64_t> seek_points(std::uint64_t n) {
  std::vector<std::uint64_t> ks;
  for (std::uint64_t i = 0; i < 40; ++i) ks.push_back(n - 1 - i * (n - 1) / 40);
  for (std::uint64_t i = 0; i < 40; ++i) ks.push_back(i * (n - 1) / 40 + 3);
  ks.push_back(0);
  ks.push_back(1);
  return ks;
}

}  // namespace

TEST_CASE("seeking back then forward and running on reproduces the original trace exactly") {
  const Lab lab = lab_text(kLossyLab);
  for (std::uint64_t every : {std::uint64_t{7}, Timeline::kDefaultCheckpointEvery}) {
    CAPTURE(every);
    Timeline tl(build_world(lab), every);
    tl.run(lab.until);
    REQUIRE(tl.size() > 500);
    for (std::uint64_t k : seek_points(tl.size())) {
      if (k >= tl.size()) continue;
      CAPTURE(k);
      const World w = tl.world_after(k);
      const auto rest = continue_run(w, lab.until);
      // The world after event k: its step is done, the next event is the next step's first.
      const std::uint64_t first = rest.empty() ? tl.size() : rest.front().seq_no;
      CHECK(first > k);
      CHECK(w.trace_count() == first);
      CHECK(tl.step_start(first < tl.size() ? first : k) <= first);
      check_suffix(tl, rest, first);

      const World before = tl.world_before(k);
      const auto again = continue_run(before, lab.until);
      REQUIRE(!again.empty());
      CHECK(again.front().seq_no == tl.step_start(k));
      check_suffix(tl, again, tl.step_start(k));
    }
  }
}

TEST_CASE("world_at_time: running on from a time gives the events after it") {
  const Lab lab = lab_text(kLossyLab);
  Timeline tl(build_world(lab), 16);
  tl.run(lab.until);
  for (Instant t : {Instant{0}, ms(3), ms(50), ms(120), ms(200), sec(1)}) {
    CAPTURE(t);
    const World w = tl.world_at_time(t);
    CHECK(w.now() == t);
    const auto rest = continue_run(w, lab.until);
    std::uint64_t first = 0;
    while (first < tl.size() && tl.trace()[first].t_ns <= t) ++first;
    check_suffix(tl, rest, first);
  }
}

TEST_CASE("a fork with no change is the original, dropping a segment makes it differ right there") {
  const Lab lab = lab_text(kLossyLab);
  Timeline tl(build_world(lab), 64);
  tl.run(lab.until);

  const Timeline same = tl.fork(tl.size() / 2, [](World&) {}, lab.until);
  CHECK_FALSE(Timeline::first_difference(tl, same).has_value());

  // A data segment from the middle of the transfer that the link delivered.
  std::uint64_t k = 0;
  for (std::uint64_t i = tl.size() / 3; i < tl.size(); ++i) {
    const TraceEvent& e = tl.trace()[i];
    if (e.type == TraceType::Send && e.kind == "DATA" && !e.retx && i + 1 < tl.size() &&
        tl.trace()[i + 1].type != TraceType::Drop) {
      k = i;
      break;
    }
  }
  REQUIRE(k > 0);
  const std::string id = tl.trace()[k].id;
  CAPTURE(id);
  const Timeline forked = tl.fork(
      k,
      [&](World& w) {
        std::string err;
        auto rule = parse_fault("drop " + id, &err);
        REQUIRE(rule);
        w.add_fault(*rule);
      },
      lab.until);
  const auto d = Timeline::first_difference(tl, forked);
  REQUIRE(d.has_value());
  // Identical up to and including the send itself; the next event is the fault's drop.
  CHECK(*d == k + 1);
  const auto names = tl.final_world().host_names();
  for (std::uint64_t i = 0; i < *d; ++i) REQUIRE(to_json_line(tl.trace()[i], names) == to_json_line(forked.trace()[i], names));
  const TraceEvent& drop = forked.trace()[k + 1];
  CHECK(drop.type == TraceType::Drop);
  CHECK(drop.id == id);
  CHECK(drop.where == "fault");
  // The original is untouched by the fork, and the fork's own rewind works too.
  CHECK(tl.trace()[k + 1].type != TraceType::Drop);
  // (A seek inside the fork replays from the changed world, not a shared checkpoint.)
  const auto rest = continue_run(forked.world_after(k + 1), lab.until);
  check_suffix(forked, rest, rest.empty() ? forked.size() : rest.front().seq_no);
  const auto from_before = continue_run(forked.world_before(k), lab.until);
  REQUIRE(from_before.size() > k + 1 - forked.step_start(k));
  CHECK(from_before[k + 1 - forked.step_start(k)].type == TraceType::Drop);
  check_suffix(forked, from_before, forked.step_start(k));
  // Both runs still deliver every byte in order.
  CHECK(forked.final_world().counters().stream_mismatches == 0);
  CHECK(forked.final_world().counters().fault_drops == 1);
}

TEST_CASE("the trace is not part of the world's value: a copy never writes into the original's sink") {
  const Lab lab = lab_text(kLossyLab);
  World w = build_world(lab);
  TraceSink original;
  w.run(200, lab.until, &original);
  const std::size_t recorded = original.events.size();
  REQUIRE(recorded > 0);

  World copy = w;
  copy.run(UINT64_MAX, lab.until);  // no sink lent: records nothing anywhere
  CHECK(original.events.size() == recorded);

  // The copy and the original go on identically, each into the sink it is given, and the
  // event numbers continue where the original's trace stopped.
  TraceSink a, b;
  World c1 = w, c2 = w;
  c1.run(UINT64_MAX, lab.until, &a);
  c2.run(UINT64_MAX, lab.until, &b);
  const auto names = w.host_names();
  REQUIRE(!a.events.empty());
  CHECK(a.events.front().seq_no == original.events.back().seq_no + 1);
  CHECK(jsonl(a.events, names) == jsonl(b.events, names));
  CHECK(copy.trace_count() == c1.trace_count());
  CHECK(original.events.size() == recorded);
}

// Issue 20: many connections in TIME_WAIT (their 2MSL deadlines wait in the event queue's far
// lane, and their TCBs have freed their queues): seeking and forking still reproduce the run.
TEST_CASE("seek and fork with many TIME_WAITs reproduce the original exactly") {
  const Lab lab = lab_text(R"(
title = "many TIME_WAITs"
seed = 3
until = "3s"

[[host]]
name = "client"
ip = "10.0.0.1"
tcp = { msl = "1s" }

[[host]]
name = "server"
ip = "10.0.0.2"

[link]
delay = "1ms"
rate = "100Mbps"
loss = "1%"

[[app]]
host = "server"
script = ["listen 80 backlog 1000", "serve"]
per_connection = ["recv 100", "send 100", "wait eof", "close"]

[[app]]
host = "client"
clients = { count = 150, every = "2ms" }
script = ["connect server 80", "send 100", "recv 100", "close"]
)");
  Timeline tl(build_world(lab), 97);
  tl.run(lab.until);
  REQUIRE(tl.size() > 3000);
  // Halfway through the 2MSL wait (1.3 s): every client socket is in TIME_WAIT.
  const World mid = tl.world_at_time(ms(1300));
  std::size_t time_wait = 0;
  const TcpHost& client = mid.stack(0);
  for (ConnId c = 0; c < client.conn_count(); ++c) time_wait += client.conn(c).state() == State::TimeWait;
  CHECK(time_wait >= 100);
  // ... each of them compact (its body given back, issue 20), and the server's CLOSED ones
  // too, in the world seek made and in a copy of it; the runs below continue from such worlds.
  const World copy = mid;
  for (const World* w : {&mid, &copy}) {
    std::size_t lean = 0, closed = 0, closed_lean = 0;
    for (ConnId c = 0; c < w->stack(0).conn_count(); ++c) {
      const Connection& conn = w->stack(0).conn(c);
      if (conn.state() != State::TimeWait) continue;
      lean += conn.compact_now();
      CHECK(conn.footprint_bytes() == sizeof(Connection));
    }
    for (ConnId c = 0; c < w->stack(1).conn_count(); ++c) {
      const Connection& conn = w->stack(1).conn(c);
      if (conn.state() != State::Closed) continue;
      ++closed;
      closed_lean += conn.compact_now();
    }
    CHECK(lean == time_wait);
    CHECK(closed >= 100);
    CHECK(closed_lean == closed);
  }
  for (std::uint64_t k : seek_points(tl.size())) {
    if (k >= tl.size()) continue;
    CAPTURE(k);
    const auto rest = continue_run(tl.world_after(k), lab.until);
    const std::uint64_t first = rest.empty() ? tl.size() : rest.front().seq_no;
    check_suffix(tl, rest, first);
  }
  const Timeline same = tl.fork(tl.size() / 2, [](World&) {}, lab.until);
  CHECK_FALSE(Timeline::first_difference(tl, same).has_value());
  // A TIME_WAIT expiry is in the trace at exactly its 2MSL deadline (2 x msl after its set).
  std::size_t expiries = 0;
  for (std::size_t i = 0; i < tl.size(); ++i) {
    const TraceEvent& e = tl.trace()[i];
    if (e.type == TraceType::Timer && e.timer == TimerKind::TimeWait && e.action == TimerAction::Fire) {
      CHECK(e.t_ns == e.deadline_ns);
      ++expiries;
    }
  }
  CHECK(expiries >= 100);
}
