// Shared bottlenecks in a world (sim/bottleneck.hpp, sim/world_bottleneck.cpp): departure
// times at the rate, buffers in packets, bytes and BDPs, ping through the queue, FQ-CoDel
// against drop-tail for a sparse flow beside a bulk one, dumbbell labs with flows that
// start and stop, series, determinism.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim/trace_index.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// s1, s2 on the left, r1, r2 on the right of bottleneck "bn"; `bn` adds keys to it,
// `rest` adds tables (apps) after it.
std::string dumbbell(const std::string& bn, const std::string& rest, const std::string& until = "10s") {
  return R"(
title = "dumbbell"
seed = 1
until = ")" + until + R"("
[[host]]
name = "s1"
tcp = { snd_buf = 4000000 }
[[host]]
name = "s2"
tcp = { snd_buf = 4000000 }
[[host]]
name = "r1"
tcp = { rcv_buf = 8000000 }
[[host]]
name = "r2"
tcp = { rcv_buf = 8000000 }
[link]
delay = "3ms"
[[bottleneck]]
name = "bn"
left = ["s1", "s2"]
right = ["r1", "r2"]
)" + bn + "\n" + rest;
}

const char* kBulk = R"(
[[app]]
host = "r1"
script = ["listen 5001", "accept", "recv all", "close"]
[[app]]
host = "s1"
start = "10ms"
script = ["connect r1 5001", "send 1000000000", "close"]
)";

// The world of a lab run with series on.
struct SeriesRun {
  World world;
  TraceSink sink;
};

std::unique_ptr<SeriesRun> run_series(const std::string& text, bool series = true) {
  const Lab lab = lab_text(text);
  auto r = std::make_unique<SeriesRun>(SeriesRun{build_world(lab), {}});
  r->sink.series_on = series;
  r->world.run_until(lab.until, &r->sink);
  return r;
}

std::vector<Duration> rtts(const TraceSink& s, int host = 0) {
  std::vector<Duration> v;
  for (const auto& p : s.series.pings)
    if (p.host == host)
      for (const auto& x : p.samples) v.push_back(x.rtt_ns);
  return v;
}

std::vector<std::string> drop_reasons(const TraceEvents& ev) {
  std::vector<std::string> v;
  for (const auto& e : ev)
    if (e.type == TraceType::Drop) v.push_back(e.where + ": " + e.reason);
  return v;
}

Duration median(std::vector<Duration> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string pings_at_once(int n, int size) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "[[app]]\nhost = \"s1\"\nping = { to = \"r1\", count = 1, size = " + std::to_string(size) + " }\n";
  return s;
}

}  // namespace

