// Each link impairment, measured: offered to a LinkDir directly, and through a world where
// a SYN flood from a to b gives a stream of 10^4 packets without TCP reacting to losses.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

constexpr int kPackets = 10'000;

std::vector<Fate> offer_many(LinkParams p, std::uint64_t seed, int n, Duration spacing, std::uint32_t bytes = 100) {
  LinkDir d(std::move(p), Rng(seed));
  std::vector<Fate> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(d.offer(i * spacing, bytes));
  return v;
}

int count_kind(const std::vector<Fate>& v, Fate::Kind k) {
  return static_cast<int>(std::count_if(v.begin(), v.end(), [&](const Fate& f) { return f.kind == k; }));
}

// a floods b with `count` SYNs; the a->b path has `path` settings (TOML lines).
LabRun flood(const std::string& path, int count, const std::string& every, std::uint64_t seed = 1) {
  const std::string text = R"(
title = "link impairment"
seed = )" + std::to_string(seed) + R"(
until = "600s"
[[host]]
name = "a"
ip = "10.0.0.1"
[[host]]
name = "b"
ip = "10.0.0.2"
[[path]]
from = "a"
to = "b"
)" + path + R"(
[[app]]
host = "a"
flood = { target = "b", port = 9, count = )" + std::to_string(count) + R"(, every = ")" + every + R"(" }
)";
  return run_lab(lab_text(text), std::nullopt, false);
}

int drops(const LabRun& r, const std::string& where, const std::string& reason_part) {
  int n = 0;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::Drop && e.where == where && e.reason.find(reason_part) != std::string::npos) ++n;
  return n;
}

int delivered_to(const LabRun& r, int host) {
  int n = 0;
  for (const auto& e : r.sink->events) n += e.type == TraceType::Deliver && e.host == host;
  return n;
}

}  // namespace

TEST_CASE("loss 0.1: 10^4 packets lose 10 % +- 1 % (LinkDir::offer)") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    LinkParams p;
    p.loss = Ratio{1, 10};
    const auto v = offer_many(p, seed, kPackets, us(10));
    const int lost = count_kind(v, Fate::Kind::Lost);
    CHECK(lost >= 900);
    CHECK(lost <= 1100);
    CHECK(count_kind(v, Fate::Kind::Deliver) == kPackets - lost);
  }
}

TEST_CASE("loss 0.1: 10^4 packets lose 10 % +- 1 % (through a world)") {
  const LabRun r = flood("loss = 0.1", kPackets, "10us");
  const LinkCounters& c = r.world.links()[0].ab.counters();
  CHECK(c.sent == kPackets);
  const int lost = drops(r, "link", "random loss");
  CHECK(lost == static_cast<int>(c.lost));
  CHECK(lost >= 900);
  CHECK(lost <= 1100);
  CHECK(delivered_to(r, 1) == kPackets - lost);
  CHECK(r.world.links()[0].ba.counters().sent == 0);  // b's RSTs go to spoofed addresses: no route
}

