#pragma once
// A TCP segment as the endpoint sees it: header fields, options and payload, with the
// IPv4 addresses around it. Plain data so the simulator can copy, queue and trace it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "stack/payload.hpp"
#include "stack/seq.hpp"

namespace tcplab {

using Ipv4 = std::uint32_t;  // host byte order

enum Flag : std::uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
};

struct Endpoint {
  Ipv4 ip = 0;
  std::uint16_t port = 0;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

struct SackBlock {
  Seq32 left, right;  // [left, right)
  friend bool operator==(const SackBlock&, const SackBlock&) = default;
};

struct Timestamps {
  std::uint32_t val = 0, ecr = 0;
  friend bool operator==(const Timestamps&, const Timestamps&) = default;
};

struct Segment {
  Endpoint src, dst;
  Seq32 seq, ack;
  std::uint8_t flags = 0;
  std::uint16_t wnd = 0;  // the raw 16-bit field (scaled by the receiver of it)
  // Options (RFC 9293 MSS, RFC 7323 WS and TS, RFC 2018 SACK).
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> wscale;
  bool sack_permitted = false;
  std::uint8_t sack_count = 0;  // beside the one-byte fields: no padding (104 bytes, not 112)
  std::optional<Timestamps> ts;
  std::array<SackBlock, 4> sack{};
  Payload payload;  // a shared slice, not a copy (stack/payload.hpp)

  bool has(Flag f) const { return (flags & f) != 0; }
  // SEG.LEN: payload plus one for each of SYN and FIN.
  std::uint32_t seg_len() const {
    return payload.size() + (has(kSyn) ? 1U : 0U) + (has(kFin) ? 1U : 0U);
  }
  friend bool operator==(const Segment&, const Segment&) = default;
};

// tcpdump's flag letters: "S", "S.", "P.", "F.", "R", "." ...
std::string flag_letters(std::uint8_t flags);
// "10.0.0.1"
std::string ip_to_string(Ipv4 ip);
// Parses "10.0.0.1"; nullopt if malformed.
std::optional<Ipv4> parse_ipv4(const std::string& text);
// "10.0.0.1:39870"
std::string endpoint_to_string(const Endpoint& e);

}  // namespace tcplab
