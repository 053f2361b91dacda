#pragma once
// How checks put numbers and times into words, shared by the schema's messages and the
// evaluators' verdicts.
#include <cstdint>
#include <string>
#include <vector>

#include "labs/check.hpp"

namespace tcplab {

std::string join(const std::vector<std::string>& v, const std::string& sep);
// A duration for people: "60s", "250ms", "1.00005s", "50us".
std::string human(Duration d);
// A point of virtual time as `tcplab run` prints it: "00:00:01.000250".
std::string at_time(Instant t);
// "1st", "2nd", "11th".
std::string ordinal(std::int64_t n);
// "1 segment", "3 segments".
std::string plural(std::int64_t n, const std::string& one, const std::string& many);
// "exactly 3", "at least 1", "between 2 and 4", "at most 0"; *lo and *hi get the range.
std::string bound_words(const Bound<std::int64_t>& b, std::int64_t* lo, std::int64_t* hi);

}  // namespace tcplab
