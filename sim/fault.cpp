#include "sim/fault.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace tcplab {

std::optional<Duration> parse_duration(const std::string& text, std::string* error) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  const std::string num = text.substr(0, i), unit = text.substr(i);
  if (num.empty()) {
    *error = "'" + text + "' is not a duration (expected a number with a unit, e.g. 250ms)";
    return std::nullopt;
  }
  Duration scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = us(1);
  else if (unit == "ms") scale = ms(1);
  else if (unit == "s") scale = sec(1);
  else if (unit == "m") scale = sec(60);
  else if (unit == "h") scale = sec(3600);
  else {
    *error = unit.empty() ? "duration '" + text + "' has no unit (write e.g. " + text + "ms or " + text + "s)"
                          : "duration '" + text + "' has an unknown unit '" + unit + "' (ns, us, ms, s, m, h)";
    return std::nullopt;
  }
  // Integer part and up to 9 fractional digits, in integers (no doubles in virtual time).
  const auto dot = num.find('.');
  std::int64_t whole = 0, frac = 0, frac_scale = 1;
  const std::string w = num.substr(0, dot);
  if (!w.empty()) {
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), whole);
    if (ec != std::errc() || p != w.data() + w.size()) { *error = "duration '" + text + "' is out of range"; return std::nullopt; }
  }
  if (dot != std::string::npos) {
    const std::string f = num.substr(dot + 1);
    if (f.find('.') != std::string::npos || f.size() > 9) { *error = "duration '" + text + "' is malformed"; return std::nullopt; }
    for (char c : f) { frac = frac * 10 + (c - '0'); frac_scale *= 10; }
  }
  if (whole > INT64_MAX / scale / 2) { *error = "duration '" + text + "' is out of range"; return std::nullopt; }
  return whole * scale + frac * scale / frac_scale;
}

std::string format_duration(Duration d) {
  if (d % sec(1) == 0) return std::to_string(d / sec(1)) + "s";
  if (d % ms(1) == 0) return std::to_string(d / ms(1)) + "ms";
  if (d % us(1) == 0) return std::to_string(d / us(1)) + "us";
  return std::to_string(d) + "ns";
}

namespace {
bool parse_u32(const std::string& s, std::uint32_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size() && *v > 0;
}
}  // namespace

bool split_pair_conn(std::string* dst, std::optional<std::uint32_t>* k) {
  k->reset();
  const auto dot = dst->rfind('.');
  if (dot == std::string::npos) return true;
  const std::string tail = dst->substr(dot + 1);
  const bool digits = !tail.empty() && std::all_of(tail.begin(), tail.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return true;  // a dotted host name
  // An IPv4 address has four numbers: a fifth is the connection number.
  const auto dots = std::count(dst->begin(), dst->end(), '.');
  const bool all_numbers = std::all_of(dst->begin(), dst->end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
  if (all_numbers && dots == 3) return true;
  std::uint32_t n = 0;
  if (!parse_u32(tail, &n)) return false;
  *k = n;
  dst->resize(dot);
  return !dst->empty();
}

std::optional<FaultRule> parse_fault(const std::string& text, std::string* error) {
  std::istringstream in(text);
  std::vector<std::string> w;
  for (std::string t; in >> t;) w.push_back(t);
  FaultRule r;
  r.text = text;
  if (w.empty()) { *error = "empty fault rule"; return std::nullopt; }
  if (w[0] == "drop") r.action = FaultAction::Drop;
  else if (w[0] == "delay") r.action = FaultAction::Delay;
  else if (w[0] == "duplicate") r.action = FaultAction::Duplicate;
  else if (w[0] == "corrupt") r.action = FaultAction::Corrupt;
  else if (w[0] == "discard") r.action = FaultAction::Discard;
  else { *error = "unknown fault action '" + w[0] + "' (drop, delay, duplicate, corrupt, discard)"; return std::nullopt; }
  if (w.size() < 2) { *error = "fault rule '" + text + "' names no segment (e.g. 'drop A>B#3' or 'drop B>A FIN #1')"; return std::nullopt; }
  // Direction, with an optional #n: "A>B#3" or "A>B".
  std::string dir = w[1];
  const auto hash = dir.find('#');
  if (hash != std::string::npos) {
    std::uint32_t n = 0;
    if (!parse_u32(dir.substr(hash + 1), &n)) { *error = "bad segment number in '" + dir + "' (expected A>B#N, N >= 1)"; return std::nullopt; }
    r.ordinal = n;
    dir = dir.substr(0, hash);
  }
  const auto gt = dir.find('>');
  if (gt == std::string::npos || gt == 0 || gt + 1 == dir.size()) {
    *error = "bad direction '" + w[1] + "' (expected SRC>DST, e.g. A>B or client>server)";
    return std::nullopt;
  }
  r.src = dir.substr(0, gt);
  r.dst = dir.substr(gt + 1);
  if (!split_pair_conn(&r.dst, &r.pair_conn)) {
    *error = "bad connection number in '" + w[1] + "' (expected A>B.K#N: the K-th connection between A and B, K >= 1)";
    return std::nullopt;
  }
  if (r.ordinal && !r.pair_conn) r.pair_conn = 1;  // A>B#n: the pair's first connection
  std::size_t i = 2;
  if (i < w.size() && parse_seg_kind(w[i])) {
    r.kind = parse_seg_kind(w[i++]);
    if (i < w.size() && w[i].size() > 1 && w[i][0] == '#') {
      std::uint32_t n = 0;
      if (!parse_u32(w[i].substr(1), &n)) { *error = "bad ordinal '" + w[i] + "' (expected #N, N >= 1)"; return std::nullopt; }
      r.kind_ordinal = n;
      ++i;
    }
  }
  while (i < w.size()) {
    const std::string& k = w[i];
    auto need = [&](const char* what) -> std::optional<Duration> {
      if (i + 1 >= w.size()) { *error = std::string("'") + k + "' needs " + what; return std::nullopt; }
      return parse_duration(w[i + 1], error);
    };
    if (k == "retx") { r.retx_only = true; ++i; continue; }
    if (k == "by" || k == "from" || k == "to" || k == "until") {
      auto d = need("a duration");
      if (!d) return std::nullopt;
      if (k == "by") r.delay_ns = *d;
      else if (k == "from") r.from_ns = *d;
      else r.to_ns = *d;
      i += 2;
      continue;
    }
    *error = "unexpected '" + k + "' in fault rule '" + text + "' (expected a kind such as FIN, #N, by T, from T, to T, retx)";
    return std::nullopt;
  }
  if (r.action == FaultAction::Delay && r.delay_ns <= 0) { *error = "a delay rule needs 'by DURATION'"; return std::nullopt; }
  if (r.action != FaultAction::Delay && r.delay_ns != 0) { *error = "'by' only goes with delay"; return std::nullopt; }
  if (r.to_ns <= r.from_ns) { *error = "time window is empty (to <= from)"; return std::nullopt; }
  return r;
}

}  // namespace tcplab
