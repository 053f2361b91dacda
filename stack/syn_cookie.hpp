#pragma once
// SYN cookies (RFC 4987 3.6; Linux net.ipv4.tcp_syncookies): when the SYN queue is full, the
// listener answers a SYN without keeping any state. What it would have kept is encoded in the
// SYN,ACK's ISS (a keyed hash of the 4-tuple, the client's ISN and a 64 s time slot, with the
// client's MSS rounded down to one of four values in the low two bits) and, when the client
// uses timestamps, in the low bits of our TSval (window scale and SACK-permitted), which the
// client echoes. The ACK that carries ISS+1 rebuilds the connection. What a cookie SYN,ACK
// visibly lacks, as on Linux: without timestamps, no window scale and no SACK; and an MSS
// rounded down (1400 -> 1300). The encoding is tcplab's own, not the kernel's.
#include <cstdint>
#include <optional>

#include "stack/segment.hpp"
#include "stack/time.hpp"

namespace tcplab {

// The largest of Linux's cookie MSS values (536, 1300, 1440, 1460) not above `peer_mss`.
std::uint16_t syn_cookie_mss(std::uint16_t peer_mss);

// Our ISS for a cookie SYN,ACK answering `syn` (from remote to local) at `now`.
Seq32 syn_cookie_iss(std::uint64_t secret, Endpoint local, Endpoint remote, const Segment& syn, Instant now);

// Our TSval for that SYN,ACK: the timestamp clock with the client's options (its window scale,
// SACK-permitted) in the low six bits.
// Never ahead of ts_clock (it steps back 64 ticks when the bits would put it there).
std::uint32_t syn_cookie_tsval(std::uint32_t ts_clock, std::optional<std::uint8_t> wscale, bool sack_permitted);

// The SYN an ACK's cookie stands for (seq IRS, mss, and the options the cookie kept), or
// nullopt when SEG.ACK-1 is not a cookie we issued in the last two slots (two minutes).
std::optional<Segment> syn_cookie_check(std::uint64_t secret, const Segment& ack, Instant now);

}  // namespace tcplab
