#pragma once
// Sequence numbers the way tcpdump shows them: relative to the ISN of each direction (the
// sequence number of the last SYN seen that way). Used by the trace index (checks and the
// visualizer) and by `tcplab step`; the trace itself keeps absolute numbers (DESIGN "Trace").
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sim/trace.hpp"

namespace tcplab {

class RelativeSeq {
 public:
  // Feed every event in trace order (only sends matter).
  void feed(const TraceEvent& e);
  // SEG.SEQ relative to the sender's ISN (0 on the SYN itself); absolute if no SYN was seen.
  std::uint32_t seq(const TraceEvent& send) const;
  // SEG.ACK relative to the receiver's ISN; nullopt when the ACK flag is off.
  std::optional<std::uint32_t> ack(const TraceEvent& send) const;
  // The FIN's relative sequence number in the direction `from>to`, if one was sent.
  std::optional<std::uint32_t> fin_seq(const std::string& direction) const;

 private:
  std::map<std::string, std::uint32_t> isn_;  // "10.0.0.1:39870>10.0.0.2:9502" -> ISN
  std::map<std::string, std::uint32_t> fin_;  // direction -> relative seq of its FIN
};

}  // namespace tcplab
