// tcplab's own stack as a script's system under test: one TcpHost at kLocalIp under
// virtual time. Socket calls are emulated over TcpHost's calls (a table from the script's
// file descriptors to listeners and connections); the socket options that TcpHost takes
// per host are applied to the host's settings when the socket listens or connects.
#include <algorithm>
#include <deque>
#include <map>

#include <fmt/format.h>

#include "pkt/symbols.hpp"
#include "pkt/target.hpp"
#include "stack/tcp_host.hpp"

namespace tcplab::pkt {

namespace {

constexpr short kPollIn = 0x1, kPollOut = 0x4, kPollErr = 0x8, kPollHup = 0x10;

struct Sock {
  enum class Kind : std::uint8_t { Fresh, Listener, Conn } kind = Kind::Fresh;
  ConnId id = kNoConn;
  std::uint16_t port = 0;  // bound port
  bool nonblock = false;
  TcpConfig cfg;           // the host's settings with this socket's options
  bool linger_on = false;
  std::int64_t linger_s = 0;
  bool connected = false, eof = false;
  Errno error = Errno::Ok;  // the pending SO_ERROR
};

class TcplabTarget final : public Target {
 public:
  explicit TcplabTarget(const TcpConfig& cfg) : cfg_(cfg), host_(kLocalIp, cfg, 0x7c91ab33) {}

  std::string describe() const override {
    return fmt::format("tcplab, profile {}", cfg_.profile == Profile::Linux ? "linux" : "rfc9293");
  }
  bool virtual_time() const override { return true; }
  Instant now() override { return now_; }

  std::string set_sysctl(const SysctlLine& s) override;
  std::optional<Sent> next_sent(Instant until) override;
  void set_clock(Instant t) override { now_ = std::max(now_, t); }
  void inject(const Segment& seg) override {
    host_.on_segment(now_, seg, out_);
    absorb();
  }
  void start_call(const Call& c) override {
    pending_ = c;
    has_pending_ = true;
    started_ = false;
  }
  std::optional<CallResult> poll_call() override;

 private:
  void absorb();
  Sock* sock(int fd) {
    auto it = fds_.find(fd);
    return it == fds_.end() ? nullptr : &it->second;
  }
  Sock* sock_of(ConnId c) {
    for (auto& [fd, s] : fds_)
      if (s.kind == Sock::Kind::Conn && s.id == c) return &s;
    return nullptr;
  }
  // One attempt at the call: a result, or nullopt if it blocks.
  std::optional<CallResult> attempt(const Call& c);
  std::optional<CallResult> sockopt(Sock& s, const Call& c);
  static CallResult ret(std::int64_t v) {
    CallResult r;
    r.ret = v;
    return r;
  }
  static CallResult fail(std::string_view name) {
    CallResult r;
    r.ret = -1;
    r.err = std::string(name);
    return r;
  }
  static CallResult fail(Errno e) { return fail(errno_name(e)); }
  short revents(const Sock& s) const;
  // Like the kernel: the lowest descriptor not in use, from 3 (0-2 are stdio).
  int lowest_free_fd() const {
    int fd = 3;
    while (fds_.count(fd)) ++fd;
    return fd;
  }

