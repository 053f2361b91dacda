#pragma once
// The scripted peer's side of a packetdrill-format script: turns '<' lines into segments
// and checks the stack's segments against '>' lines, with packetdrill's rules for
// relative numbers. Plain data, no I/O: the runner (pkt/runner) and a lab's scripted host
// (sim) both use it.
//
// Numbers in a script are relative:
//  - the peer's own sequence numbers (seq of '<' lines, ack of '>' lines, SACK blocks of
//    '>' lines) are offsets from the peer's ISN, kPeerIsn;
//  - the stack's sequence numbers (seq of '>' lines, ack and SACK blocks of '<' lines) are
//    offsets from the stack's ISN, learned from the first SYN or SYN-ACK it sends (a new
//    SYN or SYN-ACK, as on a reopened TIME_WAIT pair, learns it again);
//  - TS val of '<' lines is sent as written (it is the peer's clock); TS ecr of '<' lines
//    names a TS val the script wrote on a '>' line and is sent as the value the stack
//    actually put there. A '>' line's TS val is not checked (it is the stack's clock); its
//    TS ecr must be the peer's TS val it echoes.
// Option order and padding (nop, eol) are not compared: tcplab's Segment keeps options as
// fields. Everything else a '>' line writes is compared.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "pkt/script.hpp"
#include "stack/segment.hpp"

namespace tcplab::pkt {

constexpr std::uint32_t kPeerIsn = 0;
constexpr std::uint16_t kDefaultInboundWindow = 65535;

class Peer {
 public:
  Peer(Endpoint peer, Endpoint stack) : peer_(peer), stack_(stack) {}

  // The segment a '<' line injects.
  Segment inbound(const PacketLine& line) const;
  // "" when `seg` is (the first piece of) what `line` expects, else what differs. A '>' line
  // longer than one segment (packetdrill scripts expect segmentation offload) is matched by
  // consecutive segments: `covered` says how many of its payload bytes earlier segments
  // already matched, and the caller calls again until covered == line.len.
  std::string match(const PacketLine& line, const Segment& seg, std::uint32_t covered = 0);
  // Learns what a stack segment tells (its ISN, its port, its TS val) after a match.
  void learn(const PacketLine& line, const Segment& seg);
  // The same for a segment no line checks (a script that does not check arrivals): a SYN's
  // sequence number is the stack's ISN (relative 0), and its TS val is the latest.
  void learn_unchecked(const Segment& seg);

  // The stack's segment in the script's own terms: "S. 0:0(0) ack 1 win 65160 <mss 1460,...>".
  std::string describe(const Segment& seg) const;
  // The stack's port, once known (a connect() script learns it from the SYN).
  void set_stack_port(std::uint16_t p) { stack_.port = p; }
  const Endpoint& stack() const { return stack_; }
  bool stack_isn_known() const { return stack_isn_.has_value(); }

 private:
  std::uint32_t stack_rel(Seq32 s) const { return s.raw() - stack_isn_.value_or(0); }
  std::uint32_t peer_rel(Seq32 s) const { return s.raw() - kPeerIsn; }

  Endpoint peer_, stack_;
  std::optional<std::uint32_t> stack_isn_;
  std::map<std::uint32_t, std::uint32_t> ts_val_;  // a '>' line's TS val -> the stack's actual one
  std::uint32_t last_ts_val_ = 0;                  // the stack's latest TS val
};

// "S." "P." "F." "R" "." with E and W: a script's flag letters for a Segment's flags.
std::string script_flags(std::uint8_t flags);

}  // namespace tcplab::pkt
