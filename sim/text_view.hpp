#pragma once
// The trace as tcpdump would print it (the reference article's capture format): absolute
// sequence numbers on SYNs, relative after, `Flags [S.]`, `options [...]`, `length N`.
// Relative numbers follow tcpdump 4.99's rule (print-tcp.c), not a per-connection one: only
// segments with ACK are made relative; the first ACK-bearing segment of a conversation (its
// address/port pair, both ways) and every SYN-ACK print absolute numbers and set the bases
// (this side's base = SEG.SEQ, the other's = SEG.ACK - 1); a bare SYN or RST prints absolute
// and changes nothing.
// State changes, drops and application calls are interleaved on lines of their own, marked
// so they cannot be mistaken for packets.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/trace.hpp"

namespace tcplab {

struct TextViewOptions {
  bool states = true;   // "**" lines
  bool drops = true;    // "XX" lines
  bool apps = true;     // ".." lines
  bool timers = false;  // "~~" lines (noisy)
  bool causes = true;   // the rule behind each state change
  bool absolute = false;  // tcpdump -S
};

class TextView {
 public:
  TextView(std::vector<std::string> host_names, TextViewOptions opt = {})
      : names_(std::move(host_names)), opt_(opt) {}
  // The line for one event, or "" when it is not shown. Feed events in trace order.
  std::string line(const TraceEvent& e);
  std::string render(const TraceEvents& events);

  static std::string clock(Instant t);          // "00:00:01.000250"
  static std::string tcpdump_ip(const Endpoint& e);  // "10.0.0.1.39870"
  // Addresses that are keys rather than IPv4 values (an imported capture's IPv6 addresses,
  // import/address_book.hpp): their text; a text with ':' prints as tcpdump's "IP6 a.p > b.p".
  void set_address_text(std::function<std::string(Ipv4)> text) { address_text_ = std::move(text); }
  // Hosts named while the events are read (an imported capture meets them as it goes).
  void set_host_text(std::function<std::string(int)> text) { host_text_ = std::move(text); }

 private:
  std::string packet(const TraceEvent& e);
  std::string endpoint_text(const Endpoint& e) const;
  std::vector<std::string> names_;
  std::function<std::string(Ipv4)> address_text_;
  std::function<std::string(int)> host_text_;
  TextViewOptions opt_;
  // tcpdump's tcp_seq_hash: per conversation (the lower endpoint first), each side's base.
  struct Bases {
    std::uint32_t lower = 0, upper = 0;  // the lower / upper endpoint's sequence space
  };
  std::map<std::pair<Endpoint, Endpoint>, Bases> bases_;
};

// Reads tcpdump's flag letters back ("S.", "FP.", "R", "[S.]", "none") into flag bits, as
// students and lab files write them; nullopt for an unknown or repeated letter.
std::optional<std::uint8_t> parse_flag_letters(const std::string& text);

}  // namespace tcplab
