#pragma once
// Short virtual times and durations, as the panels print them next to what they show: the
// same functions as the headless pictures (labs/panel_layout.hpp).
#include "labs/panel_layout.hpp"

namespace tcplab::viz {

using layout::short_duration;  // "59.99 s", "200 ms", "50 us": a duration for countdowns
using layout::short_time;      // "1.050 ms", "101.300 ms", "60.101 s": short virtual times for labels

}  // namespace tcplab::viz
