#pragma once
// Out-of-order segments held until the hole before them fills (RFC 9293 3.10.7.4, "segment
// text"). Offsets are 64-bit stream positions, so wraparound is handled by the caller's unwrap.
// Fragments are Payload slices of the segments that brought them: holding and taking them
// copies no bytes.
#include <cstdint>
#include <map>
#include <vector>

#include "stack/payload.hpp"

namespace tcplab {

class Reassembler {
 public:
  // A bound on held fragments (like smoltcp's ASSEMBLER_MAX_SEGMENT_COUNT): past it, new
  // out-of-order data is dropped and will be retransmitted.
  static constexpr std::size_t kMaxFragments = 256;

  // Stores data that starts at stream offset `at` (> next). Returns false if it was dropped.
  bool insert(std::uint64_t at, const Payload& data);
  // Takes what has become contiguous with `next` and returns it, in order (advancing nothing itself).
  std::vector<Payload> take_contiguous(std::uint64_t next);
  std::uint64_t bytes_held() const { return held_; }
  bool empty() const { return frags_.empty(); }
  // Held ranges [start, end) in order, for SACK blocks and the UI.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges() const;
  void clear() { frags_.clear(); held_ = 0; }

 private:
  std::map<std::uint64_t, Payload> frags_;  // start -> bytes; never overlapping
  std::uint64_t held_ = 0;
};

}  // namespace tcplab
