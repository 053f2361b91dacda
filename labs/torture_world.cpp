#include "labs/torture_world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "labs/checks.hpp"
#include "labs/lab.hpp"
#include "labs/torture.hpp"
#include "sim/rng.hpp"
#include "sim/timeline.hpp"
#include "stack/transitions.hpp"

namespace tcplab {

namespace {

// ------------------------------------------------------------------ drawing a lab

struct Gen {
  Rng r;
  // A host has a receive or send buffer of a few bytes: a zero-delay path then moves a byte
  // per round trip at one instant, so the transfers stay small (the event bound is for loops).
  bool tiny_buffers = false;
  explicit Gen(std::uint64_t seed) : r(seed ^ 0x5eed'0f'7e57'1dULL) {}

  std::uint64_t below(std::uint64_t n) { return r.below(n); }
  bool one_in(std::uint64_t n) { return r.below(n) == 0; }
  template <typename T>
  T pick(const std::vector<T>& v) { return v[r.below(v.size())]; }
  std::string ms(std::uint64_t max_ms) { return fmt::format("{}ms", below(max_ms + 1)); }
};

// A TOML basic string.
std::string q(const std::string& s) {
  std::string t = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') t += '\\';
    t += c;
  }
  return t + "\"";
}

// A probability written in one of the three forms the reader takes.
std::string prob(Gen& g, std::uint64_t max_pct) {
  const std::uint64_t pct = g.below(max_pct + 1);
  switch (g.below(3)) {
    case 0: return q(fmt::format("{}%", pct));
    case 1: return fmt::format("0.{:02}", pct >= 100 ? 99 : pct);
    default: return q(fmt::format("{}/100", pct));
  }
}

// The keys of [link] / [[path]]: a random subset, some at their edges.
std::string link_keys(Gen& g, bool harsh) {
  std::string t;
  t += fmt::format("delay = \"{}\"\n", g.pick<std::string>({"0ns", "1us", "500us", "5ms", "20ms", "80ms"}));
  if (g.one_in(3)) t += fmt::format("jitter = \"{}\"\n", g.pick<std::string>({"0ms", "1ms", "10ms", "40ms"}));
  if (g.one_in(4)) t += fmt::format("rate = \"{}\"\n", g.pick<std::string>({"64kbps", "1Mbps", "100Mbps", "1Gbps"}));
  if (g.one_in(4)) t += fmt::format("queue = {}\n", g.pick<int>({1, 2, 10, 100, 10'000'000}));
  if (g.one_in(harsh ? 1 : 3)) t += "loss = " + prob(g, g.one_in(10) ? 100 : 20) + "\n";
  if (g.one_in(5)) t += "duplicate = " + prob(g, 10) + "\n";
  if (g.one_in(5)) {
    t += "reorder = " + prob(g, 20) + "\n";
    if (g.one_in(2)) t += fmt::format("reorder_delay = \"{}\"\n", g.pick<std::string>({"0ms", "2ms", "30ms"}));
  }
  if (g.one_in(6)) t += "corrupt = " + prob(g, 10) + "\n";
  if (g.one_in(6)) {
    t += fmt::format("burst = {{ enter = \"{}%\"", 1 + g.below(20));
    if (g.one_in(2)) t += ", leave = " + prob(g, 100);
    if (g.one_in(2)) t += ", loss_bad = " + prob(g, 100);
    if (g.one_in(2)) t += ", loss_good = " + prob(g, 5);
    t += " }\n";
  }
  if (g.one_in(6)) {
    const std::uint64_t a = g.below(20'000), len = 1 + g.below(20'000);
    t += fmt::format("down = [[\"{}ms\", \"{}ms\"]", a, a + len);
    if (g.one_in(3)) t += fmt::format(", [\"{}ms\", \"{}ms\"]", a + len + 100, a + len + 100 + g.below(5'000) + 1);
    t += "]\n";
  }
  return t;
}

// [host.tcp]: a few keys, each at its smallest, largest or a usual value.
// cc_g: congestion-control keys come from their own generator, so that the rest of each
// seed's lab is as it was before they were drawn.
std::string tcp_keys(Gen& g, Gen& cc_g) {
  std::vector<std::string> kv;
  if (g.one_in(2)) kv.push_back("profile = " + q(g.one_in(2) ? "linux" : "rfc9293"));
  auto add = [&](const char* key, std::vector<std::string> values) {
    if (g.one_in(4)) kv.push_back(std::string(key) + " = " + g.pick(values));
  };
  add("mss", {"64", "536", "1460", "65495"});
  add("snd_buf", {"1", "100", "4096", "65536", "1073741824"});
  add("rcv_buf", {"1", "100", "4096", "131072", "1073741824"});
  add("window_scaling", {"true", "false"});
  add("timestamps", {"true", "false"});
  add("sack", {"true", "false"});
  add("rto_initial", {"\"1ms\"", "\"200ms\"", "\"1s\"", "\"3s\""});
  // rto_min <= rto_max: drawn together. Not rto_max = 1ms: zero-window probes every
  // millisecond for minutes are legal but cost 6,000 events a second (seed 3411).
  if (g.one_in(4)) {
    const std::vector<std::pair<const char*, const char*>> mm = {
        {"1ms", "200ms"}, {"1ms", "120s"}, {"200ms", "120s"}, {"1s", "1h"}, {"10ms", "500ms"}};
    const auto [lo, hi] = g.pick(mm);
    kv.push_back(fmt::format("rto_min = \"{}\"", lo));
    kv.push_back(fmt::format("rto_max = \"{}\"", hi));
  }
  add("syn_retries", {"0", "1", "6", "127"});
  add("synack_retries", {"0", "1", "5", "127"});
  add("retries", {"0", "1", "15", "127"});
  add("orphan_retries", {"0", "1", "8", "127"});
  add("msl", {"\"0s\"", "\"1ms\"", "\"1s\"", "\"30s\"", "\"2h\""});
  add("fin_timeout", {"\"off\"", "\"0s\"", "\"1s\"", "\"60s\""});
  add("delayed_ack", {"true", "false"});
  add("delack", {"\"0s\"", "\"1ms\"", "\"40ms\"", "\"500ms\""});
  add("quickack", {"0", "16", "1000"});
  add("nagle", {"true", "false"});
  add("initial_window", {"1", "10", "1000"});
  add("keepalive", {"true", "false"});
  add("keepalive_idle", {"\"100ms\"", "\"1s\"", "\"2h\""});
  add("keepalive_interval", {"\"100ms\"", "\"1s\"", "\"75s\""});
  add("keepalive_probes", {"1", "9", "1000"});
  add("reuse_addr", {"true", "false"});
  add("syn_cookies", {"0", "1", "2"});
  add("dsack", {"true", "false"});
  add("delay_fin_ack", {"true", "false"});
  add("ack_on_read", {"true", "false"});
  add("nagle_minshall", {"true", "false"});
  add("tail_loss_probe", {"true", "false"});
  add("rack", {"true", "false"});
  add("user_timeout", {"\"off\"", "\"1ms\"", "\"500ms\"", "\"30s\""});
  add("zero_window_probe_interval", {"\"from-answer\"", "\"from-probe\""});
  add("rcv_window", {"\"linux\"", "\"free-space\""});
  add("tcp_rmem", {"[4096, 131072, 33554432]", "[1, 1, 1]", "[2048, 4096, 65536]"});
  add("adv_win_scale", {"1", "-2", "31"});
  add("time_wait_rst_closes", {"true", "false"});
  add("time_wait_syn_reopens", {"true", "false"});
  add("zero_window_probe", {"\"snd_una-1\"", "\"one-byte\""});
  add("ephemeral_ports", {"[1, 65535]", "[40000, 40003]", "[65535, 65535]", "[32768, 60999]"});
  auto add_cc = [&](const char* key, std::vector<std::string> values) {
    if (cc_g.one_in(3)) kv.push_back(std::string(key) + " = " + cc_g.pick(values));
  };
  add_cc("cc", {q("cubic"), q("newreno"), q("reno"), q("bbr")});
  add_cc("prr", {"true", "false"});
  add_cc("hystart", {"true", "false"});
  add_cc("limited_transmit", {"true", "false"});
  // Tiny buffers or a one-byte tcp_rmem (the window then stays at a byte or two, as
  // free-space or linux computes it) move a segment of a byte or so per round trip: a
  // 200,000-byte send then makes millions of trace events, gigabytes with the replay's copy
  // (seeds 30018470, 30019299 reached 3 GB each). Such hosts get small sends.
  for (const auto& k : kv)
    if (k == "snd_buf = 1" || k == "snd_buf = 100" || k == "rcv_buf = 1" || k == "rcv_buf = 100" || k == "tcp_rmem = [1, 1, 1]")
      g.tiny_buffers = true;
  std::string t;
  for (std::size_t i = 0; i < kv.size(); ++i) t += (i ? ", " : "") + kv[i];
  return t;
}

// What a lab run may not promise, which turns some invariants off (see the header).
struct Traits {
  bool crash = false;
  bool fixed_ports_reused = false;
  bool short_msl = false;
};

// One side of a conversation after connect/accept: a few random steps, maybe a last one.
std::vector<std::string> side_steps(Gen& g, bool texty, bool verify_ok, Traits& tr) {
  std::vector<std::string> s;
  const std::uint64_t n = g.below(6);
  for (std::uint64_t i = 0; i < n; ++i) {
    switch (g.below(8)) {
      case 0:
      case 1:
        if (texty && g.one_in(2)) s.push_back(g.pick<std::string>({"send \"hello\\r\\n\"", "send \"x\"", "send \"GET / HTTP/1.0\\r\\n\\r\\n\""}));
        else if (g.tiny_buffers) s.push_back(fmt::format("send {}", g.pick<int>({1, 7, 100, 1460})));
        else s.push_back(fmt::format("send {}", g.pick<int>({1, 7, 100, 1460, 5000, 40000, 200000})));
        break;
      case 2:
      case 3:
        s.push_back(fmt::format("recv {}{}", g.pick<int>({1, 7, 100, 1460, 5000, 40000}), verify_ok && g.one_in(2) ? " verify" : ""));
        break;
      case 4: s.push_back(std::string("recv all") + (verify_ok && g.one_in(2) ? " verify" : "")); break;
      case 5: s.push_back(fmt::format("wait {}", g.pick<std::string>({"0s", "1ms", "300ms", "2s", "30s"}))); break;
      case 6: s.push_back("wait eof"); break;
      default: s.push_back("shutdown"); break;
    }
  }
  switch (g.below(8)) {
    case 0:
    case 1:
    case 2: s.push_back("close"); break;
    case 3: s.push_back("abort"); break;
    case 4: s.push_back("exit"); break;
    case 5:
      tr.crash = true;
      s.push_back(g.one_in(2) ? fmt::format("crash for {}", g.pick<std::string>({"0s", "1ms", "500ms", "5s"})) : "crash");
      break;
    default: break;  // the script just ends: the socket stays open
  }
  return s;
}

std::string script_list(const std::vector<std::string>& steps) {
  std::string t = "[";
  for (std::size_t i = 0; i < steps.size(); ++i) t += (i ? ", " : "") + q(steps[i]);
  return t + "]";
}

// A host as a script's `connect` names it (name or address), as a fault names it (name,
// tag or address), as a check names it (name).
struct HostRef {
  std::string name, tag, ip;
};

// A [[bottleneck]] over some of the hosts (a random split into left and right), with every
// queue discipline and buffer form, access links, and sometimes a ping across it that starts
// and stops. Drawn from its own generator, so the rest of each seed's lab stays as it was.
std::string bottleneck_tables(std::uint64_t seed, const std::vector<HostRef>& hosts, std::uint64_t until_s) {
  Gen g(seed ^ 0xb0771e'4ec4ULL);
  if (!g.one_in(3)) return "";
  // One host surely on each side, the others on either or on none.
  const std::uint64_t l = g.below(hosts.size()), r = (l + 1 + g.below(hosts.size() - 1)) % hosts.size();
  std::vector<std::string> left, right;
  for (std::uint64_t i = 0; i < hosts.size(); ++i) {
    const std::uint64_t side = i == l ? 0 : i == r ? 1 : g.below(3);
    if (side == 0) left.push_back(hosts[i].name);
    if (side == 1) right.push_back(hosts[i].name);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + q(x);
    return "[" + s + "]";
  };
  const std::string rate = g.pick<std::string>({"1Mbps", "10Mbps", "100Mbps", "1Gbps"});
  std::string t = fmt::format("\n[[bottleneck]]\nname = \"bn\"\nleft = {}\nright = {}\nrate = \"{}\"\ndelay = \"{}\"\n", list(left),
                              list(right), rate, g.ms(50));
  const std::string qdisc = g.pick<std::string>({"drop-tail", "red", "codel", "fq_codel"});
  if (qdisc != "drop-tail" || g.one_in(2)) t += fmt::format("qdisc = \"{}\"\n", qdisc);
  switch (g.below(4)) {
    case 0: t += fmt::format("buffer = {}\n", 1 + g.below(200)); break;
    case 1: t += fmt::format("buffer = \"{}B\"\n", 1500 + g.below(300000)); break;
    case 2: t += fmt::format("buffer = \"{}BDP\"\nbdp_rtt = \"{}ms\"\n", g.pick<std::string>({"0.5", "1", "2", "4"}), 100 + g.below(200)); break;
    default: break;
  }
  if (qdisc == "red" && g.one_in(2))
    t += fmt::format("red = {{ min = {}, max = {}, max_p = 0.{}, weight = 0.0{} }}\n", 2 + g.below(5), 10 + g.below(20), 1 + g.below(9), 1 + g.below(9));
  if (qdisc == "codel" && g.one_in(2)) t += fmt::format("codel = {{ target = \"{}ms\", interval = \"{}ms\" }}\n", 1 + g.below(10), 20 + g.below(200));
  if (qdisc == "fq_codel" && g.one_in(2))
    t += fmt::format("fq_codel = {{ flows = {}, quantum = {}, target = \"{}ms\" }}\n", 1 + g.below(1024), 300 + g.below(3000), 1 + g.below(10));
  std::string access;
  for (const auto* side : {&left, &right}) {
    for (const auto& h : *side) {
      if (g.one_in(2)) continue;
      access += (access.empty() ? "" : ", ") + h + " = ";
      access += g.one_in(2) ? fmt::format("\"{}\"", g.ms(40))
                            : fmt::format("{{ delay = \"{}\", rate = \"{}\" }}", g.ms(40), g.pick<std::string>({"2Mbps", "50Mbps", "1Gbps"}));
    }
  }
  if (!access.empty()) t += "access = { " + access + " }\n";
  if (g.one_in(2)) {
    const std::uint64_t start = g.below(until_s * 1000);
    t += fmt::format("\n[[app]]\nhost = {}\nstart = \"{}ms\"\n", q(hosts[l].name), start);
    if (g.one_in(2)) t += fmt::format("stop = \"{}ms\"\n", start + 1 + g.below(until_s * 1000));
    t += fmt::format("ping = {{ to = {}, interval = \"{}ms\", size = {}", q(hosts[r].name), 1 + g.below(500), 8 + g.below(1500));
    if (g.one_in(2)) t += fmt::format(", count = {}", 1 + g.below(100));
    t += " }\n";
  }
  return t;
}

std::string draw_lab(std::uint64_t seed, Traits& tr) {
  Gen g(seed);
  Gen cc_g(seed ^ 0xcc'c0'6e57'10ULL);
  const std::uint64_t nh = 2 + g.below(4);
  const std::vector<std::string> names = {"alpha", "bravo", "client", "server", "edge"};
  std::vector<HostRef> hosts;
  const bool explicit_ips = g.one_in(2);
  for (std::uint64_t i = 0; i < nh; ++i)
    hosts.push_back({names[i], std::string(1, static_cast<char>('A' + i)),
                     explicit_ips ? fmt::format("192.168.{}.{}", i, 10 + i) : fmt::format("10.0.0.{}", i + 1)});
  const std::int64_t until_s = g.pick<std::int64_t>({3, 10, 30, 60, 120, 180});

  std::string t = fmt::format("title = \"world torture run {}\"\nseed = {}\nuntil = \"{}s\"\n", seed, seed, until_s);
  if (g.one_in(2)) t += fmt::format("profile = \"{}\"\n", g.one_in(2) ? "linux" : "rfc9293");

  // Faults and checks, drawn below, go before the tables.
  std::vector<std::string> faults;
  std::string body;

  for (const auto& h : hosts) {
    body += fmt::format("\n[[host]]\nname = \"{}\"\n", h.name);
    if (explicit_ips) body += fmt::format("ip = \"{}\"\n", h.ip);
    if (g.one_in(3) == false) {
      const std::string tcp = tcp_keys(g, cc_g);
      if (!tcp.empty()) body += "tcp = { " + tcp + " }\n";
      if (tcp.find("msl = \"0s\"") != std::string::npos || tcp.find("msl = \"1ms\"") != std::string::npos) tr.short_msl = true;
    }
  }
  if (g.one_in(2)) body += "\n[link]\n" + link_keys(g, false);
  const std::uint64_t npaths = g.below(3);
  // A bottleneck only without [[path]]s (a path across it would be an error).
  if (npaths == 0) body += bottleneck_tables(seed, hosts, static_cast<std::uint64_t>(until_s));
  for (std::uint64_t i = 0; i < npaths; ++i) {
    const std::uint64_t a = g.below(nh), b = (a + 1 + g.below(nh - 1)) % nh;
    if (g.one_in(2)) body += fmt::format("\n[[path]]\nbetween = [\"{}\", \"{}\"]\n", hosts[a].name, hosts[b].name);
    else body += fmt::format("\n[[path]]\nfrom = \"{}\"\nto = \"{}\"\n", hosts[a].name, hosts[b].name);
    body += link_keys(g, g.one_in(3));
  }

  auto start = [&](std::uint64_t max_ms) { return g.one_in(4) ? std::string() : fmt::format("start = \"{}\"\n", g.ms(max_ms)); };
  auto conn_target = [&](const HostRef& h) { return g.one_in(3) ? h.ip : h.name; };
  auto fault_name = [&](const HostRef& h) {
    switch (g.below(3)) {
      case 0: return h.name;
      case 1: return h.tag;
      default: return h.ip;
    }
  };

  std::set<int> used_from_ports;
  const std::uint64_t nconv = 1 + g.below(3);
  std::vector<std::pair<int, int>> pairs;  // (client, server) host indices
  for (std::uint64_t k = 0; k < nconv; ++k) {
    const int srv = static_cast<int>(g.below(nh));
    const int cli = static_cast<int>((static_cast<std::uint64_t>(srv) + 1 + g.below(nh - 1)) % nh);
    pairs.emplace_back(cli, srv);
    const int port = 5000 + static_cast<int>(k);
    const bool texty = g.one_in(3);
    std::string connect = fmt::format("connect {} {}", conn_target(hosts[static_cast<std::size_t>(srv)]), port);
    if (g.one_in(4)) {
      const int from = 40000 + static_cast<int>(g.below(3));
      if (!used_from_ports.insert(from).second) tr.fixed_ports_reused = true;
      connect += fmt::format(" from {}", from);
    }
    if (g.one_in(4)) connect += " reuseaddr";
    std::string listen = fmt::format("listen {}", port);
    if (g.one_in(3)) listen += fmt::format(" backlog {}", g.pick<int>({0, 1, 2, 128, 1'000'000}));
    if (g.one_in(4)) listen += " reuseaddr";

    const std::string& sname = hosts[static_cast<std::size_t>(srv)].name;
    const std::string& cname = hosts[static_cast<std::size_t>(cli)].name;
    switch (g.below(5)) {
      case 0: {  // serve + a client generator
        std::vector<std::string> per = side_steps(g, texty, !texty, tr);
        if (per.empty()) per.push_back("close");
        std::vector<std::string> srv_script = {listen, "serve"};
        body += fmt::format("\n[[app]]\nhost = \"{}\"\nscript = {}\nper_connection = {}\n", sname, script_list(srv_script),
                            script_list(per));
        std::vector<std::string> cl = {connect};
        for (auto& s : side_steps(g, texty, !texty, tr)) cl.push_back(s);
        const std::uint64_t count = 1 + g.below(8);
        std::string clients = g.one_in(2) ? fmt::format("{{ count = {}, every = \"{}\" }}", count, g.pick<std::string>({"1ms", "50ms", "1s"}))
                                          : fmt::format("{{ count = {}, parallel = {} }}", count, 1 + g.below(3));
        if (connect.find(" from ") != std::string::npos && count > 1) tr.fixed_ports_reused = true;
        body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}script = {}\nclients = {}\n", cname, start(2000), script_list(cl), clients);
        break;
      }
      case 1: {  // simultaneous open: both connect from fixed ports
        const int cport = 41000 + static_cast<int>(k);
        std::vector<std::string> a = {fmt::format("connect {} {} from {}", conn_target(hosts[static_cast<std::size_t>(srv)]), port, cport)};
        std::vector<std::string> b = {fmt::format("connect {} {} from {}", conn_target(hosts[static_cast<std::size_t>(cli)]), cport, port)};
        for (auto& s : side_steps(g, texty, !texty, tr)) a.push_back(s);
        for (auto& s : side_steps(g, texty, !texty, tr)) b.push_back(s);
        const std::string st = start(500);
        body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}script = {}\n", cname, st, script_list(a));
        body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}script = {}\n", sname, st, script_list(b));
        break;
      }
      default: {  // listen + accept, one client
        std::vector<std::string> sv = {listen, "accept"};
        for (auto& s : side_steps(g, texty, !texty, tr)) sv.push_back(s);
        if (g.one_in(4)) {
          sv.push_back("close");
          sv.push_back("close");  // the second close closes the listening socket
        }
        std::vector<std::string> cl = {connect};
        for (auto& s : side_steps(g, texty, !texty, tr)) cl.push_back(s);
        body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}script = {}\n", sname, g.one_in(6) ? start(300) : "", script_list(sv));
        body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}script = {}\n", cname, start(1000), script_list(cl));
        break;
      }
    }
  }
  if (g.one_in(4)) {  // a SYN flood
    const auto& h = hosts[g.below(nh)];
    body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}flood = {{ target = \"{}\", port = {}, count = {}, every = \"{}\"{} }}\n",
                        hosts[g.below(nh)].name, start(3000), conn_target(h), 5000 + g.below(4), 1 + g.below(60),
                        g.pick<std::string>({"0ms", "1ms", "20ms"}), g.one_in(2) ? ", from = \"172.16.0.1\"" : "");
  }
  if (g.one_in(4)) {  // a port scan
    const auto& h = hosts[g.below(nh)];
    const std::uint64_t lo = 4990 + g.below(12);
    body += fmt::format("\n[[app]]\nhost = \"{}\"\n{}scan = {{ target = \"{}\", ports = [{}, {}], every = \"{}\" }}\n",
                        hosts[g.below(nh)].name, start(3000), h.ip, lo, lo + g.below(30), g.pick<std::string>({"0ms", "1ms", "10ms"}));
  }
  if (g.one_in(3)) {  // a host crashes at a random moment, and maybe comes back
    tr.crash = true;
    std::vector<std::string> s;
    if (g.one_in(3)) s.push_back(fmt::format("wait {}", g.ms(1000)));
    s.push_back(g.one_in(4) ? "crash" : fmt::format("crash for {}", g.pick<std::string>({"1ms", "200ms", "3s", "20s"})));
    body += fmt::format("\n[[app]]\nhost = \"{}\"\nstart = \"{}\"\nscript = {}\n", hosts[g.below(nh)].name,
                        g.ms(static_cast<std::uint64_t>(until_s) * 500), script_list(s));
  }

