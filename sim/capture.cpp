#include "sim/capture.hpp"

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tcplab {
std::string reversed_pair(const std::string& conn) {
  const auto gt = conn.find('>');
  if (gt == std::string::npos) return conn;
  return conn.substr(gt + 1) + ">" + conn.substr(0, gt);
}

void for_each_captured(const TraceEvents& trace, std::size_t hosts, int capture,
                       const std::function<void(const CapturedFrame&)>& frame) {
  std::vector<std::uint16_t> ip_id(hosts, 0);
  // Segments on their way, by connection (as the sender labels it) and id (ids repeat
  // across connections), oldest first; the last one that reached the capture host, for a
  // duplicate's second copy.
  struct Copy {
    std::size_t send = 0;
    std::uint16_t ip_id = 0;
    int sender = -1;
  };
  struct InFlight {
    std::deque<Copy> pending;
    std::optional<Copy> last;
  };
  std::map<std::string, InFlight> flight;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const TraceEvent& e = trace[i];
    if (e.type == TraceType::Send) {
      const auto id = static_cast<std::uint16_t>(e.host >= 0 ? ++ip_id[static_cast<std::size_t>(e.host)] : 0);
      if (capture == kCaptureLink || e.host == capture) frame({e.t_ns, i, i, id, false, false});
      else flight[e.conn + "|" + e.id].pending.push_back({i, id, e.host});
      continue;
    }
    if (capture == kCaptureLink || (e.type != TraceType::Drop && e.type != TraceType::Deliver)) continue;
    // A delivery is labelled from the receiver's side, a drop from the sender's.
    auto it = flight.find((e.type == TraceType::Deliver ? reversed_pair(e.conn) : e.conn.str()) + "|" + e.id);
    if (it == flight.end()) continue;
    InFlight& f = it->second;
    if (e.type == TraceType::Deliver) {
      bool copy = false;
      if (!f.pending.empty()) {
        if (e.host == capture) f.last = f.pending.front();
        f.pending.pop_front();
      } else if (e.host != capture) {
        continue;
      } else {
        copy = true;
      }
      if (e.host == capture && f.last) frame({e.t_ns, f.last->send, i, f.last->ip_id, true, copy});
      continue;
    }
    // A drop: by the sender's fault rules, link or queue, or at the receiver before its
    // stack (host down, corrupted); a drop after delivery (no listener, listen queue full)
    // was captured already.
    if (f.pending.empty()) continue;
    // Discarded by the receiver's firewall (a `discard` fault rule): its capture saw it arrive.
    if (e.where == "firewall" && e.host != f.pending.front().sender) {
      if (e.host == capture) frame({e.t_ns, f.pending.front().send, i, f.pending.front().ip_id, true, false});
      f.pending.pop_front();
      continue;
    }
    const bool before_arrival = e.host == f.pending.front().sender || e.where == "link" || e.where == "checksum";
    if (before_arrival) f.pending.pop_front();
  }
}

}  // namespace tcplab