  TcpConfig cfg_;
  TcpHost host_;
  Instant now_ = 0;
  Output out_;
  std::deque<Sent> sent_;
  std::map<int, Sock> fds_;
  std::map<ConnId, std::uint8_t> notices_;  // Readable/Eof seen for conns not yet accepted
  Call pending_;
  bool has_pending_ = false, started_ = false;
  Instant poll_deadline_ = kNever;
};

void TcplabTarget::absorb() {
  for (const ConnEvent& ev : out_.events) {
    if (const auto* send = std::get_if<SendEvent>(&ev.body)) {
      sent_.push_back(Sent{now_, send->seg});
    } else if (const auto* n = std::get_if<NoticeEvent>(&ev.body)) {
      Sock* s = sock_of(ev.conn);
      if (!s) continue;
      if (n->what == Notice::Connected) s->connected = true;
      if (n->what == Notice::Eof) s->eof = true;
      if (n->what == Notice::Error) s->error = n->err;
    }
  }
  out_.clear();
}

std::optional<Sent> TcplabTarget::next_sent(Instant until) {
  for (;;) {
    if (!sent_.empty()) {
      Sent s = sent_.front();
      sent_.pop_front();
      return s;
    }
    // The earliest timer of any connection.
    Instant t = kNever;
    ConnId who = kNoConn;
    for (ConnId c = 0; c < host_.conn_count(); ++c) {
      const Instant d = host_.conn(c).next_deadline();
      if (d < t) t = d, who = c;
    }
    if (who == kNoConn || t > until) {
      now_ = std::max(now_, until);
      return std::nullopt;
    }
    now_ = std::max(now_, t);
    host_.on_timer(now_, who, out_);
    absorb();
    if (has_pending_ && sent_.empty()) return std::nullopt;  // the pending call may have returned
  }
}

std::string TcplabTarget::set_sysctl(const SysctlLine& s) {
  const std::string& n = s.name;
  long long v = 0;
  try {
    std::size_t used = 0;
    v = std::stoll(s.value, &used);
  } catch (const std::exception&) {
    if (n != "net.ipv4.tcp_rmem" && n != "net.ipv4.tcp_wmem" && n != "net.ipv4.tcp_congestion_control")
      return fmt::format("{} = \"{}\" is not a number", n, s.value);
  }
  // min, default, max: tcp_wmem's default only; tcp_rmem's all three (the max sets the
  // window scale and how far the buffer may grow).
  auto three = [&](std::uint32_t* lo, std::uint32_t* field, std::uint32_t* hi) -> std::string {
    unsigned long long a = 0, b = 0, c = 0;
    if (std::sscanf(s.value.c_str(), "%llu %llu %llu", &a, &b, &c) != 3) return fmt::format("{} takes three numbers", n);
    if (lo) *lo = static_cast<std::uint32_t>(a);
    *field = static_cast<std::uint32_t>(b);
    if (hi) *hi = static_cast<std::uint32_t>(c);
    return {};
  };
  TcpConfig& k = cfg_;
  if (n == "net.ipv4.tcp_sack") k.sack = v != 0;
  else if (n == "net.ipv4.tcp_dsack") k.dsack = v != 0;
  else if (n == "net.ipv4.tcp_timestamps") k.timestamps = v != 0;
  else if (n == "net.ipv4.tcp_window_scaling") k.window_scaling = v != 0;
  else if (n == "net.ipv4.tcp_syn_retries") k.syn_retries = static_cast<int>(v);
  else if (n == "net.ipv4.tcp_syn_linear_timeouts") k.syn_linear_timeouts = static_cast<int>(v);
  else if (n == "net.ipv4.tcp_synack_retries") k.synack_retries = static_cast<int>(v);
  else if (n == "net.ipv4.tcp_retries2") k.data_retries = static_cast<int>(v);
  else if (n == "net.ipv4.tcp_orphan_retries") k.orphan_retries = static_cast<int>(v);
  else if (n == "net.ipv4.tcp_fin_timeout") k.fin_wait_2_timeout_ns = sec(v);
  else if (n == "net.ipv4.tcp_keepalive_time") k.keepalive_idle_ns = sec(v);
  else if (n == "net.ipv4.tcp_keepalive_intvl") k.keepalive_interval_ns = sec(v);
  else if (n == "net.ipv4.tcp_keepalive_probes") k.keepalive_probes = static_cast<int>(v);
  else if (n == "net.ipv4.tcp_rfc1337") k.time_wait_rst_closes = v == 0;
  else if (n == "net.ipv4.tcp_rmem") { if (auto e = three(&k.rcv_buf_min, &k.rcv_buf_bytes, &k.rcv_buf_max); !e.empty()) return e; }
  else if (n == "net.ipv4.tcp_wmem") { if (auto e = three(nullptr, &k.snd_buf_bytes, nullptr); !e.empty()) return e; }
  else if (n == "net.ipv4.tcp_adv_win_scale") k.adv_win_scale = static_cast<int>(v);
  else if (n == "net.core.rmem_max") k.core_rmem_max = static_cast<std::uint32_t>(v);
  else if (n == "net.ipv4.tcp_invalid_ratelimit") k.invalid_ack_ratelimit_ns = ms(v);
  else if (n == "net.ipv4.tcp_syncookies") k.syn_cookies = static_cast<int>(std::clamp<long long>(v, 0, 2));
  // 3 and 4 schedule tail loss probes (Linux tcp_schedule_loss_probe); 0-2 do not.
  else if (n == "net.ipv4.tcp_early_retrans") k.tail_loss_probe = v == 3 || v == 4;
  else if (n == "net.ipv4.tcp_slow_start_after_idle") k.slow_start_after_idle = v != 0;
  else if (n == "net.ipv4.tcp_min_tso_segs" ||
           n == "net.ipv4.tcp_congestion_control" || n == "net.ipv4.tcp_ecn" || n == "net.ipv4.tcp_fastopen" ||
           n == "net.core.default_qdisc" ||
           // Linux 6.18 finds losses with RACK whatever this says (tests/pkt/scripts/
           // b-rack-recovery-sysctl.pkt: tcp_recovery=0 still resends after the reordering
           // window); its other bits (static window, no DupThresh) are not modelled.
           n == "net.ipv4.tcp_recovery")
    // Behaviour tcplab does not model yet: the script still runs, and says so (never silently).
    return fmt::format("note: tcplab does not model {} (the setting changes nothing here; --against kernel sets it)", n);
  else
    return fmt::format("tcplab does not know the sysctl {}", n);
  host_.set_config(cfg_);
  for (auto& [fd, s] : fds_) s.cfg = cfg_;
  return {};
}

// The errors with which the stack's connection ended (Connection::error): a socket reports
// them once (sk_err), after which Linux's calls see a socket shut in both directions.
static bool ended_by_error(Errno e) {
  return e == Errno::ConnReset || e == Errno::ConnRefused || e == Errno::TimedOut;
}

short TcplabTarget::revents(const Sock& s) const {
  short r = 0;
  if (s.kind == Sock::Kind::Listener) {
    auto it = host_.listeners().find(s.port);
    if (it != host_.listeners().end() && !it->second.accept_queue.empty()) r |= kPollIn;
    return r;
  }
  if (s.kind != Sock::Kind::Conn) return kPollOut | kPollHup;
  const Connection& c = host_.conn(s.id);
  if (s.error != Errno::Ok) r |= kPollErr;
  if (s.eof || c.readable_bytes() > 0) r |= kPollIn;
  if (s.connected && (c.state() == State::Established || c.state() == State::CloseWait)) r |= kPollOut;
  // tcp_poll: a socket in TCP_CLOSE (reset, refused, timed out: tcp_done shut both
  // directions) is POLLHUP, and with RCV_SHUTDOWN / SEND_SHUTDOWN also POLLIN and POLLOUT,
  // whether it was ever connected or not (a refused connect polls 0x1c: OUT|ERR|HUP).
  if (c.state() == State::Closed) r |= kPollHup | kPollIn | kPollOut;
  return r;
}

std::optional<CallResult> TcplabTarget::sockopt(Sock& s, const Call& c) {
  CallResult r;
  if (c.op == Op::GetSockOpt) {
    switch (c.opt) {
      case SockOpt::Error: r.value = s.error == Errno::Ok ? 0 : *errno_value(errno_name(s.error)); s.error = Errno::Ok; break;
      case SockOpt::ReuseAddr: r.value = s.cfg.reuse_addr; break;
      case SockOpt::KeepAlive: r.value = s.cfg.keepalive; break;
      case SockOpt::NoDelay: r.value = !s.cfg.nagle; break;
      case SockOpt::MaxSeg: r.value = s.kind == Sock::Kind::Conn ? host_.conn(s.id).tcb().snd_mss : s.cfg.mss; break;
      case SockOpt::KeepIdle: r.value = s.cfg.keepalive_idle_ns / sec(1); break;
      case SockOpt::KeepIntvl: r.value = s.cfg.keepalive_interval_ns / sec(1); break;
      case SockOpt::KeepCnt: r.value = s.cfg.keepalive_probes; break;
      case SockOpt::RcvBuf: r.value = s.kind == Sock::Kind::Conn ? host_.conn(s.id).rcv_buf_size() : s.cfg.rcv_buf_bytes; break;
      case SockOpt::SndBuf: r.value = s.cfg.snd_buf_bytes; break;
      case SockOpt::Linger: r.linger_on = s.linger_on, r.value = s.linger_s; break;
      // Linux's names: NewReno is "reno" there.
      case SockOpt::Congestion: r.text = s.cfg.cc == CcKind::NewReno ? "reno" : std::string(cc_name(s.cfg.cc)); break;
      case SockOpt::UserTimeout: r.value = s.cfg.user_timeout_ns / ms(1); break;
    }
    return r;
  }
  // setsockopt: settings live in the host's config until the socket listens or connects.
  if (s.kind != Sock::Kind::Fresh && c.opt != SockOpt::Linger && c.opt != SockOpt::ReuseAddr)
    return fail("EOPNOTSUPP");  // tcplab takes options before listen()/connect() only
  switch (c.opt) {
    case SockOpt::ReuseAddr: s.cfg.reuse_addr = c.value != 0; break;
    case SockOpt::KeepAlive: s.cfg.keepalive = c.value != 0; break;
    case SockOpt::NoDelay: s.cfg.nagle = c.value == 0; break;
    case SockOpt::MaxSeg: s.cfg.mss = static_cast<std::uint16_t>(c.value); break;
    case SockOpt::KeepIdle: s.cfg.keepalive_idle_ns = sec(c.value); break;
    case SockOpt::KeepIntvl: s.cfg.keepalive_interval_ns = sec(c.value); break;
    case SockOpt::KeepCnt: s.cfg.keepalive_probes = static_cast<int>(c.value); break;
    case SockOpt::RcvBuf:
      // Linux (sock_setsockopt): at most net.core.rmem_max, doubled for overhead, at least
      // SOCK_MIN_RCVBUF (2304), and fixed from then on: no autotuning.
      s.cfg.rcv_buf_bytes = static_cast<std::uint32_t>(
          std::max<long long>(std::min<long long>(c.value, s.cfg.core_rmem_max) * 2, 2304));
      s.cfg.rcv_buf_locked = true;
      break;
    case SockOpt::SndBuf: s.cfg.snd_buf_bytes = static_cast<std::uint32_t>(c.value * 2); break;
    case SockOpt::Linger: s.linger_on = c.linger_on, s.linger_s = c.value; break;
    case SockOpt::Congestion:
      // The algorithm the connection will have (tcp_set_congestion_control); a name the
      // kernel does not know is ENOENT.
      if (auto k = parse_cc(c.text)) s.cfg.cc = *k;
      else return fail("ENOENT");
      break;
    case SockOpt::UserTimeout:
      if (c.value < 0) return fail("EINVAL");
      s.cfg.user_timeout_ns = ms(c.value);  // milliseconds; a listener's children inherit it
      break;
    case SockOpt::Error: return fail("ENOPROTOOPT");
  }
  return r;
}

std::optional<CallResult> TcplabTarget::attempt(const Call& c) {
  if (c.op == Op::Socket) {
    Sock s;
    s.cfg = cfg_;
    const int fd = lowest_free_fd();
    fds_[fd] = s;
    return ret(fd);
  }
  Sock* s = sock(c.fd);
  if (!s) return fail("EBADF");
  switch (c.op) {
    case Op::Socket: break;
    case Op::Bind:
      // The check bind() makes (TcpHost keeps no bound-but-idle sockets: the port is taken
      // when the socket listens or connects).
      if (const Errno e = host_.bind_check(kLocalPort, s->cfg.reuse_addr); e != Errno::Ok) return fail(e);
      s->port = kLocalPort;
      return ret(0);
    case Op::Listen: {
      host_.set_config(s->cfg);
      ConnId id = kNoConn;
      const Errno e = host_.listen(now_, s->port ? s->port : kLocalPort, c.backlog, &id, out_);
      host_.set_config(cfg_);
      absorb();
      if (e != Errno::Ok) return fail(e);
      s->kind = Sock::Kind::Listener, s->id = id, s->port = host_.conn(id).local().port;
      return ret(0);
    }
    case Op::Accept: {
      if (s->kind != Sock::Kind::Listener) return fail("EINVAL");
      const ConnId child = host_.accept(s->id);
      if (child == kNoConn) return s->nonblock ? std::optional(fail("EAGAIN")) : std::nullopt;
      Sock k;
      k.kind = Sock::Kind::Conn, k.id = child, k.cfg = s->cfg, k.connected = true;
      k.port = s->port;
      const int fd = lowest_free_fd();
      fds_[fd] = k;
      return ret(fd);
    }
    case Op::Connect: {
      if (s->kind == Sock::Kind::Conn) {
        if (!started_) return s->connected ? fail("EISCONN") : fail("EALREADY");
        if (s->connected) return ret(0);
        if (s->error != Errno::Ok) {
          const Errno e = s->error;
          s->error = Errno::Ok;
          return fail(e);
        }
        return std::nullopt;
      }
      ConnId id = kNoConn;
      host_.set_config(s->cfg);
      const Errno e = host_.connect(now_, Endpoint{kRemoteIp, kRemotePort}, s->port, &id, out_, &s->cfg);
      host_.set_config(cfg_);
      if (e != Errno::Ok) return fail(e);
      s->kind = Sock::Kind::Conn, s->id = id;
      absorb();
      if (s->nonblock) return fail("EINPROGRESS");
      started_ = true;
      return std::nullopt;
    }
    case Op::Read: {
      if (s->kind != Sock::Kind::Conn) return fail("ENOTCONN");
      std::string data;
      const Errno e = host_.recv(now_, s->id, static_cast<std::uint32_t>(c.len), &data, out_);
      absorb();
      if (!data.empty()) return ret(static_cast<std::int64_t>(data.size()));
      if (s->error != Errno::Ok) {
        const Errno err = s->error;
        s->error = Errno::Ok;
        return fail(err);
      }
      if (e == Errno::Ok) return ret(0);  // EOF
      if (e == Errno::Again) return s->nonblock ? std::optional(fail(e)) : std::nullopt;
      // The stack keeps why its connection ended (error_); a socket reports it once, as
      // sk_err (above). Once consumed, tcp_recvmsg sees RCV_SHUTDOWN (tcp_done) and returns 0.
      if (ended_by_error(e)) return ret(0);
      return fail(e);
    }
    case Op::Write: {
      if (s->kind != Sock::Kind::Conn) return fail(s->kind == Sock::Kind::Fresh ? "EPIPE" : "ENOTCONN");
      std::uint32_t taken = 0;
      const Errno e = host_.send_fill(now_, s->id, static_cast<std::uint32_t>(c.len), &taken, out_);
      absorb();
      if (taken > 0) return ret(taken);
      if (s->error != Errno::Ok) {  // the pending sk_err goes to the first call that looks
        const Errno err = s->error;
        s->error = Errno::Ok;
        return fail(err);
      }
      // Once sk_err is consumed, tcp_sendmsg finds SEND_SHUTDOWN (tcp_done): EPIPE.
      if (ended_by_error(e)) return fail("EPIPE");
      if (e == Errno::Again || (e == Errno::Ok && c.len > 0)) return s->nonblock ? std::optional(fail("EAGAIN")) : std::nullopt;
      if (e != Errno::Ok) return fail(e);
      return ret(0);
    }
    case Op::Close: {
      if (s->kind != Sock::Kind::Fresh) {
        if (s->linger_on && s->linger_s == 0 && s->kind == Sock::Kind::Conn) host_.abort(now_, s->id, out_);
        else host_.close(now_, s->id, out_);
        absorb();
      }
      fds_.erase(c.fd);
      return ret(0);
    }
    case Op::Shutdown: {
      if (s->kind != Sock::Kind::Conn) return fail("ENOTCONN");
      if (c.how >= 1) {
        const Errno e = host_.shutdown(now_, s->id, out_);
        absorb();
        if (e != Errno::Ok) return fail(e);
      }
      return ret(0);
    }
    case Op::SetSockOpt:
    case Op::GetSockOpt: return sockopt(*s, c);
    case Op::GetFl: {
      CallResult r = ret(2 | (s->nonblock ? 04000 : 0));
      r.nonblock = s->nonblock;
      return r;
    }
    case Op::SetFl: s->nonblock = c.nonblock; return ret(0);
    case Op::Poll: {
      const short r = static_cast<short>(revents(*s) & (c.poll_events | kPollErr | kPollHup));
      if (r != 0 || c.poll_timeout_ms == 0 || (poll_deadline_ != kNever && now_ >= poll_deadline_)) {
        poll_deadline_ = kNever;
        CallResult res = ret(r != 0 ? 1 : 0);
        res.revents = r;
        return res;
      }
      if (poll_deadline_ == kNever && c.poll_timeout_ms > 0) poll_deadline_ = now_ + ms(c.poll_timeout_ms);
      return std::nullopt;
    }
  }
  return fail("EINVAL");
}

std::optional<CallResult> TcplabTarget::poll_call() {
  if (!has_pending_) return std::nullopt;
  auto r = attempt(pending_);
  if (r) has_pending_ = false, started_ = false;
  return r;
}

}  // namespace

std::unique_ptr<Target> make_tcplab_target(const TcpConfig& cfg) { return std::make_unique<TcplabTarget>(cfg); }

}  // namespace tcplab::pkt
