#include "stack/wire/tun.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcplab {

namespace {

void set_name(ifreq* ifr, const std::string& name) { std::strncpy(ifr->ifr_name, name.c_str(), IFNAMSIZ - 1); }

sockaddr ipv4_sockaddr(Ipv4 ip) {
  sockaddr sa{};
  auto* sin = reinterpret_cast<sockaddr_in*>(&sa);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(ip);
  return sa;
}

bool set_if_flags(int sock, const std::string& name, short add) {
  ifreq ifr{};
  set_name(&ifr, name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) return false;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | add);
  return ioctl(sock, SIOCSIFFLAGS, &ifr) == 0;
}

bool set_if_addr(int sock, const std::string& name, unsigned long req, Ipv4 ip) {
  ifreq ifr{};
  set_name(&ifr, name);
  ifr.ifr_addr = ipv4_sockaddr(ip);
  return ioctl(sock, req, &ifr) == 0;
}

// A socket for interface ioctls; it belongs to the namespace of the thread that makes it.
Fd ctl_socket() { return Fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); }

std::string dotted(Ipv4 ip, Ipv4 mask) {
  int bits = 0;
  for (Ipv4 m = mask; m != 0; m <<= 1) ++bits;
  return ip_to_string(ip) + "/" + std::to_string(bits);
}

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string tun_unavailable() {
  if (geteuid() != 0) return "not root (a private network namespace and a TUN device need root)";
  if (access("/dev/net/tun", R_OK | W_OK) != 0) return sys_error("/dev/net/tun");
  return "";
}

std::string enter_new_netns() {
  // From here on this thread sees only the interfaces, routes and sockets it creates.
  if (unshare(CLONE_NEWNET) != 0) return sys_error("unshare(CLONE_NEWNET)");
  const Fd ctl = ctl_socket();
  if (!ctl.valid() || !set_if_flags(ctl.get(), "lo", IFF_UP)) return sys_error("bringing up lo in the namespace");
  return "";
}

std::string open_tun(const std::string& name, Ipv4 ip, Ipv4 netmask, Fd* out) {
  Fd tun(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  ifreq ifr{};
  // No IFF_VNET_HDR and no TUNSETOFFLOAD: the device takes and gives whole, checksummed packets.
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  set_name(&ifr, name);
  if (!tun.valid() || ioctl(tun.get(), TUNSETIFF, &ifr) < 0) return sys_error("creating " + name);
  const Fd ctl = ctl_socket();
  if (!ctl.valid() || !set_if_addr(ctl.get(), name, SIOCSIFADDR, ip) ||
      !set_if_addr(ctl.get(), name, SIOCSIFNETMASK, netmask) || !set_if_flags(ctl.get(), name, IFF_UP | IFF_RUNNING))
    return sys_error("configuring " + name + " (" + dotted(ip, netmask) + ")");
  *out = std::move(tun);
  return "";
}

std::string add_route(Ipv4 dst, Ipv4 netmask, const std::string& dev) {
  const Fd ctl = ctl_socket();
  rtentry rt{};
  rt.rt_dst = ipv4_sockaddr(dst & netmask);
  rt.rt_genmask = ipv4_sockaddr(netmask);
  rt.rt_gateway = ipv4_sockaddr(0);
  rt.rt_flags = RTF_UP;
  std::string devname = dev;  // rt_dev is a char*, not const
  rt.rt_dev = devname.data();
  if (!ctl.valid() || ioctl(ctl.get(), SIOCADDRT, &rt) < 0) return sys_error("route " + dotted(dst, netmask) + " dev " + dev);
  return "";
}

long tun_read(int tun_fd, std::uint8_t* buf, std::size_t cap) {
  const ssize_t n = read(tun_fd, buf, cap);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
  return static_cast<long>(n);
}

bool tun_write(int tun_fd, const std::uint8_t* data, std::size_t len) {
  return write(tun_fd, data, len) == static_cast<ssize_t>(len);
}

std::string proc_sys_path(const std::string& name) {
  std::string p = "/proc/sys/" + name;
  for (std::size_t i = 10; i < p.size(); ++i)
    if (p[i] == '.') p[i] = '/';
  return p;
}

std::string write_sysctl(const std::string& name, const std::string& value) {
  const std::string path = proc_sys_path(name);
  if (access(path.c_str(), F_OK) != 0) return "unknown sysctl " + name + " (no " + path + ")";
  // Plain write(2), not a stream: the kernel's verdict on the value (EINVAL) comes from it.
  const Fd f(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!f.valid()) return sys_error("sysctl " + name + ": opening " + path);
  const std::string line = value + "\n";
  if (write(f.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    return sys_error("sysctl " + name + "=" + value);
  return "";
}

std::string read_sysctl(const std::string& name, bool* ok) {
  const Fd f(open(proc_sys_path(name).c_str(), O_RDONLY | O_CLOEXEC));
  std::string v;
  char buf[512];
  ssize_t n = 0;
  while (f.valid() && (n = read(f.get(), buf, sizeof buf)) > 0) v.append(buf, static_cast<std::size_t>(n));
  if (ok) *ok = f.valid() && n == 0;
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

std::string kernel_release() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return u.release;
}

}  // namespace tcplab
