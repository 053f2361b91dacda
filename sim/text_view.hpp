#pragma once
// The trace as tcpdump would print it (the reference article's capture format): absolute
// sequence numbers on SYNs, relative after, `Flags [S.]`, `options [...]`, `length N`.
// State changes, drops and application calls are interleaved on lines of their own, marked
// so they cannot be mistaken for packets.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace tcplab {

struct TextViewOptions {
  bool states = true;   // "**" lines
  bool drops = true;    // "XX" lines
  bool apps = true;     // ".." lines
  bool timers = false;  // "~~" lines (noisy)
  bool causes = true;   // the rule behind each state change
  bool absolute = false;  // tcpdump -S
};

class TextView {
 public:
  TextView(std::vector<std::string> host_names, TextViewOptions opt = {})
      : names_(std::move(host_names)), opt_(opt) {}
  // The line for one event, or "" when it is not shown. Feed events in trace order.
  std::string line(const TraceEvent& e);
  std::string render(const TraceEvents& events);

  static std::string clock(Instant t);          // "00:00:01.000250"
  static std::string tcpdump_ip(const Endpoint& e);  // "10.0.0.1.39870"

 private:
  std::string packet(const TraceEvent& e);
  std::vector<std::string> names_;
  TextViewOptions opt_;
  std::map<std::string, std::uint32_t> isn_;  // "src>dst" -> ISN of that direction
};

// Reads tcpdump's flag letters back ("S.", "FP.", "R", "[S.]", "none") into flag bits, as
// students and lab files write them; nullopt for an unknown or repeated letter.
std::optional<std::uint8_t> parse_flag_letters(const std::string& text);

}  // namespace tcplab
