// Shared bottlenecks in the world (sim/bottleneck.hpp): a packet between a left and a right
// host goes up its sender's access link, reaches the bottleneck's queue (a Hop event at its
// own time), waits there until the packet before it has been sent (TxDone), crosses the
// bottleneck's delay and comes down the receiver's access link to its host (Arrive).
#include "sim/labels.hpp"
#include "sim/world.hpp"

namespace tcplab {

int World::add_bottleneck(const BottleneckSpec& spec) {
  access_.resize(hosts_.size());
  std::vector<std::pair<int, bool>> members;  // host, on the left
  for (const auto* side : {&spec.left, &spec.right}) {
    for (const std::string& name : *side) {
      const int h = host_index(name);
      if (h < 0 || access_[h].bottleneck >= 0) return -1;
      for (const auto& [m, l] : members)
        if (m == h) return -1;
      members.emplace_back(h, side == &spec.left);
    }
  }
  const int id = static_cast<int>(bn_dirs_.size() / 2);
  for (const char* way : {" s>r", " r>s"}) {
    BottleneckDir d;
    d.name = spec.name + way;
    d.rate_bps = spec.rate_bps;
    d.delay_ns = spec.delay_ns;
    d.q = Qdisc(spec.qdisc, spec.rate_bps, rng_.fork());
    bn_dirs_.push_back(std::move(d));
  }
  for (const auto& [h, left] : members) {
    LinkParams p;
    for (const auto& [name, a] : spec.access) {
      if (host_index(name) != h) continue;
      p.delay_ns = a.delay_ns;
      p.rate_bps = a.rate_bps;
    }
    HostAccess& a = access_[h];
    a.bottleneck = id;
    a.left = left;
    a.up = LinkDir(p, rng_.fork());
    a.down = LinkDir(p, rng_.fork());
  }
  return id;
}

int World::bottleneck_dir(int src, int dst) const {
  const auto n = static_cast<int>(access_.size());
  if (src >= n || dst >= n) return -1;
  const HostAccess& a = access_[src];
  const HostAccess& b = access_[dst];
  if (a.bottleneck < 0 || a.bottleneck != b.bottleneck || a.left == b.left) return -1;
  return 2 * a.bottleneck + (a.left ? 0 : 1);
}

// Up the sender's access link (its delay, and its rate with a drop-tail queue of its own),
// then a Hop to the bottleneck's queue at the time the packet gets there.
void World::bn_enter(int d, Packet& p, Duration extra, bool dup) {
  const int src = p.src_host;
  const Fate f = access_[src].up.offer(now_, p.wire_bytes);
  if (f.kind != Fate::Kind::Deliver) {
    ++counters_.q_drops;
    trace_drop(src, p, "queue", hosts_[src].name + "'s access link: drop-tail queue full (" +
                                    std::to_string(access_[src].up.params().queue_pkts_max) + " packets)");
    return;
  }
  const Instant at = f.arrive_at + extra;
  push(at, EvKind::Hop, d, store_packet(p, !dup));
  if (dup) push(at + 1, EvKind::Hop, d, store_packet(p, true));
}

void World::bn_hop(int d, std::uint32_t slot) {
  BottleneckDir& b = bn_dirs_[d];
  const Packet& p = packets_[slot];
  const QItem it{slot, p.wire_bytes, now_, flow_hash(p.seg.src, p.seg.dst, p.ping ? 1 : 6)};
  ++b.c.enqueued;
  qdrops_.clear();
  b.q.enqueue(it, now_, qdrops_);
  bn_sample(d);
  bn_drops(d);
  if (!b.busy) bn_start(d);
}

// The link is free: the discipline picks the next packet (CoDel may drop some first).
void World::bn_start(int d) {
  BottleneckDir& b = bn_dirs_[d];
  qdrops_.clear();
  const std::optional<QItem> it = b.q.dequeue(now_, qdrops_);
  bn_drops(d);
  if (!it) return;
  b.busy = true;
  b.tx = *it;
  push(now_ + b.serialization(it->bytes), EvKind::TxDone, d);
  bn_sample(d);
}

// The packet is on the wire: it reaches the far end after the bottleneck's delay and goes
// down the receiver's access link (offered at that time: the access link is fed by this
// direction only, so its offers stay in time order).
void World::bn_tx_done(int d) {
  BottleneckDir& b = bn_dirs_[d];
  b.busy = false;
  ++b.c.sent;
  const std::uint32_t slot = b.tx.slot;
  const Packet& p = packets_[slot];
  const int dst = p.dst_host;
  const Fate f = access_[dst].down.offer(now_ + b.delay_ns, p.wire_bytes);
  if (f.kind == Fate::Kind::Deliver) {
    push(f.arrive_at, EvKind::Arrive, dst, slot);
  } else {
    ++counters_.q_drops;
    trace_drop(p.src_host, p, "queue", hosts_[dst].name + "'s access link: drop-tail queue full (" +
                                           std::to_string(access_[dst].down.params().queue_pkts_max) + " packets)");
    free_packet(slot);
  }
  bn_start(d);
}

// What the discipline dropped: traced on the sender's side (as a link's queue drops are),
// where = "queue", the reason led by the bottleneck direction's name.
void World::bn_drops(int d) {
  for (const QDrop& q : qdrops_) {
    BottleneckDir& b = bn_dirs_[d];
    ++b.c.drops;
    ++counters_.q_drops;
    const Packet& p = packets_[q.item.slot];
    trace_drop(p.src_host, p, "queue", b.name + ": " + q.reason);
    free_packet(q.item.slot);
    bn_sample(d);
  }
  qdrops_.clear();
}

// ---------------------------------------------------------------- series

LinkSeries& World::series_link(const std::string& name) {
  auto& links = sink_.get()->series.links;
  for (auto& l : links)
    if (l.name == name) return l;
  links.push_back(LinkSeries{name, {}});
  return links.back();
}

void World::bn_sample(int d) {
  if (!sink_.get() || !sink_.get()->series_on) return;
  const BottleneckDir& b = bn_dirs_[d];
  series_link(b.name).samples.push_back({now_, b.q.pkts(), static_cast<std::uint32_t>(b.q.bytes()), b.c.drops});
}

void World::link_samples(int src, int dst, const std::vector<QueueSample>& trail) {
  if (trail.empty()) return;
  auto& s = series_link(hosts_[src].name + ">" + hosts_[dst].name).samples;
  s.insert(s.end(), trail.begin(), trail.end());
}

}  // namespace tcplab
