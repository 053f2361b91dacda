// DemuxTable, the connection demultiplexer's open-addressing table, against std::map under
// the operations TcpHost makes: set, find, and erase of an entry that still maps to a given
// connection, with keys that collide and runs that wrap around the end of the table.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>

#include "stack/demux_table.hpp"

using namespace tcplab;

TEST_CASE("demux table: agrees with std::map over 200,000 random operations") {
  DemuxTable t;
  std::map<std::uint64_t, std::uint32_t> ref;
  std::mt19937_64 rng(7);
  // Few distinct keys, so sets overwrite, erases hit, and probe runs form and break up.
  auto random_key = [&] { return (rng() % 3000) * 65536 + 80; };
  for (int op = 0; op < 200000; ++op) {
    const std::uint64_t k = random_key();
    const auto v = static_cast<std::uint32_t>(rng() % 5);
    switch (rng() % 3) {
      case 0:
        t.set(k, v);
        ref[k] = v;
        break;
      case 1: {  // erase only if it still maps to v (an older incarnation must not remove a newer one)
        t.erase_if(k, v);
        auto it = ref.find(k);
        if (it != ref.end() && it->second == v) ref.erase(it);
        break;
      }
      default: {
        const std::uint32_t* got = t.find(k);
        auto it = ref.find(k);
        REQUIRE((got != nullptr) == (it != ref.end()));
        if (got) REQUIRE(*got == it->second);
      }
    }
    REQUIRE(t.size() == ref.size());
  }
  for (const auto& [k, v] : ref) {
    const std::uint32_t* got = t.find(k);
    REQUIRE(got != nullptr);
    CHECK(*got == v);
  }
}

TEST_CASE("demux table: an empty table finds nothing; erasing a missing key is harmless") {
  DemuxTable t;
  CHECK(t.find(42) == nullptr);
  t.erase_if(42, 1);
  t.set(42, 1);
  t.erase_if(42, 2);  // maps to 1, not 2: stays
  REQUIRE(t.find(42) != nullptr);
  CHECK(*t.find(42) == 1);
  t.erase_if(42, 1);
  CHECK(t.find(42) == nullptr);
  CHECK(t.size() == 0);
}
