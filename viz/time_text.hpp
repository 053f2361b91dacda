#pragma once
// Short virtual times and durations, as the panels print them next to what they show.
#include <string>

#include "stack/time.hpp"

namespace tcplab::viz {

// "1.050 ms", "101.300 ms", "60.101 s": short virtual times for labels.
std::string short_time(Instant t);
// "59.99 s", "200 ms", "50 us": a duration for countdowns.
std::string short_duration(Duration d);

}  // namespace tcplab::viz
