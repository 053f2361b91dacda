#include "labs/checks.hpp"

#include <algorithm>
#include <set>

#include "sim/text_view.hpp"

namespace tcplab {

namespace {

struct KindSpec {
  const char* kind;
  std::vector<const char*> keys;  // besides kind and name
};

const std::vector<KindSpec>& kinds() {
  static const std::vector<KindSpec> k = {
      {"states", {"host", "conn", "expect", "mode"}},
      {"final_state", {"host", "conn", "expect"}},
  };
  return k;
}

int host_of(const World& w, const std::string& name) { return name.empty() ? -1 : w.host_index(name); }

// The connections of a host in the order they first appear in the trace.
std::vector<std::string> conns_of(const std::vector<TraceEvent>& trace, int host) {
  std::vector<std::string> v;
  for (const auto& e : trace)
    if (e.type == TraceType::State && e.host == host && e.from != State::Listen &&
        std::find(v.begin(), v.end(), e.conn) == v.end() && e.conn.find(">0.0.0.0:0") == std::string::npos)
      v.push_back(e.conn);
  return v;
}

std::string pick_conn(const CheckSpec& c, const std::vector<TraceEvent>& trace, int host) {
  const auto all = conns_of(trace, host);
  auto it = c.args.find("conn");
  std::size_t idx = it == c.args.end() ? 1 : std::stoul(it->second);
  if (idx == 0 || idx > all.size()) return "";
  return all[idx - 1];
}

}  // namespace

std::vector<std::string> check_kinds() {
  std::vector<std::string> v;
  for (const auto& k : kinds()) {
    std::string s = k.kind;
    s += ":";
    for (const char* key : k.keys) s += std::string(" ") + key;
    v.push_back(s);
  }
  return v;
}

std::string validate_check(const CheckSpec& c, std::string* bad_key) {
  bad_key->clear();
  const KindSpec* ks = nullptr;
  for (const auto& k : kinds())
    if (c.kind == k.kind) ks = &k;
  if (!ks) {
    *bad_key = "kind";
    std::string all;
    for (const auto& k : kinds()) all += std::string(all.empty() ? "" : ", ") + k.kind;
    return "unknown check kind '" + c.kind + "' (" + all + ")";
  }
  for (const auto& [k, v] : c.args) {
    if (std::find_if(ks->keys.begin(), ks->keys.end(), [&](const char* a) { return k == a; }) == ks->keys.end()) {
      *bad_key = k;
      return "check kind '" + c.kind + "' has no key '" + k + "'";
    }
  }
  return "";
}

std::vector<CheckResult> run_checks(const Lab& lab, const World& world, const std::vector<TraceEvent>& trace) {
  std::vector<CheckResult> out;
  for (const auto& c : lab.checks) {
    CheckResult r;
    r.name = c.name;
    r.kind = c.kind;
    r.pos = c.pos;
    const int host = host_of(world, c.args.count("host") ? c.args.at("host") : "");
    const std::string conn = pick_conn(c, trace, host);
    std::vector<std::string> seen;
    std::int64_t last = -1;
    for (const auto& e : trace) {
      if (e.type != TraceType::State || e.host != host || e.conn != conn) continue;
      if (seen.empty()) seen.push_back(std::string(state_name(e.from)));
      seen.push_back(std::string(state_name(e.to)));
      last = static_cast<std::int64_t>(e.seq_no);
    }
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
      return s;
    };
    if (c.kind == "states") {
      std::vector<std::string> want;
      for (const auto& x : c.list) want.push_back(std::string(state_name(parse_state(x).value_or(State::Closed))));
      r.expected = join(want);
      r.actual = join(seen);
      r.pass = want == seen;
    } else if (c.kind == "final_state") {
      const std::string want(state_name(parse_state(c.args.at("expect")).value_or(State::Closed)));
      r.expected = want;
      r.actual = seen.empty() ? "(no state changes)" : seen.back();
      r.pass = r.actual == want;
    }
    r.evidence_seq_no = last;
    out.push_back(r);
  }
  return out;
}

}  // namespace tcplab