  // Fault rules on the conversations' directions.
  const std::uint64_t nf = g.below(4);
  for (std::uint64_t i = 0; i < nf; ++i) {
    auto [c, s] = pairs[g.below(pairs.size())];
    if (g.one_in(2)) std::swap(c, s);
    const std::string dir = fault_name(hosts[static_cast<std::size_t>(c)]) + ">" + fault_name(hosts[static_cast<std::size_t>(s)]);
    const std::string action = g.pick<std::string>({"drop", "drop", "delay", "duplicate", "corrupt"});
    std::string rule = action + " ";
    switch (g.below(3)) {
      case 0: rule += fmt::format("{}#{}", dir, 1 + g.below(8)); break;
      case 1: rule += fmt::format("{} {} #{}", dir, g.pick<std::string>({"SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST"}), 1 + g.below(3)); break;
      default: rule += fmt::format("{} {}", dir, g.pick<std::string>({"SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST"})); break;
    }
    if (action == "delay") rule += fmt::format(" by {}", g.pick<std::string>({"1ms", "300ms", "2s"}));
    if (g.one_in(3)) rule += " retx";
    if (g.one_in(3)) {
      const std::uint64_t from = g.below(3000);
      rule += fmt::format(" from {}ms to {}ms", from, from + 1 + g.below(5000));
    } else if (g.one_in(4)) {
      rule += fmt::format(" to {}ms", 1 + g.below(5000));
    }
    faults.push_back(rule);
  }
  if (!faults.empty()) {
    t += "faults = [";
    for (std::size_t i = 0; i < faults.size(); ++i) t += (i ? ", " : "") + q(faults[i]);
    t += "]\n";
  }
  t += body;

