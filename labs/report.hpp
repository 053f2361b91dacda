#pragma once
// How check verdicts are printed on a terminal (narrated, as CS144's harness does).
#include <ostream>
#include <string>
#include <vector>

#include "labs/checks.hpp"

namespace tcplab {

// `reproduce` is the command line that replays the run ("tcplab run my-lab.toml --seed 1").
void print_verdicts(std::ostream& os, const std::string& reproduce, const std::vector<CheckResult>& results, bool color);
// "3 of 3 checks passed" (deliberately not the CI runner's "N passed, N failed" form).
std::string verdict_summary(const std::vector<CheckResult>& results);

}  // namespace tcplab
