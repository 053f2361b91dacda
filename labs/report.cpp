#include "labs/report.hpp"

#include "labs/terminal.hpp"

namespace tcplab {

std::string verdict_summary(const std::vector<CheckResult>& results) {
  std::size_t pass = 0;
  for (const auto& r : results) pass += r.pass ? 1 : 0;
  return std::to_string(pass) + " of " + std::to_string(results.size()) + " checks passed";
}

void print_verdicts(std::ostream& os, const std::string& reproduce, const std::vector<CheckResult>& results, bool color) {
  for (const auto& r : results) {
    os << "  " << (r.pass ? paint(Color::Green, "PASS", color) : paint(Color::Red, "FAIL", color)) << "  " << r.name;
    if (r.pass) {
      os << "  (" << r.actual << ")\n";
      continue;
    }
    os << "  [" << r.pos.str() << "]\n";
    os << "        expected: " << r.expected << "\n";
    os << "        actual:   " << r.actual << "\n";
    if (!r.evidence.empty()) os << "        shown by: " << r.evidence << "\n";
    else if (r.evidence_seq_no >= 0) os << "        shown by: trace event seq_no " << r.evidence_seq_no << "\n";
    os << "        reproduce with `" << reproduce << "`\n";
  }
  os << verdict_summary(results) << "\n";
}

}  // namespace tcplab
