#pragma once
// Runs a lab to its end (or a time) with the trace recorded: the shared core of `run`,
// `check`, `netstat`, `step`, `grade` and the visualizer.
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "labs/checks.hpp"
#include "labs/lab.hpp"
#include "sim/capture.hpp"

namespace tcplab {

// How a long run may be stopped before its end: a memory budget and a stop request (the
// command line's Ctrl-C), both looked at between slices of events, and a progress report.
struct RunControl {
  std::uint64_t max_memory = 0;            // resident bytes; 0: no limit
  const volatile std::sig_atomic_t* stop = nullptr;  // set (by a signal handler) to stop
  std::function<void(const World&, const TraceSink&)> progress;  // after each slice
};

struct LabRun {
  Lab lab;
  std::unique_ptr<TraceSink> sink = std::make_unique<TraceSink>();
  World world;
  std::vector<CheckResult> results;
  // Why the run ended before the lab's end ("" when it ran to its end): the rest of the
  // result covers the run up to world.now().
  std::string stopped;
  bool all_passed() const;
};

// Builds the world and runs it until `until` (default: the lab's) or nothing is pending.
// With `control`, the run may end early (LabRun::stopped says why).
// With `series`, the run also records the congestion series (sim/series.hpp) in run.sink.
LabRun run_lab(Lab lab, std::optional<Instant> until = std::nullopt, bool checks = true,
               const RunControl* control = nullptr, bool series = false);

// Writes the trace as JSON Lines; returns "" or an error.
std::string write_jsonl(const LabRun& run, const std::string& path);
std::string write_jsonl(const TraceEvents& trace, const std::vector<std::string>& host_names,
                        const std::string& path);
// "The client", the default capture point (what a student's tcpdump would see): the host of
// the first [[app]] in file order that opens connections (a script with `connect`,
// `clients`, `peer`, `flood` or `scan`); a lab with none captures at its first host.
int client_host(const Lab& lab);
// Resolves --pcap-at: "link", "client" (client_host), or a host's name, tag (A, B, ... in
// file order) or address; nullopt for an unknown one.
std::optional<int> capture_point(const Lab& lab, const std::string& at);
// Writes segments to a pcap (Raw IP, virtual timestamps); returns "" or an error. What is
// written is what the capture point sees (sim/capture.hpp: kCaptureLink, or a host's index).
std::string write_pcap(const LabRun& run, const std::string& path, int capture = kCaptureLink);
std::string write_pcap(const TraceEvents& trace, std::size_t hosts, const std::string& path,
                       int capture = kCaptureLink);

}  // namespace tcplab
