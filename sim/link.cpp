#include "sim/link.hpp"

namespace tcplab {

Duration LinkDir::serialization(std::uint32_t bytes) const {
  if (p_.rate_bps == 0) return 0;
  return static_cast<Duration>((static_cast<std::uint64_t>(bytes) * 8 * 1'000'000'000ULL) / p_.rate_bps);
}

// Waiting packets: the one being sent (the head) does not count, as for a bottleneck's queue.
QueueSample LinkDir::sample(Instant t) const {
  QueueSample s;
  s.t = t;
  if (!departures_.empty()) {
    s.pkts = static_cast<std::uint32_t>(departures_.size() - 1);
    s.bytes = static_cast<std::uint32_t>(queued_bytes_ - departures_.front().bytes);
  }
  s.drops = c_.queue_drops;
  return s;
}

std::uint32_t LinkDir::queue_len(Instant now, std::vector<QueueSample>* trail) {
  while (!departures_.empty() && departures_.front().at <= now) {
    const Instant left = departures_.front().at;
    queued_bytes_ -= departures_.front().bytes;
    departures_.pop_front();
    if (trail) trail->push_back(sample(left));
  }
  return static_cast<std::uint32_t>(departures_.size());
}

Fate LinkDir::offer(Instant now, std::uint32_t bytes, std::vector<QueueSample>* trail) {
  Fate f;
  ++c_.sent;
  for (const auto& [from, to] : p_.down) {
    if (now >= from && now < to) {
      ++c_.down_drops;
      f.kind = Fate::Kind::Down;
      return f;
    }
  }
  // Drop-tail: a packet that finds the queue full is dropped before it is sent.
  if (queue_len(now, trail) >= p_.queue_pkts_max) {
    ++c_.queue_drops;
    f.kind = Fate::Kind::QueueFull;
    if (trail) trail->push_back(sample(now));
    return f;
  }
  const Instant start = busy_until_ > now ? busy_until_ : now;
  busy_until_ = start + serialization(bytes);
  if (p_.rate_bps != 0) {
    departures_.push_back({busy_until_, bytes});
    queued_bytes_ += bytes;
    if (trail) trail->push_back(sample(now));
  }
  // Loss happens on the wire, after the packet used its transmission slot.
  bool lost = rng_.chance(p_.loss);
  if (p_.burst.enabled()) {
    ge_bad_ = ge_bad_ ? !rng_.chance(p_.burst.bad_to_good) : rng_.chance(p_.burst.good_to_bad);
    lost = lost || rng_.chance(ge_bad_ ? p_.burst.loss_bad : p_.burst.loss_good);
  }
  if (lost) {
    ++c_.lost;
    f.kind = Fate::Kind::Lost;
    return f;
  }
  Duration extra = p_.jitter_ns > 0 ? static_cast<Duration>(rng_.below(static_cast<std::uint64_t>(p_.jitter_ns) + 1)) : 0;
  if (rng_.chance(p_.reorder)) {
    f.reordered = true;
    extra += p_.reorder_extra_ns;
    ++c_.reordered;
  }
  f.arrive_at = busy_until_ + p_.delay_ns + extra;
  if (rng_.chance(p_.corrupt)) {
    f.corrupted = true;
    ++c_.corrupted;
  }
  if (rng_.chance(p_.duplicate)) {
    f.duplicate = true;
    f.duplicate_at = f.arrive_at + 1;
    ++c_.duplicated;
  }
  ++c_.delivered;
  return f;
}

}  // namespace tcplab
