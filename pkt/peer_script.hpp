#pragma once
// A scripted peer inside a lab's world (issue 15): a host that plays a packetdrill-format
// script's packet lines instead of running a TCP stack. Sans-IO like the stack: the world
// asks what comes next, hands it the segments addressed to it, and records what it says.
// Only packet lines: the stack under test is another host of the lab, whose [[app]] makes
// the socket calls (the lab reader refuses system-call and sysctl lines here).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pkt/peer.hpp"
#include "pkt/script.hpp"
#include "stack/time.hpp"

namespace tcplab::pkt {

class PeerScript {
 public:
  PeerScript() = default;
  // `start`: lab time at which the script's time 0 is. Without `check_arrivals` the script
  // only sends: its '>' lines are skipped, and what arrives is learnt from (the stack's ISN
  // from its SYN), never checked.
  PeerScript(std::shared_ptr<const Script> script, Endpoint self, Endpoint stack, Instant start,
             bool check_arrivals = true);

  // What the script waits for next.
  enum class Wait : std::uint8_t { Send, Expect, Done };
  // Send: the next '<' line is due at `at`. Expect: a '>' line must arrive by `at` (its
  // window's end plus the tolerance). Done: nothing more.
  std::pair<Wait, Instant> next() const;
  // The due '<' line's segment (call when next() is Send and its time has come); `line`
  // is set to the script line it came from, `text` (if given) to the segment in the
  // script's own terms ("R 1:1(0) win 65535").
  Segment send(Instant now, int* line, std::string* text = nullptr);
  // A segment from the stack arrived. Returns "" or what is wrong with it; either way the
  // '>' line it was checked against is consumed. A segment when no '>' line is next is
  // unexpected ("line N: the script expects nothing now...").
  std::string arrived(Instant now, const Segment& seg, int* line);
  // The '>' line's deadline passed with nothing arriving: consumes it, says what was missed.
  std::string expired(Instant now, int* line);

  const Endpoint& self() const { return self_; }
  bool checks_arrivals() const { return check_arrivals_; }
  std::size_t mismatches() const { return mismatches_; }
  bool finished() const { return !script_ || pc_ >= script_->events.size(); }
  // A stack's segment in the script's relative numbers ("S. 0:0(0) ack 1 win 65535 <mss 1460>").
  std::string describe(const Segment& seg) const { return peer_.describe(seg); }
  // "7 lines, every expected segment matched" / "7 lines, 2 mismatches" / "7 lines sent, arrivals
  // not checked" (check_arrivals false)
  std::string summary() const;

 private:
  std::pair<Instant, Instant> window(const Event& ev) const;

  std::shared_ptr<const Script> script_;
  Endpoint self_;
  Peer peer_{Endpoint{}, Endpoint{}};
  Instant start_ = 0, prev_ = 0;
  std::size_t pc_ = 0;
  std::size_t mismatches_ = 0;
  Duration tol_ = ms(4);
  bool check_arrivals_ = true;
};

// Throws PktError if the script has lines a lab peer cannot play (system calls, sysctls).
void check_peer_script(const Script& s);

}  // namespace tcplab::pkt
