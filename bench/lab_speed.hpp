#pragma once
// `tcplab bench lab LAB [--series]` (bench/lab_speed.cpp): how long a lab's world takes to run,
// with the trace recorded as `tcplab run` records it, and optionally the congestion series as
// `tcplab plot` records them; bench/series_overhead.sh compares the two.
#include <cstdint>
#include <optional>
#include <string>

namespace tcplab::cli {

struct LabSpeedArgs {
  std::string lab;
  bool series = false;
  std::optional<std::uint64_t> seed;  // default: the lab's
};

// Prints one RESULT line; returns kOk (throws BadInput on bad input).
int bench_lab_speed(const LabSpeedArgs& a);

}  // namespace tcplab::cli
