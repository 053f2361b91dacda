#pragma once
// A shared bottleneck (a dumbbell): hosts on its left and right each reach it over their own
// access link, and every packet between a left host and a right host crosses its queue. Each
// direction has its own queue discipline (sim/qdisc.hpp), served at the bottleneck's rate;
// unlike LinkDir, which decides a packet's fate when it is offered, the queue runs on events:
// a packet is enqueued when it reaches the bottleneck and leaves when the one before it has
// been sent, so CoDel's sojourn times and FQ-CoDel's round robin see the real order.
#include <map>
#include <string>
#include <vector>

#include "sim/link.hpp"
#include "sim/qdisc.hpp"

namespace tcplab {

// A host's own link to the bottleneck, the same both ways: a delay and an optional rate.
struct AccessLink {
  Duration delay_ns = 0;
  std::uint64_t rate_bps = 0;  // 0: no serialization on the access link
};

struct BottleneckSpec {
  std::string name = "bottleneck";
  std::vector<std::string> left, right;  // host names (or tags, or addresses)
  std::uint64_t rate_bps = 0;
  Duration delay_ns = 0;                 // one-way propagation of the bottleneck link
  QdiscConfig qdisc;                     // both directions get one of this kind
  std::map<std::string, AccessLink> access;  // by host name; hosts not named have none
};

struct BottleneckCounters {
  std::uint64_t enqueued = 0, sent = 0, drops = 0;
};

// One direction of a bottleneck: its queue and the packet on the wire.
struct BottleneckDir {
  std::string name;  // "bn s>r" (left to right) or "bn r>s"
  std::uint64_t rate_bps = 0;
  Duration delay_ns = 0;
  Qdisc q;
  bool busy = false;  // a packet is being sent: `tx`
  QItem tx;
  BottleneckCounters c;
  Duration serialization(std::uint32_t bytes) const {
    return rate_bps ? static_cast<Duration>(static_cast<std::uint64_t>(bytes) * 8 * 1'000'000'000ULL / rate_bps) : 0;
  }
};

// Where a host sits: behind which bottleneck (-1: none), on which side, and its access link
// each way (up: towards the bottleneck, down: from it).
struct HostAccess {
  int bottleneck = -1;
  bool left = false;
  LinkDir up, down;
};

}  // namespace tcplab
