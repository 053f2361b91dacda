#pragma once
// Random fault schedules (issue 8): each run draws a scenario (connections, sizes, who closes
// first, simultaneous open or close) and a fault schedule (loss, bursts, duplication,
// reordering, corruption, link down) as a lab file, runs it, and checks invariants: bytes
// delivered once and in order unless the app was told the connection failed; the run ends
// and every connection reaches CLOSED; every state change is an edge of RFC 9293 Figure 5;
// SND.UNA <= SND.NXT and no ACK of unsent data; the replay from the seed is identical.
#include <cstdint>
#include <string>
#include <vector>

namespace tcplab {

struct TortureRun {
  std::uint64_t seed = 0;
  std::string lab_text;                 // the scenario as a lab file
  std::vector<std::string> violations;  // empty when every invariant held
  std::uint64_t bytes_delivered = 0;
  std::uint64_t trace_events = 0;
};

// "A>B" -> "B>A": a connection as its peer names it in the trace.
std::string reverse_conn(const std::string& conn);
// Draws the scenario for `seed` as lab text.
std::string torture_scenario(std::uint64_t seed);
// Runs a lab text and checks the invariants.
TortureRun torture_check(std::uint64_t seed, const std::string& lab_text);
// Tries simpler variants of a failing lab that still fail; returns the smallest found.
std::string torture_shrink(std::uint64_t seed, const std::string& lab_text, int max_tries = 40);

}  // namespace tcplab
