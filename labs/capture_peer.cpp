#include "labs/capture_peer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "labs/capture_lab.hpp"
#include "pkt/peer.hpp"

namespace tcplab {

std::optional<std::string> opener_unlike_a_stack(const std::vector<TraceEvent>& sends, const std::string& opener,
                                                 Duration lag) {
  std::optional<std::uint32_t> iss, snd_nxt, acked, peer_nxt;
  std::optional<Instant> reset_arrives;  // when the peer's RST reached it
  bool synchronized = false;             // it sent something after its SYN
  for (const TraceEvent& e : sends) {
    const Segment& s = e.seg;
    const std::uint32_t end = s.seq.raw() + e.len + (s.has(kSyn) ? 1U : 0U) + (s.has(kFin) ? 1U : 0U);
    if (capture_endpoint(e.conn) != opener) {
      if (end != s.seq.raw() && (!peer_nxt || seq_gt(Seq32{end}, Seq32{*peer_nxt}))) peer_nxt = end;
      if (s.has(kRst) && synchronized && !reset_arrives) reset_arrives = e.t_ns + lag;
      continue;
    }
    // Its own segments left when the capture saw them, less the lag the other way.
    const Instant sent = e.t_ns - (lag > 0 ? lag : 0);
    if (reset_arrives && sent > *reset_arrives && !s.has(kRst))
      return std::string("it sent on after the other side's RST had closed its connection (RFC 9293 3.10.7.4)");
    if (s.has(kSyn) && !s.has(kAck)) {
      if (synchronized) return std::string("a SYN in the middle of its connection (RFC 9293 3.10.7.4, RFC 5961 4)");
      iss = s.seq.raw();
      snd_nxt = end;
      continue;
    }
    if (s.has(kRst)) {
      if (iss && snd_nxt && s.seq.raw() != *snd_nxt)
        return fmt::format("a RST at sequence number {} where its next was {} (a blind reset, RFC 5961 3)",
                           s.seq.raw() - *iss, *snd_nxt - *iss);
      continue;
    }
    if (s.has(kAck)) {
      if (acked && seq_lt(s.ack, Seq32{*acked}))
        return std::string("an ACK below one it had already sent (an old duplicate, RFC 5961 5)");
      if (peer_nxt && seq_gt(s.ack, Seq32{*peer_nxt}))
        return std::string("an ACK of data the other side never sent (RFC 5961 5)");
      acked = s.ack.raw();
    }
    synchronized = true;
    if (!snd_nxt || seq_gt(Seq32{end}, Seq32{*snd_nxt})) snd_nxt = end;
  }
  return std::nullopt;
}

std::string side_peer_script(const std::vector<TraceEvent>& sends, const std::string& side, Duration side_lag,
                             Duration opener_lag, const std::vector<std::uint32_t>& dropped, bool arrivals) {
  std::optional<std::uint32_t> own_isn, other_isn;
  std::optional<Instant> base;  // when the opener's SYN left (its clock is the lab's)
  struct Line {
    Instant at;
    bool expected;  // a '>' line
    std::string text;
  };
  std::vector<Line> lines;
  for (const TraceEvent& e : sends) {
    const Segment& s = e.seg;
    const bool own = capture_endpoint(e.conn) == side;
    if (!base && s.has(kSyn) && !s.has(kAck)) base = e.t_ns - opener_lag;
    if (!base) continue;  // nothing before the opener's SYN is its connection's
    if (s.has(kSyn) && own && !own_isn) own_isn = s.seq.raw();
    if (s.has(kSyn) && !own && !other_isn) other_isn = s.seq.raw();
    if (!own && (!arrivals || std::find(dropped.begin(), dropped.end(), capture_ordinal(e)) != dropped.end())) continue;
    const std::uint32_t seq_base = own ? own_isn.value_or(s.seq.raw()) : other_isn.value_or(s.seq.raw());
    const std::uint32_t ack_base = own ? other_isn.value_or(0) : own_isn.value_or(0);
    const std::uint32_t seq = s.seq.raw() - seq_base;
    std::string text = fmt::format("{} {} {}:{}({})", own ? '<' : '>', pkt::script_flags(s.flags), seq, seq + e.len, e.len);
    if (s.has(kAck)) text += fmt::format(" ack {}", s.ack.raw() - ack_base);
    if (own) {
      // Its window and options as sent; a TS ecr other than 0 is sent as the stack's latest TS val
      // (pkt/peer.cpp), which is what a stack echoes.
      text += fmt::format(" win {}", s.wnd);
      std::vector<std::string> opts;
      // The capture keeps the options, not their layout: nops in front pad them to whole words.
      std::size_t bytes = 0;
      if (s.mss) opts.push_back(fmt::format("mss {}", *s.mss)), bytes += 4;
      if (s.sack_permitted) opts.push_back("sackOK"), bytes += 2;
      if (s.ts) opts.push_back(fmt::format("TS val {} ecr {}", s.ts->val, s.ts->ecr == 0 ? 0 : 1)), bytes += 10;
      if (s.wscale) opts.push_back(fmt::format("wscale {}", *s.wscale)), bytes += 3;
      if (s.sack_count > 0) {
        std::string b = "sack";
        for (std::uint8_t i = 0; i < s.sack_count; ++i)
          b += fmt::format(" {}:{}", s.sack[i].left.raw() - ack_base, s.sack[i].right.raw() - ack_base);
        opts.push_back(b);
        bytes += 2 + 8U * s.sack_count;
      }
      if (bytes % 4 != 0) opts.insert(opts.begin(), 4 - bytes % 4, "nop");
      if (!opts.empty()) {
        text += " <";
        for (std::size_t i = 0; i < opts.size(); ++i) text += (i ? "," : "") + opts[i];
        text += ">";
      }
    } else {
      text += " <...>";  // its options and window are the stack's own choice
    }
    // On the side's clock: its own segments left when the capture saw them less its lag, the
    // other side's reached it its lag after the capture saw them; times since the opener's SYN left.
    const Instant at = (own ? e.t_ns - side_lag : e.t_ns + side_lag) - *base;
    lines.push_back({std::max<Instant>(at, 0), !own, std::move(text)});
  }
  // In time order; at one instant what arrived comes first (it is what the side answered), but
  // for the capture host itself (no lag), whose capture order is the order things happened.
  const bool capture_order = side_lag == 0;
  std::stable_sort(lines.begin(), lines.end(), [&](const Line& a, const Line& b) {
    return a.at != b.at ? a.at < b.at : !capture_order && a.expected > b.expected;
  });
  std::string script;
  for (const Line& l : lines) script += fmt::format("{}.{:06} {}\n", l.at / 1'000'000'000, l.at / 1000 % 1'000'000, l.text);
  return script;
}

}  // namespace tcplab
