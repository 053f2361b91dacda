#pragma once
// Segment <-> IPv4/TCP bytes (RFC 791 + RFC 9293 header, RFC 7323/2018 options).
// libtins does the building; it stays inside codec.cpp so that including this header
// does not pull libtins into the rest of the tree. Not meant for the per-segment hot
// path of the simulation: use it for pcap, the TUN bridge and tests.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stack/segment.hpp"

namespace tcplab {

// IPv4 header (20 bytes, DF set, no IP options) + TCP header + options + payload, with
// correct IP and TCP checksums. Options are written in the order Linux writes them:
//   MSS; SACK_PERM+TS (or NOP,NOP,TS without SACK_PERM); NOP,WSCALE;
//   NOP,NOP,SACK_PERM (only when there is no TS); NOP,NOP,SACK blocks.
// So a SYN is "mss,sackOK,TS,nop,wscale" and a later segment "nop,nop,TS[,nop,nop,sack]".
// Only the options present in the Segment are written. TCP option space is 40 bytes:
// SACK blocks that do not fit are left off (as Linux does: at most 3 with TS).
// The urgent pointer is 0. Never throws: a payload too big for one IPv4 datagram
// (more than 65,455 bytes) gives an empty vector.
std::vector<std::uint8_t> encode_ipv4(const Segment& s, std::uint16_t ip_id, std::uint8_t ttl = 64);

// How many SACK blocks encode_ipv4 would actually write for this segment.
std::uint8_t encodable_sack_blocks(const Segment& s);

struct DecodeResult {
  std::optional<Segment> seg;  // set on success
  std::string error;           // set on failure: what is wrong, e.g. "bad TCP checksum ..."
};

// Parses one IPv4 datagram carrying TCP. Bytes after the IPv4 total length are ignored
// (link padding). Fails with an error naming the problem for: truncated headers, wrong IP
// version or header length, IPv4 fragments, non-TCP protocols, bad IP or TCP checksum,
// bad TCP data offset, and malformed options (lengths that overrun the header or do not
// match the kind: MSS 4, WSCALE 3, SACK_PERM 2, TS 10, SACK 2+8n with n=1..4). Unknown
// option kinds with a sane length are skipped. Never throws, never reads out of bounds.
DecodeResult decode_ipv4(const std::uint8_t* data, std::size_t len);
inline DecodeResult decode_ipv4(const std::vector<std::uint8_t>& bytes) {
  return decode_ipv4(bytes.data(), bytes.size());
}

}  // namespace tcplab
