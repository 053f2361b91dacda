#pragma once
// Virtual time: integer nanoseconds everywhere (DESIGN rule 2). No double seconds in state.
#include <cstdint>

namespace tcplab {

using Instant = std::int64_t;   // absolute virtual time, ns since the world began
using Duration = std::int64_t;  // ns

constexpr Duration ns(std::int64_t v) { return v; }
constexpr Duration us(std::int64_t v) { return v * 1'000; }
constexpr Duration ms(std::int64_t v) { return v * 1'000'000; }
constexpr Duration sec(std::int64_t v) { return v * 1'000'000'000; }

constexpr Instant kNever = INT64_MAX;

// The TCP timestamp clock (RFC 7323 TSval): 1 ms ticks, as Linux's; never 0.
constexpr std::uint32_t ts_clock(Instant now) { return static_cast<std::uint32_t>(now / ms(1) + 1); }

}  // namespace tcplab
