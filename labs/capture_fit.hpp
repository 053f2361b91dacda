#pragma once
// Capture -> lab, fitted by replaying it: the losses a capture cannot show. At the capture
// host, a segment the far side sent and the network lost never appears (a lost ACK at the
// sender, lost data at the receiver), so labs/capture_losses.hpp cannot name it. Running the
// lab shows it: where the replay's capture first differs from the real one, the replay has a
// segment of the far side that the capture lacks; the lab then drops that segment (by its id
// in the replay, which counts every segment the far side sent) and runs again, as long as
// each rule moves the first difference later. The fit stops at the first difference no lost
// far-side segment explains (queueing, timing) and keeps the rules that helped. If the lab
// still differs, the far side becomes a scripted peer sending its captured segments at their
// times (its timing followed more than this connection: a queue other flows filled), with
// each congestion control in turn for the capture host; kept if it replays further. Last, the
// far side's receive coalescing (tcp.gro) the capture suggests, on the best lab so far.
#include <string>
#include <vector>

#include "labs/capture_lab.hpp"

namespace tcplab {

// One segment as a capture point saw it, in the terms the replay is compared in: who sent it
// (the opener or not), flags, sequence and acknowledgment numbers relative to each side's
// ISN, and payload length.
struct CapturedSegment {
  bool from_opener = false;
  std::uint8_t flags = 0;
  std::uint32_t rel_seq = 0, rel_ack = 0, len = 0;
  friend bool operator==(const CapturedSegment&, const CapturedSegment&) = default;
};

// The connection's segments in those terms (the first SYN's sender is the opener).
std::vector<CapturedSegment> captured_segments(const std::vector<TraceEvent>& sends);

// The first index where the two differ (the shorter one's size if one is a prefix of the
// other; a.size() when they are equal).
std::size_t first_difference(const std::vector<CapturedSegment>& a, const std::vector<CapturedSegment>& b);

struct CaptureFit {
  std::string toml;                       // the lab, with the rules found (in.replay_faults)
  std::vector<std::string> rules;         // "drop B>A#171", ...
  std::size_t replayed = 0;               // how many of the capture's segments the lab replays in order (0: not fitted)
  std::size_t captured = 0;               // of how many
  bool far_scripted = false;              // the far side replays its captured segments as a script
  std::string near_cc;                    // with this congestion control at the capture host ("": the profile's)
  bool near_scripted = false;             // the capture host replays its captured segments as a script
  Duration far_gro = 0;                   // the far side's tcp.gro (0: none)
  bool other_syn_from_last = false;       // the other side connects on its last SYN (CaptureLabInput)
};

// The far side's receive coalescing a capture suggests: when the far side acknowledged runs of
// the capture host's new data segments with one ACK each, the longest time a run took to leave
// (+1 us: a run sent in one instant gets 1 us), so that a tcp.gro that long merges every run; 0
// when no ACK covered two such segments sent within 1 ms.
Duration far_gro_candidate(const CaptureLabInput& in);

// The lab of capture_lab_toml(in), with the far side's lost segments found by replaying it
// (at most max_rules of them). A capture on the path (in.near < 0) is not fitted.
CaptureFit fit_capture_lab(CaptureLabInput in, std::size_t max_rules = 64);

}  // namespace tcplab
