#pragma once
// What a capture point sees of a run: the frames `tcplab run --pcap` writes and the observer
// view (sim/observer.hpp) analyses, in capture order. One place decides it, so the pcap and
// the view can never disagree about what was captured.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "sim/trace.hpp"

namespace tcplab {

// Where a capture is taken: kCaptureLink, or a host's index.
constexpr int kCaptureLink = -1;

struct CapturedFrame {
  Instant t_ns = 0;          // send time (own sends, or at the link) or arrival time
  std::size_t send = 0;      // index in the trace of the Send event that made it
  std::size_t event = 0;     // index in the trace of the event it was captured at (Send or Deliver)
  std::uint16_t ip_id = 0;   // the IPv4 id the sender gave it (per sender, in send order)
  bool arrival = false;      // it arrived at the capture host (not sent by it)
  bool copy = false;         // a second arrival of one send (the link duplicated it)
};

// "10.0.0.1:1>10.0.0.2:2" -> "10.0.0.2:2>10.0.0.1:1": a Deliver event's connection is
// labelled from the receiver's side, its Send's (and a Drop's) from the sender's.
std::string reversed_pair(const std::string& conn);

// At kCaptureLink: every sent segment at its send time (a tap that sees every send,
// including the ones lost later). At host H: what tcpdump on H would capture: H's own sends
// at send time, and the segments that reach H at their arrival time (a segment lost or
// corrupted on the way is not there; a duplicated one is there twice), so the timestamps
// never go back.
void for_each_captured(const TraceEvents& trace, std::size_t hosts, int capture,
                       const std::function<void(const CapturedFrame&)>& frame);

}  // namespace tcplab
