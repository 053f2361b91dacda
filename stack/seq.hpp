#pragma once
// Sequence numbers live in a 2^32 circle (RFC 9293 3.4). Seq32 makes the wrapped
// comparisons the only ones that can be written.
#include <cstdint>

namespace tcplab {

class Seq32 {
 public:
  constexpr Seq32() = default;
  constexpr explicit Seq32(std::uint32_t raw) : raw_(raw) {}
  constexpr std::uint32_t raw() const { return raw_; }

  constexpr Seq32 operator+(std::uint32_t n) const { return Seq32(raw_ + n); }
  constexpr Seq32 operator-(std::uint32_t n) const { return Seq32(raw_ - n); }
  constexpr Seq32& operator+=(std::uint32_t n) { raw_ += n; return *this; }
  // Distance from b to a, as a signed 32-bit value: positive when a is "after" b.
  constexpr friend std::int32_t operator-(Seq32 a, Seq32 b) {
    return static_cast<std::int32_t>(a.raw_ - b.raw_);
  }
  constexpr friend bool operator==(Seq32 a, Seq32 b) = default;

  // Absolute position relative to isn, nearest to checkpoint (a 64-bit stream offset).
  std::uint64_t unwrap(Seq32 isn, std::uint64_t checkpoint) const;

 private:
  std::uint32_t raw_ = 0;
};

constexpr bool seq_lt(Seq32 a, Seq32 b) { return (a - b) < 0; }
constexpr bool seq_le(Seq32 a, Seq32 b) { return (a - b) <= 0; }
constexpr bool seq_gt(Seq32 a, Seq32 b) { return (a - b) > 0; }
constexpr bool seq_ge(Seq32 a, Seq32 b) { return (a - b) >= 0; }
constexpr Seq32 seq_max(Seq32 a, Seq32 b) { return seq_lt(a, b) ? b : a; }
constexpr Seq32 seq_min(Seq32 a, Seq32 b) { return seq_lt(a, b) ? a : b; }
// lo <= x < hi on the circle (RFC 9293's "lo =< x < hi").
constexpr bool seq_in(Seq32 x, Seq32 lo, Seq32 hi) { return seq_le(lo, x) && seq_lt(x, hi); }

}  // namespace tcplab
