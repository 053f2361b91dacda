#include "sim/probability.hpp"

#include <cstdint>
#include <limits>
#include <numeric>

namespace tcplab {

namespace {

constexpr std::uint32_t kMillion = 1'000'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// An exact value digits x 10^exp, with neither leading nor trailing zeros in `digits`
// ("" is zero), so that equal values have equal representations.
struct Decimal {
  std::string digits;
  std::int64_t exp = 0;
  bool zero() const { return digits.empty(); }
  // Above 1: at least one digit left of the point, other than "1" itself.
  bool above_one() const {
    return !zero() && static_cast<std::int64_t>(digits.size()) + exp >= 1 && !(digits == "1" && exp == 0);
  }
};

// [digits][.digits][(e|E)[+-]digits], at least one digit before the exponent.
bool read_decimal(std::string_view s, Decimal& d) {
  std::size_t i = 0;
  std::string mant;
  std::int64_t exp = 0;
  while (i < s.size() && is_digit(s[i])) mant += s[i++];
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_digit(s[i]); --exp) mant += s[i++];
  }
  if (mant.empty()) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == s.size()) return false;
    std::int64_t e = 0;
    // Saturates far beyond any value that could be in range or representable.
    for (; i < s.size() && is_digit(s[i]); ++i) e = std::min<std::int64_t>(e * 10 + (s[i] - '0'), 1'000'000'000);
    exp += neg ? -e : e;
  }
  if (i != s.size()) return false;
  const auto first = mant.find_first_not_of('0');
  if (first == std::string::npos) {
    d = Decimal{};
    return true;
  }
  const auto last = mant.find_last_not_of('0');
  d.exp = exp + static_cast<std::int64_t>(mant.size() - 1 - last);
  d.digits = mant.substr(first, last + 1 - first);
  return true;
}

// Digits only, leading zeros dropped ("" is zero).
bool read_integer(std::string_view s, std::string& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  const auto first = s.find_first_not_of('0');
  out = first == std::string_view::npos ? "" : std::string(s.substr(first));
  return true;
}

// Numerically, for digit strings without leading zeros.
bool less(const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() < b.size() : a < b; }

// nullopt if it does not fit (more than 19 digits are never needed: the ratio is 32-bit).
std::optional<std::uint64_t> to_u64(const std::string& digits) {
  if (digits.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

std::optional<Ratio> lowest(std::uint64_t num, std::uint64_t den) {
  const std::uint64_t g = num == 0 ? den : std::gcd(num, den);
  num /= g;
  den /= g;
  if (den > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return Ratio{static_cast<std::uint32_t>(num), static_cast<std::uint32_t>(den)};
}

std::optional<Ratio> fail(ProbabilityError* error, ProbabilityError e) {
  if (error) *error = e;
  return std::nullopt;
}

}  // namespace

std::optional<Ratio> parse_probability(std::string_view text, RatioForm form, ProbabilityError* error) {
  if (error) *error = ProbabilityError::None;
  std::string_view s = text;
  // Lab files were read with strtod, which skips leading white space and takes a sign.
  while (!s.empty() && (s.front() == ' ' || (s.front() >= '\t' && s.front() <= '\r'))) s.remove_prefix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.remove_suffix(1);

  if (const auto slash = s.find('/'); slash != std::string_view::npos) {
    std::string a, b;
    if (!read_integer(s.substr(0, slash), a) || !read_integer(s.substr(slash + 1), b))
      return fail(error, ProbabilityError::Syntax);
    if (b.empty()) return fail(error, ProbabilityError::ZeroDenominator);
    if ((negative && !a.empty()) || less(b, a)) return fail(error, ProbabilityError::OutOfRange);
    const auto num = to_u64(a), den = to_u64(b);
    const std::uint64_t scale = percent ? 100 : 1;
    if (!num || !den || *den > std::numeric_limits<std::uint64_t>::max() / scale)
      return fail(error, ProbabilityError::TooFine);
    std::optional<Ratio> r;
    if (form == RatioForm::Lowest) r = lowest(*num, *den * scale);
    else if (*den * scale <= std::numeric_limits<std::uint32_t>::max())
      r = Ratio{static_cast<std::uint32_t>(*num), static_cast<std::uint32_t>(*den * scale)};
    return r ? r : fail(error, ProbabilityError::TooFine);
  }

  Decimal d;
  if (!read_decimal(s, d)) return fail(error, ProbabilityError::Syntax);
  if (percent) d.exp -= 2;
  if ((negative && !d.zero()) || d.above_one()) return fail(error, ProbabilityError::OutOfRange);
  if (form == RatioForm::Millionths) {
    if (d.zero()) return Ratio{0, kMillion};
    if (d.exp < -6) return fail(error, ProbabilityError::TooFine);
    // At most 1, in steps of 10^-6: at most 7 digits in all.
    std::uint32_t n = static_cast<std::uint32_t>(*to_u64(d.digits));
    for (std::int64_t i = 0; i < d.exp + 6; ++i) n *= 10;
    return Ratio{n, kMillion};
  }
  if (d.zero()) return Ratio{0, 1};
  if (d.exp >= 0) return Ratio{1, 1};  // not above one, so exactly one
  if (d.exp < -19) return fail(error, ProbabilityError::TooFine);
  std::uint64_t den = 1;
  for (std::int64_t i = 0; i < -d.exp; ++i) den *= 10;
  const auto r = lowest(*to_u64(d.digits), den);  // digits < den <= 10^19
  return r ? r : fail(error, ProbabilityError::TooFine);
}

std::string describe(ProbabilityError error, std::string_view text, RatioForm form) {
  const std::string t = "'" + std::string(text) + "'";
  switch (error) {
    case ProbabilityError::None: return "";
    case ProbabilityError::Syntax: return t + " is not a probability (e.g. 0.01, \"1%\" or \"1/100\")";
    case ProbabilityError::OutOfRange: return t + " is not between 0 and 1";
    case ProbabilityError::ZeroDenominator: return t + " divides by zero";
    case ProbabilityError::TooFine:
      return form == RatioForm::Millionths
                 ? t + " is more precise than a millionth (0.000001 or \"0.0001%\"); write a fraction such as \"1/10000000\""
                 : t + " is too fine to hold as a ratio of 32-bit integers";
  }
  return "";
}

}  // namespace tcplab