TEST_SUITE("bottleneck") {
  TEST_CASE("ping RTT on an idle path = 2 x (access + bottleneck delays) + serialization") {
    auto r = run_series(dumbbell(R"(rate = "10Mbps"
delay = "10ms"
access = { s1 = "5ms", r1 = { delay = "1ms", rate = "100Mbps" } })",
                                 R"([[app]]
host = "s1"
ping = { to = "r1", interval = "100ms", count = 5 })"));
    // 84 bytes (64 of ICMP + 20 of IP): 67.2 us at 10 Mb/s, 6.72 us at r1's 100 Mb/s, each way.
    const Duration expect = 2 * (ms(5) + ms(10) + ms(1)) + 2 * (67'200 + 6'720);
    const auto v = rtts(r->sink);
    REQUIRE(v.size() == 5);
    for (Duration d : v) CHECK(d == expect);
    // The app event says it too.
    int replies = 0;
    for (const auto& e : r->sink.events)
      if (e.type == TraceType::App && e.call == "ping") {
        CHECK(e.result == "reply from r1 seq " + std::to_string(++replies) + " rtt 32.148 ms");
        CHECK(e.host == 0);
      }
    CHECK(replies == 5);
    CHECK(r->world.counters().ping_pkts == 10);
  }

  TEST_CASE("pairs that do not cross the bottleneck keep their [link]") {
    auto r = run_series(dumbbell(R"(rate = "10Mbps"
delay = "10ms")",
                                 R"([[app]]
host = "s1"
ping = { to = "s2", count = 2 })"));
    const auto v = rtts(r->sink);
    REQUIRE(v.size() == 2);
    CHECK(v[0] == 2 * ms(3));
  }

  TEST_CASE("FIFO departures at the rate: probes sent at once leave one serialization time apart") {
    // 1250 bytes on the wire (1230 + 20) take exactly 10 ms at 1 Mb/s.
    auto r = run_series(dumbbell(R"(rate = "1Mbps"
delay = "10ms")",
                                 pings_at_once(5, 1230)));
    auto v = rtts(r->sink);
    REQUIRE(v.size() == 5);
    // Probe k waits for k-1 before it, is sent in 10 ms, and its reply (the replies leave
    // r1 10 ms apart: no queue on the way back) takes another 10 ms.
    for (int k = 1; k <= 5; ++k) CHECK(v[static_cast<std::size_t>(k - 1)] == 2 * ms(10) + (k + 1) * ms(10));
    const auto& d = r->world.bottleneck_dirs();
    REQUIRE(d.size() == 2);
    CHECK(d[0].name == "bn s>r");
    CHECK(d[1].name == "bn r>s");
    CHECK(d[0].c.sent == 5);
    CHECK(d[1].c.sent == 5);
  }

  TEST_CASE("drop-tail in packets: one on the wire, `buffer` waiting, the rest dropped") {
    auto r = run_series(dumbbell(R"(rate = "1Mbps"
buffer = 3)",
                                 pings_at_once(10, 1230)));
    CHECK(rtts(r->sink).size() == 10);
    std::size_t answered = 0;
    for (Duration d : rtts(r->sink)) answered += d != kNever;
    CHECK(answered == 4);
    CHECK(r->world.counters().q_drops == 6);
    const auto reasons = drop_reasons(r->sink.events);
    REQUIRE(reasons.size() == 6);
    CHECK(reasons[0] == "queue: bn s>r: queue full (3 packets)");
    int late = 0;
    for (const auto& e : r->sink.events)
      late += e.type == TraceType::App && e.result.find("no reply from r1 seq") == 0 && e.result.ends_with("within 1 s");
    CHECK(late == 6);
  }

  TEST_CASE("drop-tail in bytes and in BDPs") {
    auto r = run_series(dumbbell(R"(rate = "1Mbps"
buffer = "3000B")",
                                 pings_at_once(10, 1230)));
    CHECK(r->world.counters().q_drops == 7);  // 2 x 1250 bytes fit in 3000, not 3
    // 2 BDPs of 40 ms at 10 Mb/s: 100000 bytes.
    const Lab lab = lab_text(dumbbell(R"(rate = "10Mbps"
buffer = "2BDP"
bdp_rtt = "40ms")",
                                      ""));
    REQUIRE(lab.bottlenecks.size() == 1);
    REQUIRE(lab.bottlenecks[0].qdisc.limit);
    CHECK(lab.bottlenecks[0].qdisc.limit->bytes == 100000);
    CHECK(lab.bottlenecks[0].qdisc.limit->pkts == 0);
    const Lab kb = lab_text(dumbbell("rate = \"10Mbps\"\nbuffer = \"64KB\"", ""));
    CHECK(kb.bottlenecks[0].qdisc.limit->bytes == 64000);
    const Lab pk = lab_text(dumbbell("rate = \"10Mbps\"\nbuffer = 50", ""));
    CHECK(pk.bottlenecks[0].qdisc.limit->pkts == 50);
  }

  TEST_CASE("a bulk flow fills a drop-tail buffer: ping sees the queue; fq_codel keeps the ping's delay near zero") {
    const std::string ping = R"([[app]]
host = "s2"
start = "2s"
ping = { to = "r2", interval = "50ms" })";
    const std::string base = "rate = \"10Mbps\"\ndelay = \"10ms\"\nbuffer = 400\n";
    auto dt = run_series(dumbbell(base, std::string(kBulk) + ping));
    auto fq = run_series(dumbbell(base + "qdisc = \"fq_codel\"", std::string(kBulk) + ping));
    const Duration idle = 2 * ms(10) + 2 * 67'200;  // no access delays
    const Duration dt_med = median(rtts(dt->sink, 1)), fq_med = median(rtts(fq->sink, 1));
    CAPTURE(dt_med);
    CAPTURE(fq_med);
    CHECK(dt_med > idle + ms(100));  // hundreds of full packets ahead of each probe
    CHECK(fq_med < idle + ms(3));    // the probe's own queue is new: at most a packet ahead
    // The bulk flow still goes at the bottleneck's rate under fq_codel.
    std::uint64_t sent = 0;
    for (const auto& d : fq->world.bottleneck_dirs()) sent += d.c.sent;
    CHECK(sent > 7000);
    // And CoDel did its job on the bulk flow's queue.
    bool codel = false;
    for (const auto& s : drop_reasons(fq->sink.events)) codel = codel || s.find("bn s>r: fq_codel: CoDel:") != std::string::npos;
    CHECK(codel);
  }

  TEST_CASE("the trace index: a segment dropped in a bottleneck's queue, later than it was sent, was lost on the way") {
    const Lab lab = lab_text(dumbbell("rate = \"10Mbps\"\ndelay = \"10ms\"\nbuffer = 20\naccess = { s1 = \"20ms\" }", kBulk, "3s"));
    Timeline tl(build_world(lab));
    tl.run(lab.until);
    const TraceIndex ix(tl, tl.final_world());
    const TraceEvents& tr = tl.trace();
    int queue_drops = 0;
    for (std::uint64_t k = 0; k < tr.size(); ++k) {
      const TraceEvent& e = tr[k];
      if (e.type != TraceType::Drop || e.where != "queue") continue;
      const std::uint32_t i = ix.seg_of_event(k);
      REQUIRE(i < ix.segments().size());
      const SegInfo& s = ix.segments()[i];
      CHECK(tr[s.send_k].t_ns + ms(20) <= e.t_ns);  // it reached the queue 20 ms later
      CHECK(s.fate == SegFate::LostOnWay);
      ++queue_drops;
    }
    CHECK(queue_drops > 0);
  }

  TEST_CASE("CoDel and RED bottlenecks: the bulk flow runs, their drops say why") {
    auto codel = run_series(dumbbell("rate = \"10Mbps\"\ndelay = \"10ms\"\nqdisc = \"codel\"", kBulk));
    auto red = run_series(dumbbell("rate = \"10Mbps\"\ndelay = \"10ms\"\nqdisc = \"red\"\nred = { min = 5, max = 15, max_p = 0.1 }", kBulk));
    bool c = false, e = false;
    for (const auto& s : drop_reasons(codel->sink.events)) c = c || s.find("queue: bn s>r: CoDel: sojourn") == 0;
    for (const auto& s : drop_reasons(red->sink.events)) e = e || s.find("queue: bn s>r: RED early drop (avg") == 0;
    CHECK(c);
    CHECK(e);
    CHECK(codel->world.bottleneck_dirs()[0].c.sent > 7000);
    CHECK(red->world.bottleneck_dirs()[0].c.sent > 4000);  // RED's small thresholds cost some throughput
  }

  TEST_CASE("a 2-flow dumbbell lab loads and runs: both flows share the bottleneck, the checks pass") {
    const std::string apps = R"(
[[app]]
host = "r1"
script = ["listen 5001", "accept", "recv all", "close"]
[[app]]
host = "r2"
script = ["listen 5001", "accept", "recv all", "close"]
[[app]]
host = "s1"
start = "10ms"
stop = "8s"
script = ["connect r1 5001", "send 1000000000", "close"]
[[app]]
host = "s2"
start = "2s"
stop = "6s"
script = ["connect r2 5001", "send 1000000000", "close"]
[[check]]
kind = "bytes"
from = "s1"
to = "r1"
[[check]]
kind = "bytes"
from = "s2"
to = "r2"
[[check]]
kind = "final_state"
host = "s2"
expect = "TIME_WAIT"
)";
    // Until 20 s: what the senders wrote before their stop time still has to drain.
    const LabRun r = run_lab(
        lab_text(dumbbell("rate = \"10Mbps\"\ndelay = \"10ms\"\nbuffer = 100\naccess = { s1 = \"5ms\", s2 = \"40ms\" }", apps, "20s")));
    for (const auto& c : r.results) {
      CAPTURE(c.name);
      CHECK(c.pass);
    }
    // Each send ended at its app's stop time with the bytes written so far.
    std::uint64_t s1 = 0, s2 = 0;
    for (const auto& e : r.sink->events) {
      if (e.type != TraceType::App || e.call != "send") continue;
      CHECK(e.result == "stopped");
      (e.host == 0 ? s1 : s2) += e.bytes;
      CHECK(e.t_ns == (e.host == 0 ? sec(8) : sec(6)));
    }
    // s1 alone for 2 s, then shared for 4 s, then alone: it wrote more than s2. What they
    // wrote is what crossed the bottleneck by their stop times plus what their send buffers
    // (4 MB) held then.
    CHECK(s2 > 1'000'000);
    CHECK(s1 > s2);
    CHECK(s1 + s2 < 8 * 1'250'000 + 2 * 4'000'000);
    // Every byte was delivered (the bytes checks) once the buffers drained after the stops.
    std::uint64_t delivered = 0;
    for (const auto& e : r.sink->events)
      if (e.type == TraceType::App && e.call == "recv" && e.result == "OK") delivered += e.bytes;
    CHECK(delivered == s1 + s2);
    CHECK(r.world.counters().q_drops > 0);
  }

  TEST_CASE("short page fetches (clients) work beside a bulk flow through the bottleneck") {
    const std::string apps = std::string(kBulk) + R"(
[[app]]
host = "r2"
script = ["listen 80", "serve"]
per_connection = ["recv 18", "send 20000", "close"]
[[app]]
host = "s2"
start = "1s"
clients = { count = 20, every = "300ms" }
script = ["connect r2 80", "send \"GET / HTTP/1.0\\r\\n\\r\\n\"", "recv all", "close"]
)";
    const LabRun r = run_lab(lab_text(dumbbell("rate = \"10Mbps\"\ndelay = \"10ms\"\nbuffer = 100", apps)), std::nullopt, false);
    int fetched = 0;
    for (const auto& e : r.sink->events)
      fetched += e.type == TraceType::App && e.host == 1 && e.call == "recv" && e.result == "OK" && e.bytes == 20000;
    CHECK(fetched == 20);
    CHECK(r.world.counters().q_drops > 0);  // the bulk flow did fill the queue meanwhile
  }

  TEST_CASE("series: queue samples per bottleneck direction at each enqueue, dequeue and drop; nothing when off") {
    const std::string text = dumbbell("rate = \"1Mbps\"\nbuffer = 3", pings_at_once(10, 1230));
    auto on = run_series(text);
    const auto& links = on->sink.series.links;
    REQUIRE(links.size() == 2);
    CHECK(links[0].name == "bn s>r");
    CHECK(links[1].name == "bn r>s");
    // s>r: 10 enqueues (4 taken, 6 dropped at once), 4 dequeues, 6 drops.
    CHECK(links[0].samples.size() == 20);
    std::uint32_t most = 0;
    for (const auto& s : links[0].samples) most = std::max(most, s.pkts);
    CHECK(most == 3);
    CHECK(links[0].samples.back().drops == 6);
    CHECK(links[0].samples.back().pkts == 0);
    // r>s: 4 replies, each enqueued and dequeued.
    CHECK(links[1].samples.size() == 8);
    CHECK(on->sink.series.pings.size() == 1);
    CHECK(on->sink.series.pings[0].target == "r1");
    CHECK(on->sink.series.pings[0].samples.size() == 10);
    auto off = run_series(text, false);
    CHECK(off->sink.series.links.empty());
    CHECK(off->sink.series.pings.empty());
    CHECK(jsonl(off->sink.events, off->world.host_names()) == jsonl(on->sink.events, on->world.host_names()));
  }

  TEST_CASE("series: a [[path]] direction with a rate records its queue too") {
    const std::string text = R"(
title = "path series"
until = "5s"
[[host]]
name = "a"
[[host]]
name = "b"
[[path]]
between = ["a", "b"]
rate = "1Mbps"
delay = "5ms"
[[app]]
host = "a"
ping = { to = "b", count = 3, interval = "1ms", size = 1230 }
)";
    auto r = run_series(text);
    const auto& links = r->sink.series.links;
    REQUIRE(links.size() == 2);
    CHECK(links[0].name == "a>b");
    CHECK(links[1].name == "b>a");
    // a>b: 3 offers (queue 0, 1, 1 waiting as the first leaves) and the departures seen by
    // later offers.
    REQUIRE(links[0].samples.size() >= 3);
    CHECK(links[0].samples[0].pkts == 0);
    CHECK(links[0].samples[1].pkts == 1);
  }

  TEST_CASE("determinism: the same seed gives the same trace; a copy of the world mid-run goes on the same") {
    const std::string apps = std::string(kBulk) + R"(
[[app]]
host = "r2"
script = ["listen 5001", "accept", "recv all", "close"]
[[app]]
host = "s2"
start = "1s"
script = ["connect r2 5001", "send 1000000000", "close"]
[[app]]
host = "s2"
ping = { to = "r1", interval = "20ms" }
)";
    for (const char* q : {"qdisc = \"fq_codel\"", "qdisc = \"red\"\nred = { max_p = 0.2 }", "qdisc = \"codel\""}) {
      CAPTURE(q);
      const std::string text = dumbbell(std::string("rate = \"10Mbps\"\ndelay = \"5ms\"\n") + q, apps, "4s");
      auto a = run_series(text);
      auto b = run_series(text);
      CHECK(jsonl(a->sink.events, a->world.host_names()) == jsonl(b->sink.events, b->world.host_names()));
      // Checkpoint at 2 s: the copy and the original finish alike.
      const Lab lab = lab_text(text);
      World w = build_world(lab);
      TraceSink s1, s2;
      w.run_until(sec(2), &s1);
      World copy = w;
      w.run_until(sec(4), &s1);
      copy.run_until(sec(4), &s2);
      const auto all = jsonl(s1.events, w.host_names());
      const auto tail = jsonl(s2.events, copy.host_names());
      REQUIRE(tail.size() < all.size());
      CHECK(std::equal(tail.begin(), tail.end(), all.end() - static_cast<std::ptrdiff_t>(tail.size())));
      CHECK(jsonl(a->sink.events, a->world.host_names()) == all);
    }
  }
}
