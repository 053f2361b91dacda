#pragma once
// Drop-tail (pfifo / bfifo): first in, first out; a packet that finds the queue at its limit
// (in packets or in bytes) is dropped.
#include <optional>

#include "sim/qdisc_fifo.hpp"

namespace tcplab {

class DropTail {
 public:
  DropTail() = default;
  explicit DropTail(QueueLimit limit) : limit_(limit) {}
  void enqueue(const QItem& it, Instant now, std::vector<QDrop>& drops);
  std::optional<QItem> dequeue(Instant now, std::vector<QDrop>& drops);
  std::uint32_t pkts() const { return q_.size(); }
  std::uint64_t bytes() const { return q_.bytes(); }
  const QueueLimit& limit() const { return limit_; }

 private:
  QueueLimit limit_;
  Fifo q_;
};

}  // namespace tcplab
