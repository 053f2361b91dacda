// [[host]] and its [host.tcp], on top of the lab's `profile`.
#include "labs/lab_reader.hpp"
#include "sim/fault.hpp"

namespace tcplab::labread {

namespace {

void read_tcp(const Reader& r, const toml::table& t, TcpConfig& c, std::uint16_t* port_lo, std::uint16_t* port_hi) {
  r.allow(t, {"profile", "mss", "snd_buf", "rcv_buf", "window_scaling", "timestamps", "sack", "dsack", "rto_initial",
              "rto_min", "rto_max", "syn_retries", "syn_linear_timeouts", "synack_retries", "syn_cookies", "retries", "orphan_retries", "msl",
              "fin_timeout", "delayed_ack", "delack", "gro", "quickack", "delay_fin_ack", "ack_on_read", "nagle",
              "nagle_minshall", "initial_window", "keepalive",
              "keepalive_idle", "keepalive_interval", "keepalive_probes", "reuse_addr", "time_wait_rst_closes",
              "time_wait_syn_reopens", "zero_window_probe", "zero_window_probe_interval", "tail_loss_probe", "rack",
              "user_timeout", "ephemeral_ports", "tcp_rmem", "adv_win_scale", "rcv_window", "rto_keeps_sack",
              "rto_restarts_on_head_resend",
              "cc", "prr", "hystart", "limited_transmit", "slow_start_after_idle"},
          "[host.tcp]");
  if (auto* n = t.get("profile")) {
    auto p = parse_profile(r.str(*n, "profile"));
    if (!p) r.fail(*n, "unknown profile '" + r.str(*n, "profile") + "' (linux, rfc9293)");
    c = TcpConfig::for_profile(*p);
  }
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    const std::string w = "tcp." + key;
    if (key == "profile") continue;
    if (key == "mss") c.mss = static_cast<std::uint16_t>(r.integer(v, w, 64, 65495));
    else if (key == "snd_buf") c.snd_buf_bytes = static_cast<std::uint32_t>(r.integer(v, w, 1, 1 << 30));
    else if (key == "rcv_buf") {
      // The socket's receive buffer, fixed (as SO_RCVBUF leaves it: no autotuning).
      c.rcv_buf_bytes = static_cast<std::uint32_t>(r.integer(v, w, 1, 1 << 30));
      c.rcv_buf_locked = true;
    } else if (key == "tcp_rmem") {
      // net.ipv4.tcp_rmem: [min, default, max]; the buffer starts at default, may grow to max.
      const auto& a = r.array(v, w);
      if (a.size() != 3) r.fail(v, w + " must be [min, default, max]");
      c.rcv_buf_min = static_cast<std::uint32_t>(r.integer(*a.get(0), w + "[0]", 1, 1 << 30));
      c.rcv_buf_bytes = static_cast<std::uint32_t>(r.integer(*a.get(1), w + "[1]", 1, 1 << 30));
      c.rcv_buf_max = static_cast<std::uint32_t>(r.integer(*a.get(2), w + "[2]", 1, 1 << 30));
      if (c.rcv_buf_bytes < c.rcv_buf_min || c.rcv_buf_max < c.rcv_buf_bytes) r.fail(v, w + " must have min <= default <= max");
    } else if (key == "adv_win_scale") c.adv_win_scale = static_cast<int>(r.integer(v, w, -31, 31));
    else if (key == "rcv_window") {
      const std::string s = r.str(v, w);
      if (s == "linux") c.rcv_window = TcpConfig::RcvWindow::Linux;
      else if (s == "free-space") c.rcv_window = TcpConfig::RcvWindow::FreeSpace;
      else r.fail(v, w + ": '" + s + "' (expected \"linux\" or \"free-space\")");
    }
    else if (key == "window_scaling") c.window_scaling = r.boolean(v, w);
    else if (key == "timestamps") c.timestamps = r.boolean(v, w);
    else if (key == "sack") c.sack = r.boolean(v, w);
    else if (key == "dsack") c.dsack = r.boolean(v, w);
    else if (key == "rto_keeps_sack") c.rto_keeps_sack = r.boolean(v, w);
    else if (key == "rto_restarts_on_head_resend") c.rto_restarts_on_head_resend = r.boolean(v, w);
    else if (key == "rto_initial") c.rto_initial_ns = r.duration(v, w);
    else if (key == "rto_min") c.rto_min_ns = r.duration(v, w);
    else if (key == "rto_max") c.rto_max_ns = r.duration(v, w);
    else if (key == "syn_retries") c.syn_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "syn_linear_timeouts") c.syn_linear_timeouts = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "synack_retries") c.synack_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "syn_cookies") c.syn_cookies = static_cast<int>(r.integer(v, w, 0, 2));
    else if (key == "retries") c.data_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "orphan_retries") c.orphan_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "msl") c.msl_ns = r.duration(v, w);
    else if (key == "fin_timeout") {
      if (v.is_string() && *v.value<std::string>() == "off") c.fin_wait_2_timeout_ns = std::nullopt;
      else c.fin_wait_2_timeout_ns = r.duration(v, w + " (a duration, or \"off\")");
    } else if (key == "delayed_ack") c.delayed_ack = r.boolean(v, w);
    else if (key == "delack") c.delack_ns = r.duration(v, w);
    else if (key == "gro") {
      c.gro_ns = r.duration(v, w);
      // A receive batch lasts microseconds; a longer hold would delay every segment by it.
      if (c.gro_ns > ms(10)) r.fail(v, w + " must be at most 10ms (segments wait that long for a follower)");
    }
    else if (key == "quickack") c.quickack_segments = static_cast<int>(r.integer(v, w, 0, 1000));
    else if (key == "delay_fin_ack") c.delay_fin_ack = r.boolean(v, w);
    else if (key == "ack_on_read") c.ack_on_read = r.boolean(v, w);
    else if (key == "nagle") c.nagle = r.boolean(v, w);
    else if (key == "cc") {
      // Congestion control, as TCP_CONGESTION names it ("reno" is Linux's name for NewReno).
      const auto k = parse_cc(r.str(v, w));
      if (!k) r.fail(v, "unknown tcp.cc '" + r.str(v, w) + "' (cubic, newreno, reno, bbr)");
      c.cc = *k;
    } else if (key == "prr") c.prr = r.boolean(v, w);
    else if (key == "hystart") c.hystart = r.boolean(v, w);
    else if (key == "limited_transmit") c.limited_transmit = r.boolean(v, w);
    else if (key == "nagle_minshall") c.nagle_minshall = r.boolean(v, w);
    else if (key == "slow_start_after_idle") c.slow_start_after_idle = r.boolean(v, w);
    else if (key == "initial_window") c.initial_window_segments = static_cast<std::uint32_t>(r.integer(v, w, 1, 1000));
    else if (key == "keepalive") c.keepalive = r.boolean(v, w);
    else if (key == "keepalive_idle") c.keepalive_idle_ns = r.duration(v, w);
    else if (key == "keepalive_interval") c.keepalive_interval_ns = r.duration(v, w);
    else if (key == "keepalive_probes") c.keepalive_probes = static_cast<int>(r.integer(v, w, 1, 1000));
    else if (key == "reuse_addr") c.reuse_addr = r.boolean(v, w);
    else if (key == "time_wait_rst_closes") c.time_wait_rst_closes = r.boolean(v, w);
    else if (key == "time_wait_syn_reopens") c.time_wait_syn_reopens = r.boolean(v, w);
    else if (key == "zero_window_probe") {
      const std::string s = r.str(v, w);
      if (s == "snd_una-1") c.zwp_at_snd_una_minus_1 = true;
      else if (s == "one-byte") c.zwp_at_snd_una_minus_1 = false;
      else r.fail(v, w + ": '" + s + "' (expected \"snd_una-1\" or \"one-byte\")");
    } else if (key == "zero_window_probe_interval") {
      const std::string s = r.str(v, w);
      if (s == "from-answer") c.zwp_interval_from_answer = true;
      else if (s == "from-probe") c.zwp_interval_from_answer = false;
      else r.fail(v, w + ": '" + s + "' (expected \"from-answer\" or \"from-probe\")");
    } else if (key == "tail_loss_probe") c.tail_loss_probe = r.boolean(v, w);
    else if (key == "rack") c.rack = r.boolean(v, w);
    else if (key == "user_timeout") {
      if (v.is_string() && *v.value<std::string>() == "off") c.user_timeout_ns = 0;
      else c.user_timeout_ns = r.duration(v, w + " (a duration, or \"off\")");
    } else if (key == "ephemeral_ports") {
      const auto& a = r.array(v, w);
      if (a.size() != 2) r.fail(v, w + " must be [low, high]");
      *port_lo = static_cast<std::uint16_t>(r.integer(*a.get(0), w + "[0]", 1, 65535));
      *port_hi = static_cast<std::uint16_t>(r.integer(*a.get(1), w + "[1]", 1, 65535));
      if (*port_hi < *port_lo) r.fail(v, w + ": high < low");
    }
  }
  if (c.rto_min_ns > c.rto_max_ns) r.fail(t, "tcp.rto_min is larger than tcp.rto_max");
}

