#include "pkt/peer.hpp"

#include <fmt/format.h>

namespace tcplab::pkt {

std::string script_flags(std::uint8_t flags) {
  std::string s;
  if (flags & kSyn) s += 'S';
  if (flags & kFin) s += 'F';
  if (flags & kRst) s += 'R';
  if (flags & kPsh) s += 'P';
  if (flags & kUrg) s += 'U';
  if (flags & 0x40) s += 'E';
  if (flags & 0x80) s += 'W';
  if (flags & kAck) s += '.';
  return s.empty() ? "none" : s;
}

Segment Peer::inbound(const PacketLine& line) const {
  Segment s;
  s.src = peer_;
  s.dst = stack_;
  s.flags = line.flags;
  s.seq = Seq32(kPeerIsn + line.seq);
  if (line.ack) s.ack = Seq32(*line.ack + stack_isn_.value_or(0));
  s.wnd = static_cast<std::uint16_t>(line.win.value_or(kDefaultInboundWindow));
  s.payload = std::string(line.len, 'x');
  if (line.options) {
    for (const auto& o : *line.options) {
      switch (o.kind) {
        case PktOption::Kind::Mss: s.mss = static_cast<std::uint16_t>(o.a); break;
        case PktOption::Kind::Wscale: s.wscale = static_cast<std::uint8_t>(o.a); break;
        case PktOption::Kind::SackOk: s.sack_permitted = true; break;
        case PktOption::Kind::Ts: {
          auto it = ts_val_.find(o.b);
          const std::uint32_t ecr = o.b == 0 ? 0 : it != ts_val_.end() ? it->second : last_ts_val_;
          s.ts = Timestamps{o.a, ecr};
          break;
        }
        case PktOption::Kind::Sack:
          for (const auto& [l, r] : o.blocks) {
            if (s.sack_count == s.sack.size()) break;
            s.sack[s.sack_count++] = SackBlock{Seq32(l + stack_isn_.value_or(0)), Seq32(r + stack_isn_.value_or(0))};
          }
          break;
        case PktOption::Kind::Nop:
        case PktOption::Kind::Eol: break;
      }
    }
  }
  return s;
}

std::string Peer::match(const PacketLine& line, const Segment& seg, std::uint32_t covered) {
  const bool first = covered == 0;
  const bool last = covered + seg.payload.size() >= line.len;
  // Pieces of an offloaded burst: SYN only on the first, FIN and PSH only on the last.
  std::uint8_t want = line.flags;
  if (!first) want &= static_cast<std::uint8_t>(~kSyn);
  if (!last) want &= static_cast<std::uint8_t>(~(kFin | kPsh));
  // Inside a burst the kernel may set PSH on any piece (tcp_mark_push on a large write):
  // the offloaded segment packetdrill sees carries the flags of its last piece only.
  const std::uint8_t got = last ? seg.flags : static_cast<std::uint8_t>(seg.flags & ~kPsh);
  if (got != want) return fmt::format("flags {}, the script expects {}", script_flags(seg.flags), script_flags(want));
  const bool syn = seg.has(kSyn);
  // A SYN or SYN-ACK tells the stack's ISN: the script's seq is an offset from it.
  const std::uint32_t isn = syn ? seg.seq.raw() - line.seq : stack_isn_.value_or(0);
  const std::uint32_t got_seq = seg.seq.raw() - isn;
  if (got_seq != line.seq + covered)
    return fmt::format("seq {}, the script expects {}", got_seq, line.seq + covered);
  if (covered + seg.payload.size() > line.len)
    return fmt::format("{} payload bytes from {}, the script expects {} in all ({}:{})", seg.payload.size(), got_seq,
                       line.len, line.seq, line.end);
  if (line.ack) {
    if (peer_rel(seg.ack) != *line.ack) return fmt::format("ack {}, the script expects ack {}", peer_rel(seg.ack), *line.ack);
  }
  if (line.win && seg.wnd != *line.win) return fmt::format("win {}, the script expects win {}", seg.wnd, *line.win);
  if (line.options_any) return {};
  // Options as fields: what the line lists must be there with its values, and nothing else.
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> ws;
  bool sack_ok = false;
  std::optional<std::uint32_t> ecr;
  bool ts = false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;
  if (line.options) {
    for (const auto& o : *line.options) {
      switch (o.kind) {
        case PktOption::Kind::Mss: mss = static_cast<std::uint16_t>(o.a); break;
        case PktOption::Kind::Wscale: ws = static_cast<std::uint8_t>(o.a); break;
        case PktOption::Kind::SackOk: sack_ok = true; break;
        case PktOption::Kind::Ts: ts = true, ecr = o.b; break;
        case PktOption::Kind::Sack: blocks.insert(blocks.end(), o.blocks.begin(), o.blocks.end()); break;
        case PktOption::Kind::Nop:
        case PktOption::Kind::Eol: break;
      }
    }
  }
  if (seg.mss != mss)
    return seg.mss ? (mss ? fmt::format("mss {}, the script expects mss {}", *seg.mss, *mss)
                          : fmt::format("an mss {} option the script does not list", *seg.mss))
                   : "no mss option, the script lists one";
  if (seg.wscale != ws)
    return seg.wscale ? (ws ? fmt::format("wscale {}, the script expects wscale {}", *seg.wscale, *ws)
                            : fmt::format("a wscale {} option the script does not list", *seg.wscale))
                      : "no wscale option, the script lists one";
  if (seg.sack_permitted != sack_ok)
    return seg.sack_permitted ? "a sackOK option the script does not list" : "no sackOK option, the script lists one";
  if (seg.ts.has_value() != ts)
    return seg.ts ? "a TS option the script does not list" : "no TS option, the script lists one";
  if (ts && seg.ts->ecr != *ecr) return fmt::format("TS ecr {}, the script expects TS ecr {}", seg.ts->ecr, *ecr);
  if (seg.sack_count != blocks.size())
    return fmt::format("{} SACK blocks, the script expects {}", seg.sack_count, blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto l = peer_rel(seg.sack[i].left), r = peer_rel(seg.sack[i].right);
    if (l != blocks[i].first || r != blocks[i].second)
      return fmt::format("SACK block {}:{}, the script expects {}:{}", l, r, blocks[i].first, blocks[i].second);
  }
  return {};
}

void Peer::learn(const PacketLine& line, const Segment& seg) {
  if (seg.has(kSyn)) stack_isn_ = seg.seq.raw() - line.seq;
  stack_.port = seg.src.port;
  peer_.port = seg.dst.port;  // a connect() script's peer is whatever the stack connected to
  if (seg.ts) {
    last_ts_val_ = seg.ts->val;
    if (line.options)
      for (const auto& o : *line.options)
        if (o.kind == PktOption::Kind::Ts) ts_val_[o.a] = seg.ts->val;
  }
}

void Peer::learn_unchecked(const Segment& seg) {
  if (seg.has(kSyn)) stack_isn_ = seg.seq.raw();
  if (seg.ts) last_ts_val_ = seg.ts->val;
}

std::string Peer::describe(const Segment& seg) const {
  const bool syn = seg.has(kSyn);
  const std::uint32_t isn = syn && !stack_isn_ ? seg.seq.raw() : stack_isn_.value_or(0);
  const std::uint32_t s = seg.seq.raw() - isn;
  std::string out = fmt::format("{} {}:{}({})", script_flags(seg.flags), s, s + seg.payload.size(), seg.payload.size());
  if (seg.has(kAck)) out += fmt::format(" ack {}", peer_rel(seg.ack));
  out += fmt::format(" win {}", seg.wnd);
  std::string opts;
  auto add = [&](const std::string& o) { opts += (opts.empty() ? "" : ",") + o; };
  if (seg.mss) add(fmt::format("mss {}", *seg.mss));
  if (seg.sack_permitted) add("sackOK");
  if (seg.ts) add(fmt::format("TS val {} ecr {}", seg.ts->val, seg.ts->ecr));
  if (seg.wscale) add(fmt::format("wscale {}", *seg.wscale));
  if (seg.sack_count) {
    std::string b = "sack";
    for (std::size_t i = 0; i < seg.sack_count; ++i)
      b += fmt::format(" {}:{}", peer_rel(seg.sack[i].left), peer_rel(seg.sack[i].right));
    add(b);
  }
  if (!opts.empty()) out += " <" + opts + ">";
  return out;
}

}  // namespace tcplab::pkt
