#pragma once
// Out-of-order segments held until the hole before them fills (RFC 9293 3.10.7.4, "segment
// text"). Offsets are 64-bit stream positions, so wraparound is handled by the caller's unwrap.
// Held bytes are kept as runs: each run is a range with no hole in it, made of the Payload
// slices of the segments that brought them (holding and taking them copies no bytes). A
// segment that extends a run joins it, so a window of thousands of segments after one loss is
// one run; runs never touch (one that reaches the next merges with it).
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "stack/payload.hpp"

namespace tcplab {

class Reassembler {
 public:
  // A bound on the separate ranges held (the holes between them), as a guard against a peer
  // that sends thousands of slivers: past it, data that would start another range is dropped
  // and will be sent again. Linux bounds the out-of-order queue by memory alone (its
  // receive buffer, stack/rcv_memory.hpp), which the caller checks before inserting; the
  // number of segments held is not bounded here (a bound of 256 segments once dropped most
  // of a large window that followed a single loss).
  static constexpr std::size_t kMaxRuns = 4096;

  // Stores data that starts at stream offset `at` (> next). Returns false if it was dropped.
  bool insert(std::uint64_t at, const Payload& data);
  // Takes what has become contiguous with `next` and returns it, in order (advancing nothing itself).
  std::vector<Payload> take_contiguous(std::uint64_t next);
  std::uint64_t bytes_held() const { return held_; }
  bool empty() const { return runs_.empty(); }
  // Held ranges [start, end) in order, for SACK blocks and the UI.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges() const;
  // The held range that contains offset x, if any.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> range_of(std::uint64_t x) const;
  // Calls f(start, end) for each held range in order until it returns false.
  template <typename F>
  void each_range(F&& f) const {
    for (const auto& [start, run] : runs_)
      if (!f(start, run.end)) return;
  }
  void clear() {
    runs_.clear();
    held_ = 0;
  }

 private:
  struct Run {
    std::uint64_t end = 0;
    std::vector<Payload> pieces;  // contiguous from the run's start to end, in order
  };
  std::map<std::uint64_t, Run> runs_;  // start -> run; apart, never touching
  std::uint64_t held_ = 0;
};

}  // namespace tcplab
