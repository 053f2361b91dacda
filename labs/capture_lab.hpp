#pragma once
// `tcplab import CAPTURE --to-lab conn.toml --conn N`: a lab that reproduces one captured
// connection, so every tcplab tool applies to it (step it, fork it, grade it):
//   * two hosts, the opener and the other, with the capture's addresses (IPv6: 10.0.0.1/2)
//     and ports (`connect ... from PORT`);
//   * the link's one-way delay: half the handshake's RTT as the capture point measured it;
//   * each side's application calls from its data's timing and sizes: `send N` for each burst
//     of new data, `recv N` for what arrived before it, `wait D` for the pauses between, `close`
//     when its FIN left (`recv all` first when the peer's FIN came before; the pause before it
//     kept to the microsecond), `listen`/`accept` on the passive side; times on each side's own
//     clock (the far side sends one one-way delay before the capture sees it);
//   * each side's buffers where the capture shows them: a receive buffer from its SYN's window
//     and scale, a send buffer grown beyond tcplab's fixed 64 KiB from what it had in flight;
//   * the losses as fault rules by segment id (labs/capture_losses.hpp), ids as the trace
//     numbers them;
//   * an opener that sent what no stack sends (blind RSTs, old ACKs, a SYN mid-connection) as a
//     scripted peer replaying its segments (labs/capture_peer.hpp).
// The losses the capture point never saw are found by replaying the lab (labs/capture_fit.hpp,
// which `tcplab import --to-lab` calls). What a capture cannot give (delayed-ACK choices, queue
// delays) is the simulator's; the lab says so in its explanation.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace tcplab {

struct CaptureLabInput {
  std::string capture;                 // the file's name, for the lab's title
  std::vector<TraceEvent> sends;       // the connection's `send` records, in time order
  std::vector<std::string> addresses;  // the two sides' address texts: opener first
  Duration rtt = -1;                   // the handshake's RTT at the capture point (-1: unknown)
  int near = -1;                       // the side the capture was taken on: 0 the opener, 1 the other, -1 on the path
  // Losses of the far side's segments before the capture point, found by replaying the lab
  // (labs/capture_fit.hpp): "drop B>A#171", after the rules the capture itself shows.
  std::vector<std::string> replay_faults;
  // The far side as a scripted peer replaying its captured segments at their times, not a
  // stack: for a capture whose far side's timing depended on more than this connection (a
  // queue other flows filled). labs/capture_fit.hpp tries it when the lab does not replay.
  bool far_scripted = false;
  // The capture host as a scripted peer replaying its captured segments, the far side a stack:
  // for a capture host whose segments no application's calls make the lab's stack send (a
  // kernel's write path: Linux's PSH inside a long write; an order within microseconds that the
  // capture cannot resolve). labs/capture_fit.hpp tries it when nothing else replays.
  bool near_scripted = false;
  std::string near_cc;  // the capture host's congestion control ("newreno", ...; "": the profile's)
  // The far side's receive coalescing (tcp.gro; 0: none): its kernel merged back-to-back
  // segments before its TCP took them, and acknowledged each merged pair once.
  // labs/capture_fit.hpp infers it when nothing else replays.
  Duration far_gro = 0;
  // A simultaneous open whose SYNs both went again before they crossed: the other side's
  // connect() timed from its last SYN rather than its first, on the opener's SYN timer. The
  // lab's SYN timers fire on time; Linux's fire late (its timer wheel), by a different amount
  // each, and the crossing depends on the last copies. labs/capture_fit.hpp tries it.
  bool other_syn_from_last = false;
};

// The lab's TOML text. Throws std::runtime_error when the segments are not one connection
// with a handshake.
std::string capture_lab_toml(const CaptureLabInput& in);

// "10.0.0.1:39870" of "10.0.0.1:39870>10.0.0.2:9502": the sender's endpoint.
inline std::string capture_endpoint(const std::string& conn) { return conn.substr(0, conn.find('>')); }
// 3 of "A>B#3": the segment's ordinal in its direction, as fault rules name it.
inline std::uint32_t capture_ordinal(const TraceEvent& send) {
  return static_cast<std::uint32_t>(std::stoul(std::string(send.id).substr(std::string(send.id).rfind('#') + 1)));
}

// The connection key of a `send` record: its id without the ordinal, the same both ways
// ("10.0.0.1>10.0.0.2" and "10.0.0.2>10.0.0.1" give one key, ".2" kept).
std::string capture_conn_key(const TraceEvent& send);

}  // namespace tcplab
