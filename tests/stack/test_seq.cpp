// Seq32: the wrapping sequence number (STYLE 1), in the manner of minnow's five
// wrapping_integers programs: wrap, unwrap near 2^32, round trip, compare across the wrap.
#include <doctest/doctest.h>

#include <cstdint>

#include "stack/seq.hpp"

using namespace tcplab;

namespace {
constexpr std::uint64_t k2_32 = 1ULL << 32;
}

TEST_SUITE("Seq32") {

TEST_CASE("Seq32: wrap: adding past 2^32 wraps to the bottom of the circle") {
  CHECK((Seq32(0xFFFFFFFFU) + 1U).raw() == 0U);
  CHECK((Seq32(0xFFFFFF00U) + 0x200U).raw() == 0x100U);
  CHECK((Seq32(5U) - 10U).raw() == 0xFFFFFFFBU);
  Seq32 s(0xFFFFFFF0U);
  s += 0x20U;
  CHECK(s.raw() == 0x10U);
  // The difference is the short way round the circle, signed.
  CHECK(Seq32(0x10U) - Seq32(0xFFFFFFF0U) == 0x20);
  CHECK(Seq32(0xFFFFFFF0U) - Seq32(0x10U) == -0x20);
}

TEST_CASE("Seq32: unwrap: zero, the ISN itself and small offsets") {
  const Seq32 isn(0);
  CHECK(Seq32(1).unwrap(isn, 0) == 1);
  CHECK(Seq32(0).unwrap(isn, 0) == 0);
  const Seq32 isn2(400);
  CHECK(Seq32(400).unwrap(isn2, 0) == 0);
  CHECK(Seq32(401).unwrap(isn2, 0) == 1);
  CHECK(Seq32(399).unwrap(isn2, 0) == k2_32 - 1);  // nearest to 0 going up (offset is non-negative)
}

TEST_CASE("Seq32: unwrap near 2^32 picks the candidate nearest the checkpoint") {
  const Seq32 isn(0);
  CHECK(Seq32(3).unwrap(isn, k2_32 - 2) == k2_32 + 3);  // just past the first wrap
  CHECK(Seq32(0xFFFFFFFEU).unwrap(isn, k2_32 + 5) == k2_32 - 2);  // just before it
  CHECK(Seq32(0xFFFFFFFEU).unwrap(isn, k2_32 - 1) == k2_32 - 2);
  CHECK(Seq32(0).unwrap(isn, 3 * k2_32) == 3 * k2_32);
  CHECK(Seq32(0x10U).unwrap(isn, 3 * k2_32 - 8) == 3 * k2_32 + 0x10);
  // With an ISN near the top, the stream offset starts at 0 across the wrap.
  const Seq32 top(0xFFFFFF00U);
  CHECK(Seq32(0xFFFFFF00U).unwrap(top, 0) == 0);
  CHECK(Seq32(0x00000100U).unwrap(top, 0x100) == 0x200);
  CHECK(Seq32(0xFFFFFFFFU).unwrap(top, 0x100) == 0xFF);
}

TEST_CASE("Seq32: round trip: wrap(unwrap(x)) == x for offsets around every wrap") {
  const Seq32 isns[] = {Seq32(0), Seq32(1), Seq32(0x7FFFFFFFU), Seq32(0xFFFFFF00U), Seq32(0xFFFFFFFFU)};
  const std::uint64_t bases[] = {0, k2_32 - 300, k2_32, 5 * k2_32 + 17, (1ULL << 40) - 1};
  for (const Seq32 isn : isns) {
    for (const std::uint64_t base : bases) {
      for (std::uint64_t d = 0; d < 600; d += 7) {
        const std::uint64_t abs = base + d;
        const Seq32 wrapped = isn + static_cast<std::uint32_t>(abs);
        CAPTURE(isn.raw());
        CAPTURE(abs);
        // Any checkpoint within 2^31 of the true value recovers it.
        CHECK(wrapped.unwrap(isn, abs) == abs);
        CHECK(wrapped.unwrap(isn, abs + (1ULL << 31) - 1) == abs);
        if (abs >= (1ULL << 31)) CHECK(wrapped.unwrap(isn, abs - (1ULL << 31) + 1) == abs);
      }
    }
  }
}

TEST_CASE("Seq32: compare across the wrap: order is the sign of the wrapped difference") {
  const Seq32 a(0xFFFFFFF0U), b(0x10U);
  CHECK(seq_lt(a, b));
  CHECK(seq_le(a, b));
  CHECK(seq_gt(b, a));
  CHECK(seq_ge(b, a));
  CHECK_FALSE(seq_lt(b, a));
  CHECK(seq_le(a, a));
  CHECK_FALSE(seq_lt(a, a));
  CHECK(seq_max(a, b) == b);
  CHECK(seq_min(a, b) == a);
  // lo =< x < hi across the wrap.
  CHECK(seq_in(Seq32(0xFFFFFFFFU), a, b));
  CHECK(seq_in(Seq32(0), a, b));
  CHECK(seq_in(a, a, b));
  CHECK_FALSE(seq_in(b, a, b));
  CHECK_FALSE(seq_in(Seq32(0x11U), a, b));
  // Half the circle away: 2^31 - 1 ahead is "after", 2^31 + 1 ahead is "before".
  CHECK(seq_gt(Seq32(0) + 0x7FFFFFFFU, Seq32(0)));
  CHECK(seq_lt(Seq32(0) + 0x80000001U, Seq32(0)));
}

}  // TEST_SUITE
