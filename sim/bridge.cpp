#include "sim/bridge.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <queue>
#include <sstream>
#include <vector>

#include "sim/link.hpp"
#include "stack/tcp_host.hpp"
#include "stack/wire/codec.hpp"

namespace tcplab {

namespace {

constexpr Ipv4 kKernelIp = 0x0a000001;  // 10.0.0.1 on tun0, the kernel's side
constexpr Ipv4 kTcplabIp = 0x0a000002;  // 10.0.0.2 behind tun0, tcplab's stack

char pattern(std::uint64_t at) { return static_cast<char>('a' + at % 26); }

// Owns a file descriptor.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& o) noexcept { std::swap(fd, o.fd); return *this; }
  ~Fd() { if (fd >= 0) ::close(fd); }
};

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

bool set_if_flags(int sock, const char* name, short add) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return false;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | add);
  return ioctl(sock, SIOCSIFFLAGS, &ifr) == 0;
}

bool set_if_addr(int sock, const char* name, unsigned long req, Ipv4 ip) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  auto* sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(ip);
  return ioctl(sock, req, &ifr) == 0;
}

std::int64_t tcp_in_csum_errors() {
  // /proc/net/snmp answers for the namespace of the reading process.
  std::ifstream f("/proc/net/snmp");
  std::string head, vals, line;
  while (std::getline(f, line)) {
    if (line.rfind("Tcp:", 0) != 0) continue;
    if (head.empty()) head = line;
    else { vals = line; break; }
  }
  std::istringstream h(head), v(vals);
  std::string k, x;
  while (h >> k && v >> x)
    if (k == "InCsumErrors") return std::stoll(x);
  return -1;
}

