// Series arithmetic (sim/series_stats.hpp): Jain's index, throughput over a window, time
// averages, loss episodes and drop marks, on series whose answers are known by hand.
#include <doctest/doctest.h>

#include "sim/series_stats.hpp"

using namespace tcplab;

namespace {

FlowSample sample(Instant t, std::uint32_t cwnd, std::uint64_t delivered, std::string phase = "slow start") {
  FlowSample s;
  s.t = t;
  s.cwnd = cwnd;
  s.ssthresh = kSsthreshInfinite + 1;
  s.delivered = delivered;
  s.phase = std::move(phase);
  return s;
}

// A ramp: 1250 bytes delivered every millisecond from t = 1 ms to 1 s, i.e. 10 Mb/s.
FlowSeries ramp() {
  FlowSeries f;
  for (int i = 1; i <= 1000; ++i) f.samples.push_back(sample(ms(i), 14480, 1250ull * i));
  return f;
}

}  // namespace

TEST_CASE("Jain's index: equal shares give 1, one hog of n gives 1/n, nothing to share gives none") {
  CHECK(*jain_index({5, 5, 5, 5}) == doctest::Approx(1.0));
  CHECK(*jain_index({7.5}) == doctest::Approx(1.0));
  CHECK(*jain_index({9, 0, 0}) == doctest::Approx(1.0 / 3));
  CHECK(*jain_index({1, 0, 0, 0, 0}) == doctest::Approx(0.2));
  // Two flows at 1 and 3: (4)^2 / (2 * 10) = 0.8.
  CHECK(*jain_index({1, 3}) == doctest::Approx(0.8));
  CHECK_FALSE(jain_index({}).has_value());
  CHECK_FALSE(jain_index({0, 0}).has_value());
}

TEST_CASE("throughput of a known delivered ramp: 10 Mb/s in any window inside it, less at its edges") {
  const FlowSeries f = ramp();
  CHECK(delivered_at(f, 0) == 0);
  CHECK(delivered_at(f, ms(1)) == 1250);
  CHECK(delivered_at(f, ms(1) + us(999)) == 1250);  // a step function: held until the next sample
  CHECK(delivered_at(f, sec(5)) == 1250000);
  CHECK(throughput_bps(f, ms(500), ms(100)) == doctest::Approx(10e6));
  CHECK(throughput_bps(f, ms(900), ms(10)) == doctest::Approx(10e6));
  // A window reaching past the end holds only part of the transfer: 50 ms of 100.
  CHECK(throughput_bps(f, ms(1050), ms(100)) == doctest::Approx(5e6));
  CHECK(throughput_bps(f, sec(3), ms(100)) == doctest::Approx(0));
  CHECK(mean_throughput_bps(f, {0, sec(1)}) == doctest::Approx(10e6));
  CHECK(mean_throughput_bps(f, {0, sec(2)}) == doctest::Approx(5e6));
  const auto pts = throughput_series(f, {0, sec(1)}, ms(100), ms(50));
  REQUIRE(pts.size() == 20);
  CHECK(pts.front().t == ms(50));
  CHECK(pts.front().bps == doctest::Approx(5e6));  // (-50 ms, 50 ms]: 50 steps of 1250 bytes in 100 ms
  CHECK(pts.back().t == sec(1));
  CHECK(pts.back().bps == doctest::Approx(10e6));
}

TEST_CASE("time averages weigh each value by how long it held") {
  FlowSeries f;
  f.samples = {sample(0, 1000, 0), sample(ms(100), 3000, 0), sample(ms(400), 2000, 0)};
  f.samples[1].srtt_ns = ms(20);
  f.samples[2].srtt_ns = ms(40);
  // [0, 500 ms): 1000 for 100 ms, 3000 for 300 ms, 2000 for 100 ms.
  const FlowAverages a = flow_averages(f, {0, ms(500)});
  CHECK(*a.cwnd_bytes == doctest::Approx((1000.0 * 100 + 3000.0 * 300 + 2000.0 * 100) / 500));
  // SRTT only where measured: 20 ms for 300 ms, 40 ms for 100 ms.
  CHECK(*a.srtt_ns == doctest::Approx((20.0 * 300 + 40.0 * 100) / 400 * 1e6));
  // A range inside one sample's hold is that sample's value; one before every sample has none.
  CHECK(*flow_averages(f, {ms(150), ms(250)}).cwnd_bytes == doctest::Approx(3000));
  f.samples.erase(f.samples.begin());
  CHECK_FALSE(flow_averages(f, {0, ms(50)}).cwnd_bytes.has_value());
}

TEST_CASE("loss episodes: entering recovery or the loss state, and cuts outside them") {
  FlowSeries f;
  f.samples = {sample(0, 14480, 0),
               sample(ms(10), 28960, 0, "slow start"),
               sample(ms(20), 20000, 0, "recovery"),   // fast retransmit
               sample(ms(25), 18000, 0, "recovery"),   // PRR's gradual reduction: the same episode
               sample(ms(40), 14480, 0, "congestion avoidance"),
               sample(ms(50), 15000, 0, "congestion avoidance"),
               sample(ms(60), 7000, 0, "congestion avoidance"),  // a cut without a phase change
               sample(ms(70), 1448, 0, "loss")};                  // the retransmission timer, still open
  const auto e = loss_episodes(f);
  REQUIRE(e.size() == 3);
  CHECK(e[0].kind == "recovery");
  CHECK(e[0].start == ms(20));
  CHECK(e[0].end == ms(40));
  CHECK(e[0].cwnd_before == 28960);
  CHECK(e[0].sample == 2);
  CHECK(e[1].kind == "cut");
  CHECK(e[1].start == ms(60));
  CHECK(e[1].cwnd_before == 15000);
  CHECK(e[2].kind == "loss");
  CHECK(e[2].end == ms(70));
}

TEST_CASE("drop marks: where a queue's drop count rose, and by how much") {
  LinkSeries l;
  l.samples = {{ms(1), 5, 0, 0}, {ms(2), 100, 0, 0}, {ms(3), 100, 0, 2}, {ms(4), 99, 0, 2}, {ms(5), 100, 0, 3}};
  const auto d = drop_marks(l);
  REQUIRE(d.size() == 2);
  CHECK(d[0].t == ms(3));
  CHECK(d[0].dropped == 2);
  CHECK(d[1].t == ms(5));
  CHECK(d[1].dropped == 1);
}

TEST_CASE("spans: from the first to the last sample of any series") {
  Series s;
  CHECK(series_span(s).empty());
  s.flows.push_back(ramp());
  s.pings.push_back({0, "server", {{ms(500), ms(40)}, {sec(3), kNever}}});
  const TimeRange r = series_span(s);
  CHECK(r.from == ms(1));
  CHECK(r.to == sec(3));
  CHECK(flow_span({&s.flows[0]}).to == sec(1));
}
