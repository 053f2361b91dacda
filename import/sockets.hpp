#pragma once
// What netstat, ss -s, sar -n SOCK and lsof would have printed on each host of a capture at a
// moment: the sockets rebuilt from the inferred trace (state changes, and the segments for the
// queues), in sim/views.hpp's rows so the same tables print them. What a capture cannot show:
// Recv-Q (when the application read) is 0; Send-Q counts what was sent and not acknowledged
// (data not yet sent is invisible); a listener appears with its first passive open; which
// sockets a process still holds (lsof) is guessed from the state (no descriptor once its FIN
// went: FIN_WAIT_*, CLOSING, LAST_ACK, TIME_WAIT; none for a listener's SYN_RECV child).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/views.hpp"

namespace tcplab::capture {

class CaptureSockets {
 public:
  // Feed the trace in order. A `send` counts for its sender and its receiver at once (the
  // capture's time); a trace that places its arrival later gives the two halves apart:
  void event(const TraceEvent& e);
  void sent(const TraceEvent& send);     // the sender's Send-Q grows
  void arrived(const TraceEvent& send);  // the receiver learns the ACK it carries
  // The rows of one host (by index), netstat's order: listeners by port, then connections as they appeared.
  std::vector<SocketRow> rows(int host) const;
  SockStats stats(int host) const;
  std::vector<LsofRow> lsof(int host, const std::string& host_name, std::uint16_t port) const;
  // The trace's label of a connection row (rows()' conn), "" if none.
  std::string label(int host, ConnId row) const;
  // Hosts that had a socket, in index order.
  std::vector<int> hosts() const;

 private:
  struct Sock {
    int host = -1;
    std::uint64_t order = 0;
    State state = State::Closed;
    bool passive = false;
    Endpoint local, remote;
    std::uint32_t snd_nxt = 0, snd_una = 0;
    bool sent = false, acked = false;
  };
  std::map<std::pair<int, std::string>, Sock> socks_;           // (host, conn) -> socket
  std::map<std::pair<int, std::uint16_t>, std::uint64_t> listeners_;  // (host, port) -> order
  std::map<std::string, int> host_of_local_;                    // conn label -> host (for the peer's ACKs)
  std::uint64_t next_ = 0;
};

}  // namespace tcplab::capture
