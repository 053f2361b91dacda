#pragma once
// The losses of a captured connection as a lab's fault rules (`tcplab import --to-lab`):
// which segment each retransmission says was lost, by the segment ids the trace gives
// ("drop A>B#3": A is the opener, B the other side; ordinals count each direction's segments).
#include <optional>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace tcplab {

struct CaptureLosses {
  std::vector<std::string> faults;  // sorted, each once
  bool unanswered = false;          // the other side sent nothing at all (a dead host, a filtered port)
};

// Every copy but the last of a segment sent again was lost, unless:
//  - the peer acknowledged it before the next copy: that copy got there and the ACK was lost;
//  - an ACK carries a D-SACK for it (RFC 2883): it arrived twice (a tail loss probe, a spurious RTO);
//  - it was the capture host's and it acknowledged what the peer had outstanding, which the peer
//    never sent again before the next copy reached it: the copy got there, and the peer's answer
//    (invisible here: lost before the capture point) was lost (a lost last ACK seen at the server);
//  - it left after `silent` (the far side's host was down by then: it reached no one).
// Nothing ever came back: every copy was lost, the last too.
// `near`: the capture host (0 the opener, 1 the other, -1 on the path); `rtt`: the handshake's.
CaptureLosses capture_losses(const std::vector<TraceEvent>& sends, const std::string& opener, int near, Duration rtt,
                             std::optional<Instant> silent);

}  // namespace tcplab
