#pragma once
// Probabilities as written by people ("1%", "0.01", "1/100") to exact integer ratios. No
// floating point on the way: the world draws `rng.below(den) < num`, so the same text must
// always give the same num and den, and a value the ratio cannot hold is an error, never a
// silent rounding.
#include <optional>
#include <string>
#include <string_view>

#include "sim/rng.hpp"

namespace tcplab {

// Which Ratio a value becomes. Both read every form; they differ in num and den, which
// decide the random draws, so each caller keeps the one its outputs were recorded with.
enum class RatioForm {
  Millionths,  // lab files: decimals and percentages become n/1000000 (finer is an error); a/b stays a/b
  Lowest,      // tcplab bench: every form in lowest terms ("0.01", "1%", "2/200" -> 1/100)
};

enum class ProbabilityError {
  None,
  Syntax,           // not a number, a percentage or a fraction
  OutOfRange,       // below 0 or above 1
  ZeroDenominator,  // "1/0"
  TooFine,          // more precise than the form can hold ("0.0000001" in millionths)
};

// Reads "0.01", ".5", "1e-2", "1%", "0.5%", "1/100" (also "1/100%": a fraction of a percent),
// with an optional sign and leading white space, as strtod did for lab files before.
// On failure returns nullopt and sets *error (if given).
std::optional<Ratio> parse_probability(std::string_view text, RatioForm form, ProbabilityError* error = nullptr);

// One line on why `text` was refused, e.g. "'1/0' divides by zero".
std::string describe(ProbabilityError error, std::string_view text, RatioForm form);

}  // namespace tcplab
