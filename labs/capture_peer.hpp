#pragma once
// The opener of a captured connection as a scripted peer (`[app.peer]`), for `tcplab import
// --to-lab` when it sent what no TCP stack sends: an off-path attacker's blind RSTs, a SYN in
// the middle of the connection, an ACK older than one it had sent or of data never sent,
// segments after the peer's RST had closed its connection (the catalogue's blind-reset,
// syn-in-established, old-duplicate-ack and data-after-close). No application's calls make a
// stack send those, so the lab replays its segments as written: the capture's '<' lines at the
// times it sent them, and the other side's segments as the '>' lines it expects back.
#include <optional>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace tcplab {

// Why the opener's segments are not a TCP stack's (the first one that is not), or nothing.
// `lag` is how long after the capture saw them the opener's peer's segments reached it
// (0 at the opener, the one-way delay at the other side, half of it on the path): a segment
// it sent after the peer's RST had reached it is one a stack does not send.
std::optional<std::string> opener_unlike_a_stack(const std::vector<TraceEvent>& sends, const std::string& opener,
                                                 Duration lag);

// The packetdrill-format script of the opener's part: times since its SYN left, '<' its
// segments (relative sequence numbers, its window and options as captured, timestamps
// echoing what the stack really sent), '>' the other side's as the peer must see them (any
// options, any window). `dropped` are the other side's ordinals that fault rules drop: they
// never reach the peer, so they get no '>' line.
std::string opener_peer_script(const std::vector<TraceEvent>& sends, const std::string& opener, Duration lag,
                               const std::vector<std::uint32_t>& dropped);

}  // namespace tcplab
