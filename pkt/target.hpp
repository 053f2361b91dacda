#pragma once
// The system under test of a packetdrill-format script (issue 15): one TCP endpoint, its
// socket calls, and the segments it sends. Two implementations: tcplab's own stack under
// virtual time (pkt/tcplab_target) and the real Linux kernel behind a TUN device in a
// private network namespace, in real time (pkt/kernel_target). The runner (pkt/runner)
// decodes each script line into a Call, so both targets execute the same thing.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pkt/script.hpp"
#include "stack/config.hpp"
#include "stack/segment.hpp"
#include "stack/time.hpp"

namespace tcplab::pkt {

// The addresses packetdrill uses by default (IPv4): the stack under test is "local".
constexpr Ipv4 kLocalIp = 0xc0a80001;   // 192.168.0.1
constexpr Ipv4 kRemoteIp = 0xc0000201;  // 192.0.2.1, the scripted peer
constexpr std::uint16_t kLocalPort = 8080;   // bind(fd, ..., ...) binds this port
constexpr std::uint16_t kRemotePort = 8080;  // connect(fd, ..., ...) connects to this port
constexpr std::uint16_t kPeerPort = 48001;   // the peer's port in the SYNs it injects

// One socket call, decoded from its script line.
enum class Op : std::uint8_t {
  Socket, Bind, Listen, Accept, Connect, Read, Write, Close, Shutdown,
  SetSockOpt, GetSockOpt, GetFl, SetFl, Poll,
};
enum class SockOpt : std::uint8_t {
  ReuseAddr, RcvBuf, SndBuf, Linger, KeepAlive, Error,  // SOL_SOCKET
  NoDelay, MaxSeg, KeepIdle, KeepIntvl, KeepCnt, UserTimeout, Congestion,  // IPPROTO_TCP
};
struct Call {
  Op op = Op::Socket;
  int fd = -1;
  int backlog = 0;             // listen
  std::uint64_t len = 0;       // read/write: bytes
  int how = 0;                 // shutdown: 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR
  SockOpt opt = SockOpt::ReuseAddr;
  std::int64_t value = 0;      // setsockopt: the int; SO_LINGER: l_linger
  bool linger_on = false;      // SO_LINGER: l_onoff
  std::string text;            // TCP_CONGESTION: the name
  bool nonblock = false;       // SetFl: O_NONBLOCK given
  short poll_events = 0;       // Poll: POLLIN/POLLOUT/... (Linux values)
  std::int64_t poll_timeout_ms = 0;
};
struct CallResult {
  std::int64_t ret = 0;
  std::string err;             // "EINPROGRESS" when ret is -1, else empty
  std::int64_t value = 0;      // GetSockOpt: the int (SO_ERROR: the errno's value); SO_LINGER: l_linger
  bool linger_on = false;
  std::string text;            // GetSockOpt TCP_CONGESTION
  short revents = 0;           // Poll
  bool nonblock = false;       // GetFl
  Instant returned_at = -1;    // when the call returned (ns since the target began), if the
                               // target knows better than the time poll_call() is asked
};

// A segment the stack under test sent, and when (ns since the script began).
struct Sent {
  Instant at = 0;
  Segment seg;
};

class Target {
 public:
  virtual ~Target() = default;
  // "tcplab, profile linux" or "Linux 6.1.0-28-amd64"
  virtual std::string describe() const = 0;
  // True for tcplab (exact virtual time); false for the kernel (wall clock, tolerances apply).
  virtual bool virtual_time() const = 0;
  // ns since the script began.
  virtual Instant now() = 0;
  // Sets a sysctl ("net.ipv4.tcp_sack" = "0"). Returns an empty string, or why it cannot
  // (an unknown name, a value out of range): the runner reports it as a script error. A
  // string that starts with "note: " is not an error: the runner shows it and goes on.
  virtual std::string set_sysctl(const SysctlLine& s) = 0;
  // Lets time pass until `until`, or until the stack sends a segment, whichever comes
  // first. Returns that segment, or nullopt when none came by `until` (now() >= until then)
  // or when the pending call returned before (then now() may be earlier than `until`).
  virtual std::optional<Sent> next_sent(Instant until) = 0;
  // The scripted peer's segment arrives at the stack now.
  virtual void inject(const Segment& seg) = 0;
  // Virtual time only: moves the clock to `t` (>= now()) without firing the timers due at t,
  // so that a segment injected next comes before them, as in the kernel (its timers fire late).
  virtual void set_clock(Instant) {}
  // Starts a socket call now. A call that would block (accept with an empty queue, a
  // blocking connect, a read with no data, a write into a full buffer, close with linger)
  // is pending until poll_call returns its result; at most one call is pending at a time.
  virtual void start_call(const Call& c) = 0;
  // The pending call's result once it returned, else nullopt (time does not pass here).
  virtual std::optional<CallResult> poll_call() = 0;
};

// tcplab's stack at kLocalIp with these settings (sysctls then change them).
std::unique_ptr<Target> make_tcplab_target(const TcpConfig& cfg);
// Why the kernel target cannot run here (not root, no /dev/net/tun, no namespaces), or "".
std::string kernel_target_unavailable();
// Throws std::runtime_error if it cannot start. With `states_path`, the kernel's socket states
// are polled while it runs and appended there, times plus `base` (pkt/kernel_states.hpp).
std::unique_ptr<Target> make_kernel_target(const std::string& states_path = "", Instant base = 0);

}  // namespace tcplab::pkt
