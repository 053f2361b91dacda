#include "stack/syn_cookie.hpp"

#include <algorithm>
#include <array>

#include "stack/isn.hpp"

namespace tcplab {

namespace {

constexpr std::array<std::uint16_t, 4> kMssTable = {536, 1300, 1440, 1460};
constexpr Duration kSlot = sec(64);
constexpr std::uint32_t kTsMarker = 0x20, kTsSack = 0x10, kTsNoScale = 0x0f, kTsBits = 0x3f;

std::uint32_t cookie_hash(std::uint64_t secret, Endpoint local, Endpoint remote, Seq32 irs, std::int64_t slot) {
  std::uint64_t h = mix64(secret ^ 0xc00c1e5ULL ^ (static_cast<std::uint64_t>(local.ip) << 16 | local.port));
  h = mix64(h ^ (static_cast<std::uint64_t>(remote.ip) << 16 | remote.port));
  h = mix64(h ^ (static_cast<std::uint64_t>(irs.raw()) << 20) ^ static_cast<std::uint64_t>(slot));
  return static_cast<std::uint32_t>(h >> 32);
}

}  // namespace

std::uint16_t syn_cookie_mss(std::uint16_t peer_mss) {
  std::uint16_t m = kMssTable[0];
  for (const std::uint16_t v : kMssTable)
    if (v <= peer_mss) m = v;
  return m;
}

Seq32 syn_cookie_iss(std::uint64_t secret, Endpoint local, Endpoint remote, const Segment& syn, Instant now) {
  const std::uint16_t mss = syn_cookie_mss(syn.mss.value_or(536));
  std::uint32_t index = 0;
  while (kMssTable[index] != mss) ++index;
  return Seq32((cookie_hash(secret, local, remote, syn.seq, now / kSlot) & ~3U) | index);
}

std::uint32_t syn_cookie_tsval(std::uint32_t ts_clock, std::optional<std::uint8_t> wscale, bool sack_permitted) {
  const std::uint32_t scale = wscale ? std::min<std::uint32_t>(*wscale, 14) : kTsNoScale;
  std::uint32_t ts = (ts_clock & ~kTsBits) | kTsMarker | (sack_permitted ? kTsSack : 0) | scale;
  // Never ahead of the clock: the next segments carry the real clock, and a TSval that went
  // backwards would be an old duplicate to the peer's PAWS (RFC 7323 5). Go back one step.
  if (static_cast<std::int32_t>(ts - ts_clock) > 0) ts -= kTsBits + 1;
  return ts;
}

std::optional<Segment> syn_cookie_check(std::uint64_t secret, const Segment& ack, Instant now) {
  const Seq32 cookie = ack.ack - 1;
  const Seq32 irs = ack.seq - 1;
  // The ACK travels from the client (remote) to us (local).
  for (std::int64_t slot = now / kSlot; slot >= now / kSlot - 1 && slot >= 0; --slot) {
    if ((cookie_hash(secret, ack.dst, ack.src, irs, slot) & ~3U) != (cookie.raw() & ~3U)) continue;
    Segment syn;
    syn.src = ack.src;
    syn.dst = ack.dst;
    syn.seq = irs;
    syn.flags = kSyn;
    syn.wnd = ack.wnd;
    syn.mss = kMssTable[cookie.raw() & 3U];
    // With timestamps the client echoes our TSval, and with it the options we kept.
    if (ack.ts && (ack.ts->ecr & kTsMarker)) {
      syn.ts = Timestamps{ack.ts->val, 0};
      syn.sack_permitted = (ack.ts->ecr & kTsSack) != 0;
      if ((ack.ts->ecr & kTsNoScale) != kTsNoScale) syn.wscale = static_cast<std::uint8_t>(ack.ts->ecr & kTsNoScale);
    }
    return syn;
  }
  return std::nullopt;
}

}  // namespace tcplab