  // A few checks of every kind: only their evaluation matters.
  const std::uint64_t nc = g.below(5);
  const std::vector<std::string> states = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
                                           "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};
  const std::vector<std::string> kinds = {"SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST"};
  for (std::uint64_t i = 0; i < nc; ++i) {
    const std::string h = hosts[g.below(nh)].name;
    const std::string h2 = hosts[g.below(nh)].name;
    const std::string conn = g.one_in(5) ? "\"listen\"" : fmt::format("{}", 1 + g.below(3));
    t += "\n[[check]]\n";
    switch (g.below(9)) {
      case 0:
        if (g.one_in(2))
          t += fmt::format("kind = \"states\"\nhost = \"{}\"\nconn = {}\nexpect = [\"CLOSED\", \"SYN_SENT\", \"ESTABLISHED\"]\n", h, conn);
        else
          t += fmt::format("kind = \"states\"\nhost = \"{}\"\nmode = \"ordered\"\nexpect = [\"{}\", \"{}\"]\n", h, g.pick(states), g.pick(states));
        break;
      case 1:
        t += fmt::format("kind = \"final_state\"\nhost = \"{}\"\nconn = {}\nexpect = \"{}\"\n", h, conn, g.pick(states));
        if (g.one_in(2)) t += fmt::format("at = \"{}\"\n", g.ms(5000));
        break;
      case 2:
        t += fmt::format("kind = \"time_in_state\"\nhost = \"{}\"\nstate = \"{}\"\n{} = \"{}\"\n", h, g.pick(states),
                         g.pick<std::string>({"expect", "min", "max"}), g.ms(10000));
        break;
      case 3:
        t += fmt::format("kind = \"segments\"\nfrom = \"{}\"\nto = \"{}\"\nsegment = \"{}\"\n{} = {}\n", h, h2, g.pick(kinds),
                         g.pick<std::string>({"expect", "min", "max"}), g.below(10));
        if (g.one_in(2)) t += fmt::format("retx = {}\n", g.one_in(2) ? "true" : "false");
        if (g.one_in(3)) t += "dropped = true\n";
        break;
      case 4:
        t += fmt::format("kind = \"intervals\"\nfrom = \"{}\"\nsegment = \"{}\"\nexpect = [\"1s\", \"2s\"]\nwithin = \"10ms\"\n", h, g.pick(kinds));
        break;
      case 5:
        if (g.one_in(2)) {
          t += fmt::format("kind = \"segment\"\nid = \"{}>{}#{}\"\nflags = \"S\"\n", hosts[0].tag, hosts[1].tag, 1 + g.below(5));
        } else {
          t += fmt::format("kind = \"segment\"\nfrom = \"{}\"\nsegment = \"{}\"\nnth = {}\nseq = {}\nack = 1\n", h, g.pick(kinds), 1 + g.below(3), g.below(3));
          if (g.one_in(2)) t += "at = \"1s\"\nwithin = \"1s\"\n";
        }
        break;
      case 6: t += fmt::format("kind = \"bytes\"\nfrom = \"{}\"\nto = \"{}\"\n", h, h2); break;
      case 7:
        t += fmt::format("kind = \"app_result\"\nhost = \"{}\"\ncall = \"{}\"\nexpect = \"{}\"\n", h,
                         g.pick<std::string>({"connect", "recv", "send", "accept", "close", "crash"}),
                         g.pick<std::string>({"OK", "EOF", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"}));
        if (g.one_in(2)) t += fmt::format("min = {}\n", g.below(3));
        break;
      default:
        t += fmt::format("kind = \"netstat\"\nhost = \"{}\"\nat = \"{}\"\nstate = \"{}\"\nmin = {}\n", h, g.ms(static_cast<std::uint64_t>(until_s) * 1000),
                         g.one_in(3) ? std::string("any") : g.pick(states), g.below(2));
        break;
    }
  }
  return t;
}

// ------------------------------------------------------------------ checking a run

bool same_events(const TraceEvents& a, const TraceEvents& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i])) return false;
  return true;
}

// A hang makes events without progress; a fast transfer (a 1 us path, 52-byte segments)
// makes many events with it. Each byte delivered to an application buys one more event.
std::uint64_t event_budget(Instant now, std::uint64_t bytes_delivered) {
  return kWorldBaseEvents + kWorldEventsPerSecond * static_cast<std::uint64_t>(now < 0 ? 0 : now / sec(1)) +
         kWorldEventsPerByte * bytes_delivered;
}

}  // namespace

