#include "sim/bridge.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <queue>
#include <sstream>
#include <vector>

#include "sim/link.hpp"
#include "stack/tcp_host.hpp"
#include "stack/wire/codec.hpp"
#include "stack/wire/pcap.hpp"
#include "stack/wire/tun.hpp"

namespace tcplab {

namespace {

constexpr Ipv4 kKernelIp = 0x0a000001;  // 10.0.0.1 on tun0, the kernel's side
constexpr Ipv4 kTcplabIp = 0x0a000002;  // 10.0.0.2 behind tun0, tcplab's stack

char pattern(std::uint64_t at) { return static_cast<char>('a' + at % 26); }

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

// One run of the bridge: the namespace and tun0, both sides of the connection, the loop
// that moves packets and data between them in real time, and what it found.
class Bridge {
 public:
  explicit Bridge(const BridgeOptions& opt) : opt_(opt), wall0_(std::chrono::steady_clock::now()) {}
  BridgeResult run();

 private:
  Instant now_ns() const {
    return static_cast<Instant>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0_).count());
  }
  bool make_namespace();
  void make_tcplab_stack();
  bool start_tcplab_server();
  bool start_tcplab_client();
  void ship(Instant now);
  // Into the --pcap file, if any: a segment crossing tun0 now (times from the bridge's start).
  void capture(const Segment& seg, Instant now, std::uint16_t ip_id) {
    if (pcap_) pcap_->write(seg, now - t0_, ip_id);
  }
  bool done() const;
  void exchange();
  bool step(Instant now);
  void read_from_kernel(Instant now);
  void deliver_due(Instant now);
  void fire_timers(Instant now);
  bool run_tcplab_app(Instant now);
  void tcplab_write(Instant now);
  void tcplab_read(Instant now);
  bool run_kernel_app();
  bool check_kernel_connect();
  void kernel_write_read();
  void sleep_until_due(Instant now);
  std::string timeout_message() const;
  void finish();
  std::string verdict() const;

  const BridgeOptions& opt_;
  const std::chrono::steady_clock::time_point wall0_;
  BridgeResult r_;
  Fd tun_;
  std::int64_t csum0_ = -1;
  TcpHost host_;
  Output out_;
  LinkDir to_kernel_link_, to_tcplab_link_;
  DeliveryQueue to_kernel_, to_tcplab_;
  std::uint64_t order_ = 0;
  std::uint16_t ip_id_ = 0;
  ConnId conn_ = kNoConn, listener_ = kNoConn;
  std::uint64_t t_sent_ = 0, t_got_ = 0;
  bool t_closed_ = false, t_mismatch_ = false, t_eof_ = false;
  KernelPeer k_;
  Instant t0_ = 0;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  std::optional<PcapWriter> pcap_;  // opt_.pcap: tun0 at the kernel's side
  std::string chunk_;
};

BridgeResult Bridge::run() {
  if (!tun_unavailable().empty()) {
    r_.skipped = true;
    r_.error = "the bridge needs root and /dev/net/tun (it makes its own network namespace and TUN device)";
    return r_;
  }
  if (!opt_.pcap.empty()) {
    pcap_.emplace(opt_.pcap);
    if (!pcap_->ok()) {
      r_.error = pcap_->error();
      return r_;
    }
  }
  if (!make_namespace()) return r_;
  csum0_ = tcp_in_csum_errors();
  make_tcplab_stack();
  t0_ = now_ns();
  if (!(opt_.tcplab_is_server ? start_tcplab_server() : start_tcplab_client())) return r_;
  exchange();
  finish();
  return r_;
}

// A private network namespace with lo and tun0 (10.0.0.1/24) up; false with r_.error set.
bool Bridge::make_namespace() {
  // A private network namespace: from here on this process sees only what it creates.
  if (std::string e = enter_new_netns(); !e.empty()) {
    r_.error = e;
    return false;
  }
  if (std::string e = open_tun("tun0", kKernelIp, 0xffffff00, &tun_); !e.empty()) {
    r_.error = e;
    return false;
  }
  return true;
}

// tcplab's side: the stack, sans-IO, driven by the real clock.
void Bridge::make_tcplab_stack() {
  TcpConfig cfg = TcpConfig::for_profile(Profile::Linux);
  cfg.rcv_buf_bytes = 1 << 20;
  cfg.snd_buf_bytes = 1 << 20;
  host_ = TcpHost(kTcplabIp, cfg, opt_.seed);
  LinkParams lp;
  lp.delay_ns = opt_.delay_ns;
  lp.loss = opt_.loss;
  lp.queue_pkts_max = 100000;
  Rng rng(opt_.seed);
  to_kernel_link_ = LinkDir(lp, rng.fork());  // the first fork goes to_kernel, the second to_tcplab
  to_tcplab_link_ = LinkDir(lp, rng.fork());
}

