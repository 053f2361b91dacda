#pragma once
// CoDel (RFC 8289): controls the time packets spend in the queue, not its length. Each
// packet is stamped when it is enqueued; at dequeue its sojourn time is compared with
// `target`. Once it has stayed above target for a whole `interval`, CoDel enters the
// dropping state and drops at dequeue, the next drop interval/sqrt(count) after the last
// (the control law, RFC 8289 section 3.3), until the sojourn time falls below target.
//
// CoDelState is the algorithm over any FIFO (FQ-CoDel runs one per flow queue); CoDel is
// the single-queue discipline (Linux's `codel` qdisc) with a tail-drop limit.
#include <optional>

#include "sim/qdisc_fifo.hpp"

namespace tcplab {

// Linux's defaults (tc-codel(8)): target 5 ms, interval 100 ms; `mtu` is the backlog below
// which CoDel never drops (RFC 8289 section 5.3 "maxpacket"; Linux uses the device MTU).
struct CoDelParams {
  Duration target = ms(5);
  Duration interval = ms(100);
  std::uint32_t mtu = 1514;
};

class CoDelState {
 public:
  // RFC 8289 section 5.4 dequeue(): the packet to send, or none; the packets it dropped on
  // the way are appended to `drops` with `who` ("CoDel", "fq_codel") before the reason.
  // `other_bytes`: bytes queued elsewhere in the same qdisc, added to q's for the
  // "backlog <= maxpacket" test (FQ-CoDel passes the other flows', as Linux does).
  std::optional<QItem> dequeue(Fifo& q, Instant now, const CoDelParams& p, std::uint64_t other_bytes,
                               const char* who, std::vector<QDrop>& drops);
  bool dropping() const { return dropping_; }
  std::uint32_t count() const { return count_; }
  Instant drop_next() const { return drop_next_; }

 private:
  struct Head {
    std::optional<QItem> item;
    bool ok_to_drop = false;
    Duration sojourn = 0;
  };
  Head dodequeue(Fifo& q, Instant now, const CoDelParams& p, std::uint64_t other_bytes);
  static Instant control_law(Instant t, Duration interval, std::uint32_t count);

  // RFC 8289 section 5.2's state variables. first_above_time_ = 0 means "not above target"
  // (as in the RFC: a real deadline is now + interval, never 0).
  Instant first_above_time_ = 0;
  Instant drop_next_ = 0;
  std::uint32_t count_ = 0;
  std::uint32_t lastcount_ = 0;
  bool dropping_ = false;
};

class CoDel {
 public:
  CoDel() = default;
  CoDel(QueueLimit limit, CoDelParams p) : limit_(limit), p_(p) {}
  void enqueue(const QItem& it, Instant now, std::vector<QDrop>& drops);
  std::optional<QItem> dequeue(Instant now, std::vector<QDrop>& drops);
  std::uint32_t pkts() const { return q_.size(); }
  std::uint64_t bytes() const { return q_.bytes(); }
  const CoDelState& state() const { return st_; }

 private:
  QueueLimit limit_;
  CoDelParams p_;
  Fifo q_;
  CoDelState st_;
};

}  // namespace tcplab
