// Series (sim/series.hpp): recorded only when asked for, one sample per change, and true to
// the connection it describes.
#include <doctest/doctest.h>

#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
const std::string kSeriesBulk = bulk_lab({});
}  // namespace

TEST_CASE("series are empty unless asked for, and asking does not change the trace") {
  const LabRun plain = run_lab(lab_text(kSeriesBulk), std::nullopt, false);
  CHECK(plain.sink->series.flows.empty());
  const LabRun with = run_lab(lab_text(kSeriesBulk), std::nullopt, false, nullptr, true);
  REQUIRE(!with.sink->series.flows.empty());
  REQUIRE(plain.sink->events.size() == with.sink->events.size());
  CHECK(joined(jsonl(plain.sink->events, plain.world.host_names())) ==
        joined(jsonl(with.sink->events, with.world.host_names())));
}

TEST_CASE("the sender's series: slow start from the initial window, a cut at the first loss, all bytes delivered") {
  const LabRun r = run_lab(lab_text(kSeriesBulk), std::nullopt, false, nullptr, true);
  const FlowSeries* f = sender(r.sink->series);
  REQUIRE(f != nullptr);
  CHECK(f->conn.find(">10.0.0.2:80") != std::string::npos);
  const auto& v = f->samples;
  REQUIRE(v.size() > 10);
  CHECK(v.front().cwnd == 10 * 1448);  // RFC 6928 initial window: 10 segments of 1448 (MSS less timestamps)
  CHECK(v.front().phase == "slow start");
  bool cut = false, recovery = false;
  for (std::size_t i = 1; i < v.size(); ++i) {
    CHECK(v[i].t >= v[i - 1].t);
    CHECK(v[i].delivered >= v[i - 1].delivered);
    if (v[i].cwnd < v[i - 1].cwnd) cut = true;
    if (v[i].phase == "recovery") recovery = true;
    // One sample per change: never two identical ones in a row.
    CHECK_FALSE((v[i].cwnd == v[i - 1].cwnd && v[i].ssthresh == v[i - 1].ssthresh &&
                 v[i].flight == v[i - 1].flight && v[i].srtt_ns == v[i - 1].srtt_ns &&
                 v[i].delivered == v[i - 1].delivered && v[i].phase == v[i - 1].phase));
  }
  CHECK(cut);       // a 20-packet queue overflows in slow start
  CHECK(recovery);  // and the loss is repaired by fast recovery
  CHECK(v.back().delivered == 2000000);  // every data byte acknowledged
  CHECK(v.back().srtt_ns > ms(20));           // the 20 ms path RTT plus queueing
  // Each sample points at a trace event at or before its time.
  for (const auto& s : v) {
    REQUIRE(s.trace_seq < r.sink->events.size());
    CHECK(r.sink->events[s.trace_seq].t_ns <= s.t);
  }
}
