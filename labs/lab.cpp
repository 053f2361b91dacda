// Lab files (TOML, read with toml++): strict, positioned errors; per-student variables.
#include "labs/lab.hpp"
#include "labs/suggest.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "labs/check_schema.hpp"
#include "labs/script.hpp"

namespace tcplab {

std::string SourcePos::str() const {
  std::string s = file.empty() ? "<lab>" : file;
  if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(col);
  return s;
}

namespace {

// Reads one lab file: every accessor checks type and range and throws a positioned LabError.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourcePos pos(const toml::node& n) const {
    const auto& s = n.source();
    return SourcePos{file_, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
  }
  SourcePos key_pos(const toml::key& k) const {
    const auto& s = k.source();
    return SourcePos{file_, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
  }
  [[noreturn]] void fail(const toml::node& n, const std::string& what) const { throw LabError(pos(n), what); }

  void allow(const toml::table& t, std::initializer_list<const char*> keys, const std::string& where) const {
    for (auto&& [k, v] : t) {
      const std::string key(k.str());
      bool ok = false;
      for (const char* a : keys) ok = ok || key == a;
      if (ok) continue;
      std::string best;
      std::size_t best_d = 99;
      for (const char* a : keys) {
        const std::size_t d = edit_distance(key, a);
        if (d < best_d) { best_d = d; best = a; }
      }
      std::string msg = "unknown key '" + key + "' in " + where;
      if (best_d <= std::max<std::size_t>(2, key.size() / 3)) msg += "; did you mean '" + best + "'?";
      else {
        msg += " (valid keys:";
        for (const char* a : keys) msg += std::string(" ") + a;
        msg += ")";
      }
      throw LabError(key_pos(k), msg);
    }
  }

  std::string str(const toml::node& n, const std::string& what) const {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    fail(n, what + " must be a string, not " + type_name(n));
  }
  std::int64_t integer(const toml::node& n, const std::string& what, std::int64_t lo, std::int64_t hi) const {
    if (!n.is_integer()) fail(n, what + " must be an integer, not " + type_name(n));
    const std::int64_t v = *n.value<std::int64_t>();
    if (v < lo || v > hi)
      fail(n, what + " = " + std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }
  bool boolean(const toml::node& n, const std::string& what) const {
    if (!n.is_boolean()) fail(n, what + " must be true or false, not " + type_name(n));
    return *n.value<bool>();
  }
  Duration duration(const toml::node& n, const std::string& what) const {
    if (!n.is_string()) {
      if (n.is_integer() || n.is_floating_point())
        fail(n, what + " needs a unit: write it as a string such as \"250ms\" or \"2s\" (a bare number is ambiguous)");
      fail(n, what + " must be a duration string such as \"250ms\", not " + type_name(n));
    }
    std::string err;
    auto d = parse_duration(*n.value<std::string>(), &err);
    if (!d) fail(n, what + ": " + err);
    return *d;
  }
  Ratio probability(const toml::node& n, const std::string& what) const {
    double x = 0;
    if (n.is_floating_point()) x = *n.value<double>();
    else if (n.is_integer()) x = static_cast<double>(*n.value<std::int64_t>());
    else if (n.is_string()) {
      std::string s = *n.value<std::string>();
      const bool pct = !s.empty() && s.back() == '%';
      if (pct) s.pop_back();
      char* end = nullptr;
      x = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size()) fail(n, what + ": '" + *n.value<std::string>() + "' is not a probability (e.g. 0.01 or \"1%\")");
      if (pct) x /= 100;
    } else {
      fail(n, what + " must be a probability (e.g. 0.01 or \"1%\"), not " + type_name(n));
    }
    if (!(x >= 0 && x <= 1)) fail(n, what + " must be between 0 and 1");
    // Integer ratio from here on (no doubles in the world's state).
    return Ratio{static_cast<std::uint32_t>(std::llround(x * 1'000'000)), 1'000'000};
  }
  const toml::table& table(const toml::node& n, const std::string& what) const {
    if (!n.is_table()) fail(n, what + " must be a table, not " + type_name(n));
    return *n.as_table();
  }
  const toml::array& array(const toml::node& n, const std::string& what) const {
    if (!n.is_array()) fail(n, what + " must be an array, not " + type_name(n));
    return *n.as_array();
  }
  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "an array";
      case toml::node_type::table: return "a table";
      default: return "a date/time";
    }
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

void substitute(toml::node& n, const std::map<std::string, std::string>& vars, const Reader& r) {
  if (auto* s = n.as_string()) {
    std::string v = s->get();
    std::size_t at = 0;
    while ((at = v.find("{{", at)) != std::string::npos) {
      const auto end = v.find("}}", at);
      if (end == std::string::npos) r.fail(n, "unterminated '{{' in \"" + s->get() + "\"");
      std::string name = v.substr(at + 2, end - at - 2);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      auto it = vars.find(name);
      if (it == vars.end()) r.fail(n, "unknown variable '{{" + name + "}}' (declare it under [vars])");
      v.replace(at, end + 2 - at, it->second);
      at += it->second.size();
    }
    s->get() = v;
  } else if (auto* a = n.as_array()) {
    for (auto& e : *a) substitute(e, vars, r);
  } else if (auto* t = n.as_table()) {
    for (auto&& [k, e] : *t) {
      if (k.str() == "vars") continue;
      substitute(e, vars, r);
    }
  }
}

void read_tcp(const Reader& r, const toml::table& t, TcpConfig& c, std::uint16_t* port_lo, std::uint16_t* port_hi) {
  r.allow(t, {"profile", "mss", "snd_buf", "rcv_buf", "window_scaling", "timestamps", "sack", "rto_initial",
              "rto_min", "rto_max", "syn_retries", "synack_retries", "retries", "orphan_retries", "msl",
              "fin_timeout", "delayed_ack", "delack", "quickack", "nagle", "initial_window", "keepalive",
              "keepalive_idle", "keepalive_interval", "keepalive_probes", "reuse_addr", "time_wait_rst_closes",
              "time_wait_syn_reopens", "zero_window_probe", "ephemeral_ports"},
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
    else if (key == "rcv_buf") c.rcv_buf_bytes = static_cast<std::uint32_t>(r.integer(v, w, 1, 1 << 30));
    else if (key == "window_scaling") c.window_scaling = r.boolean(v, w);
    else if (key == "timestamps") c.timestamps = r.boolean(v, w);
    else if (key == "sack") c.sack = r.boolean(v, w);
    else if (key == "rto_initial") c.rto_initial_ns = r.duration(v, w);
    else if (key == "rto_min") c.rto_min_ns = r.duration(v, w);
    else if (key == "rto_max") c.rto_max_ns = r.duration(v, w);
    else if (key == "syn_retries") c.syn_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "synack_retries") c.synack_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "retries") c.data_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "orphan_retries") c.orphan_retries = static_cast<int>(r.integer(v, w, 0, 127));
    else if (key == "msl") c.msl_ns = r.duration(v, w);
    else if (key == "fin_timeout") {
      if (v.is_string() && *v.value<std::string>() == "off") c.fin_wait_2_timeout_ns = std::nullopt;
      else c.fin_wait_2_timeout_ns = r.duration(v, w + " (a duration, or \"off\")");
    } else if (key == "delayed_ack") c.delayed_ack = r.boolean(v, w);
    else if (key == "delack") c.delack_ns = r.duration(v, w);
    else if (key == "quickack") c.quickack_segments = static_cast<int>(r.integer(v, w, 0, 1000));
    else if (key == "nagle") c.nagle = r.boolean(v, w);
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

void read_link(const Reader& r, const toml::table& t, LinkParams& p, std::initializer_list<const char*> extra,
               const std::string& where) {
  std::vector<const char*> keys = {"delay", "jitter", "rate", "queue", "loss", "duplicate", "reorder", "reorder_delay",
                                   "corrupt", "burst", "down"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  // allow() takes an initializer_list; check by hand with the same message.
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (std::find_if(keys.begin(), keys.end(), [&](const char* a) { return key == a; }) != keys.end()) continue;
    std::string best;
    std::size_t best_d = 99;
    for (const char* a : keys)
      if (edit_distance(key, a) < best_d) { best_d = edit_distance(key, a); best = a; }
    throw LabError(r.key_pos(k), "unknown key '" + key + "' in " + where +
                                     (best_d <= 2 ? "; did you mean '" + best + "'?" : ""));
  }
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    const std::string w = where + "." + key;
    if (key == "delay") p.delay_ns = r.duration(v, w);
    else if (key == "jitter") p.jitter_ns = r.duration(v, w);
    else if (key == "rate") {
      auto rate = v.is_string() ? parse_rate(*v.value<std::string>()) : std::nullopt;
      if (!rate) r.fail(v, w + " must be a rate such as \"1Gbps\", \"100Mbps\" or \"64kbps\"");
      p.rate_bps = *rate;
    } else if (key == "queue") p.queue_pkts_max = static_cast<std::uint32_t>(r.integer(v, w, 1, 10'000'000));
    else if (key == "loss") p.loss = r.probability(v, w);
    else if (key == "duplicate") p.duplicate = r.probability(v, w);
    else if (key == "reorder") p.reorder = r.probability(v, w);
    else if (key == "corrupt") p.corrupt = r.probability(v, w);
    else if (key == "reorder_delay") p.reorder_extra_ns = r.duration(v, w);
    else if (key == "burst") {
      const auto& b = r.table(v, w);
      r.allow(b, {"enter", "leave", "loss_bad", "loss_good"}, w);
      if (auto* n = b.get("enter")) p.burst.good_to_bad = r.probability(*n, w + ".enter");
      if (auto* n = b.get("leave")) p.burst.bad_to_good = r.probability(*n, w + ".leave");
      if (auto* n = b.get("loss_bad")) p.burst.loss_bad = r.probability(*n, w + ".loss_bad");
      if (auto* n = b.get("loss_good")) p.burst.loss_good = r.probability(*n, w + ".loss_good");
      if (p.burst.good_to_bad.zero()) r.fail(v, w + " needs enter > 0 (the chance to enter the bad state)");
    } else if (key == "down") {
      const auto& a = r.array(v, w);
      for (std::size_t i = 0; i < a.size(); ++i) {
        const auto& iv = r.array(*a.get(i), w + "[" + std::to_string(i) + "]");
        if (iv.size() != 2) r.fail(*a.get(i), w + " intervals are [\"from\", \"to\"]");
        const Duration from = r.duration(*iv.get(0), w), to = r.duration(*iv.get(1), w);
        if (to <= from) r.fail(*a.get(i), w + ": the interval ends before it starts");
        p.down.emplace_back(from, to);
      }
    }
  }
}

