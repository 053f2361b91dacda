#pragma once
// The plumbing to put the real Linux kernel on the other side of a TUN device (issues 8, 15):
// a private network namespace, a TUN device with an address and a route in it, raw IPv4
// packets in and out, and /proc/sys values of that namespace. Used by `tcplab bridge` and
// the kernel target of `tcplab pkt`. Linux only; left out of the WebAssembly build.
//
// Network namespaces belong to threads: enter_new_netns() moves only the calling thread,
// and threads it creates afterwards start in the same namespace. Everything below that
// creates a socket or touches /proc/sys acts in the calling thread's namespace.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "stack/segment.hpp"

namespace tcplab {

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int f) : fd_(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept { std::swap(fd_, o.fd_); return *this; }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// "what: strerror(errno)"
std::string sys_error(const std::string& what);

// Why a TUN device in a private namespace cannot be made here (not root, no /dev/net/tun),
// or "". Does not try unshare itself.
std::string tun_unavailable();

// unshare(CLONE_NEWNET) for the calling thread (see above), then brings up lo in it.
// Returns "" or what failed.
std::string enter_new_netns();

// Creates TUN device `name` (IFF_TUN | IFF_NO_PI: bare IPv4/IPv6 packets, no offloads, so the
// kernel computes checksums and segments to the MSS itself), non-blocking, with address `ip`
// and `netmask`, and brings it up. On success *out owns it and "" is returned.
std::string open_tun(const std::string& name, Ipv4 ip, Ipv4 netmask, Fd* out);

// Routes dst/netmask through device `dev` (SIOCADDRT, no `ip` binary). "" or what failed.
std::string add_route(Ipv4 dst, Ipv4 netmask, const std::string& dev);

// One packet from the TUN device: its length, 0 when none is waiting, -1 on an error.
long tun_read(int tun_fd, std::uint8_t* buf, std::size_t cap);
// One packet to the TUN device; false (errno set) if the kernel did not take it.
bool tun_write(int tun_fd, const std::uint8_t* data, std::size_t len);

// /proc/sys/<name with dots as slashes>, e.g. "net.ipv4.tcp_sack".
std::string proc_sys_path(const std::string& name);
// Writes a sysctl in the calling thread's namespace: "" or why not, naming the sysctl.
std::string write_sysctl(const std::string& name, const std::string& value);
// Its value in the calling thread's namespace, trailing newline removed; "" and *ok false
// when it cannot be read.
std::string read_sysctl(const std::string& name, bool* ok = nullptr);

// uname's release: "6.1.0-28-amd64".
std::string kernel_release();

}  // namespace tcplab
