// The [[check]] schema: which keys each kind takes, how each value must be written, the rules
// that tie keys together, and the messages (with "did you mean") for anything else.
#include "labs/check_schema.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "labs/check_words.hpp"
#include "labs/suggest.hpp"
#include "stack/transitions.hpp"
#include "sim/fault.hpp"
#include "sim/text_view.hpp"

namespace tcplab {

namespace {

// ---------------------------------------------------------------- the vocabulary

const std::vector<std::string>& segment_kinds() {
  static const std::vector<std::string> k(kSegKindNames.begin(), kSegKindNames.end());
  return k;
}
const std::vector<std::string>& retx_causes() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    for (int i = 1; i < kRetxCauses; ++i) v.emplace_back(retx_cause_name(static_cast<RetxCause>(i)));
    return v;
  }();
  return k;
}
const std::vector<std::string>& measures() {
  static const std::vector<std::string> m = {"cwnd", "ssthresh", "flight", "srtt",  "throughput",
                                             "queue", "drops",   "fairness", "ping_rtt", "phase"};
  return m;
}
const std::vector<std::string>& stats() {
  static const std::vector<std::string> m = {"mean", "min", "max", "final"};
  return m;
}
const std::vector<std::string>& app_calls() {
  static const std::vector<std::string> c = {"bind", "listen", "connect", "accept", "send",  "recv",    "close",
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
  Cause,      // a retransmission cause: fast rto tlp ...
  Flags,      // tcpdump letters
  Seq,        // 0 .. 2^32-1
  SegId,      // A>B#3
  Call,       // an app call
  Result,     // OK, EOF or an errno name
  Measure,    // what a congestion check measures
  Stat,       // mean | min | max | final
  Text,       // a non-empty string (a link's name, a phase)
  Quantity,   // a value in the measure's unit: read once the measure is known (cross_rules)
};

struct KeySpec {
  const char* key;
  Form form;
  bool required;
};

struct KindSpec {
  const char* name;
  CheckKind kind;
  std::vector<KeySpec> keys;  // besides kind and name
};

const std::vector<KindSpec>& kinds() {
  static const std::vector<KindSpec> k = {
      {"states", CheckKind::States,
       {{"host", Form::Host, true}, {"conn", Form::Conn, false}, {"expect", Form::States, true}, {"mode", Form::Mode, false}}},
      {"final_state", CheckKind::FinalState,
       {{"host", Form::Host, true}, {"conn", Form::Conn, false}, {"expect", Form::State, true}, {"at", Form::Dur, false}}},
      {"time_in_state", CheckKind::TimeInState,
       {{"host", Form::Host, true}, {"conn", Form::Conn, false}, {"state", Form::State, true},
        {"expect", Form::Dur, false}, {"min", Form::Dur, false}, {"max", Form::Dur, false}}},
      {"segments", CheckKind::Segments,
       {{"from", Form::Host, false}, {"to", Form::Host, false}, {"segment", Form::SegKind, false},
        {"flags", Form::Flags, false}, {"retx", Form::Bool, false}, {"loss_probe", Form::Bool, false},
        {"retx_cause", Form::Cause, false},
        {"dropped", Form::Bool, false}, {"expect", Form::Count, false}, {"min", Form::Count, false}, {"max", Form::Count, false}}},
      {"intervals", CheckKind::Intervals,
       {{"from", Form::Host, false}, {"to", Form::Host, false}, {"segment", Form::SegKind, true},
        {"retx", Form::Bool, false}, {"loss_probe", Form::Bool, false},
        {"retx_cause", Form::Cause, false}, {"expect", Form::Durs, true},
        {"within", Form::Dur, false}}},
      {"segment", CheckKind::Segment,
       {{"id", Form::SegId, false}, {"from", Form::Host, false}, {"to", Form::Host, false},
        {"segment", Form::SegKind, false}, {"nth", Form::Index, false}, {"flags", Form::Flags, false},
        {"seq", Form::Seq, false}, {"ack", Form::Seq, false}, {"absolute", Form::Bool, false},
        {"len", Form::Count, false}, {"retx", Form::Bool, false}, {"loss_probe", Form::Bool, false},
        {"retx_cause", Form::Cause, false},
        {"dropped", Form::Bool, false}, {"resent", Form::Bool, false}, {"at", Form::Dur, false}, {"within", Form::Dur, false}}},
      {"bytes", CheckKind::Bytes, {{"from", Form::Host, true}, {"to", Form::Host, true}, {"expect", Form::Count, false}}},
      {"app_result", CheckKind::AppResult,
       {{"host", Form::Host, true}, {"call", Form::Call, true}, {"expect", Form::Result, true},
        {"count", Form::Count, false}, {"min", Form::Count, false}}},
      {"peer", CheckKind::Peer, {{"host", Form::Host, true}}},
      {"congestion", CheckKind::Congestion,
       {{"measure", Form::Measure, true}, {"from", Form::Host, false}, {"to", Form::Host, false},
        {"conn", Form::Conn, false}, {"link", Form::Text, false}, {"start", Form::Dur, false},
        {"end", Form::Dur, false}, {"at", Form::Dur, false}, {"stat", Form::Stat, false},
        {"phase", Form::Text, false}, {"expect", Form::Quantity, false}, {"min", Form::Quantity, false},
        {"max", Form::Quantity, false}}},
      {"netstat", CheckKind::Netstat,
       {{"host", Form::Host, true}, {"at", Form::Dur, true}, {"state", Form::StateOrAny, true},
        {"expect", Form::Count, false}, {"min", Form::Count, false}, {"max", Form::Count, false}}},
  };
  return k;
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
  const std::string best = did_you_mean(s, state_names());
  if (!best.empty()) return m + "; did you mean '" + best + "'?";
  return m + " (" + join(state_names(), " ") + "; Linux spellings such as SYN_RECV also work)";
}

bool valid_result(const std::string& s) { return s == "EOF" || parse_errno(s).has_value(); }

// Where a value of each type goes in the Check, by key. The table above pairs keys with
// forms, so each (key, form) pair below is one that some kind takes.
void store(Check* out, const std::string& key, Duration d) {
  if (out->kind == CheckKind::Congestion) {
    if (key == "start") out->start = d;
    else if (key == "end") out->end = d;
    else if (key == "at") out->at = d;
    return;
  }
  if (key == "at") out->at = d;
  else if (key == "within") out->within = d;
  else if (key == "expect") out->duration.exact = d;
  else if (key == "min") out->duration.min = d;
  else if (key == "max") out->duration.max = d;
}
void store_count(Check* out, const std::string& key, std::int64_t n) {
  if (key == "len") out->len = n;
  else if (key == "expect" || key == "count") out->count.exact = n;
  else if (key == "min") out->count.min = n;
  else if (key == "max") out->count.max = n;
}
void store_bool(Check* out, const std::string& key, bool b) {
  if (key == "retx") out->retx = b;
  else if (key == "loss_probe") out->loss_probe = b;
  else if (key == "dropped") out->dropped = b;
  else if (key == "absolute") out->absolute = b;
  else if (key == "resent") out->resent = b;
}
void store_host(Check* out, const std::string& key, const std::string& v) {
  if (key == "from") out->from = v;
  else if (key == "to") out->to = v;
  else out->host = v;
}

std::string read_seg_id(const std::string& what, const std::string& v, Check* out) {
  const auto gt = v.find('>'), hash = v.find('#');
  bool ok = gt != std::string::npos && gt > 0 && hash != std::string::npos && hash > gt + 1 &&
            to_int(v.substr(hash + 1)).value_or(0) >= 1;
  std::string dst = ok ? v.substr(gt + 1, hash - gt - 1) : "";
  std::optional<std::uint32_t> k;
  ok = ok && split_pair_conn(&dst, &k);
  if (!ok)
    return what + ": '" + v + "' is not a segment id (write it as \"A>B#3\": the 3rd segment A sent to B, or \"A>B.2#3\" on their 2nd connection)";
  // As the trace writes it: the pair's first connection has no ".1".
  const std::string direction = v.substr(0, gt + 1) + dst + (k && *k > 1 ? "." + std::to_string(*k) : "");
  out->id = SegmentId{direction + v.substr(hash), direction, *to_int(v.substr(hash + 1))};
  return "";
}

// One of a fixed list of words (segment kinds, calls), else "did you mean" and the list.
std::string read_word(const std::string& what, const std::string& v, const std::vector<std::string>& words,
                      const std::string& not_a, std::string* out) {
  if (std::find(words.begin(), words.end(), v) == words.end()) {
    const std::string best = did_you_mean(v, words);
    return what + ": '" + v + "' is not " + not_a + (best.empty() ? "" : "; did you mean '" + best + "'?") + " (" +
           join(words, " ") + ")";
  }
  *out = v;
  return "";
}

std::string read_result(const std::string& what, const std::string& v, Check* out) {
  if (!valid_result(v)) {
    std::vector<std::string> all = {"EOF"};
    for (int i = 0; i < 14; ++i) all.emplace_back(errno_name(static_cast<Errno>(i)));
    const std::string best = did_you_mean(v, all);
    return what + ": '" + v + "' is not a call result" + (best.empty() ? "" : "; did you mean '" + best + "'?") +
           " (OK, EOF, ECONNREFUSED, ECONNRESET, ETIMEDOUT, EADDRINUSE, EADDRNOTAVAIL, ...)";
  }
  out->result = v;
  return "";
}

// A list value (states or durations) for `expect`, from c.list.
std::string read_list(const CheckSpec& c, const std::string& what, Form form, Check* out) {
  std::string err;
  if (form == Form::States) {
    if (c.list.empty()) return what + " is empty: list the states in the order they must happen";
    for (const auto& s : c.list) {
      const auto st = parse_state(s);
      if (!st) return bad_state(what, s);
      out->states.push_back(*st);
    }
    return "";
  }
  if (c.list.empty()) return what + " is empty: list the intervals, e.g. [\"1s\", \"2s\"]";
  for (const auto& s : c.list) {
    const auto d = parse_duration(s, &err);
    if (!d) return what + ": " + err;
    out->intervals.push_back(*d);
  }
  return "";
}

// Reads one value of its form into *out; returns "" or what is wrong.
std::string read_value(const CheckSpec& c, const KeySpec& k, const std::string& v, Check* out) {
  const std::string key = k.key;
  const std::string what = "check." + key;
  const bool is_list = key == "expect" && v == "[list]";
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
      store_host(out, key, v);
      return "";
    case Form::Conn: {
      if (v == "listen") {
        out->conn = {true, 0, v};
        return "";
      }
      auto n = to_int(v);
      if (!n || *n < 1 || *n > 1'000'000)
        return what + " must be a connection number (1 for the host's first connection, 2, ...) or \"listen\", not '" + v + "'";
      out->conn = {false, *n, v};
      return "";
    }
    case Form::States:
    case Form::Durs:
      return read_list(c, what, k.form, out);
    case Form::State:
    case Form::StateOrAny: {
      if (k.form == Form::StateOrAny && v == "any") return "";  // state stays nullopt: every state
      out->state = parse_state(v);
      if (!out->state) return bad_state(what, v) + (k.form == Form::StateOrAny ? " (or \"any\" for every state)" : "");
      return "";
    }
    case Form::Mode:
      if (v != "exact" && v != "ordered") return what + " must be \"exact\" or \"ordered\", not '" + v + "'";
      out->ordered = v == "ordered";
      return "";
    case Form::Dur: {
      auto d = parse_duration(v, &err);
      if (!d) return what + ": " + err;
      store(out, key, *d);
      return "";
    }
    case Form::Count: {
      auto n = to_int(v);
      if (!n || *n < 0 || *n > (std::int64_t{1} << 48)) return what + " must be a count (an integer >= 0), not '" + v + "'";
      store_count(out, key, *n);
      return "";
    }
    case Form::Index: {
      auto n = to_int(v);
      if (!n || *n < 1 || *n > 100'000'000) return what + " must be 1 (the first), 2, ..., not '" + v + "'";
      out->nth = *n;
      return "";
    }
    case Form::Bool:
      if (v != "true" && v != "false") return what + " must be true or false, not '" + v + "'";
      store_bool(out, key, v == "true");
      return "";
    case Form::SegKind: {
      std::string word;
      err = read_word(what, v, segment_kinds(), "a segment kind", &word);
      if (err.empty()) out->segment_kind = parse_seg_kind(word);
      return err;
    }
    case Form::Cause: {
      std::string word;
      err = read_word(what, v, retx_causes(), "a retransmission cause", &word);
      if (err.empty()) out->retx_cause = retx_cause_from_name(word);
      return err;
    }
    case Form::Flags:
      out->flags = parse_flag_letters(v);
      if (!out->flags)
        return what + ": '" + v + "' is not a set of tcpdump flags (letters S F R P U and '.' for ACK, e.g. \"S.\")";
      return "";
    case Form::Seq: {
      auto n = to_int(v);
      if (!n || *n < 0 || *n > 0xffffffffLL) return what + " must be a sequence number (0 to 4294967295), not '" + v + "'";
      (key == "seq" ? out->seq : out->ack) = static_cast<std::uint32_t>(*n);
      return "";
    }
    case Form::SegId:
      return read_seg_id(what, v, out);
    case Form::Call:
      return read_word(what, v, app_calls(), "an application call", &out->call);
    case Form::Result:
      return read_result(what, v, out);
    case Form::Measure:
      return read_word(what, v, measures(), "a congestion measure", &out->measure);
    case Form::Stat:
      return read_word(what, v, stats(), "a statistic", &out->stat);
    case Form::Text:
      if (v.empty()) return what + " must not be empty";
      (key == "link" ? out->link : out->phase) = v;
      return "";
    case Form::Quantity:
      return "";  // read by congestion_rules once the measure is known
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
    case Form::Cause: return "\"fast\"";
    case Form::Flags: return "\"S.\"";
    case Form::Seq: return "N";
    case Form::SegId: return "\"A>B#1\"";
    case Form::Call: return "\"connect\"";
    case Form::Result: return "\"OK\"";
    case Form::Measure: return "\"cwnd\"";
    case Form::Stat: return "\"mean\"";
    case Form::Text: return "\"...\"";
    case Form::Quantity: return "\"8Mbps\"";
  }
  return "...";
}

