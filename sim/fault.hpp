#pragma once
// Fault rules that name segments by their stable identity (DESIGN rule 4): by id
// (`drop A>B#3`), by kind ordinal (`drop B>A FIN #1`), or by a filter over a time window
// (`drop B>A SYN-ACK from 1s to 5s`). Ids never shift when other segments are dropped,
// because they are assigned when a segment is sent, not when it is delivered.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/segment_kind.hpp"
#include "stack/time.hpp"

namespace tcplab {

// Discard: the segment reaches the receiving host (its capture sees it) and is thrown away
// before its TCP takes it, as a firewall's DROP rule on input does (nftables/iptables);
// Drop loses it on the link, before any capture at the receiver.
enum class FaultAction : std::uint8_t { Drop, Delay, Duplicate, Corrupt, Discard };

struct FaultRule {
  FaultAction action = FaultAction::Drop;
  std::string src, dst;                   // host tag or name; empty = any
  std::optional<std::uint32_t> ordinal;   // A>B#n
  // Which connection of the host pair: A>B.k (k >= 2) names the pair's k-th connection;
  // an id A>B#n (no .k) is the pair's first connection's. A rule without #n and without .k
  // (`drop B>A FIN #1`) matches every connection's.
  std::optional<std::uint32_t> pair_conn;
  std::optional<SegKind> kind;            // SYN SYN-ACK ACK DATA FIN RST; none = any
  std::optional<std::uint32_t> kind_ordinal;  // FIN #1
  bool retx_only = false;                 // "retx": only retransmissions
  Instant from_ns = 0, to_ns = kNever;    // the time window [from_ns, to_ns) it applies in
  Duration delay_ns = 0;                  // for Delay: added to the arrival time
  std::string text;                       // as written, for the trace's reason
};

// Splits a connection number off a segment id's destination: "B.2" -> "B" and 2; "B" and
// an address ("10.0.0.2") have none; "10.0.0.2.3" -> "10.0.0.2" and 3. False if the number
// is malformed (".0", ".x" after an address).
bool split_pair_conn(std::string* dst, std::optional<std::uint32_t>* k);

// Parses one rule. On error returns nullopt and sets *error to what is wrong.
std::optional<FaultRule> parse_fault(const std::string& text, std::string* error);

// Parses "10us", "250ms", "1s", "2m", "3ns". A bare number is an error (DESIGN "Durations").
std::optional<Duration> parse_duration(const std::string& text, std::string* error);
std::string format_duration(Duration d);

}  // namespace tcplab