bool cookie_reopened_old_stream(const TraceEvents& events) {
  std::set<std::pair<std::string, std::uint32_t>> synack_iss;  // (host:conn, ISS)
  constexpr std::string_view kCookie = "SYN cookie", kIss = "SEG.ACK-1=";
  for (const auto& e : events) {
    const std::string key = fmt::format("{}:{}", e.host, e.conn);
    if (e.type == TraceType::Send && e.seg.has(kSyn) && e.seg.has(kAck)) synack_iss.insert({key, e.seg.seq.raw()});
    if (e.type != TraceType::State || e.cause.compare(0, kCookie.size(), kCookie) != 0) continue;
    const std::size_t at = e.cause.find(kIss);
    if (at == std::string::npos) continue;
    const std::uint32_t iss = static_cast<std::uint32_t>(std::strtoul(e.cause.c_str() + at + kIss.size(), nullptr, 10));
    if (!synack_iss.count({key, iss})) return true;
  }
  return false;
}

std::string world_scenario(std::uint64_t seed) {
  Traits tr;
  return draw_lab(seed, tr);
}

TortureRun world_check(std::uint64_t seed, const std::string& lab_text) {
  TortureRun run;
  run.seed = seed;
  run.lab_text = lab_text;
  auto& v = run.violations;
  Lab lab;
  try {
    lab = parse_lab(lab_text, fmt::format("torture-world-{}.toml", seed));
  } catch (const LabError& e) {
    v.push_back(std::string("the generated lab does not load: ") + e.what());
    return run;
  } catch (const std::exception& e) {
    v.push_back(fmt::format("seed {}: loading the lab threw: {}", seed, e.what()));
    return run;
  }
  // What the lab text allows us to promise (see the header).
  bool crash = false, fixed_reuse = false, short_msl = false;
  {
    Traits tr;
    if (world_scenario(seed) == lab_text) {
      draw_lab(seed, tr);
      crash = tr.crash;
      fixed_reuse = tr.fixed_ports_reused;
      short_msl = tr.short_msl;
    } else {  // a lab from elsewhere: assume the worst
      crash = fixed_reuse = short_msl = true;
    }
  }
  for (const auto& h : lab.hosts)
    if (h.tcp.msl_ns < sec(1)) short_msl = true;

  TraceSink sink;
  World w;
  std::uint64_t steps = 0;
  bool hung = false;
  const char* phase = "building the world";
  try {
    w = build_world(lab);
    phase = "running";
    auto check_conns = [&] {
      for (int h = 0; h < static_cast<int>(w.hosts().size()); ++h)
        for (ConnId c = 0; c < w.stack(h).conn_count(); ++c)
          if (auto bad = w.stack(h).conn(c).check_invariants(); !bad.empty() && v.size() < 20)
            v.push_back(fmt::format("t={} {} {}: {}", w.now(), w.hosts()[h].name, w.conn_label(h, c), bad));
    };
    while (!w.idle() && w.next_event_time() <= lab.until) {
      w.step(&sink);
      ++steps;
      if (steps > event_budget(w.now(), w.counters().bytes_delivered_to_apps)) {
        v.push_back(fmt::format("hang: {} world events by t={} (more than {} + {} per virtual second + {} per byte delivered)",
                                steps, format_duration(w.now()), kWorldBaseEvents, kWorldEventsPerSecond, kWorldEventsPerByte));
        hung = true;
        break;
      }
      if (steps % 64 == 0) check_conns();
    }
    check_conns();
  } catch (const std::exception& e) {
    v.push_back(fmt::format("seed {}: exception while {} at t={} (step {}): {}", seed, phase, w.now(), steps, e.what()));
    return run;
  }
  run.trace_events = sink.events.size();
  run.bytes_delivered = w.counters().bytes_delivered_to_apps;
  if (hung) return run;

  if (!crash && !fixed_reuse && !short_msl && !cookie_reopened_old_stream(sink.events) &&
      w.counters().stream_mismatches)
    v.push_back(fmt::format("{} reads returned bytes out of order or corrupted", w.counters().stream_mismatches));

  // Trace invariants: transition table; no ACK of never-sent data (no crash).
  std::map<std::string, Seq32> max_end;
  for (const auto& e : sink.events) {
    if (e.type == TraceType::State && !find_transition(e.from, e.to) && v.size() < 20)
      v.push_back(fmt::format("seq_no {}: {} -> {} is not in the transition table (stack/transitions) ({})", e.seq_no,
                              state_name(e.from), state_name(e.to), e.cause));
    if (crash || e.type != TraceType::Send || e.seg.has(kRst)) continue;
    const Seq32 end = e.seg.seq + e.len + (e.seg.has(kSyn) ? 1U : 0U) + (e.seg.has(kFin) ? 1U : 0U);
    auto it = max_end.find(e.conn);
    // The highest end ever sent under this label, across incarnations of the 4-tuple: a new
    // incarnation's ISN is higher (the ISN clock) or this only misses a violation, and the
    // peer may still be in the old one (TIME_WAIT answers a duplicate SYN-ACK with its ACK).
    if (it == max_end.end() || seq_gt(end, it->second)) max_end[e.conn] = end;
    auto peer = max_end.find(reverse_conn(e.conn));
    if (e.seg.has(kAck) && peer != max_end.end() && seq_gt(e.seg.ack, peer->second) && v.size() < 20)
      v.push_back(fmt::format("seq_no {}: {} acknowledges {} but the peer sent only up to {}", e.seq_no, e.id,
                              e.seg.ack.raw(), peer->second.raw()));
  }

  // The checks: any verdict, but evaluating them must not throw.
  try {
    (void)run_checks(lab, w, sink.events);
  } catch (const std::exception& e) {
    v.push_back(fmt::format("seed {}: evaluating the checks threw: {}", seed, e.what()));
  }

  // Determinism and rewind, through a Timeline.
  try {
    // At most ~16 checkpoints: a world copy holds every buffer, and a run of a million
    // events checkpointed every 256 steps would hold gigabytes.
    Timeline tl(build_world(lab), std::max<std::uint64_t>(256, steps / 16 + 1));
    tl.run(lab.until, steps + 1);
    if (tl.steps() != steps || !same_events(tl.trace(), sink.events)) {
      v.push_back(fmt::format("replaying the same seed gave a different trace ({} steps and {} events, then {} and {})",
                              steps, sink.events.size(), tl.steps(), tl.size()));
      return run;
    }
    if (tl.size() == 0) return run;
    Rng r(seed * 7919 + 1);
    for (int i = 0; i < 3; ++i) {
      const std::uint64_t k = r.below(tl.size());
      World wk = tl.world_after(k);
      TraceSink rest;
      wk.run(UINT64_MAX, lab.until, &rest);
      const std::uint64_t first = rest.events.empty() ? tl.size() : rest.events.front().seq_no;
      bool same = first > k && first <= tl.size() && rest.events.size() == tl.size() - first;
      for (std::size_t j = 0; same && j < rest.events.size(); ++j)
        same = rest.events[j] == tl.trace()[first + j];
      if (!same) {
        v.push_back(fmt::format("rewind: the world after event {} run on to the end does not give the original's suffix", k));
        break;
      }
    }
    const std::uint64_t k = r.below(tl.size());
    const Timeline same = tl.fork(k, [](World&) {}, lab.until);
    if (auto d = Timeline::first_difference(tl, same))
      v.push_back(fmt::format("fork at event {} with no change differs from the original at event {}", k, *d));
  } catch (const std::exception& e) {
    v.push_back(fmt::format("seed {}: exception in the replay or the timeline: {}", seed, e.what()));
  }
  return run;
}

}  // namespace tcplab
