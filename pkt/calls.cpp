#include "pkt/calls.hpp"

#include <fmt/format.h>

#include "pkt/symbols.hpp"

namespace tcplab::pkt {

namespace {

struct Ctx {
  const std::string& file;
  const SyscallLine& line;
  Where at;
  [[noreturn]] void fail(Where w, const std::string& msg) const {
    throw PktError(file, w.line ? w : at, msg);
  }
  const Expr& arg(std::size_t i) const {
    if (i >= line.args.size())
      fail(at, fmt::format("{}() needs at least {} arguments, the line has {}", line.name, i + 1, line.args.size()));
    return line.args[i];
  }
};

// An integer argument: a number, a symbol, A|B, or [N] (a pointer to an int).
std::int64_t int_of(const Ctx& cx, const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Int: return e.num;
    case Expr::Kind::Symbol:
      if (auto v = symbol_value(e.text)) return *v;
      cx.fail(e.at, fmt::format("unknown constant {} (tcplab knows the socket, TCP, fcntl, poll and errno names)", e.text));
    case Expr::Kind::Or: {
      std::int64_t v = 0;
      for (const auto& x : e.items) v |= int_of(cx, x);
      return v;
    }
    case Expr::Kind::List:
      if (e.items.size() == 1) return int_of(cx, e.items[0]);
      cx.fail(e.at, "expected [N], one integer");
    case Expr::Kind::Call:
      if ((e.text == "htons" || e.text == "htonl" || e.text == "ntohs") && e.items.size() == 1)
        return int_of(cx, e.items[0]);
      cx.fail(e.at, fmt::format("{}() is not supported in an argument", e.text));
    default: cx.fail(e.at, "expected an integer");
  }
}

std::optional<std::int64_t> int_or_any(const Ctx& cx, const Expr& e) {
  if (e.kind == Expr::Kind::Ellipsis) return std::nullopt;
  return int_of(cx, e);
}

const Expr* field(const Expr& s, std::string_view name) {
  for (const auto& f : s.items)
    if (f.field == name) return &f;
  return nullptr;
}

SockOpt sockopt_of(const Ctx& cx, const Expr& level_e, const Expr& name_e) {
  if (name_e.kind != Expr::Kind::Symbol) cx.fail(name_e.at, "name the socket option (SO_REUSEADDR, TCP_NODELAY, ...)");
  const std::int64_t level = int_of(cx, level_e);
  const std::string& n = name_e.text;
  if (level == 1) {  // SOL_SOCKET
    if (n == "SO_REUSEADDR") return SockOpt::ReuseAddr;
    if (n == "SO_RCVBUF") return SockOpt::RcvBuf;
    if (n == "SO_SNDBUF") return SockOpt::SndBuf;
    if (n == "SO_LINGER") return SockOpt::Linger;
    if (n == "SO_KEEPALIVE") return SockOpt::KeepAlive;
    if (n == "SO_ERROR") return SockOpt::Error;
  } else if (level == 6) {  // IPPROTO_TCP
    if (n == "TCP_NODELAY") return SockOpt::NoDelay;
    if (n == "TCP_MAXSEG") return SockOpt::MaxSeg;
    if (n == "TCP_KEEPIDLE") return SockOpt::KeepIdle;
    if (n == "TCP_KEEPINTVL") return SockOpt::KeepIntvl;
    if (n == "TCP_KEEPCNT") return SockOpt::KeepCnt;
    if (n == "TCP_USER_TIMEOUT") return SockOpt::UserTimeout;
    if (n == "TCP_CONGESTION") return SockOpt::Congestion;
  }
  cx.fail(name_e.at, fmt::format("socket option {} at level {} is outside the supported subset", n, level));
}

}  // namespace

