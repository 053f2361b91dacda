#pragma once
// `tcplab bench dumbbell LAB` (bench/dumbbell.cpp): a bottleneck lab measured the way
// bench/ns3/ns3_dumbbell.cc measures ns-3.
#include <cstdint>
#include <optional>
#include <string>

namespace tcplab::cli {

struct DumbbellArgs {
  std::string lab;                     // a lab file with a [[bottleneck]]
  std::string from = "10s", to, until;  // the window; to: default the run's end; until: the lab's
  std::optional<std::uint64_t> seed;   // default: the lab's
};

// Prints the summary and one RESULT line; returns kOk (throws BadInput on bad input).
int bench_dumbbell(const DumbbellArgs& a);

}  // namespace tcplab::cli
