// A packetdrill-format script -> Script (pkt/script.hpp): option lines, then events, each a
// time and an action (packet, system call, shell command). Hand-written recursive descent
// over pkt/lexer; packet lines are in parse_packet.cpp, system calls in parse_syscall.cpp,
// shell commands in shell.cpp.
#include <fmt/format.h>

#include "pkt/parse_internal.hpp"
#include "pkt/shell.hpp"

namespace tcplab::pkt {
namespace detail {

std::uint64_t read_uint(Lexer& lx, const std::string& what, std::uint64_t max) {
  const Token& t = lx.peek();
  if (t.kind != Token::Kind::Number)
    lx.fail(t.at, fmt::format("expected a number for the {}, found {}", what, describe(t)));
  for (char c : t.text)
    if (c < '0' || c > '9') lx.fail(t.at, fmt::format("expected a decimal integer for the {}, found \"{}\"", what, t.text));
  std::uint64_t v = 0;
  for (char c : t.text) {
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) lx.fail(t.at, fmt::format("{} out of range: {} (at most {})", what, t.text, max));
  }
  lx.next();
  return v;
}

Token expect_punct(Lexer& lx, char c, const std::string& context) {
  if (!lx.is_punct(c))
    lx.fail(lx.peek().at, fmt::format("expected \"{}\" {}, found {}", c, context, describe(lx.peek())));
  return lx.next();
}

}  // namespace detail

