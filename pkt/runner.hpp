#pragma once
// Runs a parsed script against a Target: injects the '<' lines, checks the '>' lines and
// the calls' results with packetdrill's time rules, and stops at the first mismatch.
#include <functional>
#include <string>
#include <vector>

#include "pkt/script.hpp"
#include "pkt/target.hpp"

namespace tcplab::pkt {

struct RunOptions {
  Duration tolerance_ns = ms(4);    // packetdrill's --tolerance_usecs default (4 ms)
  double tolerance_percent = 0;     // plus this share of the interval since the previous event
  // Against the kernel, a segment may also come as late as its timer wheel rounds a timer
  // of that length up (runner.cpp late()).
  bool kernel_timer_wheel = true;
  std::string script_dir;           // where a defaults file named by the script is looked for
  std::vector<std::string> lines;   // the script's text, by line, for the report
  std::function<void(const std::string&)> on_line;  // each checked line, as it is checked
  // Every segment either way, as it happens (for --pcap and --trace).
  std::function<void(bool from_stack, Instant at, const Segment& seg)> on_segment;
};

struct RunResult {
  bool passed = false;
  // A mismatch: "file:line: ..." and the lines under it; empty when passed.
  std::string failure;
  int failed_line = 0;
  std::size_t events_checked = 0;
};

// Throws PktError for a script error found while running (an unknown sysctl, a defaults
// file that cannot be read, a call the targets cannot decode): exit 2, not a mismatch.
RunResult run_script(const Script& script, Target& target, const RunOptions& opt);

}  // namespace tcplab::pkt
