// Receive coalescing (a host's tcp.gro): a data segment that reaches its host waits up to gro
// for the next segment of its connection, and one that continues it is merged into it, so that
// the host's TCP takes the two as one segment and ACKs them once. This is what Linux's GRO does
// with the segments a NIC delivers in one poll, and what its socket backlog does with segments
// that arrive while the application is inside a socket call (tcp_add_backlog). The merge rules
// are GRO's (tcp_gro_receive): the same 4-tuple, contiguous, the same ACK and the same options,
// no SYN, RST or URG; a segment with PSH or FIN is not held but may join a held one, which then
// goes to TCP at once with that flag (PSH and FIN end a GRO batch); the window is the later one's.
#include <algorithm>
#include <string>

#include "sim/world.hpp"

namespace tcplab {

namespace {

// A segment that may join a held one: data with an ACK, no SYN, RST, URG or SACK blocks.
bool may_join(const Segment& s) {
  return s.has(kAck) && !s.payload.empty() && (s.flags & (kSyn | kRst | kUrg)) == 0 && s.sack_count == 0;
}

// A segment that may be held for a follower: one that may join, without PSH or FIN (which
// would end the batch at once).
bool may_hold(const Segment& s) { return may_join(s) && (s.flags & (kPsh | kFin)) == 0; }

// `next` continues `held` and carries what GRO requires to be the same.
bool continues(const Segment& held, const Segment& next) {
  constexpr std::size_t kMaxMerged = 65535;  // one IP packet's worth, as GRO's 64 KB
  return held.seq + static_cast<std::uint32_t>(held.payload.size()) == next.seq && held.ack == next.ack &&
         held.ts == next.ts && held.payload.size() + next.payload.size() <= kMaxMerged;
}

}  // namespace

bool World::gro_hold(int h, Packet& p) {
  const Segment& s = p.seg;
  auto held = std::find_if(gro_held_.begin(), gro_held_.end(), [&](const GroHeld& g) {
    return g.host == h && g.pkt.seg.src == s.src && g.pkt.seg.dst == s.dst;
  });
  if (held != gro_held_.end()) {
    Segment& first = held->pkt.seg;
    if (may_join(s) && continues(first, s)) {
      if (!first.payload.try_append(s.payload)) {  // not one slice (a scripted peer's bytes): copied
        std::string bytes;
        first.payload.append_to(bytes);
        s.payload.append_to(bytes);
        first.payload = Payload(std::move(bytes));
      }
      first.flags |= s.flags & (kPsh | kFin);
      first.wnd = s.wnd;
      if (first.flags & (kPsh | kFin)) {  // the batch ends: TCP takes it now (its flush event finds nothing)
        Packet out = std::move(held->pkt);
        gro_held_.erase(held);
        to_stack(h, out);
      }
      return true;
    }
    // It cannot join: the held segment goes to TCP first, as GRO flushes before a packet that
    // does not match.
    Packet out = std::move(held->pkt);
    gro_held_.erase(held);
    to_stack(h, out);
    if (!hosts_[h].up) {  // what TCP did ended the host (a crash step ran)
      ++counters_.err_drops;
      trace_drop(h, p, "link", hosts_[h].name + " is down (crashed)");
      return true;
    }
  }
  if (!may_hold(s)) return false;
  const std::uint32_t serial = ++gro_serial_;
  gro_held_.push_back(GroHeld{h, serial, hosts_[h].epoch, std::move(p)});
  push(now_ + hosts_[h].cfg.gro_ns, EvKind::GroFlush, h, serial);
  return true;
}

void World::gro_flush(int h, std::uint32_t serial) {
  auto held = std::find_if(gro_held_.begin(), gro_held_.end(), [&](const GroHeld& g) { return g.serial == serial; });
  if (held == gro_held_.end()) return;  // already gone to TCP: ended by PSH or FIN, or by a segment that could not join it
  Packet out = std::move(held->pkt);
  const std::uint32_t epoch = held->epoch;
  gro_held_.erase(held);
  if (!hosts_[h].up || epoch != hosts_[h].epoch) {
    ++counters_.err_drops;
    trace_drop(h, out, "link", hosts_[h].name + " crashed while the segment waited in its receive batch (tcp.gro)");
    return;
  }
  to_stack(h, out);
}

}  // namespace tcplab
