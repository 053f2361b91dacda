#pragma once
// The world fuzzer (issue 14): `tcplab torture --world`. Where `torture_scenario` draws two
// hosts and clean client/server conversations, this draws random VALID labs over the whole
// lab language: 2-5 hosts with a default [link] and [[path]]s (delay, jitter, rate, queue,
// loss, Gilbert-Elliott bursts, duplication, reordering, corruption, down intervals), or a
// [[bottleneck]] (every qdisc and buffer form, access links, a ping that starts and stops); both
// profiles and [host.tcp] keys at the edges of their legal ranges; scripts that use every
// step (listen with backlog/reuseaddr, serve + per_connection, accept, connect with
// from/reuseaddr, send N, send "text", recv N [verify], recv all [verify], wait, wait eof,
// shutdown, close, a second close, abort, crash [for T], exit); client generators (open and
// closed loop), SYN floods, port scans; hosts that crash (and come back) at random moments;
// fault rules by id, by kind ordinal, with time windows and retx, of every action; and a few
// [[check]]s of every kind (their verdicts do not matter, only that evaluating them works).
//
// Scripts are random, so most conversations do not finish: a connection may stay open
// forever, an app may block on bytes that never come, a host may never come back. What
// must still hold in every run, and is checked:
//   - nothing throws (the stack throws std::logic_error on an illegal transition; any
//     std::exception from building, running, the checks or the timeline is a violation);
//   - no hang: at most kWorldBaseEvents + kWorldEventsPerSecond * (virtual seconds) +
//     kWorldEventsPerByte * (bytes delivered to applications) world
//     events before the lab's `until` (a loop that schedules events at one instant trips it);
//   - every state change in the trace is an edge of the transition table (stack/transitions);
//   - Connection::check_invariants() on every connection, every 64 steps and at the end
//     (SND.UNA <= SND.NXT <= SND.MAX, the receive buffer within its capacity, no
//     synchronized state with our SYN unacknowledged, no FIN state without the peer's FIN);
//   - no ACK of data the peer never sent, per connection label, on connections whose both
//     ends are tcplab hosts (spoofed flood sources and scans send nothing that is traced),
//     and only in runs where no host crashed: after a crash a new incarnation reuses the
//     4-tuple with a new ISN while the peer still acknowledges the old one, and that is
//     correct TCP (the peer's answer is a challenge ACK or an RST exchange);
//   - bytes read with `verify` are those `send N` generated (World counters), only in runs
//     without crashes, with MSL >= 1s on every host, no fixed local port reused and no SYN
//     cookie that reopened an old stream (cookie_reopened_old_stream below): an old
//     duplicate accepted by a new incarnation of the same 4-tuple is what TIME_WAIT (and a
//     quiet time after a crash) exists to prevent, so without them it is not a bug;
//   - determinism: a second run (through a Timeline) gives the same trace (a hash of the
//     JSON lines);
//   - rewind: for a few random k, `world_after(k)` run on to `until` with a fresh sink gives
//     the original trace's suffix, and a fork with a no-op change equals the original.
// Not checked (they need clean endings): every connection reaching CLOSED, and bytes sent
// equal to bytes read.
#include <cstdint>
#include <string>

#include "labs/torture.hpp"
#include "sim/trace.hpp"

namespace tcplab {

inline constexpr std::uint64_t kWorldBaseEvents = 200'000;
inline constexpr std::uint64_t kWorldEventsPerSecond = 20'000;
// A one-byte receive window (tcp_rmem = [1, 1, 1]) moves every byte in its own segment, with
// its arrival, an ACK, the ACK's arrival and a window update: about four events a byte,
// however fast the link. Eight leaves room and still catches a loop that delivers nothing.
inline constexpr std::uint64_t kWorldEventsPerByte = 8;

// Linux checks a SYN cookie loosely (the MSS index in its low bits may decode as another of
// the four), so an ACK that acknowledges a byte or three of an old connection's data also
// passes as a cookie once the listener has forgotten that connection (reset, aborted): a new
// connection opens with ISS = SEG.ACK-1, inside the old one's sequence space, and the peer,
// never told, reads its bytes as the old stream's (tests/pkt/scripts/
// b-syncookie-ack-of-data-reopens.pkt shows the kernel doing it). True when the trace has a
// cookie child whose ISS is no SYN,ACK's ISS on its 4-tuple; `verify` is not checked then.
bool cookie_reopened_old_stream(const TraceEvents& events);

// Draws the random lab for `seed` (always a valid lab).
std::string world_scenario(std::uint64_t seed);
// Runs a lab text and checks the invariants above.
TortureRun world_check(std::uint64_t seed, const std::string& lab_text);

}  // namespace tcplab
