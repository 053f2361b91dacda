// A lab host as a scripted peer (issue 15): the world plays a packetdrill-format script's
// packet lines against another host's stack, checks what comes back, and stays a value
// (seek, fork and the same seed reproduce the same trace).
#include <doctest/doctest.h>

#include "labs/check_result.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// A handshake with a listening server, then one data segment the server acknowledges.
// `ack` is what the script expects on the SYN-ACK (1 is right).
std::string peer_lab(const std::string& synack_ack = "1") {
  return R"(
title = "peer handshake"
seed = 3
until = "2s"
[[host]]
name = "peer"
ip = "10.0.0.1"
[[host]]
name = "server"
ip = "10.0.0.2"
[link]
delay = "10ms"
[[app]]
host = "server"
script = ["listen 80", "accept", "recv all"]
[[app]]
host = "peer"
start = "5ms"
[app.peer]
target = "server"
port = 80
script = """
0      < S 0:0(0) win 65535 <mss 1460>
+0.020 > S. 0:0(0) ack )" + synack_ack + R"( <...>
+0     < . 1:1(0) ack 1 win 65535
+0.1   < P. 1:11(10) ack 1 win 65535
+0.020~+0.060 > . 1:1(0) ack 11
"""
[[check]]
name = "the script"
kind = "peer"
host = "peer"
[[check]]
kind = "final_state"
host = "server"
expect = "ESTABLISHED"
[[check]]
kind = "app_result"
host = "server"
call = "accept"
expect = "OK"
)";
}

std::vector<std::string> peer_events(const TraceEvents& t, int host) {
  std::vector<std::string> v;
  for (const auto& e : t)
    if (e.type == TraceType::App && e.host == host && e.call == "peer") v.push_back(e.result);
  return v;
}

}  // namespace

TEST_CASE("a scripted peer's handshake: its SYN is sent, the SYN-ACK matches, the server is ESTABLISHED") {
  const LabRun run = run_lab(lab_text(peer_lab()));
  const auto ev = peer_events(run.sink->events, 0);
  REQUIRE(ev.size() >= 6);
  CHECK(ev[0] == "line 1: sends S 0:0(0) win 65535");
  CHECK(ev[1].rfind("line 2: matched S. 0:0(0) ack 1 ", 0) == 0);
  CHECK(ev[2] == "line 3: sends . 1:1(0) ack 1 win 65535");
  CHECK(ev[4].rfind("line 5: matched . 1:1(0) ack 11 ", 0) == 0);
  CHECK(ev[5] == "script ended: 5 lines, every expected segment matched");
  // The SYN really went on the wire from the peer's own port, and the server's stack (not
  // the peer host's) answered: no RST from anyone.
  bool syn = false, rst = false;
  for (const auto& e : run.sink->events) {
    if (e.type != TraceType::Send) continue;
    if (e.host == 0 && e.seg.has(kSyn) && e.seg.src.port == 48001) syn = true;
    if (e.seg.has(kRst)) rst = true;
  }
  CHECK(syn);
  CHECK_FALSE(rst);
  REQUIRE(run.results.size() == 3);
  for (const auto& r : run.results) {
    CAPTURE(r.name);
    CAPTURE(r.actual);
    CHECK(r.pass);
  }
}

TEST_CASE("a wrong expectation fails the peer check, naming the script line") {
  const LabRun run = run_lab(lab_text(peer_lab("7")));
  REQUIRE(!run.results.empty());
  const CheckResult& r = run.results[0];
  CHECK_FALSE(r.pass);
  CHECK(r.actual.find("line 2: MISMATCH: ack 1, the script expects ack 7") != std::string::npos);
  const std::string story = narrate(r, "", false);
  CHECK(story.find("line 2: MISMATCH") != std::string::npos);
}

TEST_CASE("the same seed gives the same trace with a scripted peer") {
  const Lab lab = lab_text(peer_lab());
  const LabRun a = run_lab(lab), b = run_lab(lab);
  const auto names = a.world.host_names();
  CHECK(joined(jsonl(a.sink->events, names)) == joined(jsonl(b.sink->events, names)));
}

TEST_CASE("seeking into a scripted peer's run and running on reproduces the trace") {
  const Lab lab = lab_text(peer_lab());
  Timeline tl(build_world(lab), 3);  // checkpoints in the middle of the script
  tl.run(lab.until);
  REQUIRE(tl.size() > 10);
  const auto names = tl.final_world().host_names();
  for (std::uint64_t k = 0; k + 1 < tl.size(); ++k) {
    CAPTURE(k);
    World w = tl.world_after(k);
    TraceSink sink;
    w.run(UINT64_MAX, lab.until, &sink);
    if (sink.events.empty()) continue;  // k was inside the last step: nothing follows it
    const std::uint64_t first = sink.events.front().seq_no;
    REQUIRE(sink.events.size() == tl.size() - first);
    for (std::size_t i = 0; i < sink.events.size(); ++i)
      REQUIRE(to_json_line(sink.events[i], names) == to_json_line(tl.trace()[first + i], names));
  }
}
