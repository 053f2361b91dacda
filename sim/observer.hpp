#pragma once
// The observer's view: what Wireshark infers from a capture (its `tcp.analysis` flags) beside
// what the endpoints knew. Two halves:
//   analyze_capture   pure: the segments seen at one capture point, in capture order ->
//                     per-segment flags, by the rules Wireshark 4.0 documents (User's Guide
//                     7.5 "TCP Analysis") and applies (its TCP dissector's sequence analysis):
//                     it sees only headers and timestamps, and guesses.
//   observe           the same frames with the truth from tcplab's trace: was it really a
//                     retransmission, and why; was a missing segment lost or still on its
//                     way; what made the receiver send that "duplicate" ACK; and, where the
//                     guess and the truth differ, one line of why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/capture.hpp"
#include "sim/trace.hpp"

namespace tcplab {

// Wireshark's tcp.analysis flags (the field names after "tcp.analysis.").
enum class WsFlag : std::uint8_t {
  Retransmission,
  FastRetransmission,
  SpuriousRetransmission,
  OutOfOrder,
  LostSegment,
  AckLostSegment,
  DuplicateAck,
  ZeroWindow,
  ZeroWindowProbe,
  ZeroWindowProbeAck,
  KeepAlive,
  KeepAliveAck,
  WindowUpdate,
  WindowFull,
  ReusedPorts,
};
constexpr int kWsFlags = 15;
static_assert(static_cast<int>(WsFlag::ReusedPorts) + 1 == kWsFlags, "kWsFlags counts WsFlag");

// "retransmission", "duplicate_ack", ...: tshark's field name after "tcp.analysis.".
std::string_view ws_field(WsFlag f);
// Wireshark's Info-column words: "TCP Retransmission", "TCP Previous segment not captured".
std::string_view ws_words(WsFlag f);

// One captured segment: what a capture file holds (header, payload length, timestamp).
struct ObservedSegment {
  Instant t_ns = 0;  // as the pcap stores it (whole microseconds)
  Segment seg;       // header and options; the payload may be a prefix
  std::uint32_t len = 0;
};

struct WsAnalysis {
  std::uint32_t flags = 0;            // bit (1 << WsFlag)
  std::uint32_t dup_ack_num = 0;      // n of "Dup ACK f#n"
  std::size_t dup_ack_frame = 0;      // f: the frame (1-based) of the ACK it repeats
  // For data that did not advance the sequence: how long after the highest segment it came,
  // and the out-of-order threshold (the initial RTT measured, or 3 ms without one).
  Instant after_highest = 0, ooo_threshold = 0;
  bool has(WsFlag f) const { return (flags >> static_cast<int>(f)) & 1U; }
  void set(WsFlag f) { flags |= 1U << static_cast<int>(f); }
  // Wireshark's labels in its order: "[TCP Dup ACK 3#1] [TCP Window Update]" ("" for none).
  std::string labels() const;
};

// Wireshark's sequence analysis over a capture, frame by frame (result[i] is frame i+1).
std::vector<WsAnalysis> analyze_capture(const std::vector<ObservedSegment>& frames);

// What the endpoints knew about one captured frame (from the trace, not the capture).
struct FrameTruth {
  std::string id;                 // the sender's segment id, "A>B#3"
  std::string kind;               // SYN, DATA, ACK, ...
  bool retx = false;              // the sender repeated sequence space it had sent before
  bool loss_probe = false;        // a tail loss probe (RFC 8985 7.3)
  bool copy = false;              // a second arrival of one send: the link duplicated it
  std::string discarded;          // "firewall: discard B>A#1": captured arriving, thrown away before the TCP
  // What made the sender send it: "RTO", "TLP", "ACK" (an arriving segment: fast retransmit,
  // recovery, or an answer), "DELACK", "PERSIST", "KEEPALIVE", "app" (an application call),
  // or "" (unknown). A cause recorded in the trace by the stack would take its place.
  std::string trigger;
  std::string trigger_id;         // the arriving segment's id when trigger == "ACK"
  std::string what;               // one line: what it really was
  std::string why;                // where Wireshark's guess differs from the truth: why ("" agrees)
};

struct ObservedFrame {
  CapturedFrame frame;
  ObservedSegment seen;
  WsAnalysis ws;
  FrameTruth truth;
};

// The capture point's frames, analysed and explained. `hosts` is the world's host count.
std::vector<ObservedFrame> observe(const TraceEvents& trace, std::size_t hosts, int capture);

// A frame worth its "knew:" line (the text view) or its row among the flagged ones (the
// visualizer): Wireshark labels it, or the endpoints knew more about it than the capture says.
bool observer_notable(const ObservedFrame& f);

}  // namespace tcplab

namespace tcplab {

// The observer view as text: each frame as tcpdump prints it with Wireshark's labels, and
// under the frames Wireshark labels or the endpoints knew more about, "knew:" (the truth)
// and "≠" (why Wireshark's guess differs). `where` names the capture point.
std::string observer_text(const std::vector<ObservedFrame>& frames, const TraceEvents& trace,
                          const std::vector<std::string>& host_names, const std::string& where);
// A per-frame summary, one line per frame: number, flags (tshark's field names, comma
// separated, "-" for none), duplicate ACK number (0 for none), and why ("" agrees), by tabs.
std::string observer_fields(const std::vector<ObservedFrame>& frames);
// How many frames Wireshark's guess and the truth differ on.
std::size_t observer_disagreements(const std::vector<ObservedFrame>& frames);

}  // namespace tcplab
