// Payload slices in a World (stack/payload.hpp): a World copy shares chunks with the original
// and both go on independently; `send N` bytes reach a verifying app intact through loss.
#include <doctest/doctest.h>

#include "sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
const char* kTextBackLab = R"(
title = "pattern up, text down"
seed = 11
until = "60s"
[[host]]
name = "client"
[[host]]
name = "server"
[link]
delay = "2ms"
rate = "10Mbps"
loss = "5%"
[[app]]
host = "server"
script = ["listen 5001", "accept", "recv all verify", "send \"HTTP/1.0 200 OK, and a text long enough to be cut in the trace: 0123456789 abcdefghij\"", "close"]
[[app]]
host = "client"
start = "1ms"
script = ["connect server 5001", "send 100000", "shutdown", "recv all", "close"]
)";
const char* kText = "HTTP/1.0 200 OK, and a text long enough to be cut in the trace: 0123456789 abcdefghij";
}  // namespace

TEST_CASE("a World copy taken mid-transfer goes on independently, and the bytes stay exact") {
  const Lab lab = lab_text(kTextBackLab);
  World w = build_world(lab);
  w.run(80, lab.until);  // data in the send buffer, on the link and in the reassembler
  World copy = w;
  TraceSink a, b;
  copy.run(UINT64_MAX, lab.until, &a);
  w.run(UINT64_MAX, lab.until, &b);  // the original after the copy ran to its end
  const auto names = w.host_names();
  REQUIRE(!a.events.empty());
  CHECK(jsonl(a.events, names) == jsonl(b.events, names));
  for (const World* x : {&w, &copy}) {
    CHECK(x->counters().stream_mismatches == 0);
    CHECK(x->counters().bytes_delivered_to_apps == 100000 + std::string(kText).size());
  }
  // The server's text in the trace: its first kTracePayloadBytes, exact, in both runs.
  int texts = 0;
  for (const TraceSink* s : {&a, &b}) {
    for (const auto& e : s->events) {
      if (e.type != TraceType::Send || e.host != 1 || e.len == 0) continue;
      CHECK(e.len == std::string(kText).size());
      CHECK(e.seg.payload == std::string(kText).substr(0, kTracePayloadBytes));
      ++texts;
    }
  }
  CHECK(texts >= 2);
}

TEST_CASE("verify finds a byte that is not the pattern (the check can fail)") {
  const Lab lab = lab_text(R"(
title = "text to a verifying reader"
until = "5s"
[[host]]
name = "client"
[[host]]
name = "server"
[link]
delay = "1ms"
[[app]]
host = "server"
script = ["listen 80", "accept", "recv all verify", "close"]
[[app]]
host = "client"
script = ["connect server 80", "send 30", "send \"eXYZ\"", "close"]
)");
  World w = build_world(lab);
  TraceSink sink;
  w.run(UINT64_MAX, lab.until, &sink);
  CHECK(w.counters().stream_mismatches == 1);
  bool found = false;
  for (const auto& e : sink.events)
    if (e.type == TraceType::App && e.result == "DATA_MISMATCH at byte 31") found = true;
  CHECK(found);  // byte 30 is 'e' (30 % 26 = 4), byte 31 'X' is not 'f'
}