bool has(const CheckSpec& c, const char* k) { return c.args.count(k) != 0; }

// Rules for the segment kind: how it is picked (id, or from+segment) and which keys need others.
std::string segment_rules(const CheckSpec& c, std::string* bad_key) {
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
  return "";
}

// A congestion check's bound in its measure's unit: bytes ("64KB", "14480"), a rate
// ("8Mbps"), a duration ("50ms"), packets or a count (an integer), Jain's index (0..1).
std::optional<double> read_quantity(const std::string& measure, const std::string& v, std::string* err) {
  if (measure == "cwnd" || measure == "ssthresh" || measure == "flight") {
    static const std::vector<std::pair<std::string, double>> units = {
        {"KiB", 1024.0}, {"MiB", 1048576.0}, {"KB", 1000.0}, {"MB", 1e6}, {"B", 1.0}, {"", 1.0}};
    for (const auto& [u, f] : units) {
      if (v.size() <= u.size() || v.compare(v.size() - u.size(), u.size(), u) != 0) continue;
      const auto n = to_int(v.substr(0, v.size() - u.size()));
      if (n && *n >= 0) return static_cast<double>(*n) * f;
      break;
    }
    *err = "'" + v + "' is not a number of bytes (e.g. \"14480\", \"64KB\", \"1MiB\")";
    return std::nullopt;
  }
  if (measure == "throughput") {
    if (const auto r = parse_rate(v)) return static_cast<double>(*r);
    *err = "'" + v + "' is not a rate (e.g. \"8Mbps\", \"500kbps\")";
    return std::nullopt;
  }
  if (measure == "srtt" || measure == "ping_rtt") {
    if (const auto d = parse_duration(v, err)) return static_cast<double>(*d);
    return std::nullopt;
  }
  if (measure == "fairness") {
    char* endp = nullptr;
    const double x = std::strtod(v.c_str(), &endp);
    if (!v.empty() && endp == v.c_str() + v.size() && x >= 0 && x <= 1) return x;
    *err = "'" + v + "' is not a fairness index (a number from 0 to 1, e.g. \"0.9\")";
    return std::nullopt;
  }
  const auto n = to_int(v);  // queue (packets), drops (a count)
  if (n && *n >= 0) return static_cast<double>(*n);
  *err = "'" + v + "' is not " + (measure == "queue" ? "a number of packets" : "a count") + " (an integer >= 0)";
  return std::nullopt;
}

