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

// The packetdrill-format script of one side's part (`side`: its endpoint), times since the
// opener's SYN left (the lab's clock): '<' its segments (relative sequence numbers, its window
// and options as captured, timestamps echoing what the stack really sent), '>' the other
// side's as it must see them (any options, any window). `side_lag` is how far the side is from
// the capture point (its segments left that long before the capture saw them, the other's
// reached it that long after), `opener_lag` the opener's. `dropped` are the other side's
// ordinals that fault rules drop: they never reach it, so they get no '>' line. Without
// `arrivals`, no '>' lines at all (a script that does not check them: check_arrivals = false).
std::string side_peer_script(const std::vector<TraceEvent>& sends, const std::string& side, Duration side_lag,
                             Duration opener_lag, const std::vector<std::uint32_t>& dropped, bool arrivals = true);
// The opener's part (its SYN at 0).
inline std::string opener_peer_script(const std::vector<TraceEvent>& sends, const std::string& opener, Duration lag,
                                      const std::vector<std::uint32_t>& dropped) {
  return side_peer_script(sends, opener, lag, lag, dropped);
}

}  // namespace tcplab