std::string run_ss() {
  std::string out;
  if (FILE* p = popen("ss -tan 2>&1", "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  return out;
}

struct Delivery {
  Instant at;
  std::uint64_t order;
  std::vector<std::uint8_t> bytes;
  bool operator>(const Delivery& o) const { return at != o.at ? at > o.at : order > o.order; }
};
using DeliveryQueue = std::priority_queue<Delivery, std::vector<Delivery>, std::greater<>>;

// The kernel's side of the exchange on a non-blocking socket.
struct KernelPeer {
  Fd sock, listener;
  std::uint64_t sent = 0, got = 0;
  bool mismatch = false, eof = false, shut = false, connected = false;
  std::string error;
};

}  // namespace

BridgeResult run_bridge(const BridgeOptions& opt) {
  BridgeResult r;
  const auto wall0 = std::chrono::steady_clock::now();
  auto now_ns = [&] {
    return static_cast<Instant>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0).count());
  };
  if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
    r.skipped = true;
    r.error = "the bridge needs root and /dev/net/tun (it makes its own network namespace and TUN device)";
    return r;
  }
  // A private network namespace: from here on this process sees only what it creates.
  if (unshare(CLONE_NEWNET) != 0) {
    r.error = sys_error("unshare(CLONE_NEWNET)");
    return r;
  }
  Fd ctl(socket(AF_INET, SOCK_DGRAM, 0));
  if (ctl.fd < 0 || !set_if_flags(ctl.fd, "lo", IFF_UP)) {
    r.error = sys_error("bringing up lo in the namespace");
    return r;
  }
  Fd tun(open("/dev/net/tun", O_RDWR | O_NONBLOCK));
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, "tun0", IFNAMSIZ - 1);
  if (tun.fd < 0 || ioctl(tun.fd, TUNSETIFF, &ifr) < 0) {
    r.error = sys_error("creating tun0");
    return r;
  }
  if (!set_if_addr(ctl.fd, "tun0", SIOCSIFADDR, kKernelIp) || !set_if_addr(ctl.fd, "tun0", SIOCSIFNETMASK, 0xffffff00) ||
      !set_if_flags(ctl.fd, "tun0", IFF_UP | IFF_RUNNING)) {
    r.error = sys_error("configuring tun0 (10.0.0.1/24)");
    return r;
  }
  const std::int64_t csum0 = tcp_in_csum_errors();

  // tcplab's side: the stack, sans-IO, driven by the real clock.
  TcpConfig cfg = TcpConfig::for_profile(Profile::Linux);
  cfg.rcv_buf_bytes = 1 << 20;
  cfg.snd_buf_bytes = 1 << 20;
  TcpHost host(kTcplabIp, cfg, opt.seed);
  Output out;
  LinkParams lp;
  lp.delay_ns = opt.delay_ns;
  lp.loss = opt.loss;
  lp.queue_pkts_max = 100000;
  Rng rng(opt.seed);
  LinkDir to_kernel_link(lp, rng.fork()), to_tcplab_link(lp, rng.fork());
  DeliveryQueue to_kernel, to_tcplab;
  std::uint64_t order = 0;
  std::uint16_t ip_id = 0;
  ConnId conn = kNoConn, listener = kNoConn;
  std::uint64_t t_sent = 0, t_got = 0;
  bool t_closed = false, t_mismatch = false, t_eof = false;

  auto ship = [&](Instant now) {  // what the stack emitted goes onto the simulated link
    for (auto& ev : out.events) {
      auto* se = std::get_if<SendEvent>(&ev.body);
      if (!se) continue;
      auto bytes = encode_ipv4(se->seg, ++ip_id);
      ++r.segs_to_kernel;
      const Fate f = to_kernel_link.offer(now, static_cast<std::uint32_t>(bytes.size()));
      if (f.kind != Fate::Kind::Deliver) {
        ++r.dropped_by_link;
        continue;
      }
      to_kernel.push(Delivery{f.arrive_at, order++, std::move(bytes)});
    }
    out.clear();
  };

  const std::uint16_t kport = static_cast<std::uint16_t>(opt.port + 1);
  KernelPeer k;
  const Instant t0 = now_ns();
  if (opt.tcplab_is_server) {
    if (host.listen(t0, opt.port, 16, &listener, out) != Errno::Ok) {
      r.error = "tcplab could not listen";
      return r;
    }
    k.sock = Fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(opt.refused ? kport : opt.port);
    dst.sin_addr.s_addr = htonl(kTcplabIp);
    if (connect(k.sock.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0 && errno != EINPROGRESS) {
      r.error = sys_error("kernel connect()");
      return r;
    }
  } else {
    k.listener = Fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int one = 1;
    setsockopt(k.listener.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(opt.port);
    a.sin_addr.s_addr = htonl(kKernelIp);
    if (bind(k.listener.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(k.listener.fd, 16) < 0) {
      r.error = sys_error("kernel bind/listen");
      return r;
    }
    if (host.connect(t0, Endpoint{kKernelIp, opt.port}, 0, &conn, out) != Errno::Ok) {
      r.error = "tcplab could not connect";
      return r;
    }
    ship(t0);
  }

  std::vector<char> buf(1 << 16);
  std::string chunk;
  auto done = [&] {
    if (opt.refused) return !r.refused_errno.empty();
    const bool data = t_sent == opt.bytes && t_got == opt.bytes && k.sent == opt.bytes && k.got == opt.bytes;
    const bool tcplab_done = conn != kNoConn && (host.conn(conn).state() == State::Closed || host.conn(conn).state() == State::TimeWait);
    return data && t_closed && k.eof && k.shut && tcplab_done;
  };
  // After the exchange, keep the link running a little so the last ACKs reach the kernel
  // and `ss` shows where each side really ended.
  Instant drain_until = kNever;
  for (;;) {
    Instant now = now_ns();
    if (drain_until == kNever && done()) drain_until = now + 4 * opt.delay_ns + ms(50);
    if (now >= drain_until) break;
    if (now - t0 > opt.timeout_ns) {
      r.error = "timed out: tcplab sent " + std::to_string(t_sent) + "/read " + std::to_string(t_got) + ", kernel sent " +
                std::to_string(k.sent) + "/read " + std::to_string(k.got) +
                (conn != kNoConn ? ", tcplab state " + std::string(state_name(host.conn(conn).state())) : "");
      break;
    }
    // 1. Packets from the kernel, through the simulated link, into the stack.
    for (;;) {
      const ssize_t n = read(tun.fd, buf.data(), buf.size());
      if (n <= 0) break;
      const auto* p = reinterpret_cast<const std::uint8_t*>(buf.data());
      if ((p[0] >> 4) != 4) {
        ++r.ignored_non_ipv4;  // IPv6 neighbour chatter in the namespace
        continue;
      }
      const DecodeResult d = decode_ipv4(p, static_cast<std::size_t>(n));
      if (!d.seg) {
        ++r.malformed_from_kernel;  // counted and dropped (DESIGN rule 6)
        if (opt.verbose) std::fprintf(stderr, "bridge: malformed packet from the kernel: %s\n", d.error.c_str());
        continue;
      }
      ++r.segs_from_kernel;
      if (d.seg->has(kRst)) ++r.rst_from_kernel;
      const Fate f = to_tcplab_link.offer(now, static_cast<std::uint32_t>(n));
      if (f.kind != Fate::Kind::Deliver) {
        ++r.dropped_by_link;
        continue;
      }
      to_tcplab.push(Delivery{f.arrive_at, order++, std::vector<std::uint8_t>(p, p + n)});
    }
    while (!to_tcplab.empty() && to_tcplab.top().at <= now) {
      const auto d = decode_ipv4(to_tcplab.top().bytes);
      to_tcplab.pop();
      host.on_segment(now, *d.seg, out);
      ship(now);
    }
    while (!to_kernel.empty() && to_kernel.top().at <= now) {
      const auto& b = to_kernel.top().bytes;
      if (write(tun.fd, b.data(), b.size()) < 0 && opt.verbose) std::perror("bridge: write(tun0)");
      to_kernel.pop();
    }
    // 2. Timers of every tcplab connection.
    for (ConnId c = 0; c < host.conn_count(); ++c) {
      if (host.conn(c).next_deadline() <= now) {
        host.on_timer(now, c, out);
        ship(now);
      }
    }
    // 3. tcplab's application: accept, write the pattern, read and verify, close.
    if (conn == kNoConn && listener != kNoConn) conn = host.accept(listener);
    if (conn != kNoConn && !opt.refused) {
      const State st = host.conn(conn).state();
      const bool open = st == State::Established || st == State::CloseWait;
      if (open && t_sent < opt.bytes) {
        std::uint32_t taken = 0;
        const auto want = static_cast<std::uint32_t>(std::min<std::uint64_t>(opt.bytes - t_sent, 1 << 16));
        chunk.resize(want);
        for (std::uint32_t i = 0; i < want; ++i) chunk[i] = pattern(t_sent + i);
        host.send(now, conn, chunk, &taken, out);
        t_sent += taken;
        ship(now);
      }
      std::string data;
      for (;;) {
        const Errno e = host.recv(now, conn, 1 << 16, &data, out);
        ship(now);
        if (e != Errno::Ok) break;
        if (data.empty()) {
          t_eof = true;
          break;
        }
        for (char ch : data) t_mismatch = t_mismatch || ch != pattern(t_got++);
      }
      const bool all_data = t_sent == opt.bytes && t_got == opt.bytes;
      if (!t_closed && all_data && (opt.tcplab_closes_first || t_eof)) {
        host.close(now, conn, out);
        ship(now);
        t_closed = true;
      }
      if (st == State::Closed && !t_closed && host.conn(conn).error() != Errno::Ok) {
        r.error = "tcplab's connection failed: " + std::string(errno_name(host.conn(conn).error()));
        break;
      }
    }
    // 4. The kernel's application on its socket.
    if (!opt.tcplab_is_server && k.sock.fd < 0) {
      const int s = accept4(k.listener.fd, nullptr, nullptr, SOCK_NONBLOCK);
      if (s >= 0) k.sock = Fd(s);
    }
    if (k.sock.fd >= 0 && !k.connected && r.refused_errno.empty()) {
      // A connect() in progress is decided when the socket polls writable or in error;
      // SO_ERROR read after the poll says which.
      pollfd pf{k.sock.fd, POLLOUT, 0};
      const bool decided = poll(&pf, 1, 0) == 1;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(k.sock.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (decided && (err != 0 || (pf.revents & (POLLERR | POLLHUP)))) {
        if (err == 0) err = ECONNRESET;
        if (opt.refused) r.refused_errno = err == ECONNREFUSED ? "ECONNREFUSED" : std::strerror(err);
        else r.error = std::string("kernel connect(): ") + std::strerror(err);
        if (!opt.refused) break;
      } else if (decided && (pf.revents & POLLOUT)) {
        k.connected = true;
        if (opt.refused) r.refused_errno = "connected (expected ECONNREFUSED)";
      }
    }
    if (k.connected && !opt.refused) {
      while (k.sent < opt.bytes) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(opt.bytes - k.sent, buf.size()));
        for (std::size_t i = 0; i < want; ++i) buf[i] = pattern(k.sent + i);
        const ssize_t n = ::send(k.sock.fd, buf.data(), want, MSG_NOSIGNAL);
        if (n <= 0) break;
        k.sent += static_cast<std::uint64_t>(n);
      }
      for (;;) {
        const ssize_t n = ::recv(k.sock.fd, buf.data(), buf.size(), 0);
        if (n == 0) { k.eof = true; break; }
        if (n < 0) break;
        for (ssize_t i = 0; i < n; ++i) k.mismatch = k.mismatch || buf[i] != pattern(k.got++);
      }
      const bool all_data = k.sent == opt.bytes && k.got == opt.bytes;
      if (!k.shut && all_data && (!opt.tcplab_closes_first || k.eof)) {
        ::shutdown(k.sock.fd, SHUT_WR);  // the kernel sends its FIN
        k.shut = true;
      }
    }
    // 5. Sleep until something is due (or 1 ms at most, to poll the kernel socket).
    Instant next = now + ms(1);
    if (!to_tcplab.empty()) next = std::min(next, to_tcplab.top().at);
    if (!to_kernel.empty()) next = std::min(next, to_kernel.top().at);
    for (ConnId c = 0; c < host.conn_count(); ++c) next = std::min(next, host.conn(c).next_deadline());
    std::vector<pollfd> fds{{tun.fd, POLLIN, 0}};
    if (k.sock.fd >= 0) fds.push_back({k.sock.fd, static_cast<short>(POLLIN | (k.sent < opt.bytes ? POLLOUT : 0)), 0});
    const Instant wait = std::max<Instant>(0, next - now_ns());
    timespec ts{static_cast<time_t>(wait / sec(1)), static_cast<long>(wait % sec(1))};
    ppoll(fds.data(), fds.size(), &ts, nullptr);
  }
  r.wall_s = static_cast<double>(now_ns()) / 1e9;
  r.kernel_ss = run_ss();
  if (conn != kNoConn) {
    const Connection& c = host.conn(conn);
    r.tcplab_view = "tcp " + endpoint_to_string(c.local()) + " " + endpoint_to_string(c.remote()) + " " +
                    std::string(linux_state_name(c.state())) + "\n";
  }
  const std::int64_t csum1 = tcp_in_csum_errors();
  r.kernel_csum_errors = (csum0 >= 0 && csum1 >= 0) ? csum1 - csum0 : -1;
  r.to_kernel_bytes = k.got;
  r.from_kernel_bytes = t_got;
  if (r.error.empty()) {
    if (opt.refused) {
      if (r.refused_errno != "ECONNREFUSED") r.error = "the kernel's connect() to a closed tcplab port got " + r.refused_errno;
    } else if (t_mismatch || k.mismatch) {
      r.error = std::string("bytes differ from what was sent (") + (t_mismatch ? "kernel->tcplab" : "tcplab->kernel") + ")";
    } else if (r.rst_from_kernel) {
      r.error = "the kernel sent " + std::to_string(r.rst_from_kernel) + " RST segments (it rejected something tcplab sent)";
    } else if (r.kernel_csum_errors > 0) {
      r.error = "the kernel counted " + std::to_string(r.kernel_csum_errors) + " TCP checksum errors";
    } else if (r.malformed_from_kernel) {
      r.error = "tcplab could not decode " + std::to_string(r.malformed_from_kernel) + " packets from the kernel";
    }
  }
  r.ok = r.error.empty();
  return r;
}

}  // namespace tcplab
