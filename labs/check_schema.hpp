#pragma once
// The [[check]] schema: every kind with its keys and how each value is written, validated
// once at load time and read into a typed Check (labs/check.hpp).
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
//   congestion    measure, from, to, conn, link, start, end, at, stat, phase, expect | min | max
//                 (bounds in the measure's unit: bytes, a rate, a duration, a count, an index)
#include <optional>
#include <string>
#include <vector>

#include "labs/check.hpp"
#include "labs/lab.hpp"

namespace tcplab {

// Validates a check's kind and arguments and reads them into their types. On a bad check
// returns nullopt with the message in *error, and *bad_key names the offending key ("" for
// the whole check) so that the loader can point at it.
std::optional<Check> parse_check(const CheckSpec& c, std::string* error, std::string* bad_key);

// Every check kind with its keys ("states: host conn expect mode name"), for --help and
// the grader.
std::vector<std::string> check_kinds();

}  // namespace tcplab
