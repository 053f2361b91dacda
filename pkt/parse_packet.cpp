// Packet lines: "<" or ">", TCP flags, start:end(length), then optionally "ack N", "win N"
// and a TCP option list, in that order (packetdrill's tcp_packet_spec, IPv4 TCP only).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include "pkt/parse_internal.hpp"

namespace tcplab::pkt::detail {
namespace {

// The flag letters packetdrill takes from tcpdump; '.' is ACK. Bits as on the wire.
std::uint8_t flag_bit(char c) {
  switch (c) {
    case 'F': return 0x01;
    case 'S': return 0x02;
    case 'R': return 0x04;
    case 'P': return 0x08;
    case '.': return 0x10;
    case 'U': return 0x20;
    case 'E': return 0x40;
    case 'W': return 0x80;
    default: return 0;
  }
}
constexpr std::uint8_t kAck = 0x10;

// Refuses the packet forms outside IPv4 TCP, naming them, before reading the flags.
void refuse_other_packets(Lexer& lx) {
  const Token& t = lx.peek();
  if (t.kind == Token::Kind::Word) {
    const std::string& w = t.text;
    if (w == "ipv6") lx.fail(t.at, "IPv6 is not supported");
    if (w == "udp") lx.fail(t.at, "UDP packets are not supported (TCP only)");
    if (w == "icmp") lx.fail(t.at, "ICMP packets are not supported (TCP only)");
    if (w == "sctp") lx.fail(t.at, "SCTP is not supported (TCP only)");
    if (w == "ipv4" || w == "gre" || w == "mpls")
      lx.fail(t.at, fmt::format("IP-level packet syntax (\"{} ...\") is not supported", w));
  } else if (lx.is_punct('[') || lx.is_punct('(')) {
    lx.fail(t.at, fmt::format("IP-level packet syntax ({}{}...) is not supported (ECN codepoints such as "
                              "[ect0], TOS, TTL, flow label)",
                              t.text, lx.peek(1).kind == Token::Kind::Eof ? "" : lx.peek(1).text));
  } else if (t.kind == Token::Kind::Number && lx.is_punct('>', 1)) {
    lx.fail(t.at, "explicit ports (\"src > dst\") in packet lines are not supported");
  }
}

std::uint8_t read_flags(Lexer& lx, const Token& dir) {
  if (lx.is_punct('.')) {
    lx.next();
    return kAck;
  }
  if (lx.is_punct('-')) {  // packetdrill: no flags at all
    lx.next();
    return 0;
  }
  const Token& t = lx.peek();
  if (t.kind != Token::Kind::Word)
    lx.fail(t.at, fmt::format("expected TCP flags (e.g. S, S., ., P., F., R) after {}, found {}", dir.text,
                              describe(t)));
  std::uint8_t flags = 0;
  for (char c : t.text) {
    if (c == 'A' || (c >= '0' && c <= '7'))
      lx.fail(t.at, fmt::format("AccECN flags (A, 0-7) are not supported, found \"{}\"", t.text));
    const std::uint8_t bit = c == '.' ? 0 : flag_bit(c);
    if (bit == 0)
      lx.fail(t.at, fmt::format("invalid TCP flag '{}' in \"{}\" (flags are S F R P . U E W)", c, t.text));
    flags |= bit;
  }
  const Token word = lx.next();
  // "S." lexes as the word S and a '.', written together.
  if (lx.is_punct('.') && lx.peek().at.line == word.at.line && lx.peek().at.col == word.at.col +
      static_cast<int>(word.text.size())) {
    lx.next();
    flags |= kAck;
  }
  return flags;
}

// Bytes an option takes on the wire, for packetdrill's length and padding checks.
std::uint32_t option_bytes(const PktOption& o) {
  switch (o.kind) {
    case PktOption::Kind::Nop:
    case PktOption::Kind::Eol: return 1;
    case PktOption::Kind::Mss: return 4;
    case PktOption::Kind::Wscale: return 3;
    case PktOption::Kind::SackOk: return 2;
    case PktOption::Kind::Ts: return 10;
    case PktOption::Kind::Sack: return 2 + 8 * static_cast<std::uint32_t>(o.blocks.size());
  }
  return 0;
}

void expect_word(Lexer& lx, const char* w, const std::string& context) {
  if (!lx.is_word(w)) lx.fail(lx.peek().at, fmt::format("expected \"{}\" {}, found {}", w, context, describe(lx.peek())));
  lx.next();
}

PktOption read_option(Lexer& lx) {
  const Token t = lx.peek();
  if (t.kind != Token::Kind::Word)
    lx.fail(t.at, fmt::format("expected a TCP option (nop, eol, mss, wscale, sackOK, TS, sack), found {}",
                              describe(t)));
  lx.next();
  PktOption o;
  const std::string& w = t.text;
  if (w == "nop") {
    o.kind = PktOption::Kind::Nop;
  } else if (w == "eol") {
    o.kind = PktOption::Kind::Eol;
  } else if (w == "mss") {
    o.kind = PktOption::Kind::Mss;
    o.a = static_cast<std::uint32_t>(read_uint(lx, "mss value", 0xffff));
  } else if (w == "wscale") {
    o.kind = PktOption::Kind::Wscale;
    o.a = static_cast<std::uint32_t>(read_uint(lx, "window scale shift count", 0xff));
  } else if (w == "sackOK") {
    o.kind = PktOption::Kind::SackOk;
  } else if (w == "TS") {
    o.kind = PktOption::Kind::Ts;
    expect_word(lx, "val", "after TS");
    o.a = static_cast<std::uint32_t>(read_uint(lx, "TS val", 0xffffffff));
    expect_word(lx, "ecr", "after TS val N");
    o.b = static_cast<std::uint32_t>(read_uint(lx, "TS ecr", 0xffffffff));
  } else if (w == "sack") {
    o.kind = PktOption::Kind::Sack;
    do {
      const auto left = static_cast<std::uint32_t>(read_uint(lx, "SACK left edge", 0xffffffff));
      expect_punct(lx, ':', "between SACK block edges");
      const auto right = static_cast<std::uint32_t>(read_uint(lx, "SACK right edge", 0xffffffff));
      o.blocks.emplace_back(left, right);
      if (o.blocks.size() > 4) lx.fail(t.at, "more than 4 SACK blocks do not fit in the TCP options");
    } while (lx.peek().kind == Token::Kind::Number);
  } else if (w == "md5") {
    lx.fail(t.at, "TCP MD5 signature options (md5) are not supported");
  } else if (w == "FO" || w == "FOEXP") {
    lx.fail(t.at, fmt::format("TCP fast open options ({}) are not supported", w));
  } else {
    lx.fail(t.at, fmt::format("unknown TCP option \"{}\" (expected nop, eol, mss, wscale, sackOK, TS, sack)", w));
  }
  return o;
}

// "<mss 1460,sackOK,...>" or "<...>", the '<' already consumed.
void read_options(Lexer& lx, PacketLine& p, const Token& open) {
  if (lx.peek().kind == Token::Kind::Ellipsis) {
    if (p.dir == PacketLine::Dir::In)
      lx.fail(open.at, "<...> for TCP options can only be used with outbound packets (>)");
    lx.next();
    expect_punct(lx, '>', "after <...");
    p.options_any = true;
    return;
  }
  std::vector<PktOption> opts;
  std::uint32_t bytes = 0;
  for (;;) {
    opts.push_back(read_option(lx));
    bytes += option_bytes(opts.back());
    if (bytes > 40) lx.fail(open.at, fmt::format("TCP option list too long: more than 40 bytes"));
    if (lx.is_punct(',')) {
      lx.next();
      continue;
    }
    if (lx.is_punct('>')) break;
    lx.fail(lx.peek().at, fmt::format("expected \",\" or \">\" in the TCP option list, found {}", describe(lx.peek())));
  }
  lx.next();
  if (bytes % 4 != 0)
    lx.fail(open.at, fmt::format("TCP options are not padded to a multiple of 4 bytes: {} bytes (add nop or eol)",
                                 bytes));
  p.options = std::move(opts);
}

}  // namespace

PacketLine parse_packet(Lexer& lx, const Token& dir) {
  PacketLine p;
  p.dir = dir.text == "<" ? PacketLine::Dir::In : PacketLine::Dir::Out;
  refuse_other_packets(lx);
  const Token flags_tok = lx.peek();
  p.flags = read_flags(lx, dir);

  const Token seq_tok = lx.peek();
  if (seq_tok.kind != Token::Kind::Number)
    lx.fail(seq_tok.at, fmt::format("expected start:end(length) after the TCP flags, found {}", describe(seq_tok)));
  p.seq = static_cast<std::uint32_t>(read_uint(lx, "TCP start sequence number", 0xffffffff));
  expect_punct(lx, ':', "in start:end(length)");
  p.end = static_cast<std::uint32_t>(read_uint(lx, "TCP end sequence number", 0xffffffff));
  expect_punct(lx, '(', "in start:end(length)");
  p.len = static_cast<std::uint32_t>(read_uint(lx, "TCP payload size", 0xffff));
  int line = expect_punct(lx, ')', "in start:end(length)").at.line;
  if (std::uint64_t{p.end} != std::uint64_t{p.seq} + p.len)
    lx.fail(seq_tok.at, fmt::format("inconsistent TCP sequence numbers and payload size: {}:{}({}) "
                                    "(end - start must be the length)",
                                    p.seq, p.end, p.len));

  // The optional parts, in packetdrill's order. A token on a later line starts the next event.
  std::string after = fmt::format("{}:{}({})", p.seq, p.end, p.len);
  bool can_ack = true, can_win = true, can_opts = true;
  for (;;) {
    const Token t = lx.peek();
    if (t.kind == Token::Kind::Eof || t.at.line != line) break;
    if (can_ack && lx.is_word("ack")) {
      lx.next();
      if ((p.flags & kAck) == 0)
        lx.fail(t.at, "\"ack N\" needs the ACK flag '.' (e.g. \"S.\", \".\", \"P.\")");
      p.ack = static_cast<std::uint32_t>(read_uint(lx, "TCP ack sequence number", 0xffffffff));
      after = fmt::format("ack {}", *p.ack);
      can_ack = false;
    } else if (can_win && lx.is_word("win")) {
      lx.next();
      p.win = static_cast<std::uint32_t>(read_uint(lx, "TCP window value", 0xffff));
      after = fmt::format("win {}", *p.win);
      can_ack = can_win = false;
    } else if (lx.is_word("urg")) {
      lx.fail(t.at, "the urgent pointer (urg N) is not supported");
    } else if (can_opts && lx.is_punct('<')) {
      read_options(lx, p, lx.next());
      after = "the TCP options";
      can_ack = can_win = can_opts = false;
    } else {
      std::vector<std::string> want;
      if (can_ack) want.push_back("\"ack\"");
      if (can_win) want.push_back("\"win\"");
      if (can_opts) want.push_back("\"<\"");
      if (want.empty()) lx.fail(t.at, fmt::format("expected the end of the line after {}, found {}", after, describe(t)));
      lx.fail(t.at, fmt::format("expected {} after {}, found {}", fmt::join(want, " or "), after, describe(t)));
    }
    line = t.at.line;
  }
  // packetdrill would send (or expect) ack 0 here; a script that means that writes "ack 0".
  if ((p.flags & kAck) != 0 && !p.ack)
    lx.fail(flags_tok.at, "the ACK flag '.' needs \"ack N\" after start:end(length)");
  return p;
}

}  // namespace tcplab::pkt::detail
