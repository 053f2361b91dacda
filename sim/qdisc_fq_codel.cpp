// FQ-CoDel as RFC 8290 section 4 describes it (our own code).
#include "sim/qdisc_fq_codel.hpp"

namespace tcplab {

std::uint32_t FqCodel::queue_pkts(std::uint32_t b) const {
  auto it = flows_.find(b);
  return it == flows_.end() ? 0 : it->second.q.size();
}

// RFC 8290 section 4.1: the packet joins its flow's queue; a queue that was not active goes
// to the end of the new-flows list with a full quantum of credit.
void FqCodel::enqueue(const QItem& it, Instant, std::vector<QDrop>& drops) {
  const std::uint32_t b = bucket(it.flow);
  Flow& f = flows_[b];
  f.q.push(it);
  ++pkts_;
  bytes_ += it.bytes;
  if (f.list == List::None) {
    f.list = List::New;
    f.credit = p_.quantum;
    new_flows_.push_back(b);
  }
  // Over the limit: drop from the head of the queue with the most bytes (RFC 8290 section
  // 4.1; Linux drops a batch of up to 64 from it, we drop one per packet over).
  if (limit_.bytes != 0 ? bytes_ > limit_.bytes : pkts_ > limit_.pkts) drop_from_fattest(drops);
}

void FqCodel::drop_from_fattest(std::vector<QDrop>& drops) {
  std::uint32_t fat = 0;
  std::uint64_t most = 0;
  for (const auto& [b, f] : flows_) {
    if (f.q.bytes() > most) {
      most = f.q.bytes();
      fat = b;
    }
  }
  if (most == 0) return;
  Flow& f = flows_[fat];
  const QItem it = f.q.pop();
  --pkts_;
  bytes_ -= it.bytes;
  drops.push_back({it, "fq_codel: queue full (" + limit_.str() + "): dropped from the fattest flow (queue " +
                           std::to_string(fat) + ", " + std::to_string(most) + " bytes)"});
}

// RFC 8290 section 4.2: new flows first; a flow out of credit gets another quantum and goes
// to the end of the old list; an empty new flow moves to the old list (so that it cannot
// come back as new at once and starve the old ones), an empty old flow leaves the lists.
std::optional<QItem> FqCodel::dequeue(Instant now, std::vector<QDrop>& drops) {
  for (;;) {
    std::deque<std::uint32_t>* list = !new_flows_.empty() ? &new_flows_ : !old_flows_.empty() ? &old_flows_ : nullptr;
    if (!list) return std::nullopt;
    const std::uint32_t b = list->front();
    Flow& f = flows_[b];
    if (f.credit <= 0) {
      f.credit += p_.quantum;
      list->pop_front();
      old_flows_.push_back(b);
      f.list = List::Old;
      continue;
    }
    const std::uint32_t before = f.q.size();
    const std::uint64_t before_bytes = f.q.bytes();
    std::optional<QItem> it = f.codel.dequeue(f.q, now, p_.codel, bytes_ - before_bytes, "fq_codel: CoDel", drops);
    pkts_ -= before - f.q.size();
    bytes_ -= before_bytes - f.q.bytes();
    if (!it) {
      list->pop_front();
      if (list == &new_flows_ && !old_flows_.empty()) {
        old_flows_.push_back(b);
        f.list = List::Old;
      } else {
        f.list = List::None;
      }
      continue;
    }
    f.credit -= it->bytes;
    return it;
  }
}

}  // namespace tcplab
