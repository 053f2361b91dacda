// [[app]]: what runs on a host. A script (with per_connection for 'serve'), or one of the
// generators: clients (many scripted clients), flood (spoofed SYNs) or scan (a port scan).
#include "labs/lab_reader.hpp"

#include <memory>

#include "labs/budget.hpp"
#include "labs/script.hpp"

namespace tcplab::labread {

namespace {

Script read_script(const Reader& r, const toml::node& node, const std::string& what, const HostNames& hosts) {
  Script sc;
  const auto& a = r.array(node, what);
  for (auto& e : a) {
    std::string err;
    auto st = parse_step(r.str(e, what + " line"), &err);
    if (!st) r.fail(e, what + ": " + err);
    if (st->op == Op::Connect && !parse_ipv4(st->target) && !hosts.has(st->target)) hosts.require(e, st->target);
    st->line = r.pos(e).line;
    sc.push_back(*st);
  }
  return sc;
}

// Takes `script` over: each client runs it.
ClientsGen read_clients(const Reader& r, const toml::node& c, Script& script) {
  const auto& ct = r.table(c, "app.clients");
  r.allow(ct, {"count", "every", "parallel"}, "app.clients");
  ClientsGen g;
  if (auto* x = ct.get("count")) g.count = static_cast<std::uint64_t>(r.integer(*x, "clients.count", 1, 100'000'000));
  if (auto* x = ct.get("every")) g.every = r.duration(*x, "clients.every");
  if (auto* x = ct.get("parallel")) g.parallel = static_cast<std::uint32_t>(r.integer(*x, "clients.parallel", 1, 10'000'000));
  if (script.empty() || script.front().op != Op::Connect)
    r.fail(c, "app.clients: each client runs script, which must start with 'connect HOST PORT'");
  if (g.parallel == 0 && g.every <= 0 && g.count > 1) r.fail(c, "app.clients needs every = \"...\" (open loop) or parallel = N (closed loop)");
  g.script = std::make_shared<const Script>(script);
  script.clear();
  return g;
}

FloodGen read_flood(const Reader& r, const toml::node& f, const HostNames& hosts) {
  const auto& ft = r.table(f, "app.flood");
  r.allow(ft, {"target", "port", "count", "every", "from"}, "app.flood");
  FloodGen g;
  if (auto* x = ft.get("target")) { g.target = r.str(*x, "flood.target"); hosts.require(*x, g.target); }
  else r.fail(ft, "app.flood needs target");
  if (auto* x = ft.get("port")) g.port = static_cast<std::uint16_t>(r.integer(*x, "flood.port", 1, 65535));
  else r.fail(ft, "app.flood needs port");
  if (auto* x = ft.get("count")) g.count = static_cast<std::uint64_t>(r.integer(*x, "flood.count", 1, 100'000'000));
  if (auto* x = ft.get("every")) g.every = r.duration(*x, "flood.every");
  g.src_base = 0xc6120001;  // 198.18.0.1: a benchmarking range nobody in the lab owns
  if (auto* x = ft.get("from")) {
    auto ip = parse_ipv4(r.str(*x, "flood.from"));
    if (!ip) r.fail(*x, "flood.from must be an IPv4 address (the first spoofed source)");
    g.src_base = *ip;
  }
  return g;
}

ScanGen read_scan(const Reader& r, const toml::node& s, const HostNames& hosts) {
  const auto& st = r.table(s, "app.scan");
  r.allow(st, {"target", "ports", "every"}, "app.scan");
  ScanGen g;
  if (auto* x = st.get("target")) { g.target = r.str(*x, "scan.target"); hosts.require(*x, g.target); }
  else r.fail(st, "app.scan needs target");
  if (auto* x = st.get("ports")) {
    const auto& a = r.array(*x, "scan.ports");
    if (a.size() != 2) r.fail(*x, "scan.ports is [first, last]");
    g.port_lo = static_cast<std::uint16_t>(r.integer(*a.get(0), "scan.ports[0]", 1, 65535));
    g.port_hi = static_cast<std::uint16_t>(r.integer(*a.get(1), "scan.ports[1]", 1, 65535));
    if (g.port_hi < g.port_lo) r.fail(*x, "scan.ports: last < first");
  }
  if (auto* x = st.get("every")) g.every = r.duration(*x, "scan.every");
  return g;
}

// ping = { to = "r1", interval = "100ms", size = 64, count = 100 }
PingGen read_ping(const Reader& r, const toml::node& n, const HostNames& hosts, const std::string& self) {
  const auto& pt = r.table(n, "app.ping");
  r.allow(pt, {"to", "interval", "size", "count"}, "app.ping");
  PingGen g;
  if (auto* x = pt.get("to")) {
    g.target = r.str(*x, "ping.to");
    hosts.require(*x, g.target);
    if (g.target == self) r.fail(*x, "ping.to names the pinging host itself");
  } else {
    r.fail(pt, "app.ping needs to = \"HOST\"");
  }
  if (auto* x = pt.get("interval")) {
    g.interval = r.duration(*x, "ping.interval");
    if (g.interval < us(1)) r.fail(*x, "ping.interval must be at least 1us");
  }
  if (auto* x = pt.get("size")) g.size = static_cast<std::uint32_t>(r.integer(*x, "ping.size", 8, 65515));
  if (auto* x = pt.get("count")) g.count = static_cast<std::uint64_t>(r.integer(*x, "ping.count", 1, 100'000'000));
  return g;
}

// Adds what one generator asks for to the lab's cost: `n` connections or probes, asked by
// the key `key` (its count, or the app table when the count is the default).
void add_cost(const Reader& r, const toml::node& at, const std::string& key, std::uint64_t n, std::uint64_t each,
              AppCost* cost) {
  const std::uint64_t bytes = n > UINT64_MAX / each ? UINT64_MAX : n * each;
  cost->bytes = cost->bytes > UINT64_MAX - bytes ? UINT64_MAX : cost->bytes + bytes;
  if (bytes <= cost->largest) return;
  cost->largest = bytes;
  cost->largest_key = key + " = " + std::to_string(n);
  cost->largest_pos = r.pos(at);
}

AppSpec read_app(const Reader& r, const toml::table& t, const HostNames& hosts, AppCost* cost) {
  r.allow(t, {"host", "start", "stop", "wakeup", "script", "per_connection", "clients", "flood", "scan", "peer", "ping"},
          "[[app]]");
  AppSpec app;
  if (auto* h = t.get("host")) {
    app.host = r.str(*h, "app.host");
    if (!hosts.has(app.host)) hosts.require(*h, app.host);
  } else {
    r.fail(t, "[[app]] needs host = \"...\"");
  }
  if (auto* s = t.get("start")) app.start = r.duration(*s, "app.start");
  if (auto* s = t.get("stop")) {
    app.stop = r.duration(*s, "app.stop");
    if (app.stop <= app.start) r.fail(*s, "app.stop must be after app.start");
  }
  std::shared_ptr<const Script> child;
  if (auto* pc = t.get("per_connection")) child = std::make_shared<const Script>(read_script(r, *pc, "app.per_connection", hosts));
  Script script;
  if (auto* s = t.get("script")) script = read_script(r, *s, "app.script", hosts);
  bool serves = false;
  for (auto& st : script) {
    if (st.op == Op::Serve) {
      if (!child) r.fail(*t.get("script"), "'serve' needs per_connection = [...] (what to do with each connection)");
      st.child = child;
      serves = true;
    }
  }
  if (child && !serves) r.fail(*t.get("per_connection"), "per_connection is only used with a 'serve' step in script");
  int kinds = 0;
  if (auto* c = t.get("clients")) {
    ++kinds;
    app.clients = read_clients(r, *c, script);
    const toml::node* n = r.table(*c, "app.clients").get("count");
    add_cost(r, n ? *n : *c, "clients.count", app.clients->count, kBytesPerClient, cost);
  }
  if (auto* f = t.get("flood")) {
    ++kinds;
    app.flood = read_flood(r, *f, hosts);
    const toml::node* n = r.table(*f, "app.flood").get("count");
    add_cost(r, n ? *n : *f, "flood.count", app.flood->count, kBytesPerProbe, cost);
  }
  if (auto* s = t.get("scan")) {
    ++kinds;
    app.scan = read_scan(r, *s, hosts);
    add_cost(r, *s, "scan ports", app.scan->port_hi - app.scan->port_lo + 1ULL, kBytesPerProbe, cost);
  }
  if (auto* p = t.get("peer")) {
    ++kinds;
    if (!script.empty()) r.fail(*p, "app.peer plays its own script: leave out script = [...] (the peer's lines go in peer.script)");
    app.peer = read_peer(r, *p, hosts);
  }
  if (auto* p = t.get("ping")) {
    ++kinds;
    if (!script.empty()) r.fail(*p, "app.ping sends probes, not a script: leave out script = [...]");
    app.ping = read_ping(r, *p, hosts, app.host);
  }
  if (kinds > 1) r.fail(t, "an [[app]] is one of: a script, clients, flood, scan, peer or ping");
  if (auto* w = t.get("wakeup")) {
    // A latency of the socket calls a script makes: the generators of packets make none.
    if (app.flood || app.scan || app.peer || app.ping)
      r.fail(*w, "app.wakeup delays a script's blocked socket calls: flood, scan, peer and ping make none");
    app.wakeup = r.duration(*w, "app.wakeup");
  }
  if (kinds == 0 && script.empty()) r.fail(t, "[[app]] needs script = [...], clients, flood, scan, peer or ping");
  app.script = script;
  return app;
}

}  // namespace

std::vector<AppSpec> read_apps(const Reader& r, const toml::table& root, const HostNames& hosts, AppCost* cost) {
  std::vector<AppSpec> apps;
  if (auto* n = root.get("app")) {
    const auto& aa = r.array(*n, "app (write [[app]])");
    for (std::size_t i = 0; i < aa.size(); ++i) apps.push_back(read_app(r, r.table(*aa.get(i), "[[app]]"), hosts, cost));
  }
  return apps;
}

}  // namespace tcplab::labread
