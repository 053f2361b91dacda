// The checked accessors behind every lab table reader (labs/lab_reader.hpp).
#include "labs/lab_reader.hpp"

#include <fmt/format.h>

#include <cmath>

#include "labs/suggest.hpp"
#include "sim/probability.hpp"

namespace tcplab::labread {

SourcePos Reader::pos(const toml::node& n) const {
  const auto& s = n.source();
  return SourcePos{file_, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

std::string_view Reader::source_line(int line) const {
  std::size_t at = 0;
  for (int l = 1; l < line; ++l) {
    at = text_.find('\n', at);
    if (at == std::string_view::npos) return {};
    ++at;
  }
  if (line < 1 || at > text_.size()) return {};
  std::string_view s = text_.substr(at, text_.find('\n', at) - at);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

SourcePos Reader::key_pos(const toml::key& k) const {
  const auto& s = k.source();
  return SourcePos{file_, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

void Reader::allow(const toml::table& t, std::initializer_list<const char*> keys, const std::string& where) const {
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    bool ok = false;
    for (const char* a : keys) ok = ok || key == a;
    if (ok) continue;
    const std::string best = did_you_mean(key, std::vector<std::string>(keys.begin(), keys.end()));
    std::string msg = "unknown key '" + key + "' in " + where;
    if (!best.empty()) msg += "; did you mean '" + best + "'?";
    else {
      msg += " (valid keys:";
      for (const char* a : keys) msg += std::string(" ") + a;
      msg += ")";
    }
    throw LabError(key_pos(k), msg);
  }
}

std::string Reader::str(const toml::node& n, const std::string& what) const {
  if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
  fail(n, what + " must be a string, not " + type_name(n));
}

std::int64_t Reader::integer(const toml::node& n, const std::string& what, std::int64_t lo, std::int64_t hi) const {
  if (!n.is_integer()) fail(n, what + " must be an integer, not " + type_name(n));
  const std::int64_t v = *n.value<std::int64_t>();
  if (v < lo || v > hi)
    fail(n, what + " = " + std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

bool Reader::boolean(const toml::node& n, const std::string& what) const {
  if (!n.is_boolean()) fail(n, what + " must be true or false, not " + type_name(n));
  return *n.value<bool>();
}

Duration Reader::duration(const toml::node& n, const std::string& what) const {
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

// Exact, in millionths for decimals and percentages (sim/probability): "1%" and 0.01 are
// both 10000/1000000, and finer input is refused rather than rounded.
Ratio Reader::probability(const toml::node& n, const std::string& what) const {
  std::string text;
  if (n.is_floating_point()) {
    const double x = *n.value<double>();
    if (!std::isfinite(x)) fail(n, what + " must be between 0 and 1");
    // The shortest text that reads back as this double, i.e. the number as the file wrote
    // it (fmt's shortest round trip: Emscripten's libc++ has no floating-point to_chars).
    text = fmt::format("{}", x);
  } else if (n.is_integer()) {
    text = std::to_string(*n.value<std::int64_t>());
  } else if (n.is_string()) {
    text = *n.value<std::string>();
  } else {
    fail(n, what + " must be a probability (e.g. 0.01 or \"1%\"), not " + type_name(n));
  }
  ProbabilityError err = ProbabilityError::None;
  if (auto p = parse_probability(text, RatioForm::Millionths, &err)) return *p;
  if (err == ProbabilityError::OutOfRange) fail(n, what + " must be between 0 and 1");
  if (err == ProbabilityError::Syntax) fail(n, what + ": '" + text + "' is not a probability (e.g. 0.01 or \"1%\")");
  fail(n, what + ": " + describe(err, text, RatioForm::Millionths));
}

const toml::table& Reader::table(const toml::node& n, const std::string& what) const {
  if (!n.is_table()) fail(n, what + " must be a table, not " + type_name(n));
  return *n.as_table();
}

const toml::array& Reader::array(const toml::node& n, const std::string& what) const {
  if (!n.is_array()) fail(n, what + " must be an array, not " + type_name(n));
  return *n.as_array();
}

std::string Reader::type_name(const toml::node& n) {
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

HostNames::HostNames(const Reader& r, const std::vector<HostSpec>& hosts) : r_(r), count_(hosts.size()) {
  for (const auto& h : hosts) names_.insert(h.name);
}

bool HostNames::is_tag(const std::string& t) const {
  return t.size() == 1 && t[0] >= 'A' && static_cast<std::size_t>(t[0] - 'A') < count_;
}

void HostNames::require(const toml::node& n, const std::string& name) const {
  if (names_.count(name)) return;
  if (parse_ipv4(name)) return;
  const std::string best = closest_within(name, std::vector<std::string>(names_.begin(), names_.end()), 3);
  r_.fail(n, "no host named '" + name + "'" + (best.empty() ? "" : "; did you mean '" + best + "'?"));
}

}  // namespace tcplab::labread