Call decode_call(const SyscallLine& line, const std::string& file, Where at) {
  const Ctx cx{file, line, at};
  Call c;
  const std::string& n = line.name;
  auto fd = [&] { return static_cast<int>(int_of(cx, cx.arg(0))); };
  if (n == "socket") {
    c.op = Op::Socket;
    if (line.args.size() >= 2 && line.args[1].kind != Expr::Kind::Ellipsis && int_of(cx, line.args[1]) != 1)
      cx.fail(line.args[1].at, "only SOCK_STREAM sockets (TCP) are supported");
  } else if (n == "bind") {
    c.op = Op::Bind, c.fd = fd();
  } else if (n == "listen") {
    c.op = Op::Listen, c.fd = fd(), c.backlog = static_cast<int>(int_of(cx, cx.arg(1)));
  } else if (n == "accept") {
    c.op = Op::Accept, c.fd = fd();
  } else if (n == "connect") {
    c.op = Op::Connect, c.fd = fd();
  } else if (n == "read" || n == "recv" || n == "write" || n == "send") {
    c.op = (n == "read" || n == "recv") ? Op::Read : Op::Write;
    c.fd = fd();
    const auto len = int_of(cx, cx.arg(2));
    if (len < 0 || len > (1 << 30)) cx.fail(cx.arg(2).at, fmt::format("a length of {} bytes is out of range", len));
    c.len = static_cast<std::uint64_t>(len);
    if (line.args.size() >= 4 && int_of(cx, line.args[3]) != 0)
      cx.fail(line.args[3].at, fmt::format("{}() flags other than 0 are not supported", n));
  } else if (n == "close") {
    c.op = Op::Close, c.fd = fd();
  } else if (n == "shutdown") {
    c.op = Op::Shutdown, c.fd = fd(), c.how = static_cast<int>(int_of(cx, cx.arg(1)));
    if (c.how < 0 || c.how > 2) cx.fail(cx.arg(1).at, "shutdown's how is SHUT_RD, SHUT_WR or SHUT_RDWR");
  } else if (n == "setsockopt" || n == "getsockopt") {
    c.op = n == "setsockopt" ? Op::SetSockOpt : Op::GetSockOpt;
    c.fd = fd();
    c.opt = sockopt_of(cx, cx.arg(1), cx.arg(2));
    if (c.op == Op::SetSockOpt) {
      const Expr& v = cx.arg(3);
      if (c.opt == SockOpt::Linger) {
        const Expr* s = v.kind == Expr::Kind::Struct ? &v : nullptr;
        const Expr* on = s ? field(*s, "l_onoff") : nullptr;
        const Expr* sec = s ? field(*s, "l_linger") : nullptr;
        if (!on || !sec) cx.fail(v.at, "SO_LINGER takes {l_onoff=N, l_linger=SECONDS}");
        c.linger_on = int_of(cx, *on) != 0;
        c.value = int_of(cx, *sec);
      } else if (c.opt == SockOpt::Congestion) {
        if (v.kind != Expr::Kind::String) cx.fail(v.at, "TCP_CONGESTION takes a string such as \"reno\"");
        c.text = v.text;
      } else {
        c.value = int_of(cx, v);
      }
    }
  } else if (n == "fcntl") {
    c.fd = fd();
    const auto cmd = int_of(cx, cx.arg(1));
    if (cmd == 3) {
      c.op = Op::GetFl;
    } else if (cmd == 4) {
      c.op = Op::SetFl;
      c.nonblock = (int_of(cx, cx.arg(2)) & 04000) != 0;
    } else {
      cx.fail(cx.arg(1).at, "fcntl supports F_GETFL and F_SETFL only");
    }
  } else if (n == "poll") {
    c.op = Op::Poll;
    const Expr& fds = cx.arg(0);
    if (fds.kind != Expr::Kind::List || fds.items.size() != 1 || fds.items[0].kind != Expr::Kind::Struct)
      cx.fail(fds.at, "poll supports one descriptor: [{fd=N, events=..., revents=...}]");
    const Expr& s = fds.items[0];
    const Expr* f = field(s, "fd");
    const Expr* ev = field(s, "events");
    if (!f || !ev) cx.fail(s.at, "poll's entry needs fd= and events=");
    c.fd = static_cast<int>(int_of(cx, *f));
    c.poll_events = static_cast<short>(int_of(cx, *ev));
    c.poll_timeout_ms = int_of(cx, cx.arg(2));
  } else {
    cx.fail(at, fmt::format("{}() is outside the supported subset", n));
  }
  return c;
}

