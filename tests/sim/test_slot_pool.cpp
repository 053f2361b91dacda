// SlotPool (sim/slot_pool.hpp), where the world keeps its tasks: slots are reused, a handle
// (slot, generation) made before a release is refused after it, references stay valid while
// values are added, and a copy is independent.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/rng.hpp"
#include "sim/slot_pool.hpp"

using namespace tcplab;

TEST_CASE("slot pool: a released slot is reused and its old handles are refused") {
  SlotPool<std::string> p;
  const int a = p.add("a");
  const int b = p.add("b");
  CHECK(a == 0);
  CHECK(b == 1);
  const std::uint32_t ga = p.gen(a);
  CHECK(p.live(a, ga));
  p.release(a);
  CHECK_FALSE(p.live(a, ga));
  CHECK_FALSE(p.used(a));
  CHECK(p[a].empty());  // the value was reset: what it held is freed
  const int c = p.add("c");
  CHECK(c == a);               // the slot is reused
  CHECK_FALSE(p.live(c, ga));  // a stale wake-up of "a" cannot run "c"
  CHECK(p.live(c, p.gen(c)));
  CHECK(p[c] == "c");
  CHECK(p.live(b, p.gen(b)));
  CHECK(p.slots() == 2);
  CHECK(p.live_count() == 2);
  p.release(c);
  p.release(c);  // twice: no second free entry
  CHECK(p.live_count() == 1);
  CHECK(p.add("d") == c);
  CHECK(p.add("e") == 2);
  CHECK_FALSE(p.live(-1, 0));
  CHECK_FALSE(p.live(99, 0));
}

TEST_CASE("slot pool: references stay valid as values are added; a release frees what the value held") {
  SlotPool<std::shared_ptr<int>> p;
  auto held = std::make_shared<int>(7);
  const int id = p.add(held);
  std::shared_ptr<int>& ref = p[id];
  for (int i = 0; i < 10000; ++i) p.add(std::make_shared<int>(i));
  CHECK(&ref == &p[id]);
  CHECK(*ref == 7);
  CHECK(held.use_count() == 2);
  p.release(id);
  CHECK(held.use_count() == 1);
}

TEST_CASE("slot pool: random adds and releases against a model; a copy taken halfway is independent") {
  Rng rng(5);
  SlotPool<int> p;
  std::vector<std::pair<int, std::uint32_t>> live;   // handles of live values
  std::vector<std::pair<int, std::uint32_t>> stale;  // handles of released ones
  SlotPool<int> copy;
  std::vector<std::pair<int, std::uint32_t>> live_at_copy;
  for (int i = 0; i < 20000; ++i) {
    if (live.empty() || rng.below(3) != 0) {
      const int id = p.add(i);
      live.push_back({id, p.gen(id)});
    } else {
      const std::size_t k = rng.below(live.size());
      p.release(live[k].first);
      stale.push_back(live[k]);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
    }
    if (i == 10000) {
      copy = p;
      live_at_copy = live;
    }
  }
  for (const auto& [id, g] : live) CHECK(p.live(id, g));
  for (const auto& [id, g] : stale) CHECK_FALSE(p.live(id, g));
  CHECK(p.live_count() == live.size());
  // The copy still holds what was live when it was taken, whatever the original did since.
  for (const auto& [id, g] : live_at_copy) CHECK(copy.live(id, g));
  CHECK(copy.live_count() == live_at_copy.size());
}
