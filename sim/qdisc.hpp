#pragma once
// A bottleneck's queue discipline: drop-tail, RED, CoDel or FQ-CoDel, one value type each
// (sim/qdisc_*.hpp) held in a variant, so that a world with queues copies like any other
// (DESIGN rule 3). enqueue() and dequeue() append what they drop, with the reason, to
// `drops`; the world traces and counts them.
#include <optional>
#include <string>
#include <variant>

#include "sim/qdisc_codel.hpp"
#include "sim/qdisc_droptail.hpp"
#include "sim/qdisc_fq_codel.hpp"
#include "sim/qdisc_red.hpp"
#include "stack/segment.hpp"

namespace tcplab {

enum class QdiscKind : std::uint8_t { DropTail, Red, CoDel, FqCodel };
std::string_view qdisc_name(QdiscKind k);  // "drop-tail", "red", "codel", "fq_codel"

struct QdiscConfig {
  QdiscKind kind = QdiscKind::DropTail;
  // Packets or bytes. Unset: the discipline's Linux default (1000 packets; fq_codel 10240).
  std::optional<QueueLimit> limit;
  RedParams red;
  CoDelParams codel;
  FqCodelParams fq_codel;
};

class Qdisc {
 public:
  Qdisc() = default;
  // `rate_bps` is the link's (RED decays its average by the time a full packet takes).
  Qdisc(const QdiscConfig& c, std::uint64_t rate_bps, Rng rng);
  void enqueue(const QItem& it, Instant now, std::vector<QDrop>& drops) {
    std::visit([&](auto& q) { q.enqueue(it, now, drops); }, q_);
  }
  std::optional<QItem> dequeue(Instant now, std::vector<QDrop>& drops) {
    return std::visit([&](auto& q) { return q.dequeue(now, drops); }, q_);
  }
  std::uint32_t pkts() const { return std::visit([](const auto& q) { return q.pkts(); }, q_); }
  std::uint64_t bytes() const { return std::visit([](const auto& q) { return q.bytes(); }, q_); }
  QdiscKind kind() const { return static_cast<QdiscKind>(q_.index()); }
  template <class T>
  const T* as() const { return std::get_if<T>(&q_); }

 private:
  std::variant<DropTail, Red, CoDel, FqCodel> q_;  // in QdiscKind's order
};

// Our own fixed hash of a packet's 5-tuple (FQ-CoDel's classifier): the same packets land in
// the same queues in every run, unlike Linux's, which is perturbed by a random key.
std::uint32_t flow_hash(Endpoint src, Endpoint dst, std::uint8_t protocol);

}  // namespace tcplab
