// sim/probability: "1%", "0.01", "1/100" to exact ratios, the same for every caller that
// reads the same form, and a clear refusal instead of a rounding.
#include <doctest/doctest.h>

#include "sim/probability.hpp"

using namespace tcplab;

namespace {

Ratio millionths(const char* s) {
  const auto r = parse_probability(s, RatioForm::Millionths);
  REQUIRE_MESSAGE(r, s);
  return *r;
}
Ratio lowest(const char* s) {
  const auto r = parse_probability(s, RatioForm::Lowest);
  REQUIRE_MESSAGE(r, s);
  return *r;
}
ProbabilityError error_of(const char* s, RatioForm form = RatioForm::Millionths) {
  ProbabilityError e = ProbabilityError::None;
  CHECK_MESSAGE(!parse_probability(s, form, &e), s);
  return e;
}

}  // namespace

TEST_SUITE("probability") {
  TEST_CASE("decimals and percentages are millionths in lab files, as they always were") {
    CHECK(millionths("1%") == Ratio{10000, 1000000});
    CHECK(millionths("0.01") == Ratio{10000, 1000000});
    CHECK(millionths("0.5%") == Ratio{5000, 1000000});
    CHECK(millionths(".5") == Ratio{500000, 1000000});
    CHECK(millionths("1e-2") == Ratio{10000, 1000000});
    CHECK(millionths("0.000001") == Ratio{1, 1000000});
    CHECK(millionths("0.0001%") == Ratio{1, 1000000});
    CHECK(millionths("0.0100000000") == Ratio{10000, 1000000});  // trailing zeros add no precision
    CHECK(millionths("0") == Ratio{0, 1000000});
    CHECK(millionths("-0") == Ratio{0, 1000000});
    CHECK(millionths("1") == Ratio{1000000, 1000000});
    CHECK(millionths("1.") == Ratio{1000000, 1000000});
    CHECK(millionths("100%") == Ratio{1000000, 1000000});
    CHECK(millionths("+0.25") == Ratio{250000, 1000000});
    CHECK(millionths(" 2%") == Ratio{20000, 1000000});  // strtod skipped leading space
  }

  TEST_CASE("a fraction stays as written in lab files") {
    CHECK(millionths("1/100") == Ratio{1, 100});
    CHECK(millionths("2/200") == Ratio{2, 200});
    CHECK(millionths("1/1") == Ratio{1, 1});
    CHECK(millionths("0/5") == Ratio{0, 5});
    CHECK(millionths("1/10000000") == Ratio{1, 10000000});
    CHECK(millionths("1/2%") == Ratio{1, 200});
  }

  TEST_CASE("tcplab bench reduces every form to lowest terms, as its parse_loss did") {
    CHECK(lowest("0.01") == Ratio{1, 100});
    CHECK(lowest("1%") == Ratio{1, 100});
    CHECK(lowest("1/100") == Ratio{1, 100});
    CHECK(lowest("2/200") == Ratio{1, 100});
    CHECK(lowest("0.5%") == Ratio{1, 200});
    CHECK(lowest("0") == Ratio{0, 1});
    CHECK(lowest("0/5") == Ratio{0, 1});
    CHECK(lowest("1") == Ratio{1, 1});
    CHECK(lowest("1.0") == Ratio{1, 1});
    CHECK(lowest("100%") == Ratio{1, 1});
    CHECK(lowest("5/5") == Ratio{1, 1});
    CHECK(lowest("0.000000001") == Ratio{1, 1000000000});
    CHECK(lowest("0.125") == Ratio{1, 8});
  }

  TEST_CASE("errors say which kind of wrong") {
    CHECK(error_of("1.5") == ProbabilityError::OutOfRange);
    CHECK(error_of("101%") == ProbabilityError::OutOfRange);
    CHECK(error_of("-1%") == ProbabilityError::OutOfRange);
    CHECK(error_of("3/2") == ProbabilityError::OutOfRange);
    CHECK(error_of("10") == ProbabilityError::OutOfRange);
    CHECK(error_of("1/0") == ProbabilityError::ZeroDenominator);
    CHECK(error_of("0/0") == ProbabilityError::ZeroDenominator);
    CHECK(error_of("abc") == ProbabilityError::Syntax);
    CHECK(error_of("") == ProbabilityError::Syntax);
    CHECK(error_of("%") == ProbabilityError::Syntax);
    CHECK(error_of(".") == ProbabilityError::Syntax);
    CHECK(error_of("1e") == ProbabilityError::Syntax);
    CHECK(error_of("1 %") == ProbabilityError::Syntax);
    CHECK(error_of("0.01 ") == ProbabilityError::Syntax);
    CHECK(error_of("1/") == ProbabilityError::Syntax);
    CHECK(error_of("0.5/1") == ProbabilityError::Syntax);
    CHECK(error_of("nan") == ProbabilityError::Syntax);
    CHECK(error_of("0.0000001") == ProbabilityError::TooFine);
    CHECK(error_of("0.00015%") == ProbabilityError::TooFine);
    CHECK(error_of("1/5000000000") == ProbabilityError::TooFine);
    CHECK(error_of("1/99999999999999999999999") == ProbabilityError::TooFine);
    CHECK(error_of("1e-30", RatioForm::Lowest) == ProbabilityError::TooFine);
    CHECK(error_of("1/4294967297", RatioForm::Lowest) == ProbabilityError::TooFine);
    CHECK(error_of("1e999999999999") == ProbabilityError::OutOfRange);
    CHECK(error_of("1e-999999999999") == ProbabilityError::TooFine);
  }

  TEST_CASE("every refusal is one line naming the input") {
    for (auto e : {ProbabilityError::Syntax, ProbabilityError::OutOfRange, ProbabilityError::ZeroDenominator,
                   ProbabilityError::TooFine}) {
      for (auto form : {RatioForm::Millionths, RatioForm::Lowest}) {
        const std::string d = describe(e, "x", form);
        CHECK(d.rfind("'x' ", 0) == 0);
        CHECK(d.find('\n') == std::string::npos);
      }
    }
    CHECK(describe(ProbabilityError::TooFine, "0.0000001", RatioForm::Millionths) ==
          "'0.0000001' is more precise than a millionth (0.000001 or \"0.0001%\"); write a fraction such as \"1/10000000\"");
  }
}
