#pragma once
// Initial sequence numbers in the manner of RFC 6528: ISN = M + F(4-tuple, secret), where
// M is a 4 microsecond clock and F a keyed hash. Deterministic given the world's seed.
#include <cstdint>

#include "stack/segment.hpp"
#include "stack/time.hpp"

namespace tcplab {

// A strong 64-bit mixer (splitmix64's finaliser); also the stack's only source of "randomness".
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline Seq32 isn_rfc6528(std::uint64_t secret, Endpoint local, Endpoint remote, Instant now) {
  std::uint64_t h = mix64(secret ^ (static_cast<std::uint64_t>(local.ip) << 16 | local.port));
  h = mix64(h ^ (static_cast<std::uint64_t>(remote.ip) << 16 | remote.port));
  const auto m = static_cast<std::uint32_t>(now / us(4));
  return Seq32(static_cast<std::uint32_t>(h) + m);
}

}  // namespace tcplab
