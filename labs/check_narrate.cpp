// A check's verdict in words, the way CS144's test harness tells a failure: the steps that
// led there, numbered, the one that failed marked, then expected against actual.
#include "labs/check_result.hpp"
#include "labs/terminal.hpp"

namespace tcplab {

std::string narrate(const CheckResult& r, const std::string& reproduce, bool color) {
  std::string s = "check \"" + r.name + "\" (" + r.kind + (r.pos.line > 0 ? ", " + r.pos.str() : "") + ") ";
  if (r.pass) return s + "passed: " + r.actual + "\n";
  const bool story = !r.steps.empty() || !r.evidence.empty();
  s += story ? "failed after these steps:\n" : "failed:\n";
  if (r.steps_omitted) s += "      (" + std::to_string(r.steps_omitted) + " earlier steps not shown)\n";
  std::size_t n = 0;
  auto numbered = [&](const std::string& line) {
    const std::string num = std::to_string(++n) + ". ";
    return std::string(num.size() < 6 ? 6 - num.size() : 0, ' ') + num + line;
  };
  for (const auto& l : r.steps) s += numbered(l) + "\n";
  if (!r.evidence.empty()) {
    std::size_t start = 0;
    bool first = true;
    while (start <= r.evidence.size()) {
      const auto nl = r.evidence.find('\n', start);
      const std::string line = r.evidence.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      s += paint(Color::Red, numbered(line) + (first ? "   <== the step that failed" : ""), color) + "\n";
      first = false;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  s += "  expected: " + r.expected + "\n";
  s += "  " + paint(Color::Red, "actual:   " + r.actual, color) + "\n";
  if (r.evidence_seq_no >= 0) s += "  (trace event seq_no " + std::to_string(r.evidence_seq_no) + ")\n";
  if (!reproduce.empty()) s += "  reproduce with `" + reproduce + "`\n";
  return s;
}

}  // namespace tcplab
