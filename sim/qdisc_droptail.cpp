#include "sim/qdisc_droptail.hpp"

#include <cstdio>

namespace tcplab {

std::string QueueLimit::str() const {
  return bytes != 0 ? std::to_string(bytes) + " bytes" : std::to_string(pkts) + (pkts == 1 ? " packet" : " packets");
}

std::string ms_text(Duration d) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", static_cast<double>(d) / 1e6);
  return b;
}

void DropTail::enqueue(const QItem& it, Instant, std::vector<QDrop>& drops) {
  if (limit_.full(q_.size(), q_.bytes(), it.bytes)) {
    drops.push_back({it, "queue full (" + limit_.str() + ")"});
    return;
  }
  q_.push(it);
}

std::optional<QItem> DropTail::dequeue(Instant, std::vector<QDrop>&) {
  if (q_.empty()) return std::nullopt;
  return q_.pop();
}

}  // namespace tcplab
