// FlatMap (sim/flat_map.hpp), the world's 4-tuple table: the same answers as a std::map over
// random inserts, replacements and lookups across many growths; copies are deep.
#include <doctest/doctest.h>

#include <map>

#include "sim/rng.hpp"
#include "sim/world.hpp"

using namespace tcplab;

TEST_CASE("flat map: agrees with std::map on 4-tuple keys; a copy is independent") {
  Rng rng(11);
  FlatMap<TupleKey, TupleConn, TupleKeyHash> f;
  std::map<TupleKey, TupleConn> m;
  auto key = [&] {
    const Endpoint a{0x0A000000u + static_cast<Ipv4>(rng.below(4)), static_cast<std::uint16_t>(rng.below(3000))};
    const Endpoint b{0x0A000100u + static_cast<Ipv4>(rng.below(2)), static_cast<std::uint16_t>(80 + rng.below(3))};
    return TupleKey{a, b};
  };
  FlatMap<TupleKey, TupleConn, TupleKeyHash> half;
  for (int i = 0; i < 60000; ++i) {
    const TupleKey k = key();
    if (rng.below(2)) {
      TupleConn v;
      v.pair_conn = static_cast<std::uint32_t>(i);
      v.joined[rng.below(2)] = true;
      CHECK(f.insert_or_assign(k, v).pair_conn == v.pair_conn);
      m[k] = v;
    } else {
      const TupleConn* got = f.find(k);
      auto it = m.find(k);
      REQUIRE((got != nullptr) == (it != m.end()));
      if (got) {
        CHECK(got->pair_conn == it->second.pair_conn);
        CHECK(got->joined == it->second.joined);
      }
    }
    if (i == 30000) half = f;
  }
  CHECK(f.size() == m.size());
  CHECK(half.size() < f.size());
  for (const auto& [k, v] : m) {
    const TupleConn* got = f.find(k);
    REQUIRE(got != nullptr);
    CHECK(got->pair_conn == v.pair_conn);
  }
}
