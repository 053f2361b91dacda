// The queue disciplines on their own (sim/qdisc_*.hpp): items offered and taken at chosen
// times, the drops and their reasons checked against each algorithm's definition.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/qdisc.hpp"

using namespace tcplab;

namespace {

QItem item(std::uint32_t slot, std::uint32_t bytes, Instant t, std::uint32_t flow = 0) { return QItem{slot, bytes, t, flow}; }

}  // namespace

TEST_SUITE("qdisc") {
  TEST_CASE("drop-tail in packets: FIFO order, and what finds the queue full is dropped") {
    DropTail q(QueueLimit::packets(3));
    std::vector<QDrop> drops;
    for (std::uint32_t i = 0; i < 5; ++i) q.enqueue(item(i, 1500, 0), 0, drops);
    REQUIRE(drops.size() == 2);
    CHECK(drops[0].item.slot == 3);
    CHECK(drops[1].item.slot == 4);
    CHECK(drops[0].reason == "queue full (3 packets)");
    CHECK(q.pkts() == 3);
    CHECK(q.bytes() == 4500);
    for (std::uint32_t i = 0; i < 3; ++i) CHECK(q.dequeue(0, drops)->slot == i);
    CHECK(!q.dequeue(0, drops));
  }

  TEST_CASE("drop-tail in bytes: a packet is dropped when it would not fit, a small one still fits") {
    DropTail q(QueueLimit::of_bytes(3100));
    std::vector<QDrop> drops;
    q.enqueue(item(0, 1500, 0), 0, drops);
    q.enqueue(item(1, 1500, 0), 0, drops);
    q.enqueue(item(2, 1500, 0), 0, drops);  // 4500 > 3100
    q.enqueue(item(3, 100, 0), 0, drops);   // 3100 fits exactly
    q.enqueue(item(4, 1, 0), 0, drops);
    REQUIRE(drops.size() == 2);
    CHECK(drops[0].item.slot == 2);
    CHECK(drops[1].item.slot == 4);
    CHECK(drops[0].reason == "queue full (3100 bytes)");
    CHECK(q.pkts() == 3);
    CHECK(q.bytes() == 3100);
  }

  TEST_CASE("the default limits are Linux's: 1000 packets, fq_codel 10240") {
    QdiscConfig c;
    Qdisc dt(c, 10'000'000, Rng(1));
    std::vector<QDrop> drops;
    for (std::uint32_t i = 0; i < 1001; ++i) dt.enqueue(item(i, 100, 0), 0, drops);
    CHECK(drops.size() == 1);
    c.kind = QdiscKind::FqCodel;
    Qdisc fq(c, 10'000'000, Rng(1));
    drops.clear();
    for (std::uint32_t i = 0; i < 10241; ++i) fq.enqueue(item(i, 100, 0), 0, drops);
    CHECK(drops.size() == 1);
    CHECK(fq.pkts() == 10240);
  }

  // A standing queue: 200 packets at t=0, then one in and one out per millisecond, so the
  // sojourn time stays near 200 ms, far above the 5 ms target.
  TEST_CASE("CoDel enters dropping after sojourn > target for an interval, then spaces drops by interval/sqrt(count)") {
    CoDel q(QueueLimit::packets(1000), CoDelParams{});
    std::vector<QDrop> drops;
    std::uint32_t slot = 0;
    for (int i = 0; i < 200; ++i) q.enqueue(item(slot++, 1500, 0), 0, drops);
    std::vector<Instant> drop_times;
    std::vector<std::string> reasons;
    for (Instant t = ms(1); t <= ms(600); t += ms(1)) {
      q.enqueue(item(slot++, 1500, t), t, drops);
      drops.clear();
      CHECK(q.dequeue(t, drops));
      for (const auto& d : drops) {
        drop_times.push_back(t);
        reasons.push_back(d.reason);
      }
    }
    // The sojourn time first reaches 5 ms at t = 5 ms: first_above_time = 105 ms, the
    // first drop is the first dequeue at or after it; then 100/sqrt(count) ms after each
    // scheduled drop: 205, 275.7, 333.4, 383.4, 428.1, 468.9, 506.7, 542.1, 575.4 ms, each
    // taken at the next whole-millisecond dequeue.
    std::vector<double> sched = {105, 205};
    for (int count = 2; sched.back() < 600; ++count) sched.push_back(sched.back() + 100 / std::sqrt(double(count)));
    sched.pop_back();
    REQUIRE(drop_times.size() == sched.size());
    for (std::size_t i = 0; i < sched.size(); ++i) {
      CAPTURE(i);
      CHECK(drop_times[i] == static_cast<Instant>(std::ceil(sched[i])) * ms(1));
    }
    CHECK(reasons[0].find("CoDel: sojourn 105.0 ms above 5.0 ms for 100.0 ms: enters the dropping state") == 0);
    CHECK(reasons[2].find("drop #3 of this dropping state (the next 100.0 ms/sqrt(3) = 57.7 ms later)") != std::string::npos);
    CHECK(q.state().dropping());
  }

  TEST_CASE("CoDel never drops below target, and leaves the dropping state when the queue drains") {
    CoDel q(QueueLimit::packets(1000), CoDelParams{});
    std::vector<QDrop> drops;
    // One packet per ms, sent at once: sojourn 0.
    for (Instant t = 0; t < sec(2); t += ms(1)) {
      q.enqueue(item(0, 1500, t), t, drops);
      CHECK(q.dequeue(t, drops));
    }
    CHECK(drops.empty());
    // A standing queue makes it drop; draining it (no arrivals) ends the dropping state.
    for (int i = 0; i < 300; ++i) q.enqueue(item(1, 1500, sec(2)), sec(2), drops);
    Instant t = sec(2);
    while (q.pkts() > 0) {
      t += ms(1);
      q.dequeue(t, drops);
    }
    CHECK(!drops.empty());
    q.dequeue(t + ms(1), drops);
    CHECK(!q.state().dropping());
  }

  TEST_CASE("RED: nothing dropped below min, some between the thresholds, everything at or above max") {
    RedParams p;
    p.min_th = 5;
    p.max_th = 15;
    p.max_p = 0.1;
    p.weight = 1.0;  // the average is the queue itself: each phase is exact
    Red q(QueueLimit::packets(1000), p, us(1200), Rng(7));
    std::vector<QDrop> drops;
    // Keeps the queue at `depth` packets for n arrivals: returns how many were dropped.
    auto hold = [&](std::uint32_t depth, int n) {
      Instant t = 0;
      while (q.pkts() < depth) q.enqueue(item(0, 1500, t), t, drops);
      drops.clear();
      for (int i = 0; i < n; ++i) {
        t += us(100);
        q.enqueue(item(1, 1500, t), t, drops);
        if (q.pkts() > depth) q.dequeue(t, drops);
      }
      return drops.size();
    };
    CHECK(hold(3, 2000) == 0);
    const std::size_t mid = hold(10, 2000);  // pb = 0.1 * 5/10 = 0.05: about one in 10
    CHECK(mid > 100);
    CHECK(mid < 400);
    CHECK(drops[0].reason.find("RED early drop (avg 10.0 pkts") == 0);
    // At or above max every arrival is dropped (the queue cannot grow to 16).
    drops.clear();
    while (q.pkts() < 15) q.enqueue(item(0, 1500, 0), 0, drops);
    drops.clear();
    for (int i = 0; i < 50; ++i) q.enqueue(item(2, 1500, 0), 0, drops);
    CHECK(drops.size() == 50);
    CHECK(drops[0].reason == "RED: average queue 15.0 pkts at or above max 15.0");
  }

  TEST_CASE("RED's average follows the queue slowly (weight 0.002) and decays while it is idle") {
    Red q(QueueLimit::packets(1000), RedParams{}, us(1200), Rng(1));
    std::vector<QDrop> drops;
    for (int i = 0; i < 100; ++i) q.enqueue(item(0, 1500, 0), 0, drops);
    // avg_n = 1 - (1 - w)^... grows far slower than the queue: no early drop for a burst.
    CHECK(drops.empty());
    CHECK(q.avg() < 10.0);
    CHECK(q.avg() > 9.0);
    while (q.pkts()) q.dequeue(ms(10), drops);
    const double before = q.avg();
    q.enqueue(item(0, 1500, ms(10) + sec(1)), ms(10) + sec(1), drops);  // idle 1 s: 833 packet times
    CHECK(q.avg() == doctest::Approx(before * std::pow(1 - 0.002, 1e9 / 1.2e6)));
  }

  TEST_CASE("FQ-CoDel serves a sparse flow's packet before a bulk flow's backlog; drop-tail does not") {
    QdiscConfig c;
    c.kind = QdiscKind::FqCodel;
    Qdisc fq(c, 10'000'000, Rng(1));
    c.kind = QdiscKind::DropTail;
    Qdisc fifo(c, 10'000'000, Rng(1));
    std::vector<QDrop> drops;
    for (Qdisc* q : {&fq, &fifo}) {
      for (std::uint32_t i = 0; i < 100; ++i) q->enqueue(item(i, 1500, 0, 11), 0, drops);
      q->enqueue(item(999, 84, 0, 22), 0, drops);
    }
    // fq_codel: the bulk flow sends until its quantum (1514 bytes) is spent, two packets;
    // then the ping's queue, new, goes before the bulk flow's turn comes again.
    CHECK(fq.dequeue(0, drops)->slot == 0);
    CHECK(fq.dequeue(0, drops)->slot == 1);
    CHECK(fq.dequeue(0, drops)->slot == 999);
    int n = 0;
    while (fifo.dequeue(0, drops)->slot != 999) ++n;
    CHECK(n == 100);
    CHECK(drops.empty());
  }

  TEST_CASE("FQ-CoDel: deficit round robin gives two bulk flows a quantum each in turn") {
    FqCodelParams p;
    FqCodel q(QueueLimit::packets(10240), p);
    std::vector<QDrop> drops;
    for (std::uint32_t i = 0; i < 20; ++i) {
      q.enqueue(item(i, 1000, 0, 1), 0, drops);
      q.enqueue(item(100 + i, 500, 0, 2), 0, drops);
    }
    // Flow 1 (1000-byte packets) and flow 2 (500-byte) alternate by bytes, not packets:
    // over 30 dequeues each gets about the same number of bytes.
    std::uint64_t b1 = 0, b2 = 0;
    for (int i = 0; i < 30; ++i) {
      const QItem it = *q.dequeue(0, drops);
      (it.slot < 100 ? b1 : b2) += it.bytes;
    }
    CHECK(b1 >= 9000);
    CHECK(b2 >= 9000);
    CHECK(std::max(b1, b2) - std::min(b1, b2) <= 2 * 1514);
  }

  TEST_CASE("FQ-CoDel over its limit drops from the head of the fattest flow") {
    FqCodel q(QueueLimit::packets(10), FqCodelParams{});
    std::vector<QDrop> drops;
    for (std::uint32_t i = 0; i < 10; ++i) q.enqueue(item(i, 1500, 0, 5), 0, drops);
    q.enqueue(item(50, 84, 0, 6), 0, drops);
    REQUIRE(drops.size() == 1);
    CHECK(drops[0].item.slot == 0);  // the bulk flow's head, not the newcomer
    CHECK(drops[0].reason.find("fq_codel: queue full (10 packets): dropped from the fattest flow") == 0);
    CHECK(q.queue_pkts(q.bucket(6)) == 1);
    CHECK(q.pkts() == 10);
  }

  TEST_CASE("flow_hash is a fixed function of the 5-tuple") {
    const Endpoint a{0x0a000001, 40000}, b{0x0a000002, 5001};
    CHECK(flow_hash(a, b, 6) == flow_hash(a, b, 6));
    CHECK(flow_hash(a, b, 6) != flow_hash(b, a, 6));
    CHECK(flow_hash(a, b, 6) != flow_hash(a, b, 1));
    CHECK(flow_hash(a, b, 6) == 0xf92b15f2u);  // the same in every build: traces depend on it
  }
}
