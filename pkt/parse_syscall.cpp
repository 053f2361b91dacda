// System call lines: "name(args) = ret [ERRNO] [(note)]" and the argument expressions
// (packetdrill's syscall_spec and expression, the part base-TCP scripts use).
#include <fmt/format.h>

#include <array>
#include <limits>
#include <string>

#include "pkt/parse_internal.hpp"

namespace tcplab::pkt::detail {
namespace {

constexpr int kMaxDepth = 32;  // [ { ( nesting; deeper input is refused, not recursed into

constexpr std::array<const char*, 15> kCalls = {"socket", "bind",     "listen", "accept",     "connect",
                                                "read",   "write",    "send",   "recv",       "close",
                                                "shutdown", "setsockopt", "getsockopt", "fcntl", "poll"};

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// Symbols that only appear in scripts using features outside the subset.
void refuse_word(Lexer& lx, const Token& t) {
  const std::string& w = t.text;
  if (starts_with(w, "tcpi_")) lx.fail(t.at, "tcpi_* TCP_INFO assertions are not supported");
  if (starts_with(w, "cmsg_") || starts_with(w, "msg_"))
    lx.fail(t.at, fmt::format("msghdr/cmsg expressions ({}) are not supported", w));
  if (w == "AF_INET6" || w == "PF_INET6" || w == "inet6_addr" || w == "ipv6" || starts_with(w, "sin6_") ||
      starts_with(w, "IPV6_"))
    lx.fail(t.at, fmt::format("IPv6 is not supported ({})", w));
  if (w.find("SCTP") != std::string::npos || w.find("sctp") != std::string::npos)
    lx.fail(t.at, fmt::format("SCTP is not supported ({})", w));
}

// A decimal or hex integer token, negated when `neg`; int64 range.
std::int64_t read_int(Lexer& lx, bool neg) {
  const Token t = lx.next();
  const std::string& s = t.text;
  unsigned base = 10;
  std::size_t i = 0;
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  }
  if (i == s.size()) lx.fail(t.at, fmt::format("malformed number \"{}\"", s));
  const std::uint64_t limit = neg ? std::uint64_t{1} << 63 : std::numeric_limits<std::int64_t>::max();
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    unsigned d = 0;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else lx.fail(t.at, fmt::format("expected an integer, found \"{}\"", s));
    if (v > (limit - d) / base) lx.fail(t.at, fmt::format("number out of range: {}{}", neg ? "-" : "", s));
    v = v * base + d;
  }
  if (!neg) return static_cast<std::int64_t>(v);
  return v == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(v);
}

Expr parse_expr(Lexer& lx, int depth, bool in_struct);

// The items of [..], {..} or a call's (..) up to `close`; `open` already consumed.
std::vector<Expr> parse_items(Lexer& lx, char close, int depth, bool fields) {
  std::vector<Expr> items;
  if (lx.is_punct(close)) {
    lx.next();
    return items;
  }
  for (;;) {
    if (fields && lx.peek().kind == Token::Kind::Word && lx.is_punct('=', 1)) {
      const Token name = lx.next();
      refuse_word(lx, name);
      lx.next();
      Expr e = parse_expr(lx, depth, true);
      e.field = name.text;
      items.push_back(std::move(e));
    } else {
      items.push_back(parse_expr(lx, depth, fields));
    }
    if (lx.is_punct(',')) {
      lx.next();
      continue;
    }
    if (lx.is_punct(close)) {
      lx.next();
      return items;
    }
    lx.fail(lx.peek().at, fmt::format("expected \",\" or \"{}\", found {}", close, describe(lx.peek())));
  }
}