std::string congestion_rules(const CheckSpec& c, Check* typed, std::string* bad_key) {
  const std::string& m = typed->measure;
  const bool per_flow = m == "cwnd" || m == "ssthresh" || m == "flight" || m == "srtt" || m == "throughput" || m == "phase";
  auto need = [&](const char* key, const std::string& why) -> std::string {
    if (has(c, key)) return "";
    return "check measure '" + m + "' needs " + key + " = " + why;
  };
  auto refuse = [&](const char* key, const std::string& why) -> std::string {
    if (!has(c, key)) return "";
    *bad_key = key;
    return "check." + std::string(key) + " " + why;
  };
  std::string e;
  if (per_flow || m == "ping_rtt") {
    if (!(e = need("from", "\"HOST\" (the host whose " + std::string(m == "ping_rtt" ? "ping" : "connection sends the data") + ")")).empty()) return e;
    if (!(e = refuse("link", "is for measure queue or drops")).empty()) return e;
  }
  if (m == "queue" || m == "drops") {
    if (!(e = need("link", "\"NAME\" (a link with a queue, e.g. \"bn s>r\": see tcplab plot LAB --series queue)")).empty()) return e;
  }
  if (m == "phase") {
    if (!(e = need("phase", "\"PHASE\" (e.g. \"slow start\", \"recovery\", \"probe_bw\")")).empty()) return e;
    for (const char* k : {"expect", "min", "max", "stat"})
      if (!(e = refuse(k, "does not apply to measure phase (it passes when the phase is seen)")).empty()) return e;
  } else {
    if (!(e = refuse("phase", "is for measure phase")).empty()) return e;
    if (!has(c, "expect") && !has(c, "min") && !has(c, "max"))
      return "check measure '" + m + "' needs expect, min or max (e.g. min = \"8Mbps\")";
  }
  if (has(c, "at") && (has(c, "start") || has(c, "end"))) {
    *bad_key = "at";
    return "check.at is one instant; leave out start/end (or use start and end for a span)";
  }
  if (typed->start && typed->end && *typed->end <= *typed->start) {
    *bad_key = "end";
    return "check.end must come after check.start";
  }
  if (has(c, "expect") && (has(c, "min") || has(c, "max"))) {
    *bad_key = "expect";
    return "check.expect cannot be combined with min/max (use expect for an exact value, or min/max for a range)";
  }
  std::vector<std::string> written;
  for (const char* k : {"expect", "min", "max"}) {
    auto it = c.args.find(k);
    if (it == c.args.end()) continue;
    std::string err;
    const auto q = read_quantity(m, it->second, &err);
    if (!q) {
      *bad_key = k;
      return "check." + std::string(k) + ": " + err;
    }
    (std::string(k) == "expect" ? typed->value.exact : std::string(k) == "min" ? typed->value.min : typed->value.max) = *q;
    written.push_back(std::string(k) + " " + it->second);
  }
  if (typed->value.min && typed->value.max && *typed->value.max < *typed->value.min) {
    *bad_key = "max";
    return "check.max is smaller than check.min";
  }
  typed->value_text = join(written, ", ");
  return "";
}

