#pragma once
// Helpers shared by the sim suites: labs written inline, runs with their traces.
#include <string>
#include <vector>

#include "labs/lab.hpp"
#include "labs/runner.hpp"
#include "sim/series.hpp"
#include "sim/timeline.hpp"
#include "sim/trace.hpp"
#include "sim/world.hpp"

namespace tcplab::test {

inline Lab lab_text(const std::string& toml, std::optional<std::uint64_t> seed = std::nullopt) {
  LoadOptions o;
  o.seed = seed;
  return parse_lab(toml, "<test>", o);
}

// A bulk transfer from "client" to "server" over one link: the lab the congestion suites
// start from, with what they vary as fields.
struct BulkLab {
  std::string title = "bulk", until = "20s";
  std::string client_tcp, server_tcp;  // inline tables' contents, e.g. `cc = "cubic"`
  std::string delay = "10ms", rate = "10Mbps";
  int queue = 20;
  std::uint64_t bytes = 2'000'000;
};
inline std::string bulk_lab(const BulkLab& b) {
  auto tcp = [](const std::string& t) { return t.empty() ? std::string() : "tcp = { " + t + " }\n"; };
  return "title = \"" + b.title + "\"\nuntil = \"" + b.until + "\"\n[[host]]\nname = \"client\"\n" + tcp(b.client_tcp) +
         "[[host]]\nname = \"server\"\n" + tcp(b.server_tcp) + "[link]\ndelay = \"" + b.delay + "\"\nrate = \"" + b.rate +
         "\"\nqueue = " + std::to_string(b.queue) +
         "\n[[app]]\nhost = \"server\"\nscript = [\"listen 80\", \"accept\", \"recv all\", \"close\"]\n"
         "[[app]]\nhost = \"client\"\nscript = [\"connect server 80\", \"send " + std::to_string(b.bytes) + "\", \"close\"]\n";
}

// The sending flow of a bulk lab's series: the client's (host 0) that delivered bytes.
inline const FlowSeries* sender(const Series& s) {
  for (const auto& f : s.flows)
    if (f.host == 0 && !f.samples.empty() && f.samples.back().delivered > 0) return &f;
  return nullptr;
}

// The run's trace as JSON Lines, one string per event.
inline std::vector<std::string> jsonl(const TraceEvents& events, const std::vector<std::string>& names) {
  std::vector<std::string> v;
  v.reserve(events.size());
  for (const auto& e : events) v.push_back(to_json_line(e, names));
  return v;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// Splits text into lines (without the newlines).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    if (nl == std::string::npos) {
      v.push_back(text.substr(at));
      break;
    }
    v.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return v;
}

// A bulk transfer over a lossy link (5% each way): retransmissions, SACK, timers.
inline const char* kLossyLab = R"(
title = "lossy bulk transfer"
seed = 7
until = "60s"

[[host]]
name = "client"
ip = "10.0.0.1"

[[host]]
name = "server"
ip = "10.0.0.2"

[link]
delay = "2ms"
rate = "10Mbps"
loss = "5%"

[[app]]
host = "server"
script = ["listen 5001", "accept", "recv all verify", "close"]

[[app]]
host = "client"
start = "1ms"
script = ["connect server 5001", "send 200000", "close", "recv all"]
)";

}  // namespace tcplab::test
