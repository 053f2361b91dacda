#include "pkt/kernel_sockets.hpp"

#include "pkt/symbols.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace tcplab::pkt {

namespace {

sockaddr_in addr(Ipv4 ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(ip);
  return a;
}

// The syscall's return value, or -1 with the errno's name.
CallResult result(std::int64_t ret) {
  CallResult r;
  r.ret = ret < 0 ? -1 : ret;
  if (ret < 0) r.err = errno_symbol(errno);  // the table scripts use (pkt/symbols)
  return r;
}

std::pair<int, int> level_name(SockOpt o) {
  switch (o) {
    case SockOpt::ReuseAddr: return {SOL_SOCKET, SO_REUSEADDR};
    case SockOpt::RcvBuf: return {SOL_SOCKET, SO_RCVBUF};
    case SockOpt::SndBuf: return {SOL_SOCKET, SO_SNDBUF};
    case SockOpt::Linger: return {SOL_SOCKET, SO_LINGER};
    case SockOpt::KeepAlive: return {SOL_SOCKET, SO_KEEPALIVE};
    case SockOpt::Error: return {SOL_SOCKET, SO_ERROR};
    case SockOpt::NoDelay: return {IPPROTO_TCP, TCP_NODELAY};
    case SockOpt::MaxSeg: return {IPPROTO_TCP, TCP_MAXSEG};
    case SockOpt::KeepIdle: return {IPPROTO_TCP, TCP_KEEPIDLE};
    case SockOpt::KeepIntvl: return {IPPROTO_TCP, TCP_KEEPINTVL};
    case SockOpt::KeepCnt: return {IPPROTO_TCP, TCP_KEEPCNT};
    case SockOpt::UserTimeout: return {IPPROTO_TCP, TCP_USER_TIMEOUT};
    case SockOpt::Congestion: return {IPPROTO_TCP, TCP_CONGESTION};
  }
  return {SOL_SOCKET, 0};
}

constexpr std::uint64_t kMaxIo = 64ULL << 20;  // a read/write buffer bigger than this is a script bug

}  // namespace

int KernelSockets::adopt(int real) {
  std::lock_guard lock(mu_);
  int fd = 3;
  while (fds_.count(fd)) ++fd;
  fds_[fd] = real;
  return fd;
}

void KernelSockets::wake_all() {
  std::lock_guard lock(mu_);
  for (const auto& [fd, real] : fds_) ::shutdown(real, SHUT_RDWR);
}

void KernelSockets::close_all() {
  std::lock_guard lock(mu_);
  for (const auto& [fd, real] : fds_) ::close(real);
  fds_.clear();
}

CallResult KernelSockets::execute(const Call& c) {
  if (c.op == Op::Socket) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    return s < 0 ? result(-1) : result(adopt(s));
  }
  int real = -1;
  {
    std::lock_guard lock(mu_);
    auto it = fds_.find(c.fd);
    if (it != fds_.end()) real = it->second;
    if (it != fds_.end() && c.op == Op::Close) fds_.erase(it);  // the script fd is free again
  }
  if (real < 0) {
    CallResult r;
    r.ret = -1;
    r.err = "EBADF";
    return r;
  }
  return call(c, real);
}

CallResult KernelSockets::call(const Call& c, int real) {
  switch (c.op) {
    case Op::Socket: break;  // handled in execute
    case Op::Bind: {
      const sockaddr_in a = addr(kLocalIp, kLocalPort);
      return result(::bind(real, reinterpret_cast<const sockaddr*>(&a), sizeof a));
    }
    case Op::Listen: return result(::listen(real, c.backlog));
    case Op::Accept: {
      const int s = ::accept4(real, nullptr, nullptr, SOCK_CLOEXEC);
      return s < 0 ? result(-1) : result(adopt(s));
    }
    case Op::Connect: {
      const sockaddr_in a = addr(kRemoteIp, kRemotePort);
      return result(::connect(real, reinterpret_cast<const sockaddr*>(&a), sizeof a));
    }
    case Op::Read: {
      std::vector<char> buf(static_cast<std::size_t>(std::min(c.len, kMaxIo)));
      return result(::recv(real, buf.data(), buf.size(), 0));
    }
    case Op::Write: {
      std::vector<char> buf(static_cast<std::size_t>(std::min(c.len, kMaxIo)));
      for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<char>('a' + i % 26);
      return result(::send(real, buf.data(), buf.size(), MSG_NOSIGNAL));  // EPIPE, not SIGPIPE
    }
    case Op::Close: return result(::close(real));
    case Op::Shutdown: return result(::shutdown(real, c.how));
    case Op::SetSockOpt: return set_opt(c, real);
    case Op::GetSockOpt: return get_opt(c, real);
    case Op::GetFl: {
      const int fl = ::fcntl(real, F_GETFL);
      CallResult r = result(fl);
      r.nonblock = fl >= 0 && (fl & O_NONBLOCK) != 0;
      return r;
    }
    case Op::SetFl: return result(::fcntl(real, F_SETFL, c.nonblock ? O_NONBLOCK : 0));
    case Op::Poll: {
      pollfd p{real, c.poll_events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(c.poll_timeout_ms));
      CallResult r = result(n);
      r.revents = p.revents;
      return r;
    }
  }
  CallResult r;
  r.ret = -1;
  r.err = "EINVAL";
  return r;
}

CallResult KernelSockets::set_opt(const Call& c, int real) {
  const auto [level, name] = level_name(c.opt);
  if (c.opt == SockOpt::Linger) {
    const linger l{c.linger_on ? 1 : 0, static_cast<int>(c.value)};
    return result(::setsockopt(real, level, name, &l, sizeof l));
  }
  if (c.opt == SockOpt::Congestion)
    return result(::setsockopt(real, level, name, c.text.data(), static_cast<socklen_t>(c.text.size())));
  const int v = static_cast<int>(c.value);
  return result(::setsockopt(real, level, name, &v, sizeof v));
}

CallResult KernelSockets::get_opt(const Call& c, int real) {
  const auto [level, name] = level_name(c.opt);
  if (c.opt == SockOpt::Linger) {
    linger l{};
    socklen_t len = sizeof l;
    CallResult r = result(::getsockopt(real, level, name, &l, &len));
    r.linger_on = l.l_onoff != 0;
    r.value = l.l_linger;
    return r;
  }
  if (c.opt == SockOpt::Congestion) {
    char buf[64] = {};  // TCP_CA_NAME_MAX is 16
    socklen_t len = sizeof buf - 1;
    CallResult r = result(::getsockopt(real, level, name, buf, &len));
    if (r.ret == 0) r.text = std::string(buf, ::strnlen(buf, len));
    return r;
  }
  int v = 0;  // SO_ERROR: the pending error's errno value, as packetdrill compares it
  socklen_t len = sizeof v;
  CallResult r = result(::getsockopt(real, level, name, &v, &len));
  r.value = v;
  return r;
}

}  // namespace tcplab::pkt
