// Chunked, the trace sink's container: elements stay put as it grows (a reference taken
// early still reads the same event), indexing and random-access iterators agree with a
// vector across chunk boundaries, and copies are deep.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "stack/chunked.hpp"

using namespace tcplab;

TEST_CASE("chunked: agrees with a vector across chunk boundaries; elements never move") {
  Chunked<std::string, 3> c;  // chunks of 8, so 100 elements cross 12 boundaries
  std::vector<std::string> v;
  c.emplace_back("first");
  v.emplace_back("first");
  const std::string* first = &c[0];
  for (int i = 1; i < 100; ++i) {
    c.push_back(std::to_string(i * 7));
    v.push_back(std::to_string(i * 7));
  }
  CHECK(first == &c[0]);  // a vector would have moved it several times
  REQUIRE(c.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(c[i] == v[i]);
  CHECK(std::equal(c.begin(), c.end(), v.begin(), v.end()));
  CHECK(c.end() - c.begin() == 100);
  CHECK(*(c.begin() + 57) == v[57]);
  CHECK(c.back() == "693");

  Chunked<int, 2> n;
  for (int i = 0; i < 50; ++i) n.push_back(i * 2);
  auto it = std::upper_bound(n.begin(), n.end(), 31);  // what Timeline::seek_time does
  CHECK(it - n.begin() == 16);
  CHECK(*it == 32);

  Chunked<std::string, 3> copy = c;
  copy[5] = "changed";
  CHECK(c[5] == v[5]);
  Chunked<std::string, 3> part;
  part.assign(c.begin(), c.begin() + 20);
  CHECK(part.size() == 20);
  CHECK(part.back() == v[19]);
  part.clear();
  CHECK(part.empty());
}

namespace {

// Big enough that a few chunks pass the 2 MiB kept on the heap, so the rest come from
// PageRegions; counts live objects, so a leak or a double destruction shows.
struct Bulky {
  static inline int live = 0;
  explicit Bulky(int v) : value(v) { ++live; }
  Bulky(const Bulky& o) : value(o.value) { ++live; }
  Bulky& operator=(const Bulky&) = default;
  ~Bulky() { --live; }
  int value;
  char pad[4092] = {};
};

}  // namespace

TEST_CASE("chunked: past its first 2 MiB the chunks come from huge-page regions; copies, moves and clear free each element once") {
  {
    Chunked<Bulky, 4> c;  // 16 elements of 4 KiB: 64 KiB a chunk, 32 chunks on the heap
    for (int i = 0; i < 512; ++i) c.emplace_back(i);
    CHECK(c.size() == 512);
    CHECK(c.regions() == 0);  // 512 * 4 KiB = the 2 MiB kept on the heap
    const Bulky* first = &c[0];
    for (int i = 512; i < 2000; ++i) c.emplace_back(i);
    CHECK(first == &c[0]);
    // the first chunk past 2 MiB starts a region, aligned so a huge page can back it
    CHECK(reinterpret_cast<std::uintptr_t>(&c[512]) % PageRegions::kRegionBytes == 0);
    CHECK(c.regions() == 3);  // 1,488 elements more, 93 chunks, 32 to a region
    CHECK(Bulky::live == 2000);
    bool in_order = true;
    for (int i = 0; i < 2000; ++i) in_order = in_order && c[static_cast<std::size_t>(i)].value == i;
    CHECK(in_order);

    Chunked<Bulky, 4> copy = c;
    CHECK(Bulky::live == 4000);
    copy[1500].value = -1;
    CHECK(c[1500].value == 1500);
    CHECK(copy.regions() == 3);

    Chunked<Bulky, 4> moved = std::move(copy);
    CHECK(Bulky::live == 4000);
    CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    CHECK(moved[1500].value == -1);
    CHECK(moved.back().value == 1999);

    moved = c;  // copy-assign over a full one: the old elements go
    CHECK(Bulky::live == 4000);
    CHECK(moved[1500].value == 1500);

    c.clear();
    CHECK(c.empty());
    CHECK(c.regions() == 0);
    CHECK(Bulky::live == 2000);
    c.emplace_back(7);  // usable again after clear
    CHECK(c.back().value == 7);
  }
  CHECK(Bulky::live == 0);
}

TEST_CASE("chunked: extend appends a zeroed block in one chunk, and a full chunk starts the next") {
  Chunked<std::uint8_t, 3> c;  // chunks of 8
  c.push_back(9);
  std::uint8_t* block = c.extend(5);  // 1..5 of the first chunk
  CHECK(c.size() == 6);
  CHECK(std::all_of(block, block + 5, [](std::uint8_t b) { return b == 0; }));
  for (int i = 0; i < 5; ++i) block[i] = static_cast<std::uint8_t>(i + 1);
  CHECK(&c[1] == block);
  c.extend(2);  // the first chunk's last two
  std::uint8_t* next = c.extend(3);  // the first chunk is full: a new one
  CHECK(c.size() == 11);
  CHECK(&c[8] == next);
  CHECK(c[0] == 9);
  CHECK(c[5] == 5);
  CHECK(c[10] == 0);
}