Expr parse_primary(Lexer& lx, int depth, bool in_struct) {
  const Token t = lx.peek();
  if (depth > kMaxDepth) lx.fail(t.at, fmt::format("expression nested deeper than {} levels", kMaxDepth));
  Expr e;
  e.at = t.at;
  switch (t.kind) {
    case Token::Kind::Ellipsis:
      lx.next();
      e.kind = Expr::Kind::Ellipsis;
      return e;
    case Token::Kind::Number:
      e.kind = Expr::Kind::Int;
      e.num = read_int(lx, false);
      return e;
    case Token::Kind::String:
      e.kind = Expr::Kind::String;
      // Adjacent strings concatenate, as in C and packetdrill.
      while (lx.peek().kind == Token::Kind::String) e.text += lx.next().text;
      return e;
    case Token::Kind::Word: {
      lx.next();
      refuse_word(lx, t);
      e.text = t.text;
      if (lx.is_punct('(')) {
        lx.next();
        e.kind = Expr::Kind::Call;
        e.items = parse_items(lx, ')', depth + 1, false);
        if (t.text == "inet_addr" && !e.items.empty() && e.items[0].kind == Expr::Kind::String &&
            e.items[0].text.find(':') != std::string::npos)
          lx.fail(e.items[0].at, fmt::format("IPv6 is not supported (address \"{}\")", e.items[0].text));
        return e;
      }
      if (lx.is_punct('=') && !in_struct)
        lx.fail(lx.peek().at, fmt::format("\"{}=...\" is only supported inside {{ }} (e.g. {{l_onoff=1, l_linger=0}})",
                                          t.text));
      e.kind = Expr::Kind::Symbol;
      return e;
    }
    case Token::Kind::Punct:
      if (lx.is_punct('-') && lx.peek(1).kind == Token::Kind::Number) {
        lx.next();
        e.kind = Expr::Kind::Int;
        e.num = read_int(lx, true);
        return e;
      }
      if (lx.is_punct('[')) {
        lx.next();
        e.kind = Expr::Kind::List;
        e.items = parse_items(lx, ']', depth + 1, false);
        return e;
      }
      if (lx.is_punct('{')) {
        lx.next();
        e.kind = Expr::Kind::Struct;
        e.items = parse_items(lx, '}', depth + 1, true);
        return e;
      }
      break;
    default: break;
  }
  lx.fail(t.at, fmt::format("expected an expression (a number, a symbol, a \"string\", ..., [...] or {{...}}), "
                            "found {}",
                            describe(t)));
}

// a | b | c is one Or with three operands.
Expr parse_expr(Lexer& lx, int depth, bool in_struct) {
  Expr first = parse_primary(lx, depth, in_struct);
  if (!lx.is_punct('|')) return first;
  Expr e;
  e.kind = Expr::Kind::Or;
  e.at = first.at;
  e.items.push_back(std::move(first));
  while (lx.is_punct('|')) {
    lx.next();
    e.items.push_back(parse_primary(lx, depth, in_struct));
  }
  return e;
}

}  // namespace

SyscallLine parse_syscall(Lexer& lx, const Token& name) {
  SyscallLine s;
  s.name = name.text;
  if (name.text == "sendmsg" || name.text == "recvmsg")
    lx.fail(name.at, fmt::format("{}() (msghdr/cmsg) is not supported", name.text));
  bool known = false;
  for (const char* c : kCalls) known = known || name.text == c;
  if (!known)
    lx.fail(name.at, fmt::format("system call \"{}\" is outside the supported subset (socket bind listen accept "
                                 "connect read write send recv close shutdown setsockopt getsockopt fcntl poll)",
                                 name.text));
  expect_punct(lx, '(', fmt::format("after {}", name.text));
  s.args = parse_items(lx, ')', 1, false);
  expect_punct(lx, '=', fmt::format("and the expected return value after {}(...)", name.text));

  const bool neg = lx.is_punct('-');
  if (neg) lx.next();
  if (lx.peek().kind != Token::Kind::Number)
    lx.fail(lx.peek().at, fmt::format("expected the return value (an integer) after \"=\", found {}", describe(lx.peek())));
  int line = lx.peek().at.line;
  s.ret = read_int(lx, neg);

  // "-1 EINPROGRESS (Operation now in progress)": the errno, then strace's note (ignored).
  if (lx.peek().kind == Token::Kind::Word && lx.peek().at.line == line) {
    const Token e = lx.next();
    s.err = e.text;
    line = e.at.line;
  }
  if (lx.is_punct('(') && lx.peek().at.line == line) lx.raw_paren_text(lx.next());
  const Token& rest = lx.peek();
  if (rest.kind != Token::Kind::Eof && rest.at.line == line)
    lx.fail(rest.at, fmt::format("unexpected {} after the system call's return value", describe(rest)));
  return s;
}

}  // namespace tcplab::pkt::detail
