#pragma once
// `tcplab report`: a whole lab run as ONE self-contained HTML file a student can hand in and a
// teacher can open anywhere: no external CSS, script, font or image (the ladder is inline
// SVG). The lab's title, goal and explanation; who and how (seed, vars, student, the command
// that reproduces it); the checks with PASS/FAIL and each failure narrated; the ladder; the
// state changes with their RFC rules; the tcpdump-style text as `tcplab run` prints it.
// Deterministic: no date, no wall clock; the same lab and seed give the same bytes.
#include <string>

#include "labs/panel_draw.hpp"

namespace tcplab {

struct ReportInput {
  const draw::Recorded* run = nullptr;
  std::string reproduce;  // "tcplab run lost-fin --seed 1"
  std::string student;    // --student, "" when none
};
std::string html_report(const ReportInput& in);

}  // namespace tcplab