std::uint64_t draw_seed(std::uint64_t seed, const std::optional<std::string>& student, const std::string& var) {
  std::uint64_t h = mix64(seed);
  if (student)
    for (char c : *student) h = mix64(h ^ static_cast<unsigned char>(c));
  for (char c : var) h = mix64(h ^ static_cast<unsigned char>(c));
  return h;
}

}  // namespace

std::optional<std::uint64_t> parse_rate(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + i, v);
  if (ec != std::errc()) return std::nullopt;
  const std::string unit = s.substr(i);
  std::uint64_t scale = 0;
  if (unit == "bps") scale = 1;
  else if (unit == "kbps" || unit == "Kbps") scale = 1000;
  else if (unit == "Mbps") scale = 1'000'000;
  else if (unit == "Gbps") scale = 1'000'000'000;
  else return std::nullopt;
  if (v == 0 || v > UINT64_MAX / scale) return std::nullopt;
  return v * scale;
}

std::string catalogue_dir() {
  if (const char* env = std::getenv("TCPLAB_CATALOGUE")) return env;
  return TCPLAB_CATALOGUE_DIR;
}

std::vector<std::string> catalogue_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(catalogue_dir(), ec))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_lab_path(const std::string& lab) {
  namespace fs = std::filesystem;
  if (lab.find('/') != std::string::npos || (lab.size() > 5 && lab.substr(lab.size() - 5) == ".toml")) {
    if (!fs::exists(lab)) throw LabError(SourcePos{lab, 0, 0}, "no such lab file");
    return lab;
  }
  const std::string p = catalogue_dir() + "/" + lab + ".toml";
  if (fs::exists(p)) return p;
  if (fs::exists(lab)) return lab;
  std::string best;
  std::size_t best_d = 99;
  for (const auto& n : catalogue_names())
    if (edit_distance(lab, n) < best_d) { best_d = edit_distance(lab, n); best = n; }
  throw LabError(SourcePos{lab, 0, 0}, "no built-in lab or file named '" + lab + "'" +
                                           (best_d <= 3 ? "; did you mean '" + best + "'?" : " (see `tcplab list`)"));
}