// tcplab listens; the kernel connects (to the port one above it with --refused).
bool Bridge::start_tcplab_server() {
  if (host_.listen(t0_, opt_.port, 16, &listener_, out_) != Errno::Ok) {
    r_.error = "tcplab could not listen";
    return false;
  }
  const std::uint16_t kport = static_cast<std::uint16_t>(opt_.port + 1);
  k_.sock = Fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(opt_.refused ? kport : opt_.port);
  dst.sin_addr.s_addr = htonl(kTcplabIp);
  if (connect(k_.sock.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0 && errno != EINPROGRESS) {
    r_.error = sys_error("kernel connect()");
    return false;
  }
  return true;
}

// The kernel listens; tcplab connects.
bool Bridge::start_tcplab_client() {
  k_.listener = Fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  int one = 1;
  setsockopt(k_.listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(opt_.port);
  a.sin_addr.s_addr = htonl(kKernelIp);
  if (bind(k_.listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(k_.listener.get(), 16) < 0) {
    r_.error = sys_error("kernel bind/listen");
    return false;
  }
  if (host_.connect(t0_, Endpoint{kKernelIp, opt_.port}, 0, &conn_, out_) != Errno::Ok) {
    r_.error = "tcplab could not connect";
    return false;
  }
  ship(t0_);
  return true;
}

void Bridge::ship(Instant now) {  // what the stack emitted goes onto the simulated link
  for (auto& ev : out_.events) {
    auto* se = std::get_if<SendEvent>(&ev.body);
    if (!se) continue;
    auto bytes = encode_ipv4(se->seg, ++ip_id_);
    ++r_.segs_to_kernel;
    const Fate f = to_kernel_link_.offer(now, static_cast<std::uint32_t>(bytes.size()));
    if (f.kind != Fate::Kind::Deliver) {
      ++r_.dropped_by_link;
      continue;
    }
    to_kernel_.push(Delivery{f.arrive_at, order_++, std::move(bytes)});
  }
  out_.clear();
}

bool Bridge::done() const {
  if (opt_.refused) return !r_.refused_errno.empty();
  const bool data = t_sent_ == opt_.bytes && t_got_ == opt_.bytes && k_.sent == opt_.bytes && k_.got == opt_.bytes;
  const bool tcplab_done = conn_ != kNoConn && (host_.conn(conn_).state() == State::Closed || host_.conn(conn_).state() == State::TimeWait);
  return data && t_closed_ && k_.eof && k_.shut && tcplab_done;
}

// The loop: one step at a time until done (and drained), failed or timed out.
void Bridge::exchange() {
  // After the exchange, keep the link running a little so the last ACKs reach the kernel
  // and `ss` shows where each side really ended.
  Instant drain_until = kNever;
  for (;;) {
    Instant now = now_ns();
    if (drain_until == kNever && done()) drain_until = now + 4 * opt_.delay_ns + ms(50);
    if (now >= drain_until) break;
    if (now - t0_ > opt_.timeout_ns) {
      r_.error = timeout_message();
      break;
    }
    if (!step(now)) break;
    sleep_until_due(now);
  }
}

std::string Bridge::timeout_message() const {
  return "timed out: tcplab sent " + std::to_string(t_sent_) + "/read " + std::to_string(t_got_) + ", kernel sent " +
         std::to_string(k_.sent) + "/read " + std::to_string(k_.got) +
         (conn_ != kNoConn ? ", tcplab state " + std::string(state_name(host_.conn(conn_).state())) : "");
}

// One pass of the loop; false when a failure ends it (r_.error says which).
bool Bridge::step(Instant now) {
  // 1. Packets from the kernel, through the simulated link, into the stack.
  read_from_kernel(now);
  deliver_due(now);
  // 2. Timers of every tcplab connection.
  fire_timers(now);
  // 3. tcplab's application: accept, write the pattern, read and verify, close.
  if (!run_tcplab_app(now)) return false;
  // 4. The kernel's application on its socket.
  return run_kernel_app();
}

// Everything tun0 has from the kernel goes onto the simulated link towards tcplab.
void Bridge::read_from_kernel(Instant now) {
  for (;;) {
    const auto* p = reinterpret_cast<std::uint8_t*>(buf_.data());
    const long n = tun_read(tun_.get(), reinterpret_cast<std::uint8_t*>(buf_.data()), buf_.size());
    if (n <= 0) break;
    if ((p[0] >> 4) != 4) {
      ++r_.ignored_non_ipv4;  // IPv6 neighbour chatter in the namespace
      continue;
    }
    const DecodeResult d = decode_ipv4(p, static_cast<std::size_t>(n));
    if (!d.seg) {
      ++r_.malformed_from_kernel;  // counted and dropped (DESIGN rule 6)
      if (opt_.verbose) std::fprintf(stderr, "bridge: malformed packet from the kernel: %s\n", d.error.c_str());
      continue;
    }
    ++r_.segs_from_kernel;
    capture(*d.seg, now, static_cast<std::uint16_t>((p[4] << 8) | p[5]));
    if (d.seg->has(kRst)) ++r_.rst_from_kernel;
    const Fate f = to_tcplab_link_.offer(now, static_cast<std::uint32_t>(n));
    if (f.kind != Fate::Kind::Deliver) {
      ++r_.dropped_by_link;
      continue;
    }
    to_tcplab_.push(Delivery{f.arrive_at, order_++, std::vector<std::uint8_t>(p, p + n)});
  }
}

// Packets whose time on the link is over: into the stack, or written to tun0.
void Bridge::deliver_due(Instant now) {
  while (!to_tcplab_.empty() && to_tcplab_.top().at <= now) {
    const auto d = decode_ipv4(to_tcplab_.top().bytes);
    to_tcplab_.pop();
    host_.on_segment(now, *d.seg, out_);
    ship(now);
  }
  while (!to_kernel_.empty() && to_kernel_.top().at <= now) {
    const auto& b = to_kernel_.top().bytes;
    if (pcap_) {
      if (const DecodeResult d = decode_ipv4(b); d.seg) capture(*d.seg, now, static_cast<std::uint16_t>((b[4] << 8) | b[5]));
    }
    if (!tun_write(tun_.get(), b.data(), b.size()) && opt_.verbose) std::perror("bridge: write(tun0)");
    to_kernel_.pop();
  }
}

void Bridge::fire_timers(Instant now) {
  for (ConnId c = 0; c < host_.conn_count(); ++c) {
    if (host_.conn(c).next_deadline() <= now) {
      host_.on_timer(now, c, out_);
      ship(now);
    }
  }
}

// false when tcplab's connection failed.
bool Bridge::run_tcplab_app(Instant now) {
  if (conn_ == kNoConn && listener_ != kNoConn) conn_ = host_.accept(listener_);
  if (conn_ == kNoConn || opt_.refused) return true;
  const State st = host_.conn(conn_).state();
  const bool open = st == State::Established || st == State::CloseWait;
  if (open && t_sent_ < opt_.bytes) tcplab_write(now);
  tcplab_read(now);
  const bool all_data = t_sent_ == opt_.bytes && t_got_ == opt_.bytes;
  if (!t_closed_ && all_data && (opt_.tcplab_closes_first || t_eof_)) {
    host_.close(now, conn_, out_);
    ship(now);
    t_closed_ = true;
  }
  if (st == State::Closed && !t_closed_ && host_.conn(conn_).error() != Errno::Ok) {
    r_.error = "tcplab's connection failed: " + std::string(errno_name(host_.conn(conn_).error()));
    return false;
  }
  return true;
}

// Up to 64 KiB more of the pattern, as much as the send buffer takes.
void Bridge::tcplab_write(Instant now) {
  std::uint32_t taken = 0;
  const auto want = static_cast<std::uint32_t>(std::min<std::uint64_t>(opt_.bytes - t_sent_, 1 << 16));
  chunk_.resize(want);
  for (std::uint32_t i = 0; i < want; ++i) chunk_[i] = pattern(t_sent_ + i);
  host_.send(now, conn_, chunk_, &taken, out_);
  t_sent_ += taken;
  ship(now);
}

// Everything readable, checked against the pattern; an empty read is the kernel's FIN.
void Bridge::tcplab_read(Instant now) {
  std::string data;
  for (;;) {
    const Errno e = host_.recv(now, conn_, 1 << 16, &data, out_);
    ship(now);
    if (e != Errno::Ok) break;
    if (data.empty()) {
      t_eof_ = true;
      break;
    }
    for (char ch : data) t_mismatch_ = t_mismatch_ || ch != pattern(t_got_++);
  }
}

// false when the kernel's connect() failed (and was not meant to).
bool Bridge::run_kernel_app() {
  if (!opt_.tcplab_is_server && k_.sock.get() < 0) {
    const int s = accept4(k_.listener.get(), nullptr, nullptr, SOCK_NONBLOCK);
    if (s >= 0) k_.sock = Fd(s);
  }
  if (k_.sock.get() >= 0 && !k_.connected && r_.refused_errno.empty() && !check_kernel_connect()) return false;
  if (k_.connected && !opt_.refused) kernel_write_read();
  return true;
}

// Whether the kernel's connect() is decided yet, and how; false when it failed and that ends the run.
bool Bridge::check_kernel_connect() {
  // A connect() in progress is decided when the socket polls writable or in error;
  // SO_ERROR read after the poll says which.
  pollfd pf{k_.sock.get(), POLLOUT, 0};
  const bool decided = poll(&pf, 1, 0) == 1;
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(k_.sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (decided && (err != 0 || (pf.revents & (POLLERR | POLLHUP)))) {
    if (err == 0) err = ECONNRESET;
    if (opt_.refused) r_.refused_errno = err == ECONNREFUSED ? "ECONNREFUSED" : std::strerror(err);
    else r_.error = std::string("kernel connect(): ") + std::strerror(err);
    if (!opt_.refused) return false;
  } else if (decided && (pf.revents & POLLOUT)) {
    k_.connected = true;
    if (opt_.refused) r_.refused_errno = "connected (expected ECONNREFUSED)";
  }
  return true;
}

// The kernel's application: send the pattern, read and verify, shut down its side.
void Bridge::kernel_write_read() {
  while (k_.sent < opt_.bytes) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(opt_.bytes - k_.sent, buf_.size()));
    for (std::size_t i = 0; i < want; ++i) buf_[i] = pattern(k_.sent + i);
    const ssize_t n = ::send(k_.sock.get(), buf_.data(), want, MSG_NOSIGNAL);
    if (n <= 0) break;
    k_.sent += static_cast<std::uint64_t>(n);
  }
  for (;;) {
    const ssize_t n = ::recv(k_.sock.get(), buf_.data(), buf_.size(), 0);
    if (n == 0) { k_.eof = true; break; }
    if (n < 0) break;
    for (ssize_t i = 0; i < n; ++i) k_.mismatch = k_.mismatch || buf_[i] != pattern(k_.got++);
  }
  const bool all_data = k_.sent == opt_.bytes && k_.got == opt_.bytes;
  if (!k_.shut && all_data && (!opt_.tcplab_closes_first || k_.eof)) {
    ::shutdown(k_.sock.get(), SHUT_WR);  // the kernel sends its FIN
    k_.shut = true;
  }
}

// 5. Sleep until something is due (or 1 ms at most, to poll the kernel socket).
void Bridge::sleep_until_due(Instant now) {
  Instant next = now + ms(1);
  if (!to_tcplab_.empty()) next = std::min(next, to_tcplab_.top().at);
  if (!to_kernel_.empty()) next = std::min(next, to_kernel_.top().at);
  for (ConnId c = 0; c < host_.conn_count(); ++c) next = std::min(next, host_.conn(c).next_deadline());
  std::vector<pollfd> fds{{tun_.get(), POLLIN, 0}};
  if (k_.sock.get() >= 0) fds.push_back({k_.sock.get(), static_cast<short>(POLLIN | (k_.sent < opt_.bytes ? POLLOUT : 0)), 0});
  const Instant wait = std::max<Instant>(0, next - now_ns());
  timespec ts{static_cast<time_t>(wait / sec(1)), static_cast<long>(wait % sec(1))};
  ppoll(fds.data(), fds.size(), &ts, nullptr);
}

// The result: both sides' views, the counters, and the verdict.
void Bridge::finish() {
  r_.wall_s = static_cast<double>(now_ns()) / 1e9;
  r_.kernel_ss = run_ss();
  if (conn_ != kNoConn) {
    const Connection& c = host_.conn(conn_);
    r_.tcplab_view = "tcp " + endpoint_to_string(c.local()) + " " + endpoint_to_string(c.remote()) + " " +
                     std::string(linux_state_name(c.state())) + "\n";
  }
  const std::int64_t csum1 = tcp_in_csum_errors();
  r_.kernel_csum_errors = (csum0_ >= 0 && csum1 >= 0) ? csum1 - csum0_ : -1;
  r_.to_kernel_bytes = k_.got;
  r_.from_kernel_bytes = t_got_;
  if (r_.error.empty()) r_.error = verdict();
  r_.ok = r_.error.empty();
}

// What went wrong in a run that did not fail outright; empty when nothing did.
std::string Bridge::verdict() const {
  if (opt_.refused) {
    if (r_.refused_errno != "ECONNREFUSED") return "the kernel's connect() to a closed tcplab port got " + r_.refused_errno;
  } else if (t_mismatch_ || k_.mismatch) {
    return std::string("bytes differ from what was sent (") + (t_mismatch_ ? "kernel->tcplab" : "tcplab->kernel") + ")";
  } else if (r_.rst_from_kernel) {
    return "the kernel sent " + std::to_string(r_.rst_from_kernel) + " RST segments (it rejected something tcplab sent)";
  } else if (r_.kernel_csum_errors > 0) {
    return "the kernel counted " + std::to_string(r_.kernel_csum_errors) + " TCP checksum errors";
  } else if (r_.malformed_from_kernel) {
    return "tcplab could not decode " + std::to_string(r_.malformed_from_kernel) + " packets from the kernel";
  }
  return "";
}

}  // namespace

BridgeResult run_bridge(const BridgeOptions& opt) { return Bridge(opt).run(); }

}  // namespace tcplab
