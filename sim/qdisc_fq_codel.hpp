#pragma once
// FQ-CoDel (RFC 8290): packets are hashed by their 4-tuple into `flows` queues, each run by
// its own CoDel (sim/qdisc_codel.hpp); a deficit round robin with `quantum` bytes serves
// them, new flows (a queue that just became active) before old ones, so a sparse flow such
// as ping or a DNS query skips the bulk flows' queues. When the whole qdisc is over its
// limit, the head of the fattest flow's queue is dropped.
#include <map>
#include <optional>

#include "sim/qdisc_codel.hpp"

namespace tcplab {

// Linux's defaults (tc-fq_codel(8)); no ECN in tcplab.
struct FqCodelParams {
  std::uint32_t flows = 1024;
  std::uint32_t quantum = 1514;
  CoDelParams codel;
};

class FqCodel {
 public:
  FqCodel() = default;
  FqCodel(QueueLimit limit, FqCodelParams p) : limit_(limit), p_(p) {}
  void enqueue(const QItem& it, Instant now, std::vector<QDrop>& drops);
  std::optional<QItem> dequeue(Instant now, std::vector<QDrop>& drops);
  std::uint32_t pkts() const { return pkts_; }
  std::uint64_t bytes() const { return bytes_; }
  // The queue a flow hash lands in (RFC 8290 section 4.1.1: hash, then modulo).
  std::uint32_t bucket(std::uint32_t flow_hash) const { return flow_hash % p_.flows; }
  std::uint32_t queue_pkts(std::uint32_t bucket) const;

 private:
  enum class List : std::uint8_t { None, New, Old };
  struct Flow {
    Fifo q;
    CoDelState codel;
    std::int64_t credit = 0;  // DRR deficit, bytes
    List list = List::None;
  };
  void drop_from_fattest(std::vector<QDrop>& drops);

  QueueLimit limit_ = QueueLimit::packets(10240);
  FqCodelParams p_;
  // Only the buckets that have had packets: copying a world copies what it uses. Ordered:
  // the fattest-flow search is deterministic (ties go to the lowest bucket).
  std::map<std::uint32_t, Flow> flows_;
  std::deque<std::uint32_t> new_flows_, old_flows_;  // RFC 8290 section 4.2's two lists
  std::uint32_t pkts_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace tcplab
