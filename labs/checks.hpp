#pragma once
// Checks: predicates over a lab's trace (and its world at chosen times) that say whether TCP
// did what the lab demands. Each failed check says what was expected, what happened, and
// the trace event that shows it, narrated like CS144's test harness (STYLE 8).
//
// Kinds and keys (every kind also takes `name`). The kind of a segment (SYN SYN-ACK ACK DATA
// FIN RST) is written `segment = "SYN"`, because `kind` already names the check's kind.
//   states        host, conn, expect = [states], mode = "exact" | "ordered"
//   final_state   host, conn, expect, at
//   time_in_state host, conn, state, expect | min | max (durations)
//   segments      from, to, segment, flags, retx, dropped, expect | min | max (counts)
//   intervals     from, to, segment, retx, expect = [durations], within
//   segment       id | from+to+segment+nth; flags, seq, ack, absolute, len, retx, dropped, at, within
//   bytes         from, to, expect
//   app_result    host, call, expect, count | min
//   netstat       host, at, state, expect | min | max
#include <cstdint>
#include <map>
#include <optional>
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

// Validates a check's kind and arguments at load time. Returns "" if fine; otherwise the
// message, and *bad_key names the offending key ("" for the whole check).
std::string validate_check(const CheckSpec& c, std::string* bad_key);
// Every check kind with its keys, for --help and error suggestions.
std::vector<std::string> check_kinds();

// Runs every check of the lab over a finished run.
std::vector<CheckResult> run_checks(const Lab& lab, const World& world, const TraceEvents& trace);

// The failure told as a story (STYLE 8): "check X failed after these steps:", the numbered
// trace lines, what was expected and what happened, the step that failed (red when `color`),
// and how to reproduce it. `reproduce` is the command line, e.g. "tcplab run handshake --seed 1".
std::string narrate(const CheckResult& r, const std::string& reproduce, bool color);

// --- helpers shared with `tcplab step` and the grader ---

// Parses tcpdump flag letters ("S.", "FP.", "R", "[S.]", "none") into flag bits.
std::optional<std::uint8_t> parse_flag_letters(const std::string& text);

// Sequence numbers the way tcpdump shows them: relative to the ISN of each direction (the
// sequence number of the last SYN seen that way). Feed every event in trace order.
class RelativeSeq {
 public:
  void feed(const TraceEvent& e);
  // SEG.SEQ relative to the sender's ISN (0 on the SYN itself); absolute if no SYN was seen.
  std::uint32_t seq(const TraceEvent& send) const;
  // SEG.ACK relative to the receiver's ISN; nullopt when the ACK flag is off.
  std::optional<std::uint32_t> ack(const TraceEvent& send) const;
  // The FIN's relative sequence number in the direction `from>to`, if one was sent.
  std::optional<std::uint32_t> fin_seq(const std::string& direction) const;

 private:
  std::map<std::string, std::uint32_t> isn_;  // "10.0.0.1:39870>10.0.0.2:9502" -> ISN
  std::map<std::string, std::uint32_t> fin_;  // direction -> relative seq of its FIN
};

}  // namespace tcplab
