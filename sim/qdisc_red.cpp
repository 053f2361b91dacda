// RED as in Floyd and Jacobson 1993, section 4 (the "detailed algorithm"), without marking
// (tcplab has no ECN): the average on each arrival, then the drop decision.
#include "sim/qdisc_red.hpp"

#include <cmath>
#include <cstdio>

namespace tcplab {

namespace {

std::string pkts_text(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

}  // namespace

double Red::uniform() { return static_cast<double>(rng_.next() >> 11) * 0x1.0p-53; }

// avg <- (1 - w) avg + w q; after an idle period the average decays as if m packets had
// been sent meanwhile: avg <- (1 - w)^m avg (Floyd and Jacobson 1993, section 4).
void Red::update_avg(Instant now) {
  if (q_.empty() && pkt_time_ > 0 && now > idle_since_) {
    const double m = static_cast<double>(now - idle_since_) / static_cast<double>(pkt_time_);
    avg_ *= std::pow(1.0 - p_.weight, m);
  } else {
    avg_ = (1.0 - p_.weight) * avg_ + p_.weight * static_cast<double>(q_.size());
  }
}

void Red::enqueue(const QItem& it, Instant now, std::vector<QDrop>& drops) {
  update_avg(now);
  if (avg_ >= p_.max_th) {
    count_ = 0;
    drops.push_back({it, "RED: average queue " + pkts_text(avg_) + " pkts at or above max " + pkts_text(p_.max_th)});
    return;
  }
  if (avg_ >= p_.min_th) {
    ++count_;
    const double pb = p_.max_p * (avg_ - p_.min_th) / (p_.max_th - p_.min_th);
    const double spread = 1.0 - static_cast<double>(count_) * pb;
    const double pa = spread <= 0 ? 1.0 : pb / spread;
    if (uniform() < pa) {
      count_ = 0;
      char p[32];
      std::snprintf(p, sizeof p, "%.3f", pa);
      drops.push_back({it, "RED early drop (avg " + pkts_text(avg_) + " pkts, p " + p + ")"});
      return;
    }
  } else {
    count_ = -1;
  }
  if (limit_.full(q_.size(), q_.bytes(), it.bytes)) {
    drops.push_back({it, "queue full (" + limit_.str() + ")"});
    return;
  }
  q_.push(it);
}

std::optional<QItem> Red::dequeue(Instant now, std::vector<QDrop>&) {
  if (q_.empty()) return std::nullopt;
  QItem it = q_.pop();
  if (q_.empty()) idle_since_ = now;
  return it;
}

}  // namespace tcplab