TEST_CASE("Gilbert-Elliott loss comes in bursts, Bernoulli loss at the same rate does not") {
  auto runs = [](const std::vector<Fate>& v, double* rate) {
    int lost = 0, bursts = 0;
    bool prev = false;
    for (const auto& f : v) {
      const bool l = f.kind == Fate::Kind::Lost;
      lost += l;
      if (l && !prev) ++bursts;
      prev = l;
    }
    *rate = static_cast<double>(lost) / static_cast<double>(v.size());
    return bursts ? static_cast<double>(lost) / bursts : 0.0;
  };
  LinkParams ge;
  ge.burst.good_to_bad = Ratio{1, 100};
  ge.burst.bad_to_good = Ratio{1, 10};
  ge.burst.loss_good = Ratio{0, 1};
  ge.burst.loss_bad = Ratio{1, 1};
  double ge_rate = 0;
  const double ge_burst = runs(offer_many(ge, 3, 100'000, us(10)), &ge_rate);
  MESSAGE("Gilbert-Elliott: loss rate " << ge_rate << ", mean burst " << ge_burst << " packets");
  CHECK(ge_rate > 0.07);  // stationary P(bad) = 0.01 / 0.11 = 0.091
  CHECK(ge_rate < 0.11);
  CHECK(ge_burst > 7.0);  // a bad spell lasts 10 packets on average
  CHECK(ge_burst < 13.0);

  LinkParams bern;
  bern.loss = Ratio{91, 1000};
  double b_rate = 0;
  const double b_burst = runs(offer_many(bern, 3, 100'000, us(10)), &b_rate);
  MESSAGE("Bernoulli: loss rate " << b_rate << ", mean burst " << b_burst << " packets");
  CHECK(b_burst < 1.2);  // 1 / (1 - 0.091) = 1.1
}

TEST_CASE("duplication 5 %: the rate, and every copy arrives at the receiver") {
  LinkParams p;
  p.duplicate = Ratio{5, 100};
  const auto v = offer_many(p, 4, kPackets, us(10));
  const int dups = static_cast<int>(std::count_if(v.begin(), v.end(), [](const Fate& f) { return f.duplicate; }));
  CHECK(dups >= 400);
  CHECK(dups <= 600);
  for (const auto& f : v)
    if (f.duplicate) CHECK(f.duplicate_at > f.arrive_at);

  const LabRun r = flood("duplicate = \"5%\"", kPackets, "10us");
  const auto dup = static_cast<int>(r.world.links()[0].ab.counters().duplicated);
  CHECK(dup >= 400);
  CHECK(dup <= 600);
  CHECK(delivered_to(r, 1) == kPackets + dup);
  CHECK(r.world.stack(1).counters().segs_in == static_cast<std::uint64_t>(kPackets + dup));
}

TEST_CASE("reordering 5 %: the rate, and a reordered packet is overtaken") {
  LinkParams p;
  p.delay_ns = ms(5);
  p.reorder = Ratio{5, 100};
  p.reorder_extra_ns = ms(1);
  const auto v = offer_many(p, 5, kPackets, us(100));
  int reordered = 0, overtaken = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].reordered) continue;
    ++reordered;
    CHECK(v[i].arrive_at == static_cast<Instant>(i) * us(100) + ms(5) + ms(1));
    // Held back 1 ms, it is overtaken by the next packet (sent 100 us later) unless that
    // one was held back too.
    if (i + 1 < v.size() && !v[i + 1].reordered) {
      CHECK(v[i + 1].arrive_at < v[i].arrive_at);
      ++overtaken;
    }
  }
  CHECK(reordered >= 400);
  CHECK(reordered <= 600);
  CHECK(overtaken > reordered * 9 / 10);
  // Packets that were not held back keep their order.
  Instant last = 0;
  for (const auto& f : v) {
    if (f.reordered) continue;
    CHECK(f.arrive_at > last);
    last = f.arrive_at;
  }

  const LabRun r = flood("delay = \"5ms\"\nreorder = \"5%\"", kPackets, "100us");
  const auto n = static_cast<int>(r.world.links()[0].ab.counters().reordered);
  CHECK(n >= 400);
  CHECK(n <= 600);
}

TEST_CASE("corruption: the receiver drops every corrupted packet on its checksum") {
  const LabRun r = flood("corrupt = \"10%\"", kPackets, "10us");
  const auto corrupted = static_cast<int>(r.world.links()[0].ab.counters().corrupted);
  CHECK(corrupted >= 900);
  CHECK(corrupted <= 1100);
  CHECK(r.world.counters().checksum_drops == static_cast<std::uint64_t>(corrupted));
  int at_b = 0;
  for (const auto& e : r.sink->events) at_b += e.type == TraceType::Drop && e.where == "checksum" && e.host == 1;
  CHECK(at_b == corrupted);
  CHECK(r.world.stack(1).counters().segs_in == static_cast<std::uint64_t>(kPackets - corrupted));
}

TEST_CASE("rate: 1500 bytes at 1 Mbps take 12 ms to serialize") {
  LinkParams p;
  p.rate_bps = 1'000'000;
  LinkDir d(p, Rng(1));
  CHECK(d.offer(0, 1500).arrive_at == ms(12));
  CHECK(d.offer(0, 1500).arrive_at == ms(24));  // queued behind the first
  CHECK(d.offer(ms(30), 1500).arrive_at == ms(42));
  CHECK(d.offer(ms(42), 125).arrive_at == ms(43));  // 125 B = 1000 bits = 1 ms

  // Through a world: full-size segments (1448 B payload + 52 B headers with timestamps)
  // sent back to back arrive 12 ms apart.
  const LabRun r = run_lab(lab_text(R"(
title = "rate"
until = "60s"
[[host]]
name = "client"
[[host]]
name = "server"
[link]
delay = "1ms"
rate = "1Mbps"
[[app]]
host = "server"
script = ["listen 80", "accept", "recv all"]
[[app]]
host = "client"
script = ["connect server 80", "send 14480", "close"]
)"),
                           std::nullopt, false);
  std::map<std::string, const TraceEvent*> sent;
  std::vector<Instant> arrivals;
  for (const auto& e : r.sink->events) {
    if (e.type == TraceType::Send && e.host == 0) sent[e.id] = &e;
    if (e.type == TraceType::Deliver && e.host == 1 && sent.count(e.id) && sent[e.id]->len == 1448) arrivals.push_back(e.t_ns);
  }
  REQUIRE(arrivals.size() == 10);
  for (std::size_t i = 1; i < arrivals.size(); ++i) CHECK(arrivals[i] - arrivals[i - 1] == ms(12));
}

TEST_CASE("queue limit: a drop-tail queue of 5 drops exactly the excess packets") {
  LinkParams p;
  p.rate_bps = 1'000'000;
  p.queue_pkts_max = 5;
  LinkDir d(p, Rng(1));
  int full = 0;
  for (int i = 0; i < 20; ++i) full += d.offer(0, 1500).kind == Fate::Kind::QueueFull;
  CHECK(full == 15);
  CHECK(d.queue_len(0) == 5);
  CHECK(d.queue_len(ms(12)) == 4);  // the first one has left
  CHECK(d.offer(ms(12), 1500).kind == Fate::Kind::Deliver);
  CHECK(d.offer(ms(12), 1500).kind == Fate::Kind::QueueFull);
  CHECK(d.counters().queue_drops == 16);

  // 20 SYNs (48 B: 384 us each at 1 Mbps) offered within 20 ns.
  const LabRun r = flood("rate = \"1Mbps\"\nqueue = 5", 20, "1ns");
  CHECK(drops(r, "queue", "drop-tail") == 15);
  CHECK(delivered_to(r, 1) == 5);
}

TEST_CASE("link down: packets sent in a down interval are dropped, the others are not") {
  LinkParams p;
  p.down = {{ms(10), ms(20)}};
  const auto v = offer_many(p, 1, 30, ms(1));
  for (std::size_t i = 0; i < v.size(); ++i) {
    CAPTURE(i);
    CHECK((v[i].kind == Fate::Kind::Down) == (i >= 10 && i < 20));
  }
  const LabRun r = flood("down = [[\"10ms\", \"20ms\"]]", 30, "1ms");
  CHECK(drops(r, "link", "link is down") == 10);
  CHECK(delivered_to(r, 1) == 20);
}

TEST_CASE("jitter: the extra delay stays within [0, jitter] and covers it") {
  LinkParams p;
  p.delay_ns = ms(10);
  p.jitter_ns = ms(5);
  const auto v = offer_many(p, 6, kPackets, us(10));
  Duration lo = kNever, hi = 0, sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Duration d = v[i].arrive_at - static_cast<Instant>(i) * us(10);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    sum += d;
  }
  CHECK(lo >= ms(10));
  CHECK(hi <= ms(15));
  CHECK(lo < ms(10) + us(50));
  CHECK(hi > ms(15) - us(50));
  const Duration mean = sum / kPackets;
  CHECK(mean > ms(12) + us(400));
  CHECK(mean < ms(12) + us(600));
}
