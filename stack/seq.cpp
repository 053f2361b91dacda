#include "stack/seq.hpp"

namespace tcplab {

std::uint64_t Seq32::unwrap(Seq32 isn, std::uint64_t checkpoint) const {
  const std::uint64_t offset = static_cast<std::uint32_t>(raw_ - isn.raw_);
  constexpr std::uint64_t kWrap = 1ULL << 32;
  // Candidates share the low 32 bits; pick the one nearest the checkpoint.
  std::uint64_t base = (checkpoint & ~(kWrap - 1)) | offset;
  std::uint64_t best = base;
  auto dist = [](std::uint64_t a, std::uint64_t b) { return a > b ? a - b : b - a; };
  if (base >= kWrap && dist(base - kWrap, checkpoint) < dist(best, checkpoint)) best = base - kWrap;
  if (dist(base + kWrap, checkpoint) < dist(best, checkpoint)) best = base + kWrap;
  return best;
}

}  // namespace tcplab
