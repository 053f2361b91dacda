// EventQueue, the world's two-lane queue: far deadlines go to a FIFO lane, near ones to the
// heap, and the events come out in exactly the order one heap gives, each at its own time.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"

using namespace tcplab;

namespace {
struct Ev {
  Instant t;
  std::uint64_t order;
  bool operator>(const Ev& o) const { return t != o.t ? t > o.t : order > o.order; }
};
}  // namespace

TEST_CASE("event queue: a TIME_WAIT-like far deadline waits in the lane and fires at its exact time") {
  EventQueue<Ev> q;
  const Duration two_msl = 240'000'000'000;
  q.push(Ev{10'000, 0}, 0);         // a packet 10 us ahead: the heap
  q.push(Ev{two_msl, 1}, 0);        // 2MSL ahead: the far lane
  q.push(Ev{two_msl + 5, 2}, 3);    // later still, in order: the lane too
  q.push(Ev{two_msl - 7, 3}, 4);    // far but before the lane's last one: the heap keeps it
  CHECK(q.near_size() == 2);
  CHECK(q.far_size() == 2);
  std::vector<Instant> got;
  std::vector<std::uint64_t> orders;
  while (!q.empty()) {
    got.push_back(q.top().t);
    orders.push_back(q.top().order);
    q.pop();
  }
  CHECK(got == std::vector<Instant>{10'000, two_msl - 7, two_msl, two_msl + 5});
  CHECK(orders == std::vector<std::uint64_t>{0, 3, 1, 2});
}

TEST_CASE("event queue: the same sequence as a single heap, pushes and pops interleaved, copies independent") {
  Rng rng(7);
  EventQueue<Ev> q;
  std::priority_queue<Ev, std::vector<Ev>, std::greater<>> ref;
  Instant now = 0;
  std::uint64_t order = 0;
  std::size_t far_pushes = 0;
  EventQueue<Ev> snapshot;
  std::vector<Ev> after_snapshot;
  for (int i = 0; i < 20000; ++i) {
    const int pushes = static_cast<int>(rng.next() % 3);
    for (int k = 0; k < pushes; ++k) {
      // Mostly near (up to 2 ms), some far: a fixed 2MSL (in order), or a random 1-300 s.
      const std::uint64_t r = rng.next() % 10;
      const Duration d = r < 7 ? static_cast<Duration>(rng.next() % 2'000'000)
                         : r < 9 ? 240'000'000'000
                                 : static_cast<Duration>(1'000'000'000 + rng.next() % 299'000'000'000ULL);
      const Ev e{now + d, order++};
      far_pushes += d >= EventQueue<Ev>::kFar;
      q.push(e, now);
      ref.push(e);
    }
    if (i == 10000) snapshot = q;
    if (!ref.empty() && rng.next() % 2) {
      REQUIRE(!q.empty());
      CHECK(q.top().order == ref.top().order);
      CHECK(q.top().t == ref.top().t);
      now = q.top().t;
      if (i > 10000) after_snapshot.push_back(q.top());
      q.pop();
      ref.pop();
    }
  }
  CHECK(far_pushes > 1000);
  while (!ref.empty()) {
    REQUIRE(!q.empty());
    CHECK(q.top().order == ref.top().order);
    q.pop();
    ref.pop();
  }
  CHECK(q.empty());
  // The copy taken halfway was not disturbed by what the original did later.
  CHECK(snapshot.size() > 0);
  std::size_t n = 0;
  Ev prev{-1, 0};
  while (!snapshot.empty()) {
    CHECK(!(prev > snapshot.top()));
    prev = snapshot.top();
    snapshot.pop();
    ++n;
  }
  CHECK(n > 0);
}
