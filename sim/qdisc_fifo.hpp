#pragma once
// What every queue discipline (sim/qdisc.hpp) is built from: an item waiting in a queue
// (a packet's slot in the world, its size, when it was enqueued and its flow), a drop with
// the reason the trace shows, a limit in packets or bytes, and a plain FIFO that keeps its
// byte count. Plain values: the world is copied for checkpoints (DESIGN rule 3).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "stack/time.hpp"

namespace tcplab {

struct QItem {
  std::uint32_t slot = 0;   // the packet's slot in the world (never a pointer)
  std::uint32_t bytes = 0;  // its size on the wire (IP header and up)
  Instant enq_t = 0;        // when it entered the queue (CoDel's sojourn time starts here)
  std::uint32_t flow = 0;   // flow_hash() of its 4-tuple (FQ-CoDel's classifier)
};

struct QDrop {
  QItem item;
  std::string reason;  // "queue full (100 packets)", "RED early drop (avg 9.3 pkts)", ...
};

// A queue's limit: in packets, or in bytes (exactly one is non-zero).
struct QueueLimit {
  std::uint32_t pkts = 1000;  // Linux's default txqueuelen (pfifo, codel)
  std::uint64_t bytes = 0;
  static QueueLimit packets(std::uint32_t n) { return {n, 0}; }
  static QueueLimit of_bytes(std::uint64_t n) { return {0, n}; }
  // Would one more packet of `add` bytes go over the limit, with `pkts`/`bytes` waiting?
  bool full(std::uint32_t pkts_now, std::uint64_t bytes_now, std::uint32_t add) const {
    return bytes != 0 ? bytes_now + add > bytes : pkts_now >= pkts;
  }
  std::string str() const;  // "100 packets" / "64000 bytes"
};

class Fifo {
 public:
  void push(const QItem& it) {
    items_.push_back(it);
    bytes_ += it.bytes;
  }
  QItem pop() {
    QItem it = items_.front();
    items_.pop_front();
    bytes_ -= it.bytes;
    return it;
  }
  const QItem& front() const { return items_.front(); }
  bool empty() const { return items_.empty(); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(items_.size()); }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::deque<QItem> items_;
  std::uint64_t bytes_ = 0;
};

// Milliseconds with one decimal, for drop reasons: "23.1 ms".
std::string ms_text(Duration d);

}  // namespace tcplab
