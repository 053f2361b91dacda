// A host crashes: it loses every TCP state and sends nothing, so its peer stays ESTABLISHED
// (half-open). After the restart, the peer's next segment finds no connection and gets a RST.
#include <doctest/doctest.h>

#include "sim/views.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

std::string crash_lab(const std::string& client_script) {
  return R"(
title = "crash and restart"
seed = 2
until = "60s"
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
script = ["listen 80", "accept", "wait 1s", "crash for 5s"]
[[app]]
host = "client"
start = "1ms"
script = )" + client_script + "\n";
}

const TraceEvent* find(const TraceEvents& ev, const std::function<bool(const TraceEvent&)>& f) {
  for (const auto& e : ev)
    if (f(e)) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("crash: the peer stays ESTABLISHED, and after the restart its next segment gets a RST") {
  const Lab lab = lab_text(crash_lab(R"(["connect server 80", "wait 10s", "send \"ping\"", "recv all"])"));
  const int client = 0, server = 1;

  // While the server is down (1 s .. 6 s) and after it is back, the client still believes.
  for (Instant t : {sec(3), sec(8)}) {
    CAPTURE(t);
    World w = build_world(lab);
    w.run_until(t);
    CHECK(w.hosts()[server].up == (t > sec(6)));
    const auto rows = socket_rows(w, client);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == State::Established);
    CHECK(socket_rows(w, server).empty());  // no listener, no connection: all state lost
  }

  const LabRun r = run_lab(lab, std::nullopt, false);
  const auto& ev = r.sink->events;
  const TraceEvent* crash = find(ev, [&](const TraceEvent& e) { return e.type == TraceType::App && e.call == "crash"; });
  REQUIRE(crash);
  CHECK(crash->t_ns == sec(1) + ms(4));  // accept at 4 ms (SYN at 1 ms, 1 ms each way), then wait 1 s
  // The crash closes the server's sockets without a segment.
  const TraceEvent* gone = find(ev, [&](const TraceEvent& e) {
    return e.type == TraceType::State && e.host == server && e.from == State::Established;
  });
  REQUIRE(gone);
  CHECK(gone->to == State::Closed);
  CHECK(gone->cause.find("crashed") != std::string::npos);
  for (const auto& e : ev)
    if (e.type == TraceType::Send) CHECK((e.t_ns < crash->t_ns || e.t_ns >= sec(10)));  // silence meanwhile

  // The client's "ping" after the restart is answered by RST (SEQ = its SEG.ACK, RFC 9293 3.10.7.1).
  const TraceEvent* ping = find(ev, [&](const TraceEvent& e) {
    return e.type == TraceType::Send && e.host == client && e.kind == "DATA";
  });
  REQUIRE(ping);
  CHECK(ping->t_ns > sec(6));
  const TraceEvent* rst = find(ev, [&](const TraceEvent& e) {
    return e.type == TraceType::Send && e.host == server && e.kind == "RST";
  });
  REQUIRE(rst);
  CHECK(rst->t_ns == ping->t_ns + ms(1));
  CHECK(rst->seg.seq == ping->seg.ack);
  const TraceEvent* reset = find(ev, [&](const TraceEvent& e) {
    return e.type == TraceType::State && e.host == client && e.from == State::Established;
  });
  REQUIRE(reset);
  CHECK(reset->to == State::Closed);
  CHECK(reset->t_ns == rst->t_ns + ms(1));
  const TraceEvent* err = find(ev, [&](const TraceEvent& e) { return e.type == TraceType::App && e.host == client && e.result == "ECONNRESET"; });
  CHECK(err);
}

