// Ring, the per-connection FIFO of stack/ring.hpp: nothing allocated until the first push,
// the same front-to-back sequence as a std::deque through wrap-around and growth, release()
// frees the storage, and copies are deep.
#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "stack/ring.hpp"

using namespace tcplab;

TEST_CASE("ring: no storage until the first push; release gives it back") {
  Ring<int> r;
  CHECK(r.capacity() == 0);
  CHECK(r.empty());
  r.push_back(1);
  CHECK(r.capacity() > 0);
  r.pop_front();
  CHECK(r.empty());
  CHECK(r.capacity() > 0);  // emptied, still held (a live connection reuses it)
  r.release();
  CHECK(r.capacity() == 0);
  CHECK(r.begin() == r.end());
}

TEST_CASE("ring: agrees with a std::deque through wrap-around and growth; copies are deep") {
  Ring<int> r;
  std::deque<int> d;
  int next = 0;
  Ring<int> copy;
  for (int round = 0; round < 2000; ++round) {
    const int pushes = round % 7 < 4 ? 3 : 0;  // grows, then drains, over and over
    for (int k = 0; k < pushes; ++k) {
      r.push_back(next);
      d.push_back(next++);
    }
    const int pops = round % 5 == 0 ? 4 : 1;
    for (int k = 0; k < pops && !d.empty(); ++k) {
      CHECK(r.front() == d.front());
      r.pop_front();
      d.pop_front();
    }
    REQUIRE(r.size() == d.size());
    if (!d.empty()) {
      CHECK(r.back() == d.back());
      CHECK(r[d.size() / 2] == d[d.size() / 2]);
    }
    CHECK(std::vector<int>(r.begin(), r.end()) == std::vector<int>(d.begin(), d.end()));
    if (round == 1000) copy = r;
  }
  const std::vector<int> kept(copy.begin(), copy.end());
  copy.push_back(-1);
  CHECK(std::vector<int>(copy.begin(), copy.end()).size() == kept.size() + 1);
  CHECK(std::vector<int>(r.begin(), r.end()) == std::vector<int>(d.begin(), d.end()));
}
