#include "labs/capture_losses.hpp"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "labs/capture_lab.hpp"

namespace tcplab {

CaptureLosses capture_losses(const std::vector<TraceEvent>& sends, const std::string& opener, int near, Duration rtt,
                             std::optional<Instant> silent) {
  // Each side's segments that take sequence space, by (seq, SYN/FIN): the copies of one segment.
  std::array<std::map<std::pair<std::uint32_t, std::uint8_t>, std::vector<const TraceEvent*>>, 2> copies;
  std::array<std::vector<const TraceEvent*>, 2> of;  // each side's segments in capture order
  const auto side = [&](const TraceEvent& e) { return capture_endpoint(e.conn) == opener ? 0 : 1; };
  for (const TraceEvent& e : sends) {
    const int x = side(e);
    of[static_cast<std::size_t>(x)].push_back(&e);
    const Segment& s = e.seg;
    if (e.len > 0 || s.has(kSyn) || s.has(kFin))
      copies[static_cast<std::size_t>(x)][{s.seq.raw(), static_cast<std::uint8_t>(s.flags & (kSyn | kFin))}].push_back(&e);
  }
  const auto end_of = [](const TraceEvent& e) {
    return Seq32{e.seg.seq.raw() + e.len + (e.seg.has(kSyn) ? 1U : 0U) + (e.seg.has(kFin) ? 1U : 0U)};
  };
  const char tags[2] = {'A', 'B'};
  CaptureLosses out;
  for (int x = 0; x < 2; ++x) {
    const auto& peer = of[static_cast<std::size_t>(1 - x)];
    for (const auto& [key, list] : copies[static_cast<std::size_t>(x)])
      for (std::size_t k = 0; k + 1 < list.size(); ++k) {
        const TraceEvent& copy = *list[k];
        const TraceEvent& next = *list[k + 1];
        if (silent && copy.t_ns > *silent) continue;
        // The peer's ACK of it between the copies: it got there, that ACK was lost.
        const TraceEvent* ack = nullptr;
        for (const TraceEvent* a : peer)
          if (a->seg.has(kAck) && a->t_ns >= copy.t_ns && a->t_ns <= next.t_ns && seq_ge(a->seg.ack, end_of(copy))) {
            ack = a;
            break;
          }
        // D-SACKs for it (RFC 2883: a block below the ACK's number): each says one more copy
        // came, so of n copies with d D-SACKs n - 1 - d were lost: the earliest ones (the last
        // copies are the ones the D-SACKs answered). Crossing SYNs of a simultaneous open, one
        // lost each way: SYN, SYN, SYN,ACK and one D-SACK for the SYN the SYN,ACK repeats.
        const Instant first_t = list.front()->t_ns;
        const auto dsacks = std::count_if(peer.begin(), peer.end(), [&](const TraceEvent* a) {
          if (!a->seg.has(kAck) || a->t_ns < first_t) return false;
          for (std::uint8_t i = 0; i < a->seg.sack_count; ++i) {
            const SackBlock& b = a->seg.sack[i];
            if (seq_le(b.right, a->seg.ack) && seq_le(b.left, copy.seg.seq) && seq_ge(b.right, end_of(copy))) return true;
          }
          return false;
        });
        if (dsacks > 0 && k + 1 + static_cast<std::size_t>(dsacks) >= list.size()) continue;
        if (ack) {
          out.faults.push_back(fmt::format("drop {}>{}#{}", tags[1 - x], tags[x], capture_ordinal(*ack)));
          continue;
        }
        // At the capture host: did the copy acknowledge what the peer had outstanding, which the
        // peer then never sent again before the next copy reached it (one round trip after the
        // capture saw it)? A peer whose data or FIN went unacknowledged sends it again when its
        // retransmission timer fires (no later than ours, on a path alike both ways): it had its
        // ACK, and the answer it sent (its ordinal: one more than it had sent by then) was lost.
        if (x == near && copy.seg.has(kAck)) {
          std::optional<Seq32> acked_before;
          for (const TraceEvent& e : sends) {
            if (&e == &copy) break;
            if (side(e) == x && e.seg.has(kAck) && (!acked_before || seq_gt(e.seg.ack, *acked_before))) acked_before = e.seg.ack;
          }
          const bool news = acked_before && seq_gt(copy.seg.ack, *acked_before);
          const bool resent = std::any_of(peer.begin(), peer.end(), [&](const TraceEvent* p) {
            const bool takes_space = p->len > 0 || p->seg.has(kFin);
            return takes_space && p->t_ns > copy.t_ns && p->t_ns <= next.t_ns + rtt && seq_lt(p->seg.seq, copy.seg.ack);
          });
          if (news && !resent) {
            const auto before = std::count_if(peer.begin(), peer.end(), [&](const TraceEvent* p) { return p->t_ns < copy.t_ns + rtt; });
            out.faults.push_back(fmt::format("drop {}>{}#{}", tags[1 - x], tags[x], before + 1));
            continue;
          }
        }
        // Lost. A copy of the far side's that the capture host's capture shows arriving was
        // lost after the capture point: its firewall (or its NIC's checksum) threw it away.
        out.faults.push_back(fmt::format("{} {}>{}#{}", x != near && near >= 0 ? "discard" : "drop", tags[x], tags[1 - x],
                                         capture_ordinal(copy)));
      }
  }
  out.unanswered = of[1].empty();
  if (out.unanswered)
    for (const auto& [key, list] : copies[0]) out.faults.push_back(fmt::format("drop A>B#{}", capture_ordinal(*list.back())));
  std::sort(out.faults.begin(), out.faults.end());
  out.faults.erase(std::unique(out.faults.begin(), out.faults.end()), out.faults.end());
  return out;
}

}  // namespace tcplab
