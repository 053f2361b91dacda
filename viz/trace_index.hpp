#pragma once
// The panels read a timeline through the trace index (sim/trace_index.hpp, shared with the
// checks); this header adds the short times and durations they print next to it.
#include <string>

#include "sim/trace_index.hpp"

namespace tcplab::viz {

// "1.050 ms", "101.300 ms", "60.101 s": short virtual times for labels.
std::string short_time(Instant t);
// "59.99 s", "200 ms", "50 us": a duration for countdowns.
std::string short_duration(Duration d);

}  // namespace tcplab::viz
