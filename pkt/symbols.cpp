#include "pkt/symbols.hpp"

#include <array>
#include <utility>

namespace tcplab::pkt {

namespace {

struct Named {
  std::string_view name;
  std::int64_t value;
};

// Values from Linux's uapi headers (asm-generic/socket.h, netinet/tcp.h, fcntl.h, poll.h).
constexpr std::array kSymbols = {
    Named{"AF_INET", 2}, Named{"PF_INET", 2}, Named{"SOCK_STREAM", 1}, Named{"IPPROTO_TCP", 6},
    Named{"IPPROTO_IP", 0}, Named{"SOL_SOCKET", 1}, Named{"SOL_TCP", 6},
    Named{"SO_REUSEADDR", 2}, Named{"SO_ERROR", 4}, Named{"SO_SNDBUF", 7}, Named{"SO_RCVBUF", 8},
    Named{"SO_KEEPALIVE", 9}, Named{"SO_LINGER", 13},
    Named{"TCP_NODELAY", 1}, Named{"TCP_MAXSEG", 2}, Named{"TCP_KEEPIDLE", 4}, Named{"TCP_KEEPINTVL", 5},
    Named{"TCP_KEEPCNT", 6}, Named{"TCP_CONGESTION", 13}, Named{"TCP_USER_TIMEOUT", 18},
    Named{"F_GETFL", 3}, Named{"F_SETFL", 4}, Named{"O_RDONLY", 0}, Named{"O_WRONLY", 1}, Named{"O_RDWR", 2},
    Named{"O_NONBLOCK", 04000},
    Named{"POLLIN", 0x1}, Named{"POLLPRI", 0x2}, Named{"POLLOUT", 0x4}, Named{"POLLERR", 0x8},
    Named{"POLLHUP", 0x10}, Named{"POLLNVAL", 0x20}, Named{"POLLRDNORM", 0x40}, Named{"POLLWRNORM", 0x100},
    Named{"POLLRDHUP", 0x2000},
    Named{"SHUT_RD", 0}, Named{"SHUT_WR", 1}, Named{"SHUT_RDWR", 2},
    Named{"MSG_DONTWAIT", 0x40}, Named{"MSG_NOSIGNAL", 0x4000}, Named{"MSG_PEEK", 0x2},
};

constexpr std::array kErrnos = {
    Named{"EPERM", 1}, Named{"ENOENT", 2}, Named{"EINTR", 4}, Named{"EBADF", 9}, Named{"EAGAIN", 11},
    Named{"EWOULDBLOCK", 11}, Named{"ENOMEM", 12}, Named{"EFAULT", 14}, Named{"EINVAL", 22},
    Named{"EPIPE", 32}, Named{"ENOTSOCK", 88}, Named{"ENOPROTOOPT", 92}, Named{"EOPNOTSUPP", 95},
    Named{"EADDRINUSE", 98}, Named{"EADDRNOTAVAIL", 99}, Named{"ENETUNREACH", 101},
    Named{"ECONNABORTED", 103}, Named{"ECONNRESET", 104}, Named{"ENOBUFS", 105}, Named{"EISCONN", 106},
    Named{"ENOTCONN", 107}, Named{"ETIMEDOUT", 110}, Named{"ECONNREFUSED", 111},
    Named{"EHOSTUNREACH", 113}, Named{"EALREADY", 114}, Named{"EINPROGRESS", 115},
    Named{"EIO", 5}, Named{"EACCES", 13}, Named{"EBUSY", 16}, Named{"EMFILE", 24}, Named{"ENOSPC", 28},
    Named{"EDESTADDRREQ", 89}, Named{"EMSGSIZE", 90}, Named{"EPROTOTYPE", 91}, Named{"EPROTONOSUPPORT", 93},
    Named{"EAFNOSUPPORT", 97}, Named{"ENETDOWN", 100}, Named{"ESHUTDOWN", 108}, Named{"EHOSTDOWN", 112},
};

}  // namespace

std::optional<int> errno_value(std::string_view name) {
  for (const auto& e : kErrnos)
    if (e.name == name) return static_cast<int>(e.value);
  return std::nullopt;
}

std::string errno_symbol(int value) {
  for (const auto& e : kErrnos)
    if (e.value == value) return std::string(e.name);
  return "errno " + std::to_string(value);
}

std::optional<std::int64_t> symbol_value(std::string_view name) {
  for (const auto& s : kSymbols)
    if (s.name == name) return s.value;
  if (auto e = errno_value(name)) return *e;
  return std::nullopt;
}

}  // namespace tcplab::pkt