// Rules that tie keys together, over a check whose values are all valid; returns "" or the
// message (and the key to point at).
std::string cross_rules(const CheckSpec& c, Check& typed, std::string* bad_key) {
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
    if (!(e = segment_rules(c, bad_key)).empty()) return e;
  } else if (k == "congestion") {
    if (!(e = congestion_rules(c, &typed, bad_key)).empty()) return e;
  }
  // min <= max when both are given (durations for time_in_state, counts elsewhere).
  const bool both = typed.duration.min && typed.duration.max;
  if ((both && *typed.duration.max < *typed.duration.min) ||
      (typed.count.min && typed.count.max && *typed.count.max < *typed.count.min)) {
    *bad_key = "max";
    return "check.max is smaller than check.min";
  }
  // An exact chain of states is a walk over the stack's transition table: a step TCP can
  // never take (CLOSED -> ESTABLISHED) would make the check impossible to pass.
  if (typed.kind == CheckKind::States && !typed.ordered) {
    for (std::size_t i = 0; i + 1 < typed.states.size(); ++i) {
      const State a = typed.states[i], b = typed.states[i + 1];
      if (find_transition(a, b)) continue;
      *bad_key = "expect";
      return "check.expect: TCP never goes from " + std::string(state_name(a)) + " to " + std::string(state_name(b)) +
             " directly (no such transition in RFC 9293; mode = \"ordered\" allows states in between)";
    }
  }
  return "";
}

