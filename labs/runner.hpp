#pragma once
// Runs a lab to its end (or a time) with the trace recorded: the shared core of `run`,
// `check`, `netstat`, `step`, `grade` and the visualizer.
#include <memory>
#include <string>
#include <vector>

#include "labs/checks.hpp"
#include "labs/lab.hpp"

namespace tcplab {

struct LabRun {
  Lab lab;
  std::unique_ptr<TraceSink> sink = std::make_unique<TraceSink>();
  World world;
  std::vector<CheckResult> results;
  bool all_passed() const;
};

// Builds the world and runs it until `until` (default: the lab's) or nothing is pending.
LabRun run_lab(Lab lab, std::optional<Instant> until = std::nullopt, bool checks = true);

// Writes the trace as JSON Lines; returns "" or an error.
std::string write_jsonl(const LabRun& run, const std::string& path);
std::string write_jsonl(const TraceEvents& trace, const std::vector<std::string>& host_names,
                        const std::string& path);
// Writes every sent segment to a pcap (Raw IP, virtual timestamps); returns "" or an error.
std::string write_pcap(const LabRun& run, const std::string& path);
std::string write_pcap(const TraceEvents& trace, std::size_t hosts, const std::string& path);

}  // namespace tcplab
