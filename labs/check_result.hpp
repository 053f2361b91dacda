#pragma once
// A check's verdict over one run, and the failure told as a story (STYLE 8).
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
  std::string evidence;  // the trace line(s) that show it, as `tcplab run` prints them
  std::int64_t evidence_seq_no = -1;
  SourcePos pos;
  std::vector<std::string> steps;  // the trace lines that led there, in order (bounded)
  std::size_t steps_omitted = 0;   // earlier steps left out of `steps`
};

// The failure told as a story (STYLE 8): "check X failed after these steps:", the numbered
// trace lines, what was expected and what happened, the step that failed (red when `color`),
// and how to reproduce it. `reproduce` is the command line, e.g. "tcplab run handshake --seed 1".
std::string narrate(const CheckResult& r, const std::string& reproduce, bool color);

}  // namespace tcplab
