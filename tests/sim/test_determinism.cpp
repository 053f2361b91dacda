// DESIGN rule 3: the same lab and seed give the same trace, byte for byte; another seed
// gives another run.
#include <doctest/doctest.h>

#include <set>

#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
std::string trace_bytes(const Lab& lab) {
  const LabRun r = run_lab(lab, std::nullopt, false);
  return joined(jsonl(r.sink->events, r.world.host_names()));
}
}  // namespace

TEST_CASE("100 runs of a lossy lab with one seed give identical JSON Lines bytes") {
  const Lab lab = lab_text(kLossyLab);
  const std::string first = trace_bytes(lab);
  REQUIRE(first.find("\"type\":\"drop\"") != std::string::npos);  // the link did lose segments
  REQUIRE(first.find("\"retx\":true") != std::string::npos);
  for (int i = 1; i < 100; ++i) {
    const std::string again = trace_bytes(lab);
    INFO("run ", i + 1);
    REQUIRE(again.size() == first.size());
    REQUIRE(again == first);
  }
}

TEST_CASE("loading the lab again does not change the trace either") {
  CHECK(trace_bytes(lab_text(kLossyLab)) == trace_bytes(lab_text(kLossyLab)));
  CHECK(trace_bytes(lab_text(kLossyLab, 11)) == trace_bytes(lab_text(kLossyLab, 11)));
}

TEST_CASE("different seeds give different runs of a lossy lab") {
  std::set<std::string> traces;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) traces.insert(trace_bytes(lab_text(kLossyLab, seed)));
  CHECK(traces.size() == 8);
}

TEST_CASE("a Timeline records the same trace as a plain run") {
  const Lab lab = lab_text(kLossyLab);
  const LabRun r = run_lab(lab, std::nullopt, false);
  Timeline tl(build_world(lab));
  tl.run(lab.until);
  CHECK(jsonl(tl.trace(), tl.final_world().host_names()) == jsonl(r.sink->events, r.world.host_names()));
}