// `names` and `ips` hold the hosts before this one; a clash is an error here.
HostSpec read_host(const Reader& r, const toml::table& t, Ipv4 default_ip, const TcpConfig& base,
                   std::set<std::string>& names, std::set<Ipv4>& ips) {
  r.allow(t, {"name", "ip", "tcp"}, "[[host]]");
  HostSpec h;
  h.pos = r.pos(t);
  if (auto* n = t.get("name")) h.name = r.str(*n, "host.name");
  else r.fail(t, "[[host]] needs a name");
  if (h.name.empty() || h.name.find_first_of(" >#") != std::string::npos)
    r.fail(*t.get("name"), "host.name '" + h.name + "' must be non-empty without spaces, '>' or '#'");
  {  // "B.2" in a segment id (B>A.2#4) is B's 2nd connection: a name may not end like that
    std::string bare = h.name;
    std::optional<std::uint32_t> k;
    if (!split_pair_conn(&bare, &k) || k)
      r.fail(*t.get("name"), "host.name '" + h.name + "' must not end in '.' and a number (B>A.2#4 names a connection)");
  }
  if (!names.insert(h.name).second) r.fail(*t.get("name"), "a host named '" + h.name + "' is already defined");
  h.ip = default_ip;
  if (auto* n = t.get("ip")) {
    auto ip = parse_ipv4(r.str(*n, "host.ip"));
    if (!ip) r.fail(*n, "host.ip '" + r.str(*n, "host.ip") + "' is not an IPv4 address");
    h.ip = *ip;
  }
  if (!ips.insert(h.ip).second) r.fail(t, "two hosts have the address " + ip_to_string(h.ip));
  h.tcp = base;
  if (auto* n = t.get("tcp")) read_tcp(r, r.table(*n, "host.tcp"), h.tcp, &h.port_lo, &h.port_hi);
  return h;
}

}  // namespace

TcpConfig read_profile(const Reader& r, const toml::table& root) {
  TcpConfig base;
  if (auto* n = root.get("profile")) {
    auto p = parse_profile(r.str(*n, "profile"));
    if (!p) r.fail(*n, "unknown profile '" + r.str(*n, "profile") + "' (linux, rfc9293)");
    base = TcpConfig::for_profile(*p);
  }
  return base;
}

std::vector<HostSpec> read_hosts(const Reader& r, const toml::table& root, const TcpConfig& base) {
  auto* hosts = root.get("host");
  if (!hosts) throw LabError(SourcePos{r.file(), 1, 1}, "the lab has no hosts (add [[host]] tables)");
  const auto& ha = r.array(*hosts, "host (write [[host]])");
  std::vector<HostSpec> v;
  std::set<std::string> names;
  std::set<Ipv4> ips;
  for (std::size_t i = 0; i < ha.size(); ++i)
    v.push_back(read_host(r, r.table(*ha.get(i), "[[host]]"), 0x0a000001 + static_cast<Ipv4>(i), base, names, ips));
  return v;
}

}  // namespace tcplab::labread