// The checks of one kind against its keys; returns "" or the message (and the key).
std::string read_keys(const CheckSpec& c, const KindSpec& ks, Check* out, std::string* bad_key) {
  std::vector<std::string> keys;
  for (const auto& k : ks.keys) keys.emplace_back(k.key);
  for (const auto& [k, v] : c.args) {
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    *bad_key = k;
    const std::string best = did_you_mean(k, keys);
    if (!best.empty()) return "check kind '" + c.kind + "' has no key '" + k + "'; did you mean '" + best + "'?";
    return "check kind '" + c.kind + "' has no key '" + k + "' (its keys: " + join(keys, ", ") + ", name)";
  }
  for (const auto& k : ks.keys) {
    auto it = c.args.find(k.key);
    if (it == c.args.end()) {
      if (k.required) return "check kind '" + c.kind + "' needs " + k.key + " = " + example(k.form);
      continue;
    }
    const std::string err = read_value(c, k, it->second, out);
    if (!err.empty()) {
      *bad_key = k.key;
      return err;
    }
  }
  return "";
}

}  // namespace

std::optional<Check> parse_check(const CheckSpec& c, std::string* error, std::string* bad_key) {
  bad_key->clear();
  error->clear();
  const KindSpec* ks = nullptr;
  std::vector<std::string> names;
  for (const auto& k : kinds()) {
    names.emplace_back(k.name);
    if (c.kind == k.name) ks = &k;
  }
  if (!ks) {
    *bad_key = "kind";
    const std::string best = did_you_mean(c.kind, names);
    if (!best.empty()) *error = "unknown check kind '" + c.kind + "'; did you mean '" + best + "'?";
    else *error = "unknown check kind '" + c.kind + "' (" + join(names, ", ") + ")";
    return std::nullopt;
  }
  Check out;
  out.kind = ks->kind;
  *error = read_keys(c, *ks, &out, bad_key);
  if (error->empty()) *error = cross_rules(c, out, bad_key);
  if (!error->empty()) return std::nullopt;
  return out;
}

std::vector<std::string> check_kinds() {
  std::vector<std::string> v;
  for (const auto& k : kinds()) {
    std::string s = k.name;
    s += ":";
    for (const auto& key : k.keys) s += std::string(" ") + key.key;
    s += " name";
    v.push_back(s);
  }
  return v;
}

}  // namespace tcplab
