// [[bottleneck]]: a shared bottleneck (a dumbbell) between hosts on its left and right, with
// its rate, delay, buffer, queue discipline and the hosts' access links (sim/bottleneck.hpp).
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "labs/lab_reader.hpp"
#include "labs/suggest.hpp"

namespace tcplab::labread {

namespace {

// The smallest byte limit: a full-sized packet (a smaller one would drop every data segment).
constexpr std::uint64_t kMinBufferBytes = 1500;

std::string fmt_number(double v) { return fmt::format("{}", v); }

struct Member {
  int host = -1;
  bool left = false;
  std::string bottleneck;
};

int host_of(const Reader& r, const toml::node& n, const std::string& name, const std::vector<HostSpec>& hosts,
            const HostNames& names) {
  names.require(n, name);
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == name || ip_to_string(hosts[i].ip) == name) return static_cast<int>(i);
  r.fail(n, "no host has address " + name);
}

double number(const Reader& r, const toml::node& n, const std::string& what, double lo, double hi) {
  double v = 0;
  if (n.is_integer()) v = static_cast<double>(*n.value<std::int64_t>());
  else if (n.is_floating_point()) v = *n.value<double>();
  else r.fail(n, what + " must be a number, not " + Reader::type_name(n));
  if (!std::isfinite(v) || v < lo || v > hi)
    r.fail(n, what + " must be between " + fmt_number(lo) + " and " + fmt_number(hi));
  return v;
}

std::uint64_t rate_of(const Reader& r, const toml::node& n, const std::string& what) {
  auto rate = n.is_string() ? parse_rate(*n.value<std::string>()) : std::nullopt;
  if (!rate) r.fail(n, what + " must be a rate such as \"10Mbps\", \"1Gbps\" or \"64kbps\"");
  return *rate;
}

// buffer = 100 (packets) | "64KB" / "150000B" / "1MB" (bytes) | "2BDP" (bandwidth-delay
// products of bdp_rtt at the bottleneck's rate, in bytes).
QueueLimit read_buffer(const Reader& r, const toml::node& n, const toml::node* bdp_rtt, std::uint64_t rate_bps) {
  const std::string forms =
      "bottleneck.buffer must be packets (an integer such as 100), bytes (\"64KB\", \"150000B\", \"1MB\") or "
      "bandwidth-delay products (\"2BDP\", with bdp_rtt)";
  if (n.is_integer()) {
    if (bdp_rtt) r.fail(*bdp_rtt, "bottleneck.bdp_rtt is only used with buffer = \"...BDP\"");
    return QueueLimit::packets(static_cast<std::uint32_t>(r.integer(n, "bottleneck.buffer", 1, 10'000'000)));
  }
  if (!n.is_string()) r.fail(n, forms);
  const std::string s = *n.value<std::string>();
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  const std::string unit = s.substr(i);
  // strtod, not from_chars: Emscripten's libc++ has no floating-point from_chars (the web build).
  // The digits and dots were checked above, and "C" is the locale tcplab runs in.
  const std::string number = s.substr(0, i);
  char* end = nullptr;
  const double v = i == 0 ? 0 : std::strtod(number.c_str(), &end);
  if (i == 0 || end != number.c_str() + number.size() || !(v > 0)) r.fail(n, forms);
  double bytes = 0;
  if (unit == "BDP") {
    if (!bdp_rtt) r.fail(n, "bottleneck.buffer = \"" + s + "\" needs bdp_rtt = \"...\" (the round-trip time the BDP is for)");
    const Duration rtt = r.duration(*bdp_rtt, "bottleneck.bdp_rtt");
    if (rtt <= 0) r.fail(*bdp_rtt, "bottleneck.bdp_rtt must be more than 0");
    bytes = std::floor(v * static_cast<double>(rate_bps) * static_cast<double>(rtt) / 8e9);
  } else {
    if (bdp_rtt) r.fail(*bdp_rtt, "bottleneck.bdp_rtt is only used with buffer = \"...BDP\"");
    if (unit == "B") bytes = v;
    else if (unit == "KB") bytes = v * 1e3;
    else if (unit == "MB") bytes = v * 1e6;
    else r.fail(n, forms);
    if (bytes != std::floor(bytes)) r.fail(n, "bottleneck.buffer = \"" + s + "\" is not a whole number of bytes");
  }
  if (bytes < kMinBufferBytes)
    r.fail(n, "bottleneck.buffer = \"" + s + "\" is " + std::to_string(static_cast<std::uint64_t>(bytes)) +
                  " bytes: less than one full-sized packet (" + std::to_string(kMinBufferBytes) + " bytes)");
  if (bytes > 1e12) r.fail(n, "bottleneck.buffer = \"" + s + "\" is more than 1 TB");
  return QueueLimit::of_bytes(static_cast<std::uint64_t>(bytes));
}

QdiscKind read_qdisc_kind(const Reader& r, const toml::node& n) {
  const std::string q = r.str(n, "bottleneck.qdisc");
  static const std::vector<std::string> names = {"drop-tail", "red", "codel", "fq_codel"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (q == names[i]) return static_cast<QdiscKind>(i);
  const std::string best = did_you_mean(q, names);
  r.fail(n, "bottleneck.qdisc = \"" + q + "\" is not a queue discipline" +
                (best.empty() ? " (drop-tail, red, codel or fq_codel)" : "; did you mean '" + best + "'?"));
}

void read_codel_keys(const Reader& r, const toml::table& t, CoDelParams& p, const std::string& where) {
  for (const char* k : {"target", "interval"}) {
    const toml::node* n = t.get(k);
    if (!n) continue;
    const Duration d = r.duration(*n, where + "." + k);
    if (d <= 0) r.fail(*n, where + "." + k + " must be more than 0");
    (std::string(k) == "target" ? p.target : p.interval) = d;
  }
}

// The discipline's own table: red = {...}, codel = {...} or fq_codel = {...}, only with
// that qdisc.
void read_qdisc_params(const Reader& r, const toml::table& t, QdiscConfig& q, const toml::node* buffer) {
  const std::string kind(qdisc_name(q.kind));
  for (const char* k : {"red", "codel", "fq_codel"}) {
    const toml::node* n = t.get(k);
    if (!n || kind == k) continue;
    r.fail(*n, std::string("bottleneck.") + k + " = {...} is for qdisc = \"" + k + "\" (this bottleneck's qdisc is \"" +
                   kind + "\")");
  }
  if (const toml::node* n = t.get("red")) {
    const auto& rt = r.table(*n, "bottleneck.red");
    r.allow(rt, {"min", "max", "max_p", "weight"}, "bottleneck.red");
    if (auto* x = rt.get("min")) q.red.min_th = number(r, *x, "red.min", 0, 1e7);
    if (auto* x = rt.get("max")) q.red.max_th = number(r, *x, "red.max", 0, 1e7);
    if (auto* x = rt.get("max_p")) q.red.max_p = number(r, *x, "red.max_p", 0, 1);
    if (auto* x = rt.get("weight")) q.red.weight = number(r, *x, "red.weight", 0, 1);
    if (q.red.max_th <= q.red.min_th)
      r.fail(rt.get("max") ? *rt.get("max") : *n, "red.max (" + fmt_number(q.red.max_th) + " packets) must be above red.min (" +
                                                     fmt_number(q.red.min_th) + ")");
    if (q.red.max_p <= 0) r.fail(*rt.get("max_p"), "red.max_p must be more than 0");
    if (q.red.weight <= 0) r.fail(*rt.get("weight"), "red.weight must be more than 0");
  }
  if (const toml::node* n = t.get("codel")) {
    const auto& ct = r.table(*n, "bottleneck.codel");
    r.allow(ct, {"target", "interval"}, "bottleneck.codel");
    read_codel_keys(r, ct, q.codel, "codel");
  }
  if (const toml::node* n = t.get("fq_codel")) {
    const auto& ft = r.table(*n, "bottleneck.fq_codel");
    r.allow(ft, {"flows", "quantum", "target", "interval", "limit"}, "bottleneck.fq_codel");
    if (auto* x = ft.get("flows")) q.fq_codel.flows = static_cast<std::uint32_t>(r.integer(*x, "fq_codel.flows", 1, 65536));
    if (auto* x = ft.get("quantum")) q.fq_codel.quantum = static_cast<std::uint32_t>(r.integer(*x, "fq_codel.quantum", 64, 1 << 20));
    if (auto* x = ft.get("limit")) {
      if (buffer) r.fail(*x, "give the fq_codel limit once: bottleneck.buffer or fq_codel.limit, not both");
      q.limit = QueueLimit::packets(static_cast<std::uint32_t>(r.integer(*x, "fq_codel.limit", 1, 10'000'000)));
    }
    read_codel_keys(r, ft, q.fq_codel.codel, "fq_codel");
  }
}

// access = { s1 = "5ms", r1 = { delay = "1ms", rate = "100Mbps" } }: each a host of this
// bottleneck.
void read_access(const Reader& r, const toml::node& n, BottleneckSpec& b, const std::vector<HostSpec>& hosts,
                 const std::vector<Member>& members, int first_member) {
  const auto& at = r.table(n, "bottleneck.access");
  for (auto&& [k, v] : at) {
    const std::string host(k.str());
    const std::string w = "bottleneck.access." + host;
    bool ours = false;
    for (std::size_t i = static_cast<std::size_t>(first_member); i < members.size(); ++i) {
      const HostSpec& h = hosts[static_cast<std::size_t>(members[i].host)];
      ours = ours || h.name == host || ip_to_string(h.ip) == host;
    }
    if (!ours) {
      std::vector<std::string> mine;
      for (std::size_t i = static_cast<std::size_t>(first_member); i < members.size(); ++i)
        mine.push_back(hosts[static_cast<std::size_t>(members[i].host)].name);
      const std::string best = closest_within(host, mine, 3);
      throw LabError(r.key_pos(k), w + ": '" + host + "' is not on either side of bottleneck '" + b.name + "'" +
                                       (best.empty() ? "" : "; did you mean '" + best + "'?"));
    }
    AccessLink a;
    if (v.is_table()) {
      const auto& t = *v.as_table();
      r.allow(t, {"delay", "rate"}, w);
      if (auto* x = t.get("delay")) a.delay_ns = r.duration(*x, w + ".delay");
      if (auto* x = t.get("rate")) a.rate_bps = rate_of(r, *x, w + ".rate");
    } else {
      a.delay_ns = r.duration(v, w + " (a delay such as \"5ms\", or { delay = \"5ms\", rate = \"100Mbps\" })");
    }
    b.access[host] = a;
  }
}

}  // namespace

std::vector<BottleneckSpec> read_bottlenecks(const Reader& r, const toml::table& root, const std::vector<HostSpec>& hosts,
                                             const HostNames& names, const std::vector<PathSpec>& paths) {
  std::vector<BottleneckSpec> out;
  const toml::node* node = root.get("bottleneck");
  if (!node) return out;
  const auto& ba = r.array(*node, "bottleneck (write [[bottleneck]])");
  std::vector<Member> members;
  std::vector<SourcePos> where;  // each bottleneck's position
  for (std::size_t i = 0; i < ba.size(); ++i) {
    const auto& t = r.table(*ba.get(i), "[[bottleneck]]");
    r.allow(t, {"name", "left", "right", "rate", "delay", "buffer", "bdp_rtt", "qdisc", "codel", "fq_codel", "red", "access"},
            "[[bottleneck]]");
    BottleneckSpec b;
    if (auto* x = t.get("name")) {
      b.name = r.str(*x, "bottleneck.name");
      if (b.name.empty() || b.name.find_first_of(" >") != std::string::npos)
        r.fail(*x, "bottleneck.name must be a word (no spaces or '>'): it names the queue in traces and series");
      for (const auto& o : out)
        if (o.name == b.name) r.fail(*x, "there is already a bottleneck named '" + b.name + "'");
    } else if (!out.empty()) {
      r.fail(t, "several bottlenecks need a name = \"...\" each");
    }
    const int first_member = static_cast<int>(members.size());
    for (const char* side : {"left", "right"}) {
      const toml::node* x = t.get(side);
      if (!x) r.fail(t, "[[bottleneck]] needs left = [...] and right = [...] (the hosts on each side)");
      const auto& a = r.array(*x, std::string("bottleneck.") + side);
      if (a.size() == 0) r.fail(*x, std::string("bottleneck.") + side + " needs at least one host");
      for (auto& e : a) {
        const std::string name = r.str(e, std::string("bottleneck.") + side + " entry");
        const int h = host_of(r, e, name, hosts, names);
        for (const Member& m : members)
          if (m.host == h)
            r.fail(e, "host '" + hosts[static_cast<std::size_t>(h)].name + "' is already on the " + (m.left ? "left" : "right") +
                          " of bottleneck '" + m.bottleneck + "'");
        members.push_back({h, std::string(side) == "left", b.name});
        (std::string(side) == "left" ? b.left : b.right).push_back(name);
      }
    }
    if (auto* x = t.get("rate")) b.rate_bps = rate_of(r, *x, "bottleneck.rate");
    else r.fail(t, "[[bottleneck]] needs rate = \"...\" (such as \"10Mbps\")");
    if (auto* x = t.get("delay")) b.delay_ns = r.duration(*x, "bottleneck.delay");
    if (auto* x = t.get("qdisc")) b.qdisc.kind = read_qdisc_kind(r, *x);
    const toml::node* buffer = t.get("buffer");
    if (buffer) b.qdisc.limit = read_buffer(r, *buffer, t.get("bdp_rtt"), b.rate_bps);
    else if (auto* x = t.get("bdp_rtt")) r.fail(*x, "bottleneck.bdp_rtt is only used with buffer = \"...BDP\"");
    read_qdisc_params(r, t, b.qdisc, buffer);
    if (auto* x = t.get("access")) read_access(r, *x, b, hosts, members, first_member);
    out.push_back(std::move(b));
    where.push_back(r.pos(t));
  }
  // A pair that crosses a bottleneck takes its access links and queue, never a [[path]].
  for (const PathSpec& p : paths) {
    const Member* a = nullptr;
    const Member* b = nullptr;
    for (const Member& m : members) {
      const HostSpec& h = hosts[static_cast<std::size_t>(m.host)];
      if (h.name == p.a || ip_to_string(h.ip) == p.a) a = &m;
      if (h.name == p.b || ip_to_string(h.ip) == p.b) b = &m;
    }
    if (!a || !b || a->bottleneck != b->bottleneck || a->left == b->left) continue;
    std::size_t k = 0;
    while (out[k].name != a->bottleneck) ++k;
    throw LabError(p.pos, "[[path]] between " + p.a + " and " + p.b + " crosses bottleneck '" + a->bottleneck + "' (line " +
                              std::to_string(where[k].line) + "): that pair's packets take its access links and queue; "
                              "remove the [[path]] or move a host off the bottleneck");
  }
  return out;
}

}  // namespace tcplab::labread
