// The check engine: validation of [[check]] tables at load time, and the predicates over a
// finished run's trace. Each predicate returns a Verdict naming trace events by index; one
// pass with a TextView then renders those events exactly as `tcplab run` prints them.
#include "labs/checks.hpp"
#include "labs/suggest.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "sim/text_view.hpp"

namespace tcplab {

namespace {

// ---------------------------------------------------------------- the vocabulary

constexpr std::size_t kMaxSteps = 16;  // trace lines narrated before the failing one
constexpr std::size_t kMaxListed = 8;  // segment ids / connections listed in one sentence

const std::vector<std::string>& segment_kinds() {
  static const std::vector<std::string> k = {"SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST"};
  return k;
}
const std::vector<std::string>& app_calls() {
  static const std::vector<std::string> c = {"listen", "connect", "accept", "send",  "recv",    "close",
                                             "shutdown", "abort", "error",  "crash", "restart"};
  return c;
}

// How a key's value must be written.
enum class Form {
  Host,       // a host name, tag or address (lab.cpp checks that it exists)
  Conn,       // 1, 2, ... or "listen"
  States,     // a list of state names
  State,      // one state name
  StateOrAny, // one state name or "any"
  Mode,       // exact | ordered
  Dur,        // a duration with its unit
  Durs,       // a list of durations
  Count,      // an integer >= 0
  Index,      // an integer >= 1
  Bool,
  SegKind,    // SYN SYN-ACK ACK DATA FIN RST
  Flags,      // tcpdump letters
  Seq,        // 0 .. 2^32-1
  SegId,      // A>B#3
  Call,       // an app call
  Result,     // OK, EOF or an errno name
};

struct KeySpec {
  const char* key;
  Form form;
  bool required;
};

struct KindSpec {
  const char* kind;
  std::vector<KeySpec> keys;  // besides kind and name
};

const std::vector<KindSpec>& kinds() {
  static const std::vector<KindSpec> k = {
      {"states", {{"host", Form::Host, true}, {"conn", Form::Conn, false}, {"expect", Form::States, true},
                  {"mode", Form::Mode, false}}},
      {"final_state", {{"host", Form::Host, true}, {"conn", Form::Conn, false}, {"expect", Form::State, true},
                       {"at", Form::Dur, false}}},
      {"time_in_state", {{"host", Form::Host, true}, {"conn", Form::Conn, false}, {"state", Form::State, true},
                         {"expect", Form::Dur, false}, {"min", Form::Dur, false}, {"max", Form::Dur, false}}},
      {"segments", {{"from", Form::Host, false}, {"to", Form::Host, false}, {"segment", Form::SegKind, false},
                    {"flags", Form::Flags, false}, {"retx", Form::Bool, false}, {"dropped", Form::Bool, false},
                    {"expect", Form::Count, false}, {"min", Form::Count, false}, {"max", Form::Count, false}}},
      {"intervals", {{"from", Form::Host, false}, {"to", Form::Host, false}, {"segment", Form::SegKind, true},
                     {"retx", Form::Bool, false}, {"expect", Form::Durs, true}, {"within", Form::Dur, false}}},
      {"segment", {{"id", Form::SegId, false}, {"from", Form::Host, false}, {"to", Form::Host, false},
                   {"segment", Form::SegKind, false}, {"nth", Form::Index, false}, {"flags", Form::Flags, false},
                   {"seq", Form::Seq, false}, {"ack", Form::Seq, false}, {"absolute", Form::Bool, false},
                   {"len", Form::Count, false}, {"retx", Form::Bool, false}, {"dropped", Form::Bool, false},
                   {"at", Form::Dur, false}, {"within", Form::Dur, false}}},
      {"bytes", {{"from", Form::Host, true}, {"to", Form::Host, true}, {"expect", Form::Count, false}}},
      {"app_result", {{"host", Form::Host, true}, {"call", Form::Call, true}, {"expect", Form::Result, true},
                      {"count", Form::Count, false}, {"min", Form::Count, false}}},
      {"netstat", {{"host", Form::Host, true}, {"at", Form::Dur, true}, {"state", Form::StateOrAny, true},
                   {"expect", Form::Count, false}, {"min", Form::Count, false}, {"max", Form::Count, false}}},
  };
  return k;
}

// The closest of `options` to `word`, if it is close enough to be a typo.
std::string closest(const std::string& word, const std::vector<std::string>& options) {
  std::string best;
  std::size_t best_d = 99;
  for (const auto& o : options) {
    const std::size_t d = edit_distance(word, o);
    if (d < best_d) { best_d = d; best = o; }
  }
  return best_d <= std::max<std::size_t>(2, word.size() / 3) ? best : "";
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::optional<std::int64_t> to_int(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string> state_names() {
  std::vector<std::string> v;
  for (int i = 0; i < kStateCount; ++i) v.emplace_back(state_name(static_cast<State>(i)));
  return v;
}

std::string bad_state(const std::string& what, const std::string& s) {
  std::string m = what + ": '" + s + "' is not a TCP state";
  const std::string best = closest(s, state_names());
  if (!best.empty()) return m + "; did you mean '" + best + "'?";
  return m + " (" + join(state_names(), " ") + "; Linux spellings such as SYN_RECV also work)";
}

bool valid_result(const std::string& s) { return s == "EOF" || parse_errno(s).has_value(); }

// Checks one value against its form; returns "" or what is wrong.
std::string check_form(const CheckSpec& c, const KeySpec& k, const std::string& v) {
  const std::string what = "check." + std::string(k.key);
  const bool is_list = std::string(k.key) == "expect" && v == "[list]";
  const bool takes_list = k.form == Form::States || k.form == Form::Durs;
  if (takes_list && !is_list) {
    if (k.form == Form::States)
      return what + " must be a list of states, e.g. [\"SYN_SENT\", \"ESTABLISHED\"]";
    return what + " must be a list of durations, e.g. [\"1s\", \"2s\", \"4s\"]";
  }
  if (!takes_list && is_list)
    return what + " must be a single value for kind '" + c.kind + "', not a list";
  std::string err;
  switch (k.form) {
    case Form::Host:
      if (v.empty()) return what + " must name a host";
      return "";
    case Form::Conn: {
      if (v == "listen") return "";
      auto n = to_int(v);
      if (!n || *n < 1 || *n > 1'000'000)
        return what + " must be a connection number (1 for the host's first connection, 2, ...) or \"listen\", not '" + v + "'";
      return "";
    }
    case Form::States:
      if (c.list.empty()) return what + " is empty: list the states in the order they must happen";
      for (const auto& s : c.list)
        if (!parse_state(s)) return bad_state(what, s);
      return "";
    case Form::State:
      if (!parse_state(v)) return bad_state(what, v);
      return "";
    case Form::StateOrAny:
      if (v != "any" && !parse_state(v)) return bad_state(what, v) + " (or \"any\" for every state)";
      return "";
    case Form::Mode:
      if (v != "exact" && v != "ordered") return what + " must be \"exact\" or \"ordered\", not '" + v + "'";
      return "";
    case Form::Dur: {
      auto d = parse_duration(v, &err);
      if (!d) return what + ": " + err;
      return "";
    }
    case Form::Durs:
      if (c.list.empty()) return what + " is empty: list the intervals, e.g. [\"1s\", \"2s\"]";
      for (const auto& s : c.list)
        if (!parse_duration(s, &err)) return what + ": " + err;
      return "";
    case Form::Count: {
      auto n = to_int(v);
      if (!n || *n < 0 || *n > (std::int64_t{1} << 48)) return what + " must be a count (an integer >= 0), not '" + v + "'";
      return "";
    }
    case Form::Index: {
      auto n = to_int(v);
      if (!n || *n < 1 || *n > 100'000'000) return what + " must be 1 (the first), 2, ..., not '" + v + "'";
      return "";
    }
    case Form::Bool:
      if (v != "true" && v != "false") return what + " must be true or false, not '" + v + "'";
      return "";
    case Form::SegKind:
      if (std::find(segment_kinds().begin(), segment_kinds().end(), v) == segment_kinds().end()) {
        const std::string best = closest(v, segment_kinds());
        return what + ": '" + v + "' is not a segment kind" + (best.empty() ? "" : "; did you mean '" + best + "'?") +
               " (" + join(segment_kinds(), " ") + ")";
      }
      return "";
    case Form::Flags:
      if (!parse_flag_letters(v))
        return what + ": '" + v + "' is not a set of tcpdump flags (letters S F R P U and '.' for ACK, e.g. \"S.\")";
      return "";
    case Form::Seq: {
      auto n = to_int(v);
      if (!n || *n < 0 || *n > 0xffffffffLL) return what + " must be a sequence number (0 to 4294967295), not '" + v + "'";
      return "";
    }
    case Form::SegId: {
      const auto gt = v.find('>'), hash = v.find('#');
      const bool ok = gt != std::string::npos && gt > 0 && hash != std::string::npos && hash > gt + 1 &&
                      to_int(v.substr(hash + 1)).value_or(0) >= 1;
      if (!ok) return what + ": '" + v + "' is not a segment id (write it as \"A>B#3\": the 3rd segment A sent to B)";
      return "";
    }
    case Form::Call:
      if (std::find(app_calls().begin(), app_calls().end(), v) == app_calls().end()) {
        const std::string best = closest(v, app_calls());
        return what + ": '" + v + "' is not an application call" + (best.empty() ? "" : "; did you mean '" + best + "'?") +
               " (" + join(app_calls(), " ") + ")";
      }
      return "";
    case Form::Result:
      if (!valid_result(v)) {
        std::vector<std::string> all = {"EOF"};
        for (int i = 0; i < 14; ++i) all.emplace_back(errno_name(static_cast<Errno>(i)));
        const std::string best = closest(v, all);
        return what + ": '" + v + "' is not a call result" + (best.empty() ? "" : "; did you mean '" + best + "'?") +
               " (OK, EOF, ECONNREFUSED, ECONNRESET, ETIMEDOUT, EADDRINUSE, EADDRNOTAVAIL, ...)";
      }
      return "";
  }
  return "";
}

// How a value of that form is written, for "needs KEY = ..." messages.
std::string example(Form f) {
  switch (f) {
    case Form::Host: return "\"HOST\"";
    case Form::Conn: return "1";
    case Form::States: return "[\"SYN_SENT\", \"ESTABLISHED\", ...]";
    case Form::State: return "\"ESTABLISHED\"";
    case Form::StateOrAny: return "\"SYN_RECV\" (or \"any\")";
    case Form::Mode: return "\"exact\"";
    case Form::Dur: return "\"2s\"";
    case Form::Durs: return "[\"1s\", \"2s\", ...]";
    case Form::Count: return "N";
    case Form::Index: return "1";
    case Form::Bool: return "true";
    case Form::SegKind: return "\"SYN\"";
    case Form::Flags: return "\"S.\"";
    case Form::Seq: return "N";
    case Form::SegId: return "\"A>B#1\"";
    case Form::Call: return "\"connect\"";
    case Form::Result: return "\"OK\"";
  }
  return "...";
}

bool has(const CheckSpec& c, const char* k) { return c.args.count(k) != 0; }

// Rules that tie keys together; returns "" or the message (and the key to point at).
std::string cross_rules(const CheckSpec& c, std::string* bad_key) {
  const std::string& k = c.kind;
  auto one_of = [&](std::initializer_list<const char*> keys, const std::string& what) -> std::string {
    for (const char* key : keys)
      if (has(c, key)) return "";
    return "check kind '" + k + "' needs " + what;
  };
  auto exclusive = [&](const char* a, const char* b) -> std::string {
    if (has(c, a) && has(c, b)) {
      *bad_key = b;
      return "check." + std::string(b) + " cannot be combined with " + a + " (use " + a + " for an exact value, or min/max for a range)";
    }
    return "";
  };
  std::string e;
  if (k == "time_in_state") {
    if (!(e = one_of({"expect", "min", "max"}, "expect = \"DURATION\" (exact) or min/max = \"DURATION\"")).empty()) return e;
    if (!(e = exclusive("expect", "min")).empty() || !(e = exclusive("expect", "max")).empty()) return e;
  } else if (k == "segments" || k == "netstat") {
    if (!(e = one_of({"expect", "min", "max"}, "expect = N (exactly N) or min/max = N")).empty()) return e;
    if (!(e = exclusive("expect", "min")).empty() || !(e = exclusive("expect", "max")).empty()) return e;
  } else if (k == "app_result") {
    if (!(e = exclusive("count", "min")).empty()) return e;
  } else if (k == "segment") {
    if (has(c, "id")) {
      for (const char* sel : {"from", "to", "segment", "nth"})
        if (has(c, sel)) {
          *bad_key = sel;
          return "check.id already names the segment; leave out " + std::string(sel) + " (or use from, to, segment and nth instead of id)";
        }
    } else if (!has(c, "from") || !has(c, "segment")) {
      return "check kind 'segment' needs id = \"A>B#3\", or from = \"HOST\" and segment = \"SYN\" (with to and nth if needed)";
    }
    if (has(c, "within") && !has(c, "at")) {
      *bad_key = "within";
      return "check.within is the tolerance of at; give at = \"DURATION\" too";
    }
    if (has(c, "absolute") && !has(c, "seq") && !has(c, "ack")) {
      *bad_key = "absolute";
      return "check.absolute only matters with seq or ack";
    }
  }
  // min <= max when both are given.
  if (has(c, "min") && has(c, "max")) {
    std::string err;
    std::int64_t lo = 0, hi = 0;
    if (k == "time_in_state") {
      lo = parse_duration(c.args.at("min"), &err).value_or(0);
      hi = parse_duration(c.args.at("max"), &err).value_or(0);
    } else {
      lo = to_int(c.args.at("min")).value_or(0);
      hi = to_int(c.args.at("max")).value_or(0);
    }
    if (hi < lo) {
      *bad_key = "max";
      return "check.max is smaller than check.min";
    }
  }
  return "";
}

// ---------------------------------------------------------------- the trace, indexed

// One connection as the trace shows it: the state events of one socket, from its first
// state change until it reaches CLOSED (a 4-tuple reused later is a new connection).
struct ConnTrack {
  std::string label;  // "10.0.0.1:39870>10.0.0.2:9502"
  bool listener = false;
  std::vector<std::size_t> events;  // indices of its state events
};

bool is_listener_label(const std::string& label) { return label.size() >= 10 && label.ends_with(">0.0.0.0:0"); }

Ipv4 remote_ip(const std::string& label) {
  const auto gt = label.find('>');
  if (gt == std::string::npos) return 0;
  const std::string r = label.substr(gt + 1);
  return parse_ipv4(r.substr(0, r.find(':'))).value_or(0);
}

struct TraceIndex {
  const TraceEvents& trace;
  const World& world;
  std::vector<std::vector<ConnTrack>> conns;         // per host, in order of appearance
  std::vector<std::uint32_t> rel_seq;                // per event (sends only)
  std::vector<std::optional<std::uint32_t>> rel_ack;  // per event (sends only)
  std::vector<std::int64_t> drop_of;                 // per send event: its drop event, or -1
  std::vector<std::size_t> sends;                    // indices of send events

  TraceIndex(const TraceEvents& t, const World& w)
      : trace(t), world(w), conns(w.hosts().size()), rel_seq(t.size()), rel_ack(t.size()), drop_of(t.size(), -1) {
    std::map<std::pair<int, std::string>, std::size_t> open;  // (host, label) -> index in conns[host]
    std::map<std::string, std::size_t> last_send;            // conn|id -> send event index
    RelativeSeq rel;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const TraceEvent& e = t[i];
      rel.feed(e);
      switch (e.type) {
        case TraceType::State: {
          if (e.host < 0 || e.host >= static_cast<int>(conns.size())) break;
          auto& hc = conns[static_cast<std::size_t>(e.host)];
          const auto key = std::make_pair(e.host, e.conn);
          auto it = open.find(key);
          if (it == open.end() || t[hc[it->second].events.back()].to == State::Closed) {
            ConnTrack c;
            c.label = e.conn;
            c.listener = is_listener_label(e.conn);
            hc.push_back(c);
            open[key] = hc.size() - 1;
            it = open.find(key);
          }
          hc[it->second].events.push_back(i);
          break;
        }
        case TraceType::Send:
          rel_seq[i] = rel.seq(e);
          rel_ack[i] = rel.ack(e);
          last_send[e.conn + "|" + e.id] = i;
          sends.push_back(i);
          break;
        case TraceType::Drop: {
          auto it = last_send.find(e.conn + "|" + e.id);
          if (it != last_send.end() && drop_of[it->second] < 0) drop_of[it->second] = static_cast<std::int64_t>(i);
          break;
        }
        case TraceType::Deliver:
        case TraceType::Timer:
        case TraceType::App:
          break;
      }
    }
  }

  const std::string& host_name(int h) const { return world.hosts()[static_cast<std::size_t>(h)].name; }
};

// What a predicate found: trace events by index; run_checks renders them.
struct Verdict {
  bool pass = false;
  std::string expected, actual;
  std::vector<std::size_t> steps;     // what led there (not including the evidence)
  std::vector<std::size_t> evidence;  // the event(s) that show the verdict
};

std::string arg(const CheckSpec& c, const char* k, const std::string& dflt = "") {
  auto it = c.args.find(k);
  return it == c.args.end() ? dflt : it->second;
}
Duration dur_arg(const CheckSpec& c, const char* k, Duration dflt = 0) {
  auto it = c.args.find(k);
  if (it == c.args.end()) return dflt;
  std::string err;
  return parse_duration(it->second, &err).value_or(dflt);
}
std::int64_t int_arg(const CheckSpec& c, const char* k, std::int64_t dflt = 0) {
  auto it = c.args.find(k);
  return it == c.args.end() ? dflt : to_int(it->second).value_or(dflt);
}
std::optional<bool> bool_arg(const CheckSpec& c, const char* k) {
  auto it = c.args.find(k);
  if (it == c.args.end()) return std::nullopt;
  return it->second == "true";
}

// A duration for people: "60s", "250ms", "1.00005s", "50us".
std::string human(Duration d) {
  if (d < 0) return "-" + human(-d);
  if (d % sec(1) == 0 || (d < sec(1) && d % us(1) == 0)) return format_duration(d);
  auto frac = [](std::int64_t whole, std::int64_t rest, int digits, const char* unit) {
    std::string f = std::to_string(rest);
    f = std::string(static_cast<std::size_t>(digits) - f.size(), '0') + f;
    while (!f.empty() && f.back() == '0') f.pop_back();
    return std::to_string(whole) + (f.empty() ? "" : "." + f) + unit;
  };
  if (d >= sec(1)) return frac(d / sec(1), d % sec(1), 9, "s");
  if (d >= ms(1)) return frac(d / ms(1), d % ms(1), 6, "ms");
  return frac(d / us(1), d % us(1), 3, "us");
}

std::string at_time(Instant t) { return TextView::clock(t); }

std::string ordinal(std::int64_t n) {
  const std::int64_t m100 = n % 100, m10 = n % 10;
  const char* suf = (m100 >= 11 && m100 <= 13) ? "th" : m10 == 1 ? "st" : m10 == 2 ? "nd" : m10 == 3 ? "rd" : "th";
  return std::to_string(n) + suf;
}

std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// ---------------------------------------------------------------- connection checks

struct ConnPick {
  const ConnTrack* track = nullptr;
  std::string who;    // "client's connection 1 (10.0.0.1:39870>10.0.0.2:9502)"
  std::string error;  // why there is none
};

ConnPick pick_conn(const TraceIndex& ix, const CheckSpec& c) {
  ConnPick p;
  const int h = ix.world.host_index(arg(c, "host"));
  if (h < 0) {
    p.error = "there is no host '" + arg(c, "host") + "'";
    return p;
  }
  const std::string& name = ix.host_name(h);
  const auto& all = ix.conns[static_cast<std::size_t>(h)];
  const std::string which = arg(c, "conn", "1");
  if (which == "listen") {
    for (const auto& t : all)
      if (t.listener) {
        p.track = &t;
        p.who = name + "'s listening socket (" + t.label.substr(0, t.label.find('>')) + ")";
        return p;
      }
    p.error = name + " never had a listening socket";
    return p;
  }
  std::vector<const ConnTrack*> conns;
  for (const auto& t : all)
    if (!t.listener) conns.push_back(&t);
  const auto n = static_cast<std::size_t>(to_int(which).value_or(1));
  if (n == 0 || n > conns.size()) {
    p.error = conns.empty() ? name + " never had a connection (no state changes in the trace)"
                            : name + " has no connection #" + std::to_string(n) + ": it had " +
                                  plural(static_cast<std::int64_t>(conns.size()), "connection", "connections");
    return p;
  }
  p.track = conns[n - 1];
  p.who = name + "'s connection " + std::to_string(n) + " (" + p.track->label + ")";
  return p;
}

// The states a connection went through: where it started, then each state it entered.
std::vector<State> states_seen(const TraceIndex& ix, const ConnTrack& t) {
  std::vector<State> v;
  if (t.events.empty()) return v;
  v.push_back(ix.trace[t.events.front()].from);
  for (std::size_t i : t.events) v.push_back(ix.trace[i].to);
  return v;
}

std::string state_chain(const std::vector<State>& v) {
  std::vector<std::string> s;
  for (State x : v) s.emplace_back(state_name(x));
  return join(s, " -> ");
}

// The state event behind states_seen()[k].
std::size_t event_for_state(const ConnTrack& t, std::size_t k) { return t.events[k == 0 ? 0 : k - 1]; }

std::vector<std::size_t> before(const ConnTrack& t, std::size_t ev) {
  std::vector<std::size_t> v;
  for (std::size_t i : t.events)
    if (i < ev) v.push_back(i);
  return v;
}

Verdict check_states(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  std::vector<State> want;
  for (const auto& s : c.list) want.push_back(*parse_state(s));
  const bool ordered = arg(c, "mode", "exact") == "ordered";
  const ConnPick p = pick_conn(ix, c);
  v.expected = (p.track ? p.who : arg(c, "host") + "'s connection " + arg(c, "conn", "1")) +
               (ordered ? " passes through " : " goes ") + state_chain(want) + (ordered ? " in this order" : "");
  if (!p.track) {
    v.actual = p.error;
    return v;
  }
  const ConnTrack& t = *p.track;
  const std::vector<State> seen = states_seen(ix, t);
  const std::string chain = state_chain(seen);
  if (!ordered) {
    v.pass = seen == want;
    if (v.pass) {
      v.actual = chain;
      v.evidence = {t.events.back()};
      v.steps = before(t, t.events.back());
      return v;
    }
    std::size_t k = 0;
    while (k < seen.size() && k < want.size() && seen[k] == want[k]) ++k;
    if (k < seen.size() && k < want.size()) {
      v.actual = chain + " (state " + std::to_string(k + 1) + " is " + std::string(state_name(seen[k])) + " where " +
                 std::string(state_name(want[k])) + " was expected)";
      v.evidence = {event_for_state(t, k)};
    } else if (k == seen.size()) {
      v.actual = chain + " (and then nothing: it stayed in " + std::string(state_name(seen.back())) +
                 " to the end of the run at " + at_time(ix.world.now()) + ", where " +
                 std::string(state_name(want[k])) + " was expected next)";
      v.evidence = {t.events.back()};
    } else {
      v.actual = chain + " (it went on to " + std::string(state_name(seen[k])) + " after the expected end)";
      v.evidence = {event_for_state(t, k)};
    }
    v.steps = before(t, v.evidence.front());
    return v;
  }
  // Ordered: the expected states form a subsequence of what happened.
  std::size_t k = 0, last = 0;
  bool any = false;
  for (std::size_t i = 0; i < seen.size() && k < want.size(); ++i)
    if (seen[i] == want[k]) {
      ++k;
      last = i;
      any = true;
    }
  v.pass = k == want.size();
  if (v.pass) {
    v.actual = chain;
    v.evidence = {event_for_state(t, last)};
    v.steps = before(t, v.evidence.front());
    return v;
  }
  if (!any) {
    v.actual = chain + " (never " + std::string(state_name(want[0])) + ")";
    v.evidence = {t.events.back()};
  } else {
    v.actual = chain + " (no " + std::string(state_name(want[k])) + " after " + std::string(state_name(want[k - 1])) + ")";
    // The event right after the last match shows where it went instead.
    const std::size_t next = last + 1 < seen.size() ? last + 1 : last;
    v.evidence = {event_for_state(t, next)};
  }
  v.steps = before(t, v.evidence.front());
  return v;
}

Verdict check_final_state(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  const State want = *parse_state(arg(c, "expect"));
  const bool at = has(c, "at");
  const Instant when = dur_arg(c, "at");
  const ConnPick p = pick_conn(ix, c);
  const std::string who = p.track ? p.who : arg(c, "host") + "'s connection " + arg(c, "conn", "1");
  v.expected = who + (at ? " is in " + std::string(state_name(want)) + " at " + human(when)
                         : " ends in " + std::string(state_name(want)));
  if (!p.track) {
    v.actual = p.error;
    return v;
  }
  const ConnTrack& t = *p.track;
  std::optional<std::size_t> last;
  for (std::size_t i : t.events)
    if (!at || ix.trace[i].t_ns <= when) last = i;
  if (!last) {
    v.actual = "it did not exist yet at " + human(when) + " (its first state change is at " +
               at_time(ix.trace[t.events.front()].t_ns) + ")";
    v.pass = want == State::Closed;
    v.evidence = {t.events.front()};
    return v;
  }
  const State got = ix.trace[*last].to;
  v.pass = got == want;
  v.actual = (at ? "it was in " : "it ends in ") + std::string(state_name(got)) +
             (at ? " at " + human(when) : "") + " (since " + at_time(ix.trace[*last].t_ns) + ")";
  v.evidence = {*last};
  v.steps = before(t, *last);
  return v;
}

Verdict check_time_in_state(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  const State s = *parse_state(arg(c, "state"));
  const std::string sn(state_name(s));
  const ConnPick p = pick_conn(ix, c);
  const std::string who = p.track ? p.who : arg(c, "host") + "'s connection " + arg(c, "conn", "1");
  const bool exact = has(c, "expect");
  const Duration want = dur_arg(c, "expect"), lo = dur_arg(c, "min", 0), hi = dur_arg(c, "max", kNever);
  if (exact) v.expected = who + " stays in " + sn + " for exactly " + human(want);
  else if (has(c, "min") && has(c, "max")) v.expected = who + " stays in " + sn + " between " + human(lo) + " and " + human(hi);
  else if (has(c, "min")) v.expected = who + " stays in " + sn + " at least " + human(lo);
  else v.expected = who + " stays in " + sn + " at most " + human(hi);
  if (!p.track) {
    v.actual = p.error;
    return v;
  }
  const ConnTrack& t = *p.track;
  std::optional<std::size_t> enter_k;
  for (std::size_t k = 0; k < t.events.size(); ++k)
    if (ix.trace[t.events[k]].to == s) {
      enter_k = k;
      break;
    }
  if (!enter_k) {
    v.actual = "it never entered " + sn + " (" + state_chain(states_seen(ix, t)) + ")";
    v.evidence = {t.events.back()};
    v.steps = before(t, t.events.back());
    return v;
  }
  const std::size_t enter = t.events[*enter_k];
  const Instant t0 = ix.trace[enter].t_ns;
  if (*enter_k + 1 >= t.events.size()) {
    const Duration so_far = ix.world.now() - t0;
    v.pass = !exact && !has(c, "max") && so_far >= lo;
    v.actual = "it entered " + sn + " at " + at_time(t0) + " and was still there when the run ended at " +
               at_time(ix.world.now()) + ", " + human(so_far) + " later";
    v.evidence = {enter};
    v.steps = before(t, enter);
    return v;
  }
  const std::size_t leave = t.events[*enter_k + 1];
  const Duration d = ix.trace[leave].t_ns - t0;
  v.pass = exact ? d == want : d >= lo && d <= hi;
  v.actual = "it stayed in " + sn + " for " + human(d) + " (from " + at_time(t0) + " to " +
             at_time(ix.trace[leave].t_ns) + ", then " + std::string(state_name(ix.trace[leave].to)) + ")";
  v.steps = before(t, enter);
  v.steps.push_back(enter);
  v.evidence = {leave};
  return v;
}

// ---------------------------------------------------------------- segment checks

struct HostSel {
  bool any = true;
  int host = -1;
  Ipv4 ip = 0;
  std::string name;
};

HostSel host_sel(const TraceIndex& ix, const CheckSpec& c, const char* key) {
  HostSel s;
  auto it = c.args.find(key);
  if (it == c.args.end()) return s;
  s.any = false;
  s.name = it->second;
  s.host = ix.world.host_index(it->second);
  if (s.host >= 0) {
    s.ip = ix.world.hosts()[static_cast<std::size_t>(s.host)].ip;
    s.name = ix.host_name(s.host);
  } else {
    s.ip = parse_ipv4(it->second).value_or(0);
  }
  return s;
}

bool from_matches(const HostSel& s, const TraceEvent& e) {
  return s.any || (s.host >= 0 ? e.host == s.host : e.seg.src.ip == s.ip);
}
bool to_matches(const HostSel& s, const TraceEvent& e) { return s.any || e.seg.dst.ip == s.ip; }

struct SegFilter {
  HostSel from, to;
  std::string kind;
  std::optional<std::uint8_t> flags;
  std::optional<bool> retx, dropped;

  bool matches(const TraceIndex& ix, std::size_t i) const {
    const TraceEvent& e = ix.trace[i];
    if (!from_matches(from, e) || !to_matches(to, e)) return false;
    if (!kind.empty() && e.kind != kind) return false;
    if (flags && e.seg.flags != *flags) return false;
    if (retx && e.retx != *retx) return false;
    if (dropped && (ix.drop_of[i] >= 0) != *dropped) return false;
    return true;
  }
  // "retransmitted SYN segments with flags [S] from client to server"
  std::string describe(bool many) const {
    std::string s;
    if (retx) s += *retx ? "retransmitted " : "first-transmission ";
    if (dropped) s += *dropped ? "dropped " : "delivered ";
    s += kind.empty() ? (many ? "segments" : "segment") : kind + (many ? " segments" : " segment");
    if (flags) s += " with flags [" + flag_letters(*flags) + "]";
    if (!from.any) s += " from " + from.name;
    if (!to.any) s += " to " + to.name;
    return s;
  }
};

SegFilter seg_filter(const TraceIndex& ix, const CheckSpec& c, bool with_flags_and_drops) {
  SegFilter f;
  f.from = host_sel(ix, c, "from");
  f.to = host_sel(ix, c, "to");
  f.kind = arg(c, "segment");
  f.retx = bool_arg(c, "retx");
  if (with_flags_and_drops) {
    if (has(c, "flags")) f.flags = parse_flag_letters(arg(c, "flags"));
    f.dropped = bool_arg(c, "dropped");
  }
  return f;
}

std::string id_list(const TraceIndex& ix, const std::vector<std::size_t>& v) {
  std::vector<std::string> s;
  for (std::size_t k = 0; k < v.size() && k < kMaxListed; ++k)
    s.push_back(ix.trace[v[k]].id + " at " + at_time(ix.trace[v[k]].t_ns));
  std::string out = join(s, ", ");
  if (v.size() > kMaxListed) out += ", and " + std::to_string(v.size() - kMaxListed) + " more";
  return out;
}

// "exactly 3", "at least 1", "between 2 and 4", "at most 0"
std::string bound_words(const CheckSpec& c, std::int64_t* lo, std::int64_t* hi) {
  if (has(c, "expect")) {
    *lo = *hi = int_arg(c, "expect");
    return "exactly " + std::to_string(*lo);
  }
  *lo = int_arg(c, "min", 0);
  *hi = int_arg(c, "max", INT64_MAX);
  if (has(c, "min") && has(c, "max")) return "between " + std::to_string(*lo) + " and " + std::to_string(*hi);
  if (has(c, "min")) return "at least " + std::to_string(*lo);
  return "at most " + std::to_string(*hi);
}

Verdict check_segments(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  const SegFilter f = seg_filter(ix, c, true);
  std::int64_t lo = 0, hi = 0;
  const std::string bound = bound_words(c, &lo, &hi);
  v.expected = bound + " " + f.describe(true);
  std::vector<std::size_t> m;
  for (std::size_t i : ix.sends)
    if (f.matches(ix, i)) m.push_back(i);
  const auto n = static_cast<std::int64_t>(m.size());
  v.pass = n >= lo && n <= hi;
  v.actual = plural(n, "such segment", "such segments") + (m.empty() ? "" : ": " + id_list(ix, m));
  if (n > hi) {
    // The first one too many shows it.
    const std::size_t k = static_cast<std::size_t>(hi);
    v.evidence = {m[k]};
    v.steps = std::vector<std::size_t>(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(k));
  } else if (!m.empty()) {
    v.evidence = {m.back()};
    v.steps = std::vector<std::size_t>(m.begin(), m.end() - 1);
  }
  if (!v.evidence.empty() && f.dropped.value_or(false) && ix.drop_of[v.evidence.front()] >= 0)
    v.evidence.push_back(static_cast<std::size_t>(ix.drop_of[v.evidence.front()]));
  if (n < lo) v.actual += m.empty() ? " (none in the trace)" : " (too few)";
  else if (n > hi) v.actual += " (too many)";
  return v;
}

Verdict check_intervals(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  const SegFilter f = seg_filter(ix, c, false);
  const Duration within = dur_arg(c, "within", ms(1));
  std::vector<Duration> want;
  std::vector<std::string> want_s;
  std::string err;
  for (const auto& s : c.list) {
    want.push_back(*parse_duration(s, &err));
    want_s.push_back(human(want.back()));
  }
  v.expected = f.describe(true) + " sent " + join(want_s, ", ") + " apart (each within " + human(within) + "): " +
               std::to_string(want.size() + 1) + " segments";
  std::vector<std::size_t> m;
  for (std::size_t i : ix.sends)
    if (f.matches(ix, i)) m.push_back(i);
  std::vector<Duration> got;
  std::vector<std::string> got_s;
  for (std::size_t k = 1; k < m.size(); ++k) {
    got.push_back(ix.trace[m[k]].t_ns - ix.trace[m[k - 1]].t_ns);
    got_s.push_back(human(got.back()));
  }
  std::size_t bad = 0;
  while (bad < got.size() && bad < want.size() && got[bad] >= want[bad] - within && got[bad] <= want[bad] + within) ++bad;
  v.pass = bad == want.size() && got.size() == want.size();
  if (m.empty()) v.actual = "no such segments";
  else if (got.empty()) v.actual = "only one such segment (" + id_list(ix, m) + "), so no interval";
  else v.actual = join(got_s, ", ") + " apart (" + plural(static_cast<std::int64_t>(m.size()), "segment", "segments") + ")";
  if (!v.pass && !m.empty()) {
    if (bad < got.size() && bad < want.size())
      v.actual += "; interval " + std::to_string(bad + 1) + " is " + got_s[bad] + ", not " + want_s[bad];
    else if (got.size() < want.size())
      v.actual += "; " + std::to_string(want.size() - got.size()) + " fewer than expected";
    else
      v.actual += "; " + std::to_string(got.size() - want.size()) + " more than expected";
    const std::size_t ev = std::min(bad + 1, m.size() - 1);
    v.evidence = {m[ev]};
    v.steps = std::vector<std::size_t>(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(ev));
  } else if (v.pass) {
    v.evidence = {m.back()};
    v.steps = std::vector<std::size_t>(m.begin(), m.end() - 1);
  }
  return v;
}

Verdict check_segment(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  std::optional<std::size_t> found;
  std::vector<std::size_t> earlier;  // the same sender's earlier segments to that peer
  std::string which;
  if (has(c, "id")) {
    const std::string id = arg(c, "id");
    which = id;
    for (std::size_t i : ix.sends)
      if (ix.trace[i].id == id) {
        found = i;
        break;
      }
    if (!found) {
      const std::string pre = id.substr(0, id.find('#') + 1);
      std::int64_t n = 0;
      for (std::size_t i : ix.sends)
        if (ix.trace[i].id.starts_with(pre)) ++n, earlier.push_back(i);
      v.actual = "there is no segment " + id + " in the trace (" + id.substr(0, id.find('#')) + " sent " +
                 plural(n, "segment", "segments") + ")";
    } else {
      for (std::size_t i : ix.sends)
        if (i < *found && ix.trace[i].conn == ix.trace[*found].conn) earlier.push_back(i);
    }
  } else {
    SegFilter f = seg_filter(ix, c, false);
    f.retx.reset();  // here retx is something to check, not a way to pick the segment
    const std::int64_t nth = int_arg(c, "nth", 1);
    which = "the " + ordinal(nth) + " " + f.describe(false);
    std::int64_t n = 0;
    for (std::size_t i : ix.sends) {
      if (!f.matches(ix, i)) continue;
      if (++n == nth) {
        found = i;
        break;
      }
      earlier.push_back(i);
    }
    if (!found) v.actual = "there were only " + plural(n, f.describe(false), f.describe(true));
  }
  // What must hold.
  std::vector<std::string> want;
  const bool absolute = bool_arg(c, "absolute").value_or(false);
  if (has(c, "flags")) want.push_back("flags [" + flag_letters(*parse_flag_letters(arg(c, "flags"))) + "]");
  if (has(c, "seq")) want.push_back(std::string(absolute ? "absolute " : "") + "seq " + arg(c, "seq"));
  if (has(c, "ack")) want.push_back(std::string(absolute ? "absolute " : "") + "ack " + arg(c, "ack"));
  if (has(c, "len")) want.push_back("length " + arg(c, "len"));
  if (has(c, "retx")) want.push_back(bool_arg(c, "retx").value() ? "a retransmission" : "not a retransmission");
  if (has(c, "dropped")) want.push_back(bool_arg(c, "dropped").value() ? "dropped" : "delivered");
  const Duration within = dur_arg(c, "within", ms(1));
  if (has(c, "at")) want.push_back("sent at " + human(dur_arg(c, "at")) + " (within " + human(within) + ")");
  v.expected = which + (want.empty() ? " is sent" : " is " + join(want, ", "));
  if (!found) {
    if (!earlier.empty()) {
      v.evidence = {earlier.back()};
      earlier.pop_back();
      v.steps = earlier;
    }
    return v;
  }
  const TraceEvent& e = ix.trace[*found];
  const std::uint32_t seq = absolute ? e.seg.seq.raw() : ix.rel_seq[*found];
  const std::optional<std::uint32_t> ack =
      absolute ? (e.seg.has(kAck) ? std::optional<std::uint32_t>(e.seg.ack.raw()) : std::nullopt) : ix.rel_ack[*found];
  const bool dropped = ix.drop_of[*found] >= 0;
  std::vector<std::string> got, wrong;
  auto field = [&](bool ok, const std::string& text) {
    got.push_back(text);
    if (!ok) wrong.push_back(text);
  };
  if (has(c, "flags")) field(e.seg.flags == *parse_flag_letters(arg(c, "flags")), "flags [" + flag_letters(e.seg.flags) + "]");
  if (has(c, "seq")) field(std::to_string(seq) == arg(c, "seq"), "seq " + std::to_string(seq));
  if (has(c, "ack"))
    field(ack && std::to_string(*ack) == arg(c, "ack"), ack ? "ack " + std::to_string(*ack) : "no ACK flag (so no ack number)");
  if (has(c, "len")) field(std::to_string(e.len) == arg(c, "len"), "length " + std::to_string(e.len));
  if (has(c, "retx")) field(e.retx == bool_arg(c, "retx").value(), e.retx ? "a retransmission" : "not a retransmission");
  if (has(c, "dropped")) field(dropped == bool_arg(c, "dropped").value(), dropped ? "dropped" : "delivered");
  if (has(c, "at")) {
    const Duration d = e.t_ns - dur_arg(c, "at");
    field(d >= -within && d <= within, "sent at " + human(e.t_ns));
  }
  v.pass = wrong.empty();
  v.actual = e.id + (got.empty() ? " was sent at " + human(e.t_ns) : " is " + join(got, ", "));
  if (!v.pass) v.actual += " (wrong: " + join(wrong, ", ") + ")";
  v.evidence = {*found};
  if (dropped && has(c, "dropped")) v.evidence.push_back(static_cast<std::size_t>(ix.drop_of[*found]));
  v.steps = earlier;
  return v;
}

// ---------------------------------------------------------------- application checks

Verdict check_bytes(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  const HostSel from = host_sel(ix, c, "from"), to = host_sel(ix, c, "to");
  std::uint64_t sent = 0, got = 0;
  std::vector<std::size_t> io;
  std::optional<std::size_t> last_recv, last_send;
  for (std::size_t i = 0; i < ix.trace.size(); ++i) {
    const TraceEvent& e = ix.trace[i];
    if (e.type != TraceType::App) continue;
    if (e.call == "send" && e.host == from.host && remote_ip(e.conn) == to.ip) {
      sent += e.bytes;
      io.push_back(i);
      last_send = i;
    } else if (e.call == "recv" && e.host == to.host && remote_ip(e.conn) == from.ip) {
      got += e.bytes;
      io.push_back(i);
      last_recv = i;
    }
  }
  if (has(c, "expect")) {
    const auto n = static_cast<std::uint64_t>(int_arg(c, "expect"));
    v.expected = to.name + "'s applications read " + plural(static_cast<std::int64_t>(n), "byte", "bytes") + " from " + from.name;
    v.pass = got == n;
  } else {
    v.expected = to.name + "'s applications read every byte " + from.name + "'s applications sent";
    v.pass = got == sent;
  }
  v.actual = to.name + " read " + plural(static_cast<std::int64_t>(got), "byte", "bytes") + "; " + from.name + " sent " +
             plural(static_cast<std::int64_t>(sent), "byte", "bytes");
  const auto ev = last_recv ? last_recv : last_send;
  if (ev) {
    v.evidence = {*ev};
    std::vector<std::size_t> s;
    for (std::size_t i : io)
      if (i < *ev) s.push_back(i);
    v.steps = s;
  }
  return v;
}

Verdict check_app_result(const TraceIndex& ix, const CheckSpec& c) {
  Verdict v;
  const int h = ix.world.host_index(arg(c, "host"));
  const std::string call = arg(c, "call"), want = arg(c, "expect");
  const std::string name = h >= 0 ? ix.host_name(h) : arg(c, "host");
  std::int64_t lo = 1, hi = INT64_MAX;
  std::string bound = "at least once";
  if (has(c, "count")) {
    lo = hi = int_arg(c, "count");
    bound = lo == 1 ? "exactly once" : "exactly " + std::to_string(lo) + " times";
  } else if (has(c, "min")) {
    lo = int_arg(c, "min");
    bound = "at least " + std::to_string(lo) + " times";
  }
  v.expected = name + "'s " + call + "() returns " + want + " " + bound;
  std::vector<std::size_t> calls, hits;
  std::map<std::string, int> results;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < ix.trace.size(); ++i) {
    const TraceEvent& e = ix.trace[i];
    if (e.type != TraceType::App || e.host != h || e.call != call || e.result == "started") continue;
    calls.push_back(i);
    if (e.result == want) hits.push_back(i);
    if (results[e.result]++ == 0) order.push_back(e.result);
  }
  const auto n = static_cast<std::int64_t>(hits.size());
  v.pass = n >= lo && n <= hi;
  if (calls.empty()) {
    v.actual = name + " never called " + call + "()";
    return v;
  }
  std::vector<std::string> parts;
  for (const auto& r : order) parts.push_back(r + (results[r] == 1 ? " once" : " " + std::to_string(results[r]) + " times"));
  v.actual = call + "() returned " + join(parts, ", ");
  // Evidence: the first call that returned something else (a miss), else the last hit.
  std::optional<std::size_t> ev;
  if (n < lo) {
    for (std::size_t i : calls)
      if (ix.trace[i].result != want) {
        ev = i;
        break;
      }
  } else if (n > hi) {
    ev = hits[static_cast<std::size_t>(hi)];
  }
  if (!ev) ev = hits.empty() ? calls.back() : hits.back();
  v.evidence = {*ev};
  std::vector<std::size_t> s;
  for (std::size_t i : calls)
    if (i < *ev) s.push_back(i);
  v.steps = s;
  return v;
}

Verdict check_netstat(const TraceIndex& ix, const CheckSpec& c, const Lab& lab) {
  Verdict v;
  const Instant at = dur_arg(c, "at");
  const std::string st = arg(c, "state");
  const std::optional<State> want = st == "any" ? std::nullopt : parse_state(st);
  std::int64_t lo = 0, hi = 0;
  const std::string bound = bound_words(c, &lo, &hi);
  const int h = ix.world.host_index(arg(c, "host"));
  const std::string name = h >= 0 ? ix.host_name(h) : arg(c, "host");
  v.expected = "netstat on " + name + " at " + human(at) + " shows " + bound + " " +
               (want ? std::string(linux_state_name(*want)) + " " : "") + "socket" + (hi == 1 && lo == 1 ? "" : "s");
  if (h < 0) {
    v.actual = "there is no host '" + arg(c, "host") + "'";
    return v;
  }
  // Rebuild the world and stop it at `at`: the state of every socket at that moment.
  World w = build_world(lab);
  w.run_until(at);
  const TcpHost& stack = w.stack(h);
  std::vector<std::string> rows;
  std::int64_t n = 0;
  for (ConnId k = 0; k < stack.conn_count(); ++k) {
    const Connection& conn = stack.conn(k);
    const State s = conn.state();
    if (s == State::Closed) continue;
    if (want && s != *want) continue;
    ++n;
    rows.push_back(std::string(linux_state_name(s)) + " " + endpoint_to_string(conn.local()) +
                   (s == State::Listen ? "" : ">" + endpoint_to_string(conn.remote())));
  }
  v.pass = n >= lo && n <= hi;
  std::string listed;
  for (std::size_t k = 0; k < rows.size() && k < kMaxListed; ++k) listed += (k ? ", " : "") + rows[k];
  if (rows.size() > kMaxListed) listed += ", and " + std::to_string(rows.size() - kMaxListed) + " more";
  v.actual = plural(n, "such socket", "such sockets") + (rows.empty() ? "" : ": " + listed);
  std::vector<std::size_t> s;
  // The state changes into (or out of) that state up to `at`; a child socket's first event
  // (LISTEN -> SYN_RECEIVED) is the listener's, not a socket leaving LISTEN.
  for (const auto& t : ix.conns[static_cast<std::size_t>(h)])
    for (std::size_t k = 0; k < t.events.size(); ++k) {
      const TraceEvent& e = ix.trace[t.events[k]];
      const bool child_birth = k == 0 && e.from == State::Listen && !t.listener;
      if (e.t_ns <= at && (!want || e.to == *want || (e.from == *want && !child_birth))) s.push_back(t.events[k]);
    }
  std::sort(s.begin(), s.end());
  if (!s.empty()) {
    v.evidence = {s.back()};
    s.pop_back();
    v.steps = s;
  }
  return v;
}

std::string validate_check_impl(const CheckSpec& c, std::string* bad_key);

Verdict evaluate(const TraceIndex& ix, const CheckSpec& c, const Lab& lab) {
  // A Lab built in code (not loaded) may hold a check the loader would have refused.
  std::string bad_key;
  if (const std::string err = validate_check_impl(c, &bad_key); !err.empty()) {
    Verdict v;
    v.expected = "a valid check";
    v.actual = err;
    return v;
  }
  const std::string& k = c.kind;
  if (k == "states") return check_states(ix, c);
  if (k == "final_state") return check_final_state(ix, c);
  if (k == "time_in_state") return check_time_in_state(ix, c);
  if (k == "segments") return check_segments(ix, c);
  if (k == "intervals") return check_intervals(ix, c);
  if (k == "segment") return check_segment(ix, c);
  if (k == "bytes") return check_bytes(ix, c);
  if (k == "app_result") return check_app_result(ix, c);
  if (k == "netstat") return check_netstat(ix, c, lab);
  Verdict v;
  v.expected = "a known check kind";
  v.actual = "unknown check kind '" + k + "'";
  return v;
}

std::string validate_check_impl(const CheckSpec& c, std::string* bad_key) {
  bad_key->clear();
  const KindSpec* ks = nullptr;
  std::vector<std::string> names;
  for (const auto& k : kinds()) {
    names.emplace_back(k.kind);
    if (c.kind == k.kind) ks = &k;
  }
  if (!ks) {
    *bad_key = "kind";
    const std::string best = closest(c.kind, names);
    if (!best.empty()) return "unknown check kind '" + c.kind + "'; did you mean '" + best + "'?";
    return "unknown check kind '" + c.kind + "' (" + join(names, ", ") + ")";
  }
  std::vector<std::string> keys;
  for (const auto& k : ks->keys) keys.emplace_back(k.key);
  for (const auto& [k, v] : c.args) {
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    *bad_key = k;
    const std::string best = closest(k, keys);
    if (!best.empty()) return "check kind '" + c.kind + "' has no key '" + k + "'; did you mean '" + best + "'?";
    return "check kind '" + c.kind + "' has no key '" + k + "' (its keys: " + join(keys, ", ") + ", name)";
  }
  for (const auto& k : ks->keys) {
    auto it = c.args.find(k.key);
    if (it == c.args.end()) {
      if (k.required) return "check kind '" + c.kind + "' needs " + k.key + " = " + example(k.form);
      continue;
    }
    const std::string err = check_form(c, k, it->second);
    if (!err.empty()) {
      *bad_key = k.key;
      return err;
    }
  }
  return cross_rules(c, bad_key);
}

}  // namespace

// ---------------------------------------------------------------- public

std::optional<std::uint8_t> parse_flag_letters(const std::string& text) {
  std::string t = text;
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  if (t == "none") return std::uint8_t{0};
  if (t.empty()) return std::nullopt;
  std::uint8_t f = 0;
  for (char ch : t) {
    std::uint8_t bit = 0;
    switch (ch) {
      case 'F': bit = kFin; break;
      case 'S': bit = kSyn; break;
      case 'R': bit = kRst; break;
      case 'P': bit = kPsh; break;
      case 'U': bit = kUrg; break;
      case '.': bit = kAck; break;
      default: return std::nullopt;
    }
    if (f & bit) return std::nullopt;  // a letter twice
    f |= bit;
  }
  return f;
}

void RelativeSeq::feed(const TraceEvent& e) {
  if (e.type != TraceType::Send) return;
  const std::string dir = endpoint_to_string(e.seg.src) + ">" + endpoint_to_string(e.seg.dst);
  if (e.seg.has(kSyn)) {
    isn_[dir] = e.seg.seq.raw();
    fin_.erase(dir);
  }
  if (e.seg.has(kFin)) fin_[dir] = seq(e) + e.len;
}

std::uint32_t RelativeSeq::seq(const TraceEvent& e) const {
  auto it = isn_.find(endpoint_to_string(e.seg.src) + ">" + endpoint_to_string(e.seg.dst));
  return it == isn_.end() ? e.seg.seq.raw() : e.seg.seq.raw() - it->second;
}

std::optional<std::uint32_t> RelativeSeq::ack(const TraceEvent& e) const {
  if (!e.seg.has(kAck)) return std::nullopt;
  auto it = isn_.find(endpoint_to_string(e.seg.dst) + ">" + endpoint_to_string(e.seg.src));
  return it == isn_.end() ? e.seg.ack.raw() : e.seg.ack.raw() - it->second;
}

std::optional<std::uint32_t> RelativeSeq::fin_seq(const std::string& direction) const {
  auto it = fin_.find(direction);
  if (it == fin_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> check_kinds() {
  std::vector<std::string> v;
  for (const auto& k : kinds()) {
    std::string s = k.kind;
    s += ":";
    for (const auto& key : k.keys) s += std::string(" ") + key.key;
    s += " name";
    v.push_back(s);
  }
  return v;
}

std::string validate_check(const CheckSpec& c, std::string* bad_key) { return validate_check_impl(c, bad_key); }

std::vector<CheckResult> run_checks(const Lab& lab, const World& world, const TraceEvents& trace) {
  const TraceIndex ix(trace, world);
  std::vector<CheckResult> out;
  std::vector<Verdict> verdicts;
  std::size_t last = 0;
  for (const auto& c : lab.checks) {
    verdicts.push_back(evaluate(ix, c, lab));
    for (std::size_t i : verdicts.back().steps) last = std::max(last, i + 1);
    for (std::size_t i : verdicts.back().evidence) last = std::max(last, i + 1);
  }
  // One pass over the trace renders every line the verdicts name, as `tcplab run` would.
  TextViewOptions o;
  o.timers = true;
  TextView tv(world.host_names(), o);
  std::set<std::size_t> wanted;
  for (const auto& v : verdicts) {
    const std::size_t skip = v.steps.size() > kMaxSteps ? v.steps.size() - kMaxSteps : 0;
    wanted.insert(v.steps.begin() + static_cast<std::ptrdiff_t>(skip), v.steps.end());
    wanted.insert(v.evidence.begin(), v.evidence.end());
  }
  std::map<std::size_t, std::string> lines;
  for (std::size_t i = 0; i < last && i < trace.size(); ++i) {
    std::string l = tv.line(trace[i]);
    if (wanted.count(i)) lines[i] = l.empty() ? "(trace event " + std::to_string(trace[i].seq_no) + ")" : l;
  }
  for (std::size_t k = 0; k < lab.checks.size(); ++k) {
    const CheckSpec& c = lab.checks[k];
    const Verdict& v = verdicts[k];
    CheckResult r;
    r.name = c.name;
    r.kind = c.kind;
    r.pos = c.pos;
    r.pass = v.pass;
    r.expected = v.expected;
    r.actual = v.actual;
    const std::size_t skip = v.steps.size() > kMaxSteps ? v.steps.size() - kMaxSteps : 0;
    r.steps_omitted = skip;
    for (std::size_t j = skip; j < v.steps.size(); ++j) r.steps.push_back(lines[v.steps[j]]);
    std::vector<std::string> ev;
    for (std::size_t i : v.evidence) ev.push_back(lines[i]);
    r.evidence = join(ev, "\n");
    if (!v.evidence.empty()) r.evidence_seq_no = static_cast<std::int64_t>(trace[v.evidence.front()].seq_no);
    out.push_back(r);
  }
  return out;
}

std::string narrate(const CheckResult& r, const std::string& reproduce, bool color) {
  const char* red = color ? "\033[31m" : "";
  const char* off = color ? "\033[0m" : "";
  std::string s = "check \"" + r.name + "\" (" + r.kind + (r.pos.line > 0 ? ", " + r.pos.str() : "") + ") ";
  if (r.pass) return s + "passed: " + r.actual + "\n";
  const bool story = !r.steps.empty() || !r.evidence.empty();
  s += story ? "failed after these steps:\n" : "failed:\n";
  if (r.steps_omitted) s += "      (" + std::to_string(r.steps_omitted) + " earlier steps not shown)\n";
  std::size_t n = 0;
  auto numbered = [&](const std::string& line) {
    const std::string num = std::to_string(++n) + ". ";
    return std::string(num.size() < 6 ? 6 - num.size() : 0, ' ') + num + line;
  };
  for (const auto& l : r.steps) s += numbered(l) + "\n";
  if (!r.evidence.empty()) {
    std::size_t start = 0;
    bool first = true;
    while (start <= r.evidence.size()) {
      const auto nl = r.evidence.find('\n', start);
      const std::string line = r.evidence.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      s += red + numbered(line) + (first ? "   <== the step that failed" : "") + off + "\n";
      first = false;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  s += "  expected: " + r.expected + "\n";
  s += std::string("  ") + red + "actual:   " + r.actual + off + "\n";
  if (r.evidence_seq_no >= 0) s += "  (trace event seq_no " + std::to_string(r.evidence_seq_no) + ")\n";
  if (!reproduce.empty()) s += "  reproduce with `" + reproduce + "`\n";
  return s;
}

}  // namespace tcplab
