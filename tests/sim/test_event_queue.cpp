// EventQueue, the world's queue: near events in a heap, far ones in sorted FIFO lanes and an
// overflow heap. The events come out in exactly the order one heap gives, each at its own
// time, wherever they landed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"
#include "stack/time.hpp"

using namespace tcplab;

namespace {
struct Ev {
  Instant t;
  std::uint64_t order;
  int rank = 1;  // as the world's: packets (0) before the rest at one instant
  bool operator>(const Ev& o) const {
    if (t != o.t) return t > o.t;
    if (rank != o.rank) return rank > o.rank;
    return order > o.order;
  }
};
using RefHeap = std::priority_queue<Ev, std::vector<Ev>, std::greater<>>;

// Pops both to the end, checking each event against the reference heap's.
void drain_against(EventQueue<Ev>& q, RefHeap& ref) {
  while (!ref.empty()) {
    REQUIRE(!q.empty());
    REQUIRE(q.size() == ref.size());
    CHECK(q.top().t == ref.top().t);
    CHECK(q.top().order == ref.top().order);
    q.pop();
    ref.pop();
  }
  CHECK(q.empty());
}
}  // namespace

TEST_CASE("event queue: packets go to the near heap, far kinds each in order take one lane each") {
  // The connection benchmark's pattern: packets 10 us ahead, an RTO re-armed ~1 s ahead on
  // each ACK, TIME_WAIT 240 s ahead; each kind in order, the kinds interleaved.
  EventQueue<Ev> q;
  RefHeap ref;
  std::uint64_t order = 0;
  Instant now = 0;
  for (int i = 0; i < 1000; ++i) {
    for (const Duration d : {Duration{10'000}, Duration{1'020'000'000}, Duration{240'000'000'000}}) {
      const Ev e{now + d, order++};
      q.push(e, now);
      ref.push(e);
    }
    now += 10'000;
  }
  CHECK(q.near_size() == 1000);
  CHECK(q.lanes() == 2);
  CHECK(q.far_heap_size() == 0);
  drain_against(q, ref);
}

TEST_CASE("event queue: a far event before every lane's last one opens a lane, past kMaxLanes it goes to the far heap") {
  EventQueue<Ev> q;
  RefHeap ref;
  const Instant far = EventQueue<Ev>::kFar + 1000;
  const auto n = static_cast<std::uint64_t>(EventQueue<Ev>::kMaxLanes + 5);
  for (std::uint64_t i = 0; i < n; ++i) {  // decreasing times: each sorts before all the others
    const Ev e{far - static_cast<Instant>(i), i};
    q.push(e, 0);
    ref.push(e);
  }
  CHECK(q.lanes() == EventQueue<Ev>::kMaxLanes);
  CHECK(q.far_heap_size() == 5);
  CHECK(q.near_size() == 0);
  // Equal times: rank, then insertion order decide, across the near heap, lanes and the far heap.
  for (std::uint64_t i = 0; i < 6; ++i) {
    const Ev e{far - 10, n + i, static_cast<int>(i % 2)};
    q.push(e, i < 3 ? 0 : far - 20);  // the first three far when pushed, the others near
    ref.push(e);
  }
  CHECK(q.near_size() == 3);
  drain_against(q, ref);
  // Lanes emptied are reused.
  q.push(Ev{far, 0}, 0);
  CHECK(q.lanes() == 1);
  CHECK(q.top().t == far);
}

TEST_CASE("event queue: the same sequence as a single heap, pushes and pops interleaved, copies independent") {
  for (const std::uint64_t seed : {7ULL, 8ULL, 9ULL}) {
    Rng rng(seed);
    EventQueue<Ev> q;
    RefHeap ref;
    Instant now = 0;
    std::uint64_t order = 0;
    EventQueue<Ev> snapshot;
    RefHeap ref_snapshot;
    std::size_t max_near = 0, max_lanes = 0, max_far_heap = 0;
    for (int i = 0; i < 20000; ++i) {
      const int pushes = static_cast<int>(rng.next() % 3);
      for (int k = 0; k < pushes; ++k) {
        // A few fixed delays (in order per kind), random near ones (up to 2 ms: out of order),
        // random far ones (1-300 s), and events at now; packets rank before the rest.
        const std::uint64_t r = rng.next() % 10;
        const Duration d = r < 3   ? static_cast<Duration>(rng.next() % 2'000'000)
                           : r < 5 ? 10'000
                           : r < 7 ? 1'020'000'000
                           : r < 8 ? 240'000'000'000
                           : r < 9 ? static_cast<Duration>(1'000'000'000 + rng.next() % 299'000'000'000ULL)
                                   : 0;
        const Ev e{now + d, order++, static_cast<int>(rng.next() % 2)};
        q.push(e, now);
        ref.push(e);
      }
      if (i == 10000) {
        snapshot = q;
        ref_snapshot = ref;
      }
      max_near = std::max(max_near, q.near_size());
      max_lanes = std::max(max_lanes, q.lanes());
      max_far_heap = std::max(max_far_heap, q.far_heap_size());
      if (!ref.empty() && rng.next() % 2) {
        REQUIRE(!q.empty());
        CHECK(q.top().order == ref.top().order);
        CHECK(q.top().t == ref.top().t);
        now = q.top().t;
        q.pop();
        ref.pop();
      }
    }
    // Every part took part: random far delays overflowed the lanes into the far heap.
    CHECK(max_near > 0);
    CHECK(max_lanes == EventQueue<Ev>::kMaxLanes);
    CHECK(max_far_heap > 0);
    drain_against(q, ref);
    // The copy taken halfway was not disturbed by what the original did later.
    CHECK(snapshot.size() > 0);
    drain_against(snapshot, ref_snapshot);
  }
}

TEST_CASE("event queue: lanes span many blocks, share them when drained, and copy deep") {
  // Two far kinds in order (two lanes), each far longer than a block, pushed and popped
  // interleaved so that blocks are given back by one lane and taken by the other; a copy
  // taken halfway drains the same as the original, independently.
  EventQueue<Ev> q;
  RefHeap ref;
  std::uint64_t order = 0;
  Instant now = 0;
  auto push_far = [&](Duration ahead) {
    const Ev e{now + ahead, order++};
    q.push(e, now);
    ref.push(e);
  };
  for (int i = 0; i < 3000; ++i) {
    push_far(sec(1));
    if (i % 3 == 0) push_far(sec(240));
    now += us(10);
  }
  CHECK(q.lanes() == 2);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 700; ++i) {  // pops (time moves to each popped event)
      REQUIRE(q.top().order == ref.top().order);
      now = q.top().t;
      q.pop();
      ref.pop();
    }
    for (int i = 0; i < 500; ++i) {
      push_far(sec(1));
      now += us(10);
    }
  }
  EventQueue<Ev> copy = q;
  RefHeap ref_copy = ref;
  for (int i = 0; i < 300; ++i) push_far(sec(2));  // only the original sees these
  CHECK(q.far_heap_size() == 0);
  drain_against(q, ref);
  drain_against(copy, ref_copy);
}