Lab load_lab(const std::string& lab, const LoadOptions& opt) {
  const std::string path = resolve_lab_path(lab);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LabError(SourcePos{path, 0, 0}, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  Lab l = parse_lab(ss.str(), path, opt);
  l.name = std::filesystem::path(path).stem().string();
  return l;
}

Lab parse_lab(const std::string& text, const std::string& path, const LoadOptions& opt) {
  Reader r(path);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw LabError(SourcePos{path, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)},
                   "TOML syntax: " + std::string(e.description()));
  }
  r.allow(root, {"title", "goal", "explanation", "seed", "until", "profile", "host", "link", "path", "app", "faults",
                 "check", "vars", "question"},
          "the lab");
  Lab lab;
  lab.path = path;
  lab.name = std::filesystem::path(path).stem().string();

  // Seed first: per-student variables are drawn from it.
  if (auto* n = root.get("seed")) lab.seed = static_cast<std::uint64_t>(r.integer(*n, "seed", 0, INT64_MAX));
  if (opt.seed) lab.seed = *opt.seed;

  // Variables, then substitution of {{name}} in every string.
  std::map<std::string, std::string> values;
  if (auto* n = root.get("vars")) {
    const auto& vt = r.table(*n, "[vars]");
    for (auto&& [k, v] : vt) {
      VarSpec var;
      var.name = std::string(k.str());
      var.pos = r.key_pos(k);
      const auto& spec = r.table(v, "vars." + var.name);
      r.allow(spec, {"choices", "min", "max", "default"}, "vars." + var.name);
      if (auto* c = spec.get("choices")) {
        const auto& a = r.array(*c, "vars." + var.name + ".choices");
        if (a.empty()) r.fail(*c, "vars." + var.name + ".choices is empty");
        for (auto& e : a) {
          if (e.is_string()) var.choices.push_back(*e.value<std::string>());
          else if (e.is_integer()) var.choices.push_back(std::to_string(*e.value<std::int64_t>()));
          else r.fail(e, "vars." + var.name + ".choices holds strings or integers");
        }
      } else if (spec.get("min") && spec.get("max")) {
        var.min = r.integer(*spec.get("min"), "vars." + var.name + ".min", INT64_MIN / 4, INT64_MAX / 4);
        var.max = r.integer(*spec.get("max"), "vars." + var.name + ".max", INT64_MIN / 4, INT64_MAX / 4);
        if (*var.max < *var.min) r.fail(v, "vars." + var.name + ": max < min");
      } else {
        r.fail(v, "vars." + var.name + " needs choices = [...] or min and max");
      }
      std::string deflt;
      if (auto* d = spec.get("default")) deflt = d->is_string() ? *d->value<std::string>() : std::to_string(r.integer(*d, "default", INT64_MIN / 4, INT64_MAX / 4));
      // The default is what an unnamed student runs; a named student draws a variant.
      if (opt.student || deflt.empty()) {
        const std::uint64_t h = draw_seed(lab.seed, opt.student, var.name);
        if (!var.choices.empty()) var.value = var.choices[h % var.choices.size()];
        else var.value = std::to_string(*var.min + static_cast<std::int64_t>(h % static_cast<std::uint64_t>(*var.max - *var.min + 1)));
      } else {
        var.value = deflt;
      }
      values[var.name] = var.value;
      lab.vars.push_back(var);
    }
  }
  for (const auto& [k, v] : opt.vars) {
    if (!values.count(k)) throw LabError(SourcePos{path, 0, 0}, "--var " + k + ": the lab has no variable '" + k + "'");
    values[k] = v;
    for (auto& var : lab.vars)
      if (var.name == k) var.value = v;
  }
  substitute(root, values, r);

  if (auto* n = root.get("title")) lab.title = r.str(*n, "title");
  else throw LabError(SourcePos{path, 1, 1}, "the lab has no title (add: title = \"...\")");
  if (auto* n = root.get("goal")) lab.goal = r.str(*n, "goal");
  if (auto* n = root.get("explanation")) lab.explanation = r.str(*n, "explanation");
  if (auto* n = root.get("until")) lab.until = r.duration(*n, "until");

  TcpConfig base;
  if (auto* n = root.get("profile")) {
    auto p = parse_profile(r.str(*n, "profile"));
    if (!p) r.fail(*n, "unknown profile '" + r.str(*n, "profile") + "' (linux, rfc9293)");
    base = TcpConfig::for_profile(*p);
  }

  // Hosts.
  auto* hosts = root.get("host");
  if (!hosts) throw LabError(SourcePos{path, 1, 1}, "the lab has no hosts (add [[host]] tables)");
  const auto& ha = r.array(*hosts, "host (write [[host]])");
  std::set<std::string> names;
  std::set<Ipv4> ips;
  for (std::size_t i = 0; i < ha.size(); ++i) {
    const auto& t = r.table(*ha.get(i), "[[host]]");
    r.allow(t, {"name", "ip", "tcp"}, "[[host]]");
    HostSpec h;
    h.pos = r.pos(t);
    if (auto* n = t.get("name")) h.name = r.str(*n, "host.name");
    else r.fail(t, "[[host]] needs a name");
    if (h.name.empty() || h.name.find_first_of(" >#") != std::string::npos)
      r.fail(*t.get("name"), "host.name '" + h.name + "' must be non-empty without spaces, '>' or '#'");
    if (!names.insert(h.name).second) r.fail(*t.get("name"), "a host named '" + h.name + "' is already defined");
    h.ip = 0x0a000001 + static_cast<Ipv4>(i);
    if (auto* n = t.get("ip")) {
      auto ip = parse_ipv4(r.str(*n, "host.ip"));
      if (!ip) r.fail(*n, "host.ip '" + r.str(*n, "host.ip") + "' is not an IPv4 address");
      h.ip = *ip;
    }
    if (!ips.insert(h.ip).second) r.fail(t, "two hosts have the address " + ip_to_string(h.ip));
    h.tcp = base;
    if (auto* n = t.get("tcp")) read_tcp(r, r.table(*n, "host.tcp"), h.tcp, &h.port_lo, &h.port_hi);
    lab.hosts.push_back(h);
  }
  // Hosts are named by name, by IP, or by tag (A, B, ... in the order they are defined).
  auto is_tag = [&](const std::string& t) {
    return t.size() == 1 && t[0] >= 'A' && static_cast<std::size_t>(t[0] - 'A') < lab.hosts.size();
  };
  auto host_known = [&](const toml::node& n, const std::string& name) {
    if (names.count(name)) return;
    if (parse_ipv4(name)) return;
    std::string best;
    std::size_t best_d = 99;
    for (const auto& h : names)
      if (edit_distance(name, h) < best_d) { best_d = edit_distance(name, h); best = h; }
    r.fail(n, "no host named '" + name + "'" + (best_d <= 3 ? "; did you mean '" + best + "'?" : ""));
  };

  if (auto* n = root.get("link")) read_link(r, r.table(*n, "[link]"), lab.link, {}, "[link]");
  if (auto* n = root.get("path")) {
    const auto& pa = r.array(*n, "path (write [[path]])");
    for (std::size_t i = 0; i < pa.size(); ++i) {
      const auto& t = r.table(*pa.get(i), "[[path]]");
      PathSpec p;
      p.pos = r.pos(t);
      p.params = lab.link;
      toml::table rest = t;
      if (auto* b = t.get("between")) {
        const auto& a = r.array(*b, "path.between");
        if (a.size() != 2) r.fail(*b, "path.between names two hosts");
        p.a = r.str(*a.get(0), "path.between[0]");
        p.b = r.str(*a.get(1), "path.between[1]");
        host_known(*a.get(0), p.a);
        host_known(*a.get(1), p.b);
        rest.erase("between");
      } else if (t.get("from") && t.get("to")) {
        p.a = r.str(*t.get("from"), "path.from");
        p.b = r.str(*t.get("to"), "path.to");
        host_known(*t.get("from"), p.a);
        host_known(*t.get("to"), p.b);
        p.one_way = true;
        rest.erase("from");
        rest.erase("to");
      } else {
        r.fail(t, "[[path]] needs between = [\"a\", \"b\"] or from = \"a\" and to = \"b\"");
      }
      read_link(r, rest, p.params, {}, "[[path]]");
      lab.paths.push_back(p);
    }
  }

  // Applications.
  if (auto* n = root.get("app")) {
    const auto& aa = r.array(*n, "app (write [[app]])");
    for (std::size_t i = 0; i < aa.size(); ++i) {
      const auto& t = r.table(*aa.get(i), "[[app]]");
      r.allow(t, {"host", "start", "script", "per_connection", "clients", "flood", "scan"}, "[[app]]");
      AppSpec app;
      if (auto* h = t.get("host")) {
        app.host = r.str(*h, "app.host");
        if (!names.count(app.host)) host_known(*h, app.host);
      } else {
        r.fail(t, "[[app]] needs host = \"...\"");
      }
      if (auto* s = t.get("start")) app.start = r.duration(*s, "app.start");
      auto read_script = [&](const toml::node& node, const std::string& what) {
        Script sc;
        const auto& a = r.array(node, what);
        for (auto& e : a) {
          std::string err;
          auto st = parse_step(r.str(e, what + " line"), &err);
          if (!st) r.fail(e, what + ": " + err);
          if (st->op == Op::Connect && !parse_ipv4(st->target) && !names.count(st->target)) host_known(e, st->target);
          st->line = r.pos(e).line;
          sc.push_back(*st);
        }
        return sc;
      };
      std::shared_ptr<const Script> child;
      if (auto* pc = t.get("per_connection")) child = std::make_shared<const Script>(read_script(*pc, "app.per_connection"));
      Script script;
      if (auto* s = t.get("script")) script = read_script(*s, "app.script");
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
        const auto& ct = r.table(*c, "app.clients");
        r.allow(ct, {"count", "every", "parallel"}, "app.clients");
        ClientsGen g;
        if (auto* x = ct.get("count")) g.count = static_cast<std::uint64_t>(r.integer(*x, "clients.count", 1, 100'000'000));
        if (auto* x = ct.get("every")) g.every = r.duration(*x, "clients.every");
        if (auto* x = ct.get("parallel")) g.parallel = static_cast<std::uint32_t>(r.integer(*x, "clients.parallel", 1, 10'000'000));
        if (script.empty() || script.front().op != Op::Connect)
          r.fail(*c, "app.clients: each client runs script, which must start with 'connect HOST PORT'");
        if (g.parallel == 0 && g.every <= 0 && g.count > 1) r.fail(*c, "app.clients needs every = \"...\" (open loop) or parallel = N (closed loop)");
        g.script = std::make_shared<const Script>(script);
        script.clear();
        app.clients = g;
      }
      if (auto* f = t.get("flood")) {
        ++kinds;
        const auto& ft = r.table(*f, "app.flood");
        r.allow(ft, {"target", "port", "count", "every", "from"}, "app.flood");
        FloodGen g;
        if (auto* x = ft.get("target")) { g.target = r.str(*x, "flood.target"); host_known(*x, g.target); }
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
        app.flood = g;
      }
      if (auto* s = t.get("scan")) {
        ++kinds;
        const auto& st = r.table(*s, "app.scan");
        r.allow(st, {"target", "ports", "every"}, "app.scan");
        ScanGen g;
        if (auto* x = st.get("target")) { g.target = r.str(*x, "scan.target"); host_known(*x, g.target); }
        else r.fail(st, "app.scan needs target");
        if (auto* x = st.get("ports")) {
          const auto& a = r.array(*x, "scan.ports");
          if (a.size() != 2) r.fail(*x, "scan.ports is [first, last]");
          g.port_lo = static_cast<std::uint16_t>(r.integer(*a.get(0), "scan.ports[0]", 1, 65535));
          g.port_hi = static_cast<std::uint16_t>(r.integer(*a.get(1), "scan.ports[1]", 1, 65535));
          if (g.port_hi < g.port_lo) r.fail(*x, "scan.ports: last < first");
        }
        if (auto* x = st.get("every")) g.every = r.duration(*x, "scan.every");
        app.scan = g;
      }
      if (kinds > 1) r.fail(t, "an [[app]] is one of: a script, clients, flood or scan");
      if (kinds == 0 && script.empty()) r.fail(t, "[[app]] needs script = [...], clients, flood or scan");
      app.script = script;
      lab.apps.push_back(app);
    }
  }

  if (auto* n = root.get("faults")) {
    const auto& fa = r.array(*n, "faults");
    for (auto& e : fa) {
      std::string err;
      auto f = parse_fault(r.str(e, "faults entry"), &err);
      if (!f) r.fail(e, err);
      for (const std::string* side : {&f->src, &f->dst})
        if (!side->empty() && !is_tag(*side)) host_known(e, *side);
      lab.faults.push_back(*f);
    }
  }

  if (auto* n = root.get("check")) {
    const auto& ca = r.array(*n, "check (write [[check]])");
    for (std::size_t i = 0; i < ca.size(); ++i) {
      const auto& t = r.table(*ca.get(i), "[[check]]");
      CheckSpec c;
      c.pos = r.pos(t);
      for (auto&& [k, v] : t) {
        const std::string key(k.str());
        if (key == "kind") c.kind = r.str(v, "check.kind");
        else if (key == "name") c.name = r.str(v, "check.name");
        else if (v.is_array()) {
          if (key != "expect") throw LabError(r.key_pos(k), "check." + key + " cannot be a list (only expect can)");
          for (auto& e : *v.as_array()) c.list.push_back(r.str(e, "check.expect entry"));
          c.args["expect"] = "[list]";
        } else if (v.is_string()) c.args[key] = *v.value<std::string>();
        else if (v.is_integer()) c.args[key] = std::to_string(*v.value<std::int64_t>());
        else if (v.is_boolean()) c.args[key] = *v.value<bool>() ? "true" : "false";
        else throw LabError(r.key_pos(k), "check." + key + " must be a string, integer or boolean, not " + Reader::type_name(v));
      }
      if (c.kind.empty()) r.fail(t, "[[check]] needs kind = \"...\"");
      std::string bad_key, err;
      const std::optional<Check> typed = parse_check(c, &err, &bad_key);
      if (!typed) {
        if (!bad_key.empty())
          for (auto&& [k, v] : t)
            if (k.str() == bad_key) throw LabError(r.key_pos(k), err);
        r.fail(t, err);
      }
      for (const char* hk : {"host", "from", "to"}) {
        auto it = c.args.find(hk);
        if (it == c.args.end()) continue;
        if (is_tag(it->second)) continue;
        for (auto&& [k, v] : t)
          if (k.str() == hk) host_known(v, it->second);
      }
      if (c.name.empty()) c.name = c.kind + " #" + std::to_string(i + 1);
      lab.checks.push_back(c);
      lab.typed_checks.push_back(*typed);
    }
  }

  if (auto* n = root.get("question")) {
    const auto& qa = r.array(*n, "question (write [[question]])");
    for (std::size_t i = 0; i < qa.size(); ++i) {
      const auto& t = r.table(*qa.get(i), "[[question]]");
      r.allow(t, {"at", "text", "answer"}, "[[question]]");
      QuestionSpec q;
      q.pos = r.pos(t);
      if (auto* x = t.get("at")) q.at = r.str(*x, "question.at");
      if (auto* x = t.get("text")) q.text = r.str(*x, "question.text");
      else r.fail(t, "[[question]] needs text");
      if (auto* x = t.get("answer")) q.answer = r.str(*x, "question.answer");
      else r.fail(t, "[[question]] needs answer");
      lab.questions.push_back(q);
    }
  }
  return lab;
}

World build_world(const Lab& lab) {
  World w(lab.seed);
  for (const auto& h : lab.hosts) {
    const int id = w.add_host(h.name, h.ip, h.tcp);
    w.set_ephemeral_range(id, h.port_lo, h.port_hi);
  }
  // Every pair of hosts is linked with the default settings, unless a [[path]] says otherwise.
  const int n = static_cast<int>(lab.hosts.size());
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      LinkParams ab = lab.link, ba = lab.link;
      for (const auto& p : lab.paths) {
        const int pa = w.host_index(p.a), pb = w.host_index(p.b);
        if (pa == a && pb == b) { ab = p.params; if (!p.one_way) ba = p.params; }
        if (pa == b && pb == a) { ba = p.params; if (!p.one_way) ab = p.params; }
      }
      w.add_link(a, b, ab, ba);
    }
  }
  for (const auto& f : lab.faults) w.add_fault(f);
  for (const auto& a : lab.apps) w.add_app(a);
  return w;
}

}  // namespace tcplab
