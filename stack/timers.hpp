#pragma once
// One optional deadline per timer kind (smoltcp-style stored deadlines, not scheduler handles):
// checkpointing a connection checkpoints its timers.
#include <array>

#include "stack/state.hpp"
#include "stack/time.hpp"

namespace tcplab {

struct Timers {
  // Filled rather than listed: a timer kind added to the enum cannot start armed at 0.
  std::array<Instant, kTimerKinds> deadline_ns = [] {
    std::array<Instant, kTimerKinds> d{};
    d.fill(kNever);
    return d;
  }();

  Instant at(TimerKind k) const { return deadline_ns[static_cast<int>(k)]; }
  bool armed(TimerKind k) const { return at(k) != kNever; }
  bool expired(TimerKind k, Instant now) const { return armed(k) && at(k) <= now; }
  Instant next() const {
    Instant n = kNever;
    for (Instant d : deadline_ns) n = d < n ? d : n;
    return n;
  }
};

}  // namespace tcplab