TEST_CASE("crash: segments sent while the host is down are lost, the retransmission after the restart gets a RST") {
  const Lab lab = lab_text(crash_lab(R"(["connect server 80", "wait 2s", "send \"ping\"", "recv all"])"));
  const LabRun r = run_lab(lab, std::nullopt, false);
  const auto& ev = r.sink->events;
  int lost_while_down = 0;
  for (const auto& e : ev)
    if (e.type == TraceType::Drop && e.reason.find("is down (crashed)") != std::string::npos) {
      CHECK(e.t_ns < sec(6) + ms(4));
      ++lost_while_down;
    }
  CHECK(lost_while_down >= 3);  // the first send and its back-off retransmissions
  const TraceEvent* rst = find(ev, [&](const TraceEvent& e) { return e.type == TraceType::Send && e.host == 1 && e.kind == "RST"; });
  REQUIRE(rst);
  CHECK(rst->t_ns > sec(6));
  const TraceEvent* reset = find(ev, [&](const TraceEvent& e) {
    return e.type == TraceType::State && e.host == 0 && e.to == State::Closed;
  });
  REQUIRE(reset);
  CHECK(reset->from == State::Established);
  CHECK(r.world.stack(0).conn(0).error() == Errno::ConnReset);
}

// Issue 14's lab: the load generator crashes while three clients are mid-script, and the
// server waits for an EOF on a socket it never accepted. It used to read a connection by a
// stale index (SIGSEGV); tasks now look at their sockets only through the host's epoch.
TEST_CASE("crash while clients run: tasks of the crashed host end, nothing reads a vanished connection") {
  const Lab lab = lab_text(R"(
title = "crash while clients run"
[[host]]
name = "loadgen"
[[host]]
name = "server"
[link]
delay = "5ms"
[[app]]
host = "server"
script = ["listen 80", "wait eof", "close"]
[[app]]
host = "loadgen"
clients = { count = 3, every = "10ms" }
script = ["connect server 80", "send 100", "recv 100", "wait 500ms", "close"]
[[app]]
host = "loadgen"
start = "100ms"
script = ["crash"]
)");
  const LabRun r = run_lab(lab, std::nullopt, false);
  const auto& ev = r.sink->events;
  int crashed_closed = 0, loadgen_after = 0;
  for (const auto& e : ev) {
    if (e.type == TraceType::State && e.host == 0 && e.to == State::Closed && e.cause.find("crashed") != std::string::npos) {
      CHECK(e.t_ns == ms(100));
      ++crashed_closed;
    }
    // After the crash the load generator is silent: no segment, no app call of its tasks.
    if (e.host == 0 && e.t_ns > ms(100) && (e.type == TraceType::Send || e.type == TraceType::App)) ++loadgen_after;
  }
  CHECK(crashed_closed == 3);  // the three clients' connections, all ESTABLISHED then
  CHECK(loadgen_after == 0);
  // The server's `wait eof` had no connection: the task ends without touching one and the
  // listener stays (its `close` never ran).
  const auto rows = socket_rows(r.world, 1);
  CHECK(std::count_if(rows.begin(), rows.end(), [](const SocketRow& s) { return s.state == State::Listen; }) == 1);
}

TEST_CASE("after a restart, a task of the earlier incarnation never acts on a new connection with its old id") {
  // The client's first task holds connection id 0 and sleeps across a crash and restart.
  // After the restart a new task gets id 0 again (a new TcpHost). When the old task wakes,
  // its `send "old"` must not go out on the new connection.
  const Lab lab = lab_text(R"(
title = "stale connection ids"
until = "20s"
[[host]]
name = "client"
[[host]]
name = "server"
[link]
delay = "1ms"
[[app]]
host = "server"
script = ["listen 80", "serve"]
per_connection = ["recv all", "close"]
[[app]]
host = "client"
script = ["connect server 80", "wait 3s", "send \"old\"", "close"]
[[app]]
host = "client"
start = "1s"
script = ["crash for 1s"]
[[app]]
host = "client"
start = "2500ms"
script = ["connect server 80", "send \"new\"", "wait 5s", "close"]
)");
  const LabRun r = run_lab(lab, std::nullopt, false);
  int sent_new = 0, sent_old = 0;
  for (const auto& e : r.sink->events) {
    if (e.type != TraceType::Send || e.host != 0) continue;
    sent_new += e.seg.payload == "new";
    sent_old += e.seg.payload == "old";
  }
  CHECK(sent_new >= 1);
  CHECK(sent_old == 0);
}
