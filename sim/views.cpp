#include "sim/views.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/timeline.hpp"

namespace tcplab {

namespace {

bool is_listener(const TcpHost& st, ConnId c) {
  const Connection& k = st.conn(c);
  if (k.state() != State::Listen) return false;
  auto it = st.listeners().find(k.local().port);
  return it != st.listeners().end() && it->second.id == c;
}

std::vector<int> hosts_of(const World& w, int host) {
  std::vector<int> v;
  const int n = static_cast<int>(w.hosts().size());
  if (host >= 0) {
    if (host < n) v.push_back(host);
    return v;
  }
  for (int h = 0; h < n; ++h) v.push_back(h);
  return v;
}

void rows_of_host(const World& w, int h, std::vector<SocketRow>& out) {
  const TcpHost& st = w.stack(h);
  for (const auto& [port, ls] : st.listeners()) {
    if (!st.valid(ls.id) || !is_listener(st, ls.id)) continue;
    SocketRow r;
    r.host = h;
    r.conn = ls.id;
    r.listener = true;
    r.state = State::Listen;
    r.local = Endpoint{0, port};
    r.remote = Endpoint{0, 0};
    r.recv_q = static_cast<std::uint32_t>(ls.accept_queue.size());
    r.send_q = 0;
    r.has_fd = true;
    out.push_back(r);
  }
  for (ConnId c = 0; c < st.conn_count(); ++c) {
    // From the record's head where it is one (a compact TIME_WAIT holds no bytes), so that
    // a listing does not unpack every record.
    const ConnRecordHead k = st.head(c);
    const State s = k.state;
    if (s == State::Closed || s == State::Listen) continue;  // listeners are above
    SocketRow r;
    r.host = h;
    r.conn = c;
    r.state = s;
    r.local = k.local;
    r.remote = k.remote;
    if (!st.packed(c)) {
      r.recv_q = st.conn(c).readable_bytes();
      r.send_q = netstat_send_q(st.conn(c));
    }
    r.orphan = k.app_closed;
    r.passive = k.passive;
    r.has_fd = !k.app_closed && st.listener_of(c) == nullptr;
    out.push_back(r);
  }
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Joins per-host sections; with one host asked for, just its section.
template <typename F>
std::string per_host(const World& w, int host, F&& section) {
  if (host >= 0) return host < static_cast<int>(w.hosts().size()) ? section(host) : std::string();
  std::string out;
  for (int h : hosts_of(w, -1)) {
    if (!out.empty()) out += "\n";
    out += host_heading(w, h) + "\n" + section(h);
  }
  return out;
}

// "00:00:01", "00:00:00.250" or "00:00:00.000250": the precision the times need.
int time_digits(Instant from, Duration interval) {
  if (from % sec(1) == 0 && interval % sec(1) == 0) return 0;
  if (from % ms(1) == 0 && interval % ms(1) == 0) return 3;
  return 6;
}
std::string hms(Instant t, int digits) {
  const std::int64_t s = t / sec(1);
  std::string out = fmt::format("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  if (digits == 3) out += fmt::format(".{:03}", (t % sec(1)) / ms(1));
  if (digits == 6) out += fmt::format(".{:06}", (t % sec(1)) / us(1));
  return out;
}

}  // namespace

std::uint32_t fake_pid(int host) { return 1001U + static_cast<std::uint32_t>(host); }
std::uint32_t fake_fd(ConnId c) { return 3U + c; }

std::string host_heading(const World& w, int host) {
  const HostInfo& h = w.hosts()[static_cast<std::size_t>(host)];
  return "== " + h.name + " (" + ip_to_string(h.ip) + (h.up ? "" : ", down") + ") ==";
}

std::uint32_t netstat_send_q(const Connection& k) {
  // Linux prints write_seq - snd_una, and the SYN and the FIN each take one sequence number:
  // `netstat -tan` on Linux 6.18 (a TUN peer that never answers, or answers the SYN only)
  // shows Send-Q 1 in SYN_SENT, FIN_WAIT1 and LAST_ACK, and 101 in FIN_WAIT1 after 100 bytes
  // nobody acknowledged. A listener's SYN_RECV child is a request sock: 0 (tcp 0 0 ... SYN_RECV).
  std::uint32_t q = k.send_queue_bytes();
  switch (k.state()) {
    case State::SynSent: return q + 1;
    case State::SynReceived: return k.passive() ? q : q + 1;  // a simultaneous open's SYN
    case State::FinWait1:
    case State::Closing:
    case State::LastAck: return q + 1;  // the FIN, queued at close() even behind data
    default: return q;
  }
}

std::string netstat_local(const SocketRow& r) {
  return r.listener ? "0.0.0.0:" + std::to_string(r.local.port) : endpoint_to_string(r.local);
}
std::string netstat_remote(const SocketRow& r) { return r.listener ? "0.0.0.0:*" : endpoint_to_string(r.remote); }

std::vector<SocketRow> socket_rows(const World& w, int host) {
  std::vector<SocketRow> rows;
  for (int h : hosts_of(w, host)) rows_of_host(w, h, rows);
  return rows;
}

SockStats sock_stats(const World& w, int host) {
  // What Linux 6.18's /proc/net/sockstat showed in a namespace (TUN peer at 10.0.0.2):
  //   a listener:                                  inuse 0->1, alloc +1
  //   + 3 SYNs never completed (3 SYN-RECV in ss): inuse 1, alloc +0  (request socks)
  //   + 2 loopback connections closed into TIME_WAIT, + 1 refused connect still held:
  //     inuse 2 (the listeners), tw 2, alloc +2 (the listener and the refused socket);
  //     ss -s: "TCP: 10 (estab 0, closed 8, ...)" with alloc 8: TCP = alloc + tw,
  //     closed = alloc - inuse + tw; sar -n SOCK: tcpsck 2, tcp-tw 2.
  //   ESTABLISHED, then close() and the peer ACKs our FIN only: inuse 1->0, tw 0->1 (the
  //     orphaned FIN_WAIT2 is a timewait sock, tcp_fin_timeout <= 60 s); shutdown(SHUT_WR)
  //     instead: FIN_WAIT2 stays a full socket (inuse +1).
  // (alloc and orphan are machine-wide there; the deltas are what matters.)
  SockStats s;
  if (host < 0 || host >= static_cast<int>(w.hosts().size())) return s;
  const TcpHost& st = w.stack(host);
  for (ConnId c = 0; c < st.conn_count(); ++c) {
    const ConnRecordHead k = st.head(c);
    const State state = k.state;
    switch (state) {
      case State::Listen:
        if (!is_listener(st, c)) continue;  // a child sent back to LISTEN by a RST
        ++s.tcp_inuse;
        ++s.tcp_alloc;
        break;
      case State::Closed:
        if (!k.app_closed && !k.passive) ++s.tcp_alloc;
        break;
      case State::TimeWait:
        ++s.timewait;
        if (!k.app_closed) ++s.tcp_alloc;  // the socket the app holds is CLOSE in the kernel
        break;
      case State::SynReceived:
        if (k.passive) break;  // a request sock, in no counter
        ++s.tcp_inuse;
        ++s.tcp_alloc;
        break;
      case State::FinWait2:
        if (k.app_closed) {
          ++s.timewait;
          break;
        }
        [[fallthrough]];
      default:
        ++s.tcp_inuse;
        ++s.tcp_alloc;
        if (state == State::Established || state == State::CloseWait) ++s.estab;
        if (k.app_closed) ++s.orphaned;
        break;
    }
  }
  return s;
}

SocketTimer socket_timer(const World& w, const SocketRow& r) {
  // Linux's order (inet_diag / get_tcp4_sock): the transmit timer (RTO or loss probe), then
  // the zero-window probe timer, then sk_timer (keep-alive); a timewait sock its own.
  SocketTimer s;
  if (r.listener) return s;
  // A compact record whose one armed timer is the 2MSL one (every TIME_WAIT): read from its
  // head, as below would, without unpacking it (a listing of many TIME_WAITs).
  const TcpHost& st = w.stack(r.host);
  if (st.packed(r.conn)) {
    const ConnRecordHead h = st.head(r.conn);
    if (h.armed == 1u << static_cast<int>(TimerKind::TimeWait)) {
      s.kind = SockTimer::TimeWait;
      s.left = std::max<Duration>(0, h.next_deadline - w.now());
      return s;
    }
  }
  const Connection& c = st.conn(r.conn);
  const Timers& t = c.timers();
  const Instant now = w.now();
  auto take = [&](SockTimer kind, TimerKind k) {
    s.kind = kind;
    s.left = std::max<Duration>(0, t.at(k) - now);
  };
  if (t.armed(TimerKind::TimeWait)) take(SockTimer::TimeWait, TimerKind::TimeWait);
  else if (t.armed(TimerKind::FinWait2) && c.app_closed()) take(SockTimer::TimeWait, TimerKind::FinWait2);
  else if (t.armed(TimerKind::LossProbe)) take(SockTimer::On, TimerKind::LossProbe);
  else if (t.armed(TimerKind::Reorder)) take(SockTimer::On, TimerKind::Reorder);  // RACK: Linux's one transmit timer
  else if (t.armed(TimerKind::Rto)) take(SockTimer::On, TimerKind::Rto);
  else if (t.armed(TimerKind::Persist)) take(SockTimer::Persist, TimerKind::Persist);
  else if (t.armed(TimerKind::Keepalive)) take(SockTimer::Keepalive, TimerKind::Keepalive);
  const bool handshake = c.state() == State::SynSent || c.state() == State::SynReceived;
  if (s.kind == SockTimer::On) s.retransmits = handshake ? c.syn_retransmits() : c.rtt().backoffs();
  if (s.kind == SockTimer::Persist) s.probes = c.window_probes_out();
  if (s.kind == SockTimer::Keepalive) s.probes = c.keepalive_probes_out();
  return s;
}

namespace {
std::string_view timer_word(SockTimer k, bool netstat) {
  switch (k) {
    case SockTimer::Off: return "off";
    case SockTimer::On: return "on";
    case SockTimer::Keepalive: return "keepalive";
    case SockTimer::TimeWait: return "timewait";
    case SockTimer::Persist: return netstat ? "probe" : "persist";
  }
  return "off";
}
}  // namespace

std::string netstat_timer(const SocketTimer& t) {
  // /proc/net/tcp gives the time left in clock ticks (1/100 s), which netstat prints as
  // seconds with two decimals: truncated, not rounded.
  const Duration cs = t.left / ms(10);
  return fmt::format("{} ({}.{:02}/{}/{})", timer_word(t.kind, true), cs / 100, cs % 100, t.retransmits, t.probes);
}

std::string ss_duration(Duration d) {
  // What iproute2 prints (ss -o on Linux 6.18: "160ms", "1.560ms" for 1.56 s, "48sec",
  // "1min13sec", "116min"): minutes drop the milliseconds, ten or more seconds too, and ten
  // or more minutes the seconds. Nothing at all for 0.
  const std::int64_t total_ms = d / ms(1);
  const std::int64_t minutes = total_ms / 60000;
  std::int64_t secs = total_ms / 1000 % 60, millis = total_ms % 1000;
  std::string out;
  if (minutes > 0) {
    millis = 0;
    out += fmt::format("{}min", minutes);
    if (minutes > 9) secs = 0;
  }
  if (secs > 0) {
    if (secs > 9) millis = 0;
    out += fmt::format("{}{}", secs, millis ? "." : "sec");
  }
  if (millis > 0) out += fmt::format("{:03}ms", millis);
  return out;
}

std::string ss_timer(const SocketTimer& t) {
  if (t.kind == SockTimer::Off) return "";
  const int count = t.kind == SockTimer::On ? t.retransmits : t.probes;
  return fmt::format("timer:({},{},{})", timer_word(t.kind, false), ss_duration(t.left), count);
}

std::string netstat_table(const std::vector<SocketRow>& rows, const std::vector<std::string>* timers, const RowAddress& address) {
  std::string out = "Active Internet connections (servers and established)\n";
  out += rtrim(fmt::format("{:<5} {:<6} {:<6} {:<23} {:<23} {:<11} {}", "Proto", "Recv-Q", "Send-Q", "Local Address",
                           "Foreign Address", "State", timers ? "Timer" : "")) +
         "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SocketRow& r = rows[i];
    const std::string local = address ? address(r, true) : netstat_local(r);
    const std::string remote = address ? address(r, false) : netstat_remote(r);
    const char* proto = local.find(':') != local.rfind(':') ? "tcp6" : "tcp";
    // net-tools: "%-4s  %6ld %6ld %-23s %-23s %-11s", then -o's " %s (%2.2f/%ld/%d)"
    out += rtrim(fmt::format("{:<4}  {:>6} {:>6} {:<23} {:<23} {:<11} {}", proto, r.recv_q, r.send_q, local, remote,
                             linux_state_name(r.state), timers && i < timers->size() ? (*timers)[i] : "")) +
           "\n";
  }
  return out;
}

std::string netstat_nat(const World& w, int host, bool timers) {
  return per_host(w, host, [&](int h) {
    const std::vector<SocketRow> rows = socket_rows(w, h);
    std::vector<std::string> t;
    if (timers)
      for (const SocketRow& r : rows) t.push_back(netstat_timer(socket_timer(w, r)));
    return netstat_table(rows, timers ? &t : nullptr);
  });
}

std::string ss_summary(const World& w, int host) {
  return per_host(w, host, [&](int h) { return ss_summary_text(sock_stats(w, h)); });
}

std::string ss_summary_text(const SockStats& s) {
  {
    std::string out;
    out += fmt::format("Total: {}\n", s.total());
    out += fmt::format("TCP:   {} (estab {}, closed {}, orphaned {}, timewait {})\n", s.ss_tcp(), s.estab, s.ss_closed(),
                       s.orphaned, s.timewait);
    out += "\n";
    // iproute2: printf("RAW\t  %-9d %-9d %-9d\n", ...); the trailing spaces are cut here.
    auto row = [](const std::string& name, std::uint64_t total, std::uint64_t ip) {
      return rtrim(fmt::format("{}\t  {:<9} {:<9} {:<9}", name, total, ip, 0)) + "\n";
    };
    out += "Transport Total     IP        IPv6\n";
    out += row("RAW", 0, 0);
    out += row("UDP", 0, 0);
    out += row("TCP", s.tcp_inuse, s.tcp_inuse);
    out += row("INET", s.tcp_inuse, s.tcp_inuse);
    out += row("FRAG", 0, 0);
    return out;
  }
}

std::vector<SarSample> sar_samples(const World& start, Instant to, Duration interval) {
  std::vector<SarSample> v;
  if (interval <= 0) return v;
  World w = start;
  const int n = static_cast<int>(w.hosts().size());
  for (Instant t = w.now() + interval; t <= to; t += interval) {
    w.run_until(t);
    SarSample s;
    s.t = t;
    for (int h = 0; h < n; ++h) s.hosts.push_back(sock_stats(w, h));
    v.push_back(std::move(s));
  }
  return v;
}

std::vector<SarSample> sar_samples(const Timeline& tl, Instant from, Instant to, Duration interval) {
  std::vector<SarSample> v;
  if (interval <= 0) return v;
  for (Instant t = from + interval; t <= to; t += interval) {
    const World w = tl.world_at_time(t);
    SarSample s;
    s.t = t;
    for (int h = 0; h < static_cast<int>(w.hosts().size()); ++h) s.hosts.push_back(sock_stats(w, h));
    v.push_back(std::move(s));
  }
  return v;
}

std::string sar_sock(const World& names_from, const std::vector<SarSample>& samples, Instant from, int host) {
  return per_host(names_from, host, [&](int h) { return sar_table(samples, from, h); });
}

std::string sar_table(const std::vector<SarSample>& samples, Instant from, int h) {
  const Duration interval = samples.size() >= 1 ? samples[0].t - from : sec(1);
  const int digits = time_digits(from, interval);
  {
    const std::size_t width = std::max<std::size_t>(11, hms(0, digits).size());
    auto line = [&](const std::string& label, const std::array<std::string, 6>& c) {
      std::string l = fmt::format("{:<{}}", label, width);
      for (const auto& x : c) l += fmt::format(" {:>9}", x);
      return l + "\n";
    };
    std::string out = line(hms(from, digits), {"totsck", "tcpsck", "udpsck", "rawsck", "ip-frag", "tcp-tw"});
    std::uint64_t sum_tot = 0, sum_tcp = 0, sum_tw = 0;
    std::size_t n = 0;
    for (const SarSample& s : samples) {
      if (static_cast<std::size_t>(h) >= s.hosts.size()) continue;
      const SockStats& st = s.hosts[static_cast<std::size_t>(h)];
      out += line(hms(s.t, digits), {std::to_string(st.total()), std::to_string(st.tcp_inuse), "0", "0", "0",
                                     std::to_string(st.timewait)});
      sum_tot += st.total();
      sum_tcp += st.tcp_inuse;
      sum_tw += st.timewait;
      ++n;
    }
    if (n > 0) {
      auto avg = [&](std::uint64_t sum) { return std::to_string((sum + n / 2) / n); };
      out += line("Average:", {avg(sum_tot), avg(sum_tcp), "0", "0", "0", avg(sum_tw)});
    }
    return out;
  }
}

std::string sar_sock(const World& start, Instant to, Duration interval, int host) {
  return sar_sock(start, sar_samples(start, to, interval), start.now(), host);
}

std::vector<LsofRow> lsof_rows(const World& w, std::uint16_t port, int host) {
  std::vector<LsofRow> rows;
  for (int h : hosts_of(w, host)) {
    const HostInfo& hi = w.hosts()[static_cast<std::size_t>(h)];
    if (!hi.up) continue;
    std::vector<SocketRow> socks;
    rows_of_host(w, h, socks);
    // lsof goes by process, then by file descriptor.
    std::sort(socks.begin(), socks.end(), [](const SocketRow& a, const SocketRow& b) { return a.conn < b.conn; });
    for (const SocketRow& s : socks) {
      if (!s.has_fd) continue;
      if (port != 0 && s.local.port != port && s.remote.port != port) continue;
      rows.push_back(lsof_row(h, hi.name, s, "lab", "IPv4"));
    }
  }
  return rows;
}

LsofRow lsof_row(int host, const std::string& host_name, const SocketRow& s, std::string user, std::string type) {
  LsofRow r;
  r.host = host;
  r.command = host_name.substr(0, 9);
  r.pid = fake_pid(host);
  r.user = std::move(user);
  r.fd = std::to_string(fake_fd(s.conn)) + "u";
  r.type = std::move(type);
  r.device = static_cast<std::uint64_t>(host + 1) * 100000 + s.conn;
  r.size_off = "0t0";
  r.node = "TCP";
  r.name = s.listener ? "*:" + std::to_string(s.local.port) + " (LISTEN)"
                      : endpoint_to_string(s.local) + "->" + endpoint_to_string(s.remote) + " (" +
                            std::string(linux_state_name(s.state)) + ")";
  return r;
}

std::string lsof_i(const World& w, std::uint16_t port, int host) {
  return per_host(w, host, [&](int h) { return lsof_table(lsof_rows(w, port, h)); });
}

std::string lsof_table(const std::vector<LsofRow>& rows) {
  {
    if (rows.empty()) return std::string();  // lsof prints nothing when nothing matches
    std::vector<std::array<std::string, 9>> cells;
    cells.push_back({"COMMAND", "PID", "USER", "FD", "TYPE", "DEVICE", "SIZE/OFF", "NODE", "NAME"});
    for (const LsofRow& r : rows)
      cells.push_back({r.command, std::to_string(r.pid), r.user, r.fd, r.type, std::to_string(r.device), r.size_off,
                       r.node, r.name});
    std::array<std::size_t, 9> wd{};
    wd[3] = 4;  // lsof keeps FD at least 4 wide and leaves two spaces after it
    for (const auto& c : cells)
      for (std::size_t i = 0; i < 9; ++i) wd[i] = std::max(wd[i], c[i].size());
    // Left: COMMAND USER TYPE NAME; right: PID FD DEVICE SIZE/OFF NODE (as lsof aligns them).
    constexpr std::array<bool, 9> right = {false, true, false, true, false, true, true, true, false};
    std::string out;
    for (const auto& c : cells) {
      std::string l;
      for (std::size_t i = 0; i < 9; ++i) {
        if (i) l += i == 4 ? "  " : " ";
        l += right[i] ? fmt::format("{:>{}}", c[i], wd[i]) : fmt::format("{:<{}}", c[i], wd[i]);
      }
      out += rtrim(l) + "\n";
    }
    return out;
  }
}

namespace {

// ss's state names (iproute2 sstate_name).
std::string_view ss_state_name(State s) {
  switch (s) {
    case State::Closed: return "UNCONN";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RECV";
    case State::Established: return "ESTAB";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST-ACK";
    case State::TimeWait: return "TIME-WAIT";
  }
  return "UNKNOWN";
}

// Linux keeps no full socket for these: a TIME_WAIT or orphaned FIN_WAIT2 is a timewait sock,
// a listener's SYN_RECV child a request sock. ss shows them without tcp_info or an inode.
bool mini_socket(const SocketRow& r) {
  return r.state == State::TimeWait || (r.state == State::FinWait2 && r.orphan) ||
         (r.state == State::SynReceived && r.passive);
}

// ss's default filter (no -a): every state but LISTEN, TIME-WAIT, SYN-RECV (and CLOSE).
bool ss_default_shows(State s) { return s != State::Listen && s != State::TimeWait && s != State::SynReceived; }

// Milliseconds as ss prints them (%g of microseconds / 1000).
std::string ss_ms(Duration d) { return fmt::format("{:g}", static_cast<double>(d / us(1)) / 1000.0); }

std::uint32_t segments_of(std::uint32_t bytes, std::uint32_t mss) { return mss ? (bytes + mss - 1) / mss : 0; }

// The -i line of a full connection: the tcp_info fields tcplab models, in ss's order.
std::string ss_info(const Connection& c) {
  const Tcb& tcb = c.tcb();
  const RttEstimator& rtt = c.rtt();
  const std::uint32_t mss = tcb.snd_mss;
  const bool synced = c.state() != State::SynSent && c.state() != State::SynReceived;
  std::string l;
  auto add = [&](const std::string& f) { l += " " + f; };
  if (tcb.ts_ok) add("ts");
  if (tcb.sack_ok) add("sack");
  add(c.config().cc == CcKind::NewReno ? "reno" : std::string(cc_name(c.config().cc)));  // Linux calls NewReno "reno"
  if (synced && (tcb.snd_wscale || tcb.rcv_wscale)) add(fmt::format("wscale:{},{}", tcb.snd_wscale, tcb.rcv_wscale));
  add("rto:" + ss_ms(rtt.rto() / ms(1) * ms(1)));  // Linux keeps the RTO in jiffies: whole ms
  if (rtt.backoffs() > 0 || c.persist_backoff() > 0) add(fmt::format("backoff:{}", std::max(rtt.backoffs(), c.persist_backoff())));
  if (rtt.has_sample()) add("rtt:" + ss_ms(rtt.srtt()) + "/" + ss_ms(rtt.rttvar()));
  add(fmt::format("mss:{}", mss));
  add(fmt::format("rcvmss:{}", c.rcv_mss()));
  // Linux's advmss leaves room for the timestamp option once it is in use (1448, not 1460).
  add(fmt::format("advmss:{}", c.config().mss - (tcb.ts_ok ? 12 : 0)));
  // Before the handshake Linux shows its initial window (cwnd:10), 1 once the SYN timed out.
  const std::uint32_t cwnd = synced ? segments_of(c.cwnd(), mss)
                                    : c.syn_retransmits() > 0 ? 1 : c.config().initial_window_segments;
  add(fmt::format("cwnd:{}", cwnd));
  if (const std::uint32_t ss = c.ssthresh() / std::max<std::uint32_t>(1, mss); ss < 0xFFFF) add(fmt::format("ssthresh:{}", ss));
  // bytes_acked counts the SYN (and FIN) the peer acknowledged, as Linux's does.
  const std::uint64_t acked = synced ? c.bytes_acked_total() + 1 + (c.state() == State::FinWait2 || c.state() == State::TimeWait) : 0;
  if (acked) add(fmt::format("bytes_acked:{}", acked));
  if (c.bytes_received()) add(fmt::format("bytes_received:{}", c.bytes_received()));
  if (rtt.has_sample() && cwnd)
    add(fmt::format("send {:.0f}bps", static_cast<double>(cwnd) * mss * 8 * 1e9 / static_cast<double>(rtt.srtt())));
  const auto outstanding = static_cast<std::uint32_t>(std::max(0, tcb.snd_max - tcb.snd_una));
  if (outstanding) add(fmt::format("unacked:{}", segments_of(outstanding, mss)));
  // retrans: resent and not yet acknowledged / in all (loss probes included, as Linux's total).
  std::uint32_t retrans_out = 0;
  if (!synced) retrans_out = c.syn_retransmits() > 0 ? 1 : 0;
  else if (c.cc_phase() == "loss") retrans_out = segments_of(static_cast<std::uint32_t>(std::max(0, tcb.snd_nxt - tcb.snd_una)), mss);
  else if (c.in_recovery()) retrans_out = segments_of(static_cast<std::uint32_t>(std::max(0, c.high_rxt() - tcb.snd_una)), mss);
  const std::uint32_t total = static_cast<std::uint32_t>(c.syn_retransmits()) + c.retransmissions() + c.loss_probes();
  if (retrans_out || total) add(fmt::format("retrans:{}/{}", retrans_out, total));
  if (c.sacked_bytes()) add(fmt::format("sacked:{}", segments_of(c.sacked_bytes(), mss)));
  if (c.unsent_bytes()) add(fmt::format("notsent:{}", c.unsent_bytes()));
  if (synced && tcb.snd_wnd) add(fmt::format("snd_wnd:{}", tcb.snd_wnd));
  return l;
}

// ss -e: " ino:N sk:HEX <->". No uid (root's 0 is not printed), no cgroup. The inode is
// lsof's DEVICE number for a socket a process holds, 0 otherwise (as Linux shows for an
// orphan or a socket not accept()ed yet); sk is that number in hex for every socket.
std::string ss_extended(const SocketRow& r, const Connection* c) {
  const std::uint64_t id = static_cast<std::uint64_t>(r.host + 1) * 100000 + r.conn;
  std::string e = fmt::format(" ino:{} sk:{:x}", r.has_fd ? id : 0, id);
  if (!c) return e;  // a mini socket
  // The shutdown marks: '<' while reading is open, '>' while writing is (our FIN not queued).
  const State s = r.state;
  const bool rcv_shut = c->eof_received() || c->app_closed();
  const bool snd_shut = s == State::FinWait1 || s == State::FinWait2 || s == State::Closing || s == State::LastAck ||
                        s == State::TimeWait || c->app_closed();
  return e + fmt::format(" {}-{}", rcv_shut ? '-' : '<', snd_shut ? '-' : '>');
}

}  // namespace

std::string ss_sockets(const World& w, const SsOptions& o, int host) {
  return per_host(w, host, [&](int h) {
    struct Row {
      std::string netid, state, recv_q, send_q, laddr, lport, paddr, pport, extra, info;
    };
    std::vector<Row> rows;
    rows.push_back({"Netid", "State", "Recv-Q", "Send-Q", "Local Address", "Port", "Peer Address", "Port", "", ""});
    const TcpHost& st = w.stack(h);
    for (const SocketRow& r : socket_rows(w, h)) {
      if (!o.all && !ss_default_shows(r.state)) continue;
      // A mini socket's row reads nothing but the row (a compact TIME_WAIT stays packed).
      const bool mini = !r.listener && mini_socket(r);
      const Connection* c = mini ? nullptr : &st.conn(r.conn);
      Row x;
      x.netid = "tcp";
      x.state = ss_state_name(r.state);
      x.recv_q = std::to_string(r.recv_q);
      // A listener's Send-Q is its backlog (ss; netstat prints 0 there).
      x.send_q = std::to_string(r.listener ? static_cast<std::uint32_t>(st.listeners().at(r.local.port).backlog) : r.send_q);
      const std::string local = netstat_local(r), remote = netstat_remote(r);
      x.laddr = local.substr(0, local.rfind(':'));
      x.lport = local.substr(local.rfind(':') + 1);
      x.paddr = remote.substr(0, remote.rfind(':'));
      x.pport = remote.substr(remote.rfind(':') + 1);
      if (o.timers) {
        const std::string t = ss_timer(socket_timer(w, r));
        if (!t.empty()) x.extra += " " + t;
      }
      if (o.extended) x.extra += ss_extended(r, c);
      if (o.info && r.listener) {
        const std::size_t queued = st.listeners().at(r.local.port).accept_queue.size();
        x.info = " " + std::string(c->config().cc == CcKind::NewReno ? "reno" : cc_name(c->config().cc)) +
                 fmt::format(" cwnd:{}", c->config().initial_window_segments) +
                 (queued ? fmt::format(" unacked:{}", queued) : "");
      } else if (o.info && !mini) {
        x.info = ss_info(*c);
      }
      rows.push_back(std::move(x));
    }
    // Each column as wide as its widest cell; addresses right-aligned against the ':'.
    std::array<std::size_t, 8> wd{};
    for (const Row& x : rows) {
      const std::array<const std::string*, 8> cells = {&x.netid, &x.state, &x.recv_q, &x.send_q,
                                                       &x.laddr, &x.lport, &x.paddr, &x.pport};
      for (std::size_t i = 0; i < 8; ++i) wd[i] = std::max(wd[i], cells[i]->size());
    }
    std::string out;
    for (const Row& x : rows) {
      std::string l;
      if (!o.tcp_only) l += fmt::format("{:<{}} ", x.netid, wd[0]);
      l += fmt::format("{:<{}} {:<{}} {:<{}} {:>{}}:{:<{}} {:>{}}:{:<{}}", x.state, wd[1], x.recv_q, wd[2], x.send_q, wd[3],
                       x.laddr, wd[4], x.lport, wd[5], x.paddr, wd[6], x.pport, wd[7]);
      // The header's "Process" follows the padded Port column without a space ("PortProcess"
      // when no port is wider than "Port", as ss prints it); the rows' fields start with one.
      l += &x == &rows.front() ? "Process" : x.extra;
      out += rtrim(l) + "\n";
      if (&x != &rows.front() && !x.info.empty()) out += "\t" + x.info + "\n";
    }
    return out;
  });
}

}  // namespace tcplab
