#include "sim/text_view.hpp"

#include <fmt/format.h>

namespace tcplab {

std::string TextView::clock(Instant t) {
  const std::int64_t usec = t / 1000;
  const std::int64_t s = usec / 1'000'000;
  return fmt::format("{:02}:{:02}:{:02}.{:06}", s / 3600, (s / 60) % 60, s % 60, usec % 1'000'000);
}

std::string TextView::tcpdump_ip(const Endpoint& e) { return ip_to_string(e.ip) + "." + std::to_string(e.port); }

std::string TextView::endpoint_text(const Endpoint& e) const {
  return address_text_ ? address_text_(e.ip) + "." + std::to_string(e.port) : tcpdump_ip(e);
}

std::string TextView::packet(const TraceEvent& e) {
  const Segment& s = e.seg;
  // tcpdump's relative numbers (print-tcp.c; checked with tcpdump 4.99.3 on Linux 6.18):
  //   a SYN to a closed port:  [S] seq 610129726 / [R.] seq 0, ack 610129727 (absolute);
  //   a new SYN on a port pair still ESTABLISHED: [S] seq 900000, then its challenge ACK
  //     [.] ack 1: still relative to the old connection (the bare SYN reset nothing);
  //   after an abort, data answered by a bare RST: [R] seq 1043765916 (absolute).
  std::uint32_t seq = s.seq.raw(), ack = s.ack.raw();
  std::uint32_t sack_base = 0;  // what SACK blocks are relative to (the receiver's base)
  if (!opt_.absolute && s.has(kAck)) {
    const bool rev = s.dst < s.src;  // the segment comes from the upper endpoint
    auto [it, fresh] = bases_.try_emplace(rev ? std::pair{s.dst, s.src} : std::pair{s.src, s.dst});
    std::uint32_t& mine = rev ? it->second.upper : it->second.lower;
    std::uint32_t& theirs = rev ? it->second.lower : it->second.upper;
    if (fresh || s.has(kSyn)) {  // a new conversation: print absolute, remember the bases
      mine = seq;
      theirs = ack - 1;
    } else {
      seq -= mine;
      ack -= theirs;
    }
    sack_base = theirs;
  }
  const std::string src = endpoint_text(s.src), dst = endpoint_text(s.dst);
  const bool v6 = src.find(':') != std::string::npos;
  std::string out = fmt::format("{} {} > {}: Flags [{}]", v6 ? "IP6" : "IP", src, dst, flag_letters(s.flags));
  const bool syn = s.has(kSyn);
  if (e.len > 0 || s.has(kSyn) || s.has(kFin) || s.has(kRst)) {
    if (e.len > 0) out += fmt::format(", seq {}:{}", seq, seq + e.len);
    else out += fmt::format(", seq {}", seq);
  }
  if (s.has(kAck)) out += fmt::format(", ack {}", ack);
  out += fmt::format(", win {}", s.wnd);
  std::vector<std::string> opts;
  if (s.mss) opts.push_back(fmt::format("mss {}", *s.mss));
  if (syn) {
    if (s.sack_permitted) opts.push_back("sackOK");
    if (s.ts) opts.push_back(fmt::format("TS val {} ecr {}", s.ts->val, s.ts->ecr));
    if (s.wscale) {
      opts.push_back("nop");
      opts.push_back(fmt::format("wscale {}", *s.wscale));
    }
  } else {
    if (s.ts) {
      opts.push_back("nop");
      opts.push_back("nop");
      opts.push_back(fmt::format("TS val {} ecr {}", s.ts->val, s.ts->ecr));
    }
    if (s.sack_count) {
      opts.push_back("nop");
      opts.push_back("nop");
      std::string blocks;
      for (int i = 0; i < s.sack_count; ++i)
        blocks += fmt::format("{{{}:{}}}", s.sack[i].left.raw() - sack_base, s.sack[i].right.raw() - sack_base);
      opts.push_back(fmt::format("sack {} {}", static_cast<int>(s.sack_count), blocks));
    }
  }
  if (!opts.empty()) {
    out += ", options [";
    for (std::size_t i = 0; i < opts.size(); ++i) out += (i ? "," : "") + opts[i];
    out += "]";
  }
  out += fmt::format(", length {}", e.len);
  return out;
}

std::string TextView::line(const TraceEvent& e) {
  const std::string t = clock(e.t_ns);
  const std::string host = host_text_                                           ? host_text_(e.host)
                           : e.host >= 0 && e.host < static_cast<int>(names_.size()) ? names_[e.host]
                                                                                   : "?";
  switch (e.type) {
    case TraceType::Send: {
      std::string l = t + " " + packet(e);
      if (const std::string_view note = send_note(e); !note.empty()) l += fmt::format("  ({})", note);
      return l;
    }
    case TraceType::State: {
      if (!opt_.states) return {};
      std::string l = fmt::format("{} ** {} {}: {} -> {}", t, host, e.conn, state_name(e.from), state_name(e.to));
      if (opt_.causes && !e.cause.empty()) l += "   [" + e.cause + "]";
      return l;
    }
    case TraceType::Drop:
      if (!opt_.drops) return {};
      return fmt::format("{} XX {} {} dropped ({}: {})", t, e.id, e.kind, e.where, e.reason);
    case TraceType::App: {
      if (!opt_.apps || e.result == "started") return {};
      std::string l = fmt::format("{} .. {} {}() = {}", t, host, e.call, e.result);
      if (e.bytes) l += fmt::format(" ({} bytes)", e.bytes);
      if (!e.conn.empty()) l += "  " + e.conn;
      return l;
    }
    case TraceType::Timer:
      if (!opt_.timers) return {};
      return fmt::format("{} ~~ {} {} timer {} {}", t, host, timer_name(e.timer),
                         e.action == TimerAction::Set ? "set for" : e.action == TimerAction::Cancel ? "cancelled, was" : "fired, due",
                         clock(e.deadline_ns));
    case TraceType::Deliver:
      return {};
  }
  return {};
}

std::string TextView::render(const TraceEvents& events) {
  std::string out;
  for (const auto& e : events) {
    std::string l = line(e);
    if (!l.empty()) out += l + "\n";
  }
  return out;
}

std::optional<std::uint8_t> parse_flag_letters(const std::string& text) {
  std::string t = text;
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  if (t == "none") return std::uint8_t{0};
  if (t.empty()) return std::nullopt;
  std::uint8_t f = 0;
  for (char ch : t) {
    std::uint8_t bit = 0;
    switch (ch) {
      case 'F': bit = kFin; break;
      case 'S': bit = kSyn; break;
      case 'R': bit = kRst; break;
      case 'P': bit = kPsh; break;
      case 'U': bit = kUrg; break;
      case '.': bit = kAck; break;
      default: return std::nullopt;
    }
    if (f & bit) return std::nullopt;  // a letter twice
    f |= bit;
  }
  return f;
}

}  // namespace tcplab
