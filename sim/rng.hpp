#pragma once
// Deterministic randomness (TigerBeetle VOPR style): one seed feeds a root generator that
// hands each component its own sub-seed. Probabilities are integer ratios, never doubles.
#include <cstdint>

#include "stack/isn.hpp"

namespace tcplab {

struct Ratio {
  std::uint32_t num = 0, den = 1;  // num/den, den > 0
  bool zero() const { return num == 0; }
  friend bool operator==(const Ratio&, const Ratio&) = default;
};

class Rng {
 public:
  Rng() = default;
  explicit Rng(std::uint64_t seed) : s_(mix64(seed)) {}
  std::uint64_t next() { s_ += 0x9e3779b97f4a7c15ULL; return mix64(s_); }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(Ratio r) {
    if (r.num == 0) return false;
    if (r.num >= r.den) return true;
    return below(r.den) < r.num;
  }
  Rng fork() { return Rng(next()); }

 private:
  std::uint64_t s_ = 0;
};

}  // namespace tcplab