namespace {

using detail::expect_punct;

constexpr std::size_t kMaxScriptBytes = 16u << 20;
constexpr std::size_t kMaxEvents = 100'000;
constexpr Duration kMaxTime = sec(86'400);  // a day: longer is a typo, not a test

// Seconds with up to 9 decimals -> ns, digit by digit (no floating point).
Duration read_seconds(Lexer& lx) {
  const Token t = lx.peek();
  if (t.kind != Token::Kind::Number)
    lx.fail(t.at, fmt::format("expected a time in seconds (e.g. 0.100), found {}", describe(t)));
  const std::string& s = t.text;
  if (s.size() > 1 && (s[1] == 'x' || s[1] == 'X'))
    lx.fail(t.at, fmt::format("a time is written in decimal seconds (e.g. 0.100), found \"{}\"", s));
  const std::size_t dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (frac.size() > 9) lx.fail(t.at, fmt::format("time \"{}\" has more than 9 decimals (the resolution is 1 ns)", s));
  if (whole.size() > 6) lx.fail(t.at, fmt::format("time out of range: {} s (at most a day)", s));
  Duration v = 0;
  for (char c : whole) v = v * 10 + (c - '0');
  v = sec(v);
  Duration f = 0;
  for (std::size_t i = 0; i < 9; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  v += f;
  if (v > kMaxTime) lx.fail(t.at, fmt::format("time out of range: {} s (at most a day)", s));
  lx.next();
  return v;
}

// 0.1 | +0.1 | * | 0.1~0.2 | +0.1~+0.2
TimeSpec read_time(Lexer& lx) {
  TimeSpec ts;
  if (lx.is_punct('*')) {
    lx.next();
    ts.kind = TimeSpec::Kind::Any;
    return ts;
  }
  ts.kind = TimeSpec::Kind::Absolute;
  if (lx.is_punct('+')) {
    lx.next();
    ts.kind = TimeSpec::Kind::Relative;
  }
  ts.lo_ns = ts.hi_ns = read_seconds(lx);
  if (lx.is_punct('~')) {
    const Token tilde = lx.next();
    const bool rel = lx.is_punct('+');
    if (rel != (ts.kind == TimeSpec::Kind::Relative))
      lx.fail(tilde.at, "both ends of a time range must be the same kind: write a~b or +a~+b");
    if (rel) lx.next();
    ts.hi_ns = read_seconds(lx);
    if (ts.hi_ns < ts.lo_ns) lx.fail(tilde.at, "time range is backwards (its end is before its start)");
  }
  return ts;
}

void read_option_line(Lexer& lx, Script& s) {
  const Token t = lx.next();
  if (!s.events.empty()) lx.fail(t.at, fmt::format("options (--{}) must come before the first event", t.text));
  ScriptOption o;
  o.at = t.at;
  const std::size_t eq = t.text.find('=');
  o.name = t.text.substr(0, eq);
  if (eq != std::string::npos) o.value = t.text.substr(eq + 1);
  if (o.value.size() >= 2 && o.value.front() == '"' && o.value.back() == '"')
    o.value = o.value.substr(1, o.value.size() - 2);
  const bool ip_name = o.name.size() > 3 && o.name.compare(o.name.size() - 3, 3, "_ip") == 0;
  if ((o.name == "ip_version" && o.value != "ipv4") || o.value.find("ipv6") != std::string::npos ||
      (ip_name && o.value.find(':') != std::string::npos))
    lx.fail(t.at, fmt::format("IPv6 is not supported (--{})", t.text));
  s.options.push_back(std::move(o));
}

// After the time: a packet, a system call or a shell command.
Event read_event(Lexer& lx, const std::string& file) {
  Event ev;
  ev.at = lx.peek().at;
  if (lx.peek().kind == Token::Kind::BackQuoted) {  // no time: "+0"
    const Token b = lx.next();
    ev.body = parse_shell_line(b.text, b.at, file);
    return ev;
  }
  ev.time = read_time(lx);

  // "0.1...0.3 accept(...)": the call starts at 0.1 and returns at 0.3. The end is the same
  // kind of time as the start (packetdrill offsets a relative end as it offsets the start).
  std::optional<TimeSpec> end;
  if (lx.peek().kind == Token::Kind::Ellipsis) {
    const Token dots = lx.next();
    if (ev.time.kind == TimeSpec::Kind::Any || ev.time.lo_ns != ev.time.hi_ns)
      lx.fail(dots.at, "a blocking call's start time cannot be * or a range");
    if (lx.is_punct('+')) {
      if (ev.time.kind != TimeSpec::Kind::Relative)
        lx.fail(lx.peek().at, "a blocking call's end must be the same kind of time as its start (0.1...0.3 or +0...+0.2)");
      lx.next();
    }
    TimeSpec e = ev.time;
    e.lo_ns = e.hi_ns = read_seconds(lx);
    if (e.lo_ns < ev.time.lo_ns) lx.fail(dots.at, "a blocking call's end time is before its start");
    end = e;
  }

  const Token t = lx.peek();
  if (t.kind == Token::Kind::Punct && (t.text == "<" || t.text == ">")) {
    if (end) lx.fail(t.at, "a blocking end time (...) is only for system calls");
    lx.next();
    PacketLine p = detail::parse_packet(lx, t);
    if (p.dir != PacketLine::Dir::Out) {
      if (ev.time.kind == TimeSpec::Kind::Any) lx.fail(ev.at, "event time * can only be used with outbound packets (>)");
      if (ev.time.lo_ns != ev.time.hi_ns) lx.fail(ev.at, "event time range can only be used with outbound packets (>)");
    }
    ev.body = std::move(p);
    return ev;
  }
  if (ev.time.kind == TimeSpec::Kind::Any) lx.fail(ev.at, "event time * can only be used with outbound packets (>)");
  if (ev.time.lo_ns != ev.time.hi_ns) lx.fail(ev.at, "event time range can only be used with outbound packets (>)");
  if (t.kind == Token::Kind::Word && lx.is_punct('(', 1)) {
    lx.next();
    SyscallLine s = detail::parse_syscall(lx, t);
    s.end = end;
    ev.body = std::move(s);
    return ev;
  }
  if (end) lx.fail(t.at, "a blocking end time (...) is only for system calls");
  if (t.kind == Token::Kind::BackQuoted) {
    lx.next();
    ev.body = parse_shell_line(t.text, t.at, file);
    return ev;
  }
  if (t.kind == Token::Kind::Word && (t.text == "sctp" || t.text == "udp" || t.text == "icmp"))
    lx.fail(t.at, fmt::format("{} is not supported (TCP only)", t.text));
  lx.fail(t.at, fmt::format("expected a packet (< or >), a system call name(...) or a `shell command` after the "
                            "time, found {}",
                            describe(t)));
}

}  // namespace

Script parse_script(std::string_view text, const std::string& file) {
  Script s;
  s.file = file;
  if (text.size() > kMaxScriptBytes)
    throw PktError(file, {1, 1}, fmt::format("script too large: {} bytes (at most {})", text.size(), kMaxScriptBytes));
  Lexer lx(text, file);
  for (;;) {
    const Token& t = lx.peek();
    if (t.kind == Token::Kind::Eof) break;
    if (t.kind == Token::Kind::Option) {
      read_option_line(lx, s);
      continue;
    }
    const bool starts_event = t.kind == Token::Kind::Number || t.kind == Token::Kind::BackQuoted ||
                              (t.kind == Token::Kind::Punct && (t.text == "+" || t.text == "*"));
    if (!starts_event)
      lx.fail(t.at, fmt::format("expected an event (a time such as 0, +0.1 or *, or a `shell command`), found {}",
                                describe(t)));
    if (s.events.size() >= kMaxEvents) lx.fail(t.at, fmt::format("more than {} events", kMaxEvents));
    s.events.push_back(read_event(lx, file));
  }
  return s;
}

}  // namespace tcplab::pkt
