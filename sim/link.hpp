#pragma once
// One direction of a link: propagation delay with jitter, a rate (serialization time), a
// drop-tail queue, and impairments (Bernoulli and Gilbert-Elliott loss, duplication,
// reordering, corruption, down intervals). It decides a packet's fate; the world moves it.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sim/rng.hpp"
#include "sim/series.hpp"
#include "stack/time.hpp"

namespace tcplab {

struct GilbertElliott {
  Ratio good_to_bad, bad_to_good;  // per-packet transition chances
  Ratio loss_good, loss_bad{1, 1};  // loss chance in each state
  bool enabled() const { return !good_to_bad.zero(); }
};

struct LinkParams {
  Duration delay_ns = 0;
  Duration jitter_ns = 0;          // uniform extra delay in [0, jitter]
  std::uint64_t rate_bps = 0;      // 0 = infinitely fast
  std::uint32_t queue_pkts_max = 1000;
  Ratio loss, duplicate, reorder, corrupt;
  Duration reorder_extra_ns = ms(1);  // a reordered packet is held back this much more
  GilbertElliott burst;
  std::vector<std::pair<Instant, Instant>> down;  // [from, to) intervals when the link is cut
};

struct LinkCounters {
  std::uint64_t sent = 0, delivered = 0, lost = 0, queue_drops = 0, duplicated = 0, reordered = 0,
                corrupted = 0, down_drops = 0;
};

// The fate of one packet offered to a link direction.
struct Fate {
  enum class Kind { Deliver, Lost, QueueFull, Down } kind = Kind::Deliver;
  Instant arrive_at = 0;
  bool corrupted = false;
  bool duplicate = false;       // deliver a second copy too
  Instant duplicate_at = 0;
  bool reordered = false;
};

class LinkDir {
 public:
  LinkDir() = default;
  LinkDir(LinkParams p, Rng rng) : p_(std::move(p)), rng_(rng) {}
  // `trail` (series on, a link with a rate): the queue's length after each packet that left
  // since the last offer, at the time it left, then after this offer (sim/series.hpp).
  Fate offer(Instant now, std::uint32_t bytes, std::vector<QueueSample>* trail = nullptr);
  const LinkParams& params() const { return p_; }
  LinkParams& params() { return p_; }
  const LinkCounters& counters() const { return c_; }
  std::uint32_t queue_len(Instant now, std::vector<QueueSample>* trail = nullptr);

 private:
  struct Departure {
    Instant at;             // when the packet finishes transmission
    std::uint32_t bytes;
  };
  Duration serialization(std::uint32_t bytes) const;
  QueueSample sample(Instant t) const;
  LinkParams p_;
  Rng rng_;
  bool ge_bad_ = false;
  Instant busy_until_ = 0;
  std::deque<Departure> departures_;  // each queued packet, the one being sent first
  std::uint64_t queued_bytes_ = 0;
  LinkCounters c_;
};

}  // namespace tcplab
