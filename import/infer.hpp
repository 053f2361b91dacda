#pragma once
// Infers, from the segments a capture holds, each connection's two sides: their RFC 9293
// states over time, with the rule that explains each transition, and an estimate of their
// TCBs. The output is the trace's own records (sim/trace.hpp): a `send` per captured segment
// and a `state` per inferred transition, in time order, so every view of a run (the tcpdump
// text, the JSON Lines trace, netstat) reads a capture the same way.
//
// The capture point matters. At a host (--at-host, or guessed: the address in every
// connection) that host's side is seen exactly: its sends at send time, its arrivals at
// arrival time, and its state changes happen at those instants. The far side is inferred
// from what it sent and what it answered: its sends left one one-way delay before they were
// captured, our sends reach it one delay after; the delay is half the handshake's RTT
// measured at the capture point. Its transitions are therefore placed within about that
// delay, and only once its answer shows them (later than they happened, and less surely:
// a segment lost on the far side's path cannot be seen). The cause text says which.
// A capture on the path (no host in every connection) treats both sides that way, with
// no delay to either (the tap's position is unknown).
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "import/address_book.hpp"
#include "import/frame.hpp"
#include "sim/trace.hpp"

namespace tcplab::capture {

struct InferOptions {
  std::string at_host;                // the capture host's address; "" guesses it
  Duration time_wait = sec(60);       // Linux TCP_TIMEWAIT_LEN (2*MSL)
  int syn_retries = 6;                // Linux net.ipv4.tcp_syn_retries
  int syn_linear_timeouts = 4;        // Linux 6.5+ net.ipv4.tcp_syn_linear_timeouts (1 s timeouts first)
  int synack_retries = 5;             // Linux net.ipv4.tcp_synack_retries
  Duration horizon = sec(5);          // how far back an inferred event may be placed
  std::size_t guess_frames = 4096;    // frames read before the capture host is guessed
};

// An estimate of one side's TCB (RFC 9293 3.3.1) and what its segments showed.
struct SideTcb {
  int host = -1;
  Endpoint ep;
  bool near = false;        // the capture host's side (seen exactly)
  State state = State::Closed;
  Instant since = 0;        // when it entered `state`
  bool passive = false;     // opened by a SYN it received
  bool orphan_hint = false; // sent its FIN (the application closed or shut down)
  std::optional<std::uint32_t> iss;
  std::uint32_t snd_una = 0, snd_nxt = 0, rcv_nxt = 0;  // absolute; rcv_nxt from its ACKs
  std::optional<std::uint32_t> fin_seq;                 // SEG.SEQ of its FIN
  int wscale = -1;                  // the shift it announced (-1: none)
  std::uint64_t wnd_bytes = 0;      // its last window, scaled (RFC 7323 2.3)
  std::uint64_t segments = 0, bytes = 0, retransmits = 0, dup_acks = 0, zero_windows = 0, probes = 0,
                keepalives = 0, rsts = 0, syns = 0;
  std::uint64_t rto_chain = 0, longest_rto_chain = 0;  // consecutive RTO retransmissions
  std::uint64_t rtt_samples = 0;
  Duration rtt_min = 0, srtt = 0, rtt_last = 0;         // RFC 6298 2 (SRTT), from its data's ACKs
  Instant last_send = -1, last_data = -1;
  Instant zero_since = -1;          // advertising a zero window since then
  Duration zero_longest = 0;
  Instant zero_longest_at = 0;
};

struct ConnInfo {
  std::uint64_t number = 0;  // 1, 2, ... in order of first segment
  std::string label;         // "10.0.0.1:39870>10.0.0.2:9502": side 0 (the opener) first
  std::array<std::string, 2> side_label;  // each side's own view, as its trace records name it: "local>remote"
  Instant first = 0, last = 0;
  bool handshake = false;    // the SYN was captured
  bool midstream = false;    // already open when the capture started
  Duration delay = -1;       // the one-way delay the handshake showed (-1: not known)
  Duration delay_now = -1;   // the one it uses now for the far side (half the smallest recent RTT)
  std::array<SideTcb, 2> side;
  std::uint64_t fins_seen = 0;
};

class Inference {
 public:
  using EventFn = std::function<void(const TraceEvent&)>;
  using ConnFn = std::function<void(const ConnInfo&)>;
  // on_event gets the trace records in time order; on_end each connection when it is over
  // (both sides CLOSED) or at finish().
  Inference(InferOptions opt, EventFn on_event, ConnFn on_end = {});
  ~Inference();
  Inference(const Inference&) = delete;
  Inference& operator=(const Inference&) = delete;

  void frame(Instant t, std::uint64_t frame_number, const DecodedFrame& f);
  // Fires the timers the capture's time covers and hands on everything still held.
  // `until`: stop there (the time netstat looks at); default the last frame's time.
  void finish(std::optional<Instant> until = std::nullopt);
  // After each frame: its connection with both sides' TCB estimates as they stand then (the
  // visualizer's endpoint panel and plots at any moment). Before the first frame.
  void on_frame(ConnFn fn);
  // The connections still open (not over), in order of their number.
  std::vector<ConnInfo> live() const;

  const AddressBook& addresses() const;
  // The capture host's address ("" on the path), once known; why it was chosen.
  std::string capture_host() const;
  std::string capture_point_note() const;
  Instant last_time() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcplab::capture
