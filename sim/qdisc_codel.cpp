// CoDel as RFC 8289 section 5 gives it in pseudocode (our own code, same semantics).
#include "sim/qdisc_codel.hpp"

#include <cmath>

namespace tcplab {

namespace {

std::string dropping_reason(const char* who, Duration sojourn, const CoDelParams& p, std::uint32_t count,
                            Duration spacing) {
  return std::string(who) + ": sojourn " + ms_text(sojourn) + " above " + ms_text(p.target) + ", drop #" +
         std::to_string(count) + " of this dropping state (the next " + ms_text(p.interval) + "/sqrt(" +
         std::to_string(count) + ") = " + ms_text(spacing) + " later)";
}

}  // namespace

// RFC 8289 section 3.3: the next drop is interval/sqrt(count) after t.
Instant CoDelState::control_law(Instant t, Duration interval, std::uint32_t count) {
  return t + static_cast<Duration>(static_cast<double>(interval) / std::sqrt(static_cast<double>(count)));
}

// RFC 8289 section 5.3 dodequeue(): takes the head packet and says whether the sojourn time
// has been above target for at least an interval (ok_to_drop).
CoDelState::Head CoDelState::dodequeue(Fifo& q, Instant now, const CoDelParams& p, std::uint64_t other_bytes) {
  Head r;
  if (q.empty()) {
    first_above_time_ = 0;  // an empty queue is not above target
    return r;
  }
  r.item = q.pop();
  r.sojourn = now - r.item->enq_t;
  // Below target, or less than a packet left to send (a queue that small cannot be cut
  // further without idling the link): the clock restarts.
  if (r.sojourn < p.target || q.bytes() + other_bytes <= p.mtu) {
    first_above_time_ = 0;
  } else if (first_above_time_ == 0) {
    first_above_time_ = now + p.interval;  // just went above: ok to drop if still above then
  } else if (now >= first_above_time_) {
    r.ok_to_drop = true;
  }
  return r;
}

// RFC 8289 section 5.4 dequeue().
std::optional<QItem> CoDelState::dequeue(Fifo& q, Instant now, const CoDelParams& p, std::uint64_t other_bytes,
                                         const char* who, std::vector<QDrop>& drops) {
  Head r = dodequeue(q, now, p, other_bytes);
  if (dropping_) {
    if (!r.ok_to_drop) dropping_ = false;  // sojourn below target: leave the dropping state
    // One drop per control-law interval; a large backlog may make several due at once.
    while (dropping_ && now >= drop_next_) {
      ++count_;
      const Instant next = control_law(drop_next_, p.interval, count_);
      drops.push_back({*r.item, dropping_reason(who, r.sojourn, p, count_, next - drop_next_)});
      r = dodequeue(q, now, p, other_bytes);
      if (!r.ok_to_drop) dropping_ = false;
      else drop_next_ = next;
    }
  } else if (r.ok_to_drop) {
    // Above target for a whole interval: drop this packet and enter the dropping state.
    const QItem dropped = *r.item;
    const Duration sojourn = r.sojourn;
    r = dodequeue(q, now, p, other_bytes);
    dropping_ = true;
    // If the last dropping state ended recently, start from the drop rate that controlled
    // the queue then (RFC 8289 section 5.4, "the Linux version").
    const std::uint32_t delta = count_ - lastcount_;
    count_ = 1;
    if (delta > 1 && now - drop_next_ < 16 * p.interval) count_ = delta;
    drop_next_ = control_law(now, p.interval, count_);
    lastcount_ = count_;
    drops.push_back({dropped, std::string(who) + ": sojourn " + ms_text(sojourn) + " above " + ms_text(p.target) +
                                  " for " + ms_text(p.interval) + ": enters the dropping state (count " +
                                  std::to_string(count_) + ", next drop in " + ms_text(drop_next_ - now) + ")"});
  }
  return r.item;
}

void CoDel::enqueue(const QItem& it, Instant, std::vector<QDrop>& drops) {
  if (limit_.full(q_.size(), q_.bytes(), it.bytes)) {
    drops.push_back({it, "queue full (" + limit_.str() + ")"});
    return;
  }
  q_.push(it);
}

std::optional<QItem> CoDel::dequeue(Instant now, std::vector<QDrop>& drops) {
  return st_.dequeue(q_, now, p_, 0, "CoDel", drops);
}

}  // namespace tcplab