std::string result_text(const Call& call, const CallResult& r) {
  std::string s = fmt::format("= {}", r.ret);
  if (!r.err.empty()) s += " " + r.err;
  if (call.op == Op::GetSockOpt) {
    if (call.opt == SockOpt::Error) s += fmt::format(" [{}]", r.value ? errno_symbol(static_cast<int>(r.value)) : "0");
    else if (call.opt == SockOpt::Congestion) s += fmt::format(" \"{}\"", r.text);
    else if (call.opt == SockOpt::Linger) s += fmt::format(" {{l_onoff={}, l_linger={}}}", r.linger_on ? 1 : 0, r.value);
    else s += fmt::format(" [{}]", r.value);
  }
  if (call.op == Op::Poll) s += fmt::format(" revents={:#x}", static_cast<unsigned>(r.revents));
  return s;
}

std::string check_result(const SyscallLine& line, const Call& call, const CallResult& got) {
  const std::string expected_err = line.err;
  if (got.ret != line.ret || got.err != expected_err) {
    return fmt::format("{}() returned {}{}{}, the script expects {}{}{}", line.name, got.ret, got.err.empty() ? "" : " ",
                       got.err, line.ret, expected_err.empty() ? "" : " ", expected_err);
  }
  // Output arguments: getsockopt's value, poll's revents.
  static const std::string kNone;
  const Ctx cx{kNone, line, {}};
  try {
    if (call.op == Op::GetSockOpt && line.args.size() >= 4) {
      const Expr& v = line.args[3];
      if (call.opt == SockOpt::Congestion) {
        if (v.kind == Expr::Kind::String && v.text != got.text)
          return fmt::format("getsockopt(TCP_CONGESTION) gave \"{}\", the script expects \"{}\"", got.text, v.text);
      } else if (call.opt == SockOpt::Linger) {
        if (v.kind == Expr::Kind::Struct) {
          const Expr* on = field(v, "l_onoff");
          const Expr* sec = field(v, "l_linger");
          if ((on && (int_of(cx, *on) != 0) != got.linger_on) || (sec && int_of(cx, *sec) != got.value))
            return fmt::format("getsockopt(SO_LINGER) gave {{l_onoff={}, l_linger={}}}", got.linger_on ? 1 : 0, got.value);
        }
      } else if (auto want = int_or_any(cx, v); want && *want != got.value) {
        if (call.opt == SockOpt::Error)
          return fmt::format("getsockopt(SO_ERROR) gave [{}], the script expects [{}]",
                             got.value ? errno_symbol(static_cast<int>(got.value)) : "0",
                             *want ? errno_symbol(static_cast<int>(*want)) : "0");
        return fmt::format("getsockopt gave [{}], the script expects [{}]", got.value, *want);
      }
    }
    if (call.op == Op::Poll) {
      const Expr* rev = field(line.args[0].items[0], "revents");
      if (rev) {
        const auto want = int_of(cx, *rev);
        if (want != got.revents)
          return fmt::format("poll() gave revents {:#x}, the script expects {:#x}", static_cast<unsigned>(got.revents),
                             static_cast<unsigned>(want));
      }
    }
    if (call.op == Op::GetFl && got.ret >= 0 && static_cast<bool>(line.ret & 04000) != got.nonblock)
      return "fcntl(F_GETFL) disagrees on O_NONBLOCK";
  } catch (const PktError& e) {
    return e.what();
  }
  return {};
}

}  // namespace tcplab::pkt
