#pragma once
// RED, Random Early Detection (Floyd and Jacobson, "Random Early Detection Gateways for
// Congestion Avoidance", 1993; RFC 2309 recommends it, RFC 7567 section 4.2 keeps AQM's
// case). An exponentially weighted average of the queue length decides: below `min_th`
// nothing is dropped, at or above `max_th` every arrival is, and in between an arrival is
// dropped with a probability that grows linearly to `max_p` and with the packets accepted
// since the last drop (the count-based spacing: pa = pb / (1 - count * pb)). The queue's
// own limit still drops what does not fit.
#include <optional>

#include "sim/qdisc_fifo.hpp"
#include "sim/rng.hpp"

namespace tcplab {

// Thresholds in packets. Defaults as ns-3's RedQueueDisc (MinTh 5, MaxTh 15, QW 0.002,
// LInterm 50, i.e. max_p 1/50) and tc-red(8)'s default probability 0.02.
struct RedParams {
  double min_th = 5, max_th = 15;
  double max_p = 0.02;
  double weight = 0.002;
};

class Red {
 public:
  Red() = default;
  // `pkt_time`: how long the link takes to send a full-sized packet (how the average
  // decays while the queue is idle).
  Red(QueueLimit limit, RedParams p, Duration pkt_time, Rng rng) : limit_(limit), p_(p), pkt_time_(pkt_time), rng_(rng) {}
  void enqueue(const QItem& it, Instant now, std::vector<QDrop>& drops);
  std::optional<QItem> dequeue(Instant now, std::vector<QDrop>& drops);
  std::uint32_t pkts() const { return q_.size(); }
  std::uint64_t bytes() const { return q_.bytes(); }
  double avg() const { return avg_; }

 private:
  void update_avg(Instant now);
  double uniform();  // in [0, 1), from the queue's own generator

  QueueLimit limit_;
  RedParams p_;
  Duration pkt_time_ = 0;
  Rng rng_;
  Fifo q_;
  double avg_ = 0;
  int count_ = -1;          // packets since the last drop while avg was between the thresholds
  Instant idle_since_ = 0;  // when the queue last became empty
};

}  // namespace tcplab
