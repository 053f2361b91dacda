#pragma once
// Checks: predicates over a lab's trace (and its world at chosen times) that say whether TCP
// did what the lab demands. Each failed check says what was expected, what happened, and
// the trace event that shows it.
#include <cstdint>
#include <string>
#include <vector>

#include "labs/lab.hpp"

namespace tcplab {

struct CheckResult {
  std::string name;      // the check's name (or a generated one)
  std::string kind;
  bool pass = false;
  std::string expected;  // in words
  std::string actual;    // in words
  std::string evidence;  // the trace line(s) that show it, as text
  std::int64_t evidence_seq_no = -1;
  SourcePos pos;
};

// Validates a check's kind and arguments at load time. Returns "" if fine; otherwise the
// message, and *bad_key names the offending key ("" for the whole check).
std::string validate_check(const CheckSpec& c, std::string* bad_key);
// Every check kind with its keys, for --help and error suggestions.
std::vector<std::string> check_kinds();

// Runs every check of the lab over a finished run.
std::vector<CheckResult> run_checks(const Lab& lab, const World& world, const std::vector<TraceEvent>& trace);

}  // namespace tcplab
