#pragma once
// The on-the-wire layout both encoders (libtins in codec.cpp, the plain one in encode_plain.cpp)
// and the capture readers share: header sizes, the TCP option kinds, big-endian reads.
#include <cstddef>
#include <cstdint>

namespace tcplab::wire {

constexpr std::size_t kTcpMinHeader = 20;   // RFC 9293 3.1: data offset 5
constexpr std::size_t kTcpMaxOptions = 40;  // data offset 15 minus the fixed header
constexpr std::uint8_t kProtoTcp = 6;

// TCP option kinds (IANA).
constexpr std::uint8_t kOptEol = 0, kOptNop = 1, kOptMss = 2, kOptWscale = 3, kOptSackPerm = 4,
                       kOptSack = 5, kOptTs = 8;

inline std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
inline std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

}  // namespace tcplab::wire
