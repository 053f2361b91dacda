#include "labs/check_words.hpp"

#include <cstdint>

#include "sim/fault.hpp"
#include "sim/text_view.hpp"

namespace tcplab {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

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

std::string bound_words(const Bound<std::int64_t>& b, std::int64_t* lo, std::int64_t* hi) {
  if (b.exact) {
    *lo = *hi = *b.exact;
    return "exactly " + std::to_string(*lo);
  }
  *lo = b.min.value_or(0);
  *hi = b.max.value_or(INT64_MAX);
  if (b.min && b.max) return "between " + std::to_string(*lo) + " and " + std::to_string(*hi);
  if (b.min) return "at least " + std::to_string(*lo);
  return "at most " + std::to_string(*hi);
}

}  // namespace tcplab
