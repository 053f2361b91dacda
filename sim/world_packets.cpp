// Packets on links: a segment a stack sent gets its stable id, meets the fault rules and
// the link (loss, queue, delay, duplication, corruption), and arrives at its host.
#include <algorithm>

#include "sim/labels.hpp"
#include "sim/world.hpp"
#include "stack/text.hpp"

namespace tcplab {

int World::route(int, Ipv4 dst) const {
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].ip == dst) return static_cast<int>(i);
  return -1;
}

Link* World::link_between(int a, int b, bool* a_to_b) {
  auto it = link_index_.find({std::min(a, b), std::max(a, b)});
  if (it == link_index_.end()) return nullptr;
  Link& l = links_[it->second];
  *a_to_b = l.a == a;
  return &l;
}

const FaultRule* World::match_fault(const Packet& p, std::uint32_t ordinal, std::uint32_t kind_ordinal,
                                    std::uint32_t pair_conn) const {
  for (const auto& r : faults_) {
    if (now_ < r.from_ns || now_ >= r.to_ns) continue;
    auto names = [&](const std::string& want, int host, Ipv4 ip) {
      if (want.empty()) return true;
      if (host >= 0) return hosts_[host].tag == want || hosts_[host].name == want || ip_to_string(ip) == want;
      return ip_to_string(ip) == want;
    };
    if (!names(r.src, p.src_host, p.seg.src.ip) || !names(r.dst, p.dst_host, p.seg.dst.ip)) continue;
    if (r.ordinal && *r.ordinal != ordinal) continue;
    if (r.pair_conn && *r.pair_conn != pair_conn) continue;
    if (r.kind && *r.kind != p.kind) continue;
    if (r.kind_ordinal && *r.kind_ordinal != kind_ordinal) continue;
    if (r.retx_only && !p.retx) continue;
    return &r;
  }
  return nullptr;
}

// Which connection of its host pair the segment belongs to (1, 2, ...), fixed when that
// connection first sends (so it never changes later): the first send on a 4-tuple opens a
// new incarnation of it, numbered after the pair's earlier connections; the other side's
// first send on that 4-tuple joins it. A segment of no connection (an RST to a closed port,
// a scripted peer) takes the 4-tuple's current number.
std::uint32_t World::pair_conn_of(int host, const Packet& p, SegOrdinals* ord) {
  if (ord && ord->pair_conn) return ord->pair_conn;
  const Endpoint& a = p.seg.src;
  const Endpoint& b = p.seg.dst;
  const bool lower = a < b;
  const auto key = lower ? std::pair{a, b} : std::pair{b, a};
  const std::size_t side = lower ? 0 : 1;
  TupleConn* it = tuple_conns_.find(key);
  const bool fresh = it == nullptr || (ord && it->joined[side]);
  if (fresh) {
    // The pair of names the id shows (a host's tag, or an address: a spoofed source, a
    // destination that is no host), as numbers: tags and address strings never coincide, so
    // the pairs counted apart are the same as the strings'. No string is built.
    const std::uint64_t src = p.seg.src.ip == hosts_[host].ip ? kHostName | static_cast<std::uint64_t>(host) : p.seg.src.ip;
    const std::uint64_t dst = p.dst_host >= 0 ? kHostName | static_cast<std::uint64_t>(p.dst_host) : p.seg.dst.ip;
    const NamePair names{std::min(src, dst), std::max(src, dst)};
    std::uint32_t* n = pair_conns_.find(names);
    const std::uint32_t k = n ? *n + 1 : 1;
    pair_conns_.insert_or_assign(names, k);
    TupleConn t;
    t.pair_conn = k;
    it = &tuple_conns_.insert_or_assign(key, t);
  }
  if (ord) {
    it->joined[side] = true;
    ord->pair_conn = it->pair_conn;
  }
  return it->pair_conn;
}

// The segment's stable id (DESIGN rule 4): "A>B#3", the third segment A sent on that
// connection; "A>B.2#3" when it is the 2nd connection (or later) between A and B. Built when
// read (packet_id): the packet keeps the parts, so a packet sent untraced that arrives during
// a later call that records a trace still has its id.
std::string World::segment_id_prefix(int host, const Packet& p, std::uint32_t pair_conn) const {
  const Segment& seg = p.seg;
  // A spoofed source (a SYN flood) is named by its address, so each fake client has its
  // own readable id ("198.18.0.7>B#1") instead of all looking like the attacker's.
  const std::string src_ip = seg.src.ip == hosts_[host].ip ? std::string() : ip_to_string(seg.src.ip);
  const std::string& tag = src_ip.empty() ? hosts_[host].tag : src_ip;
  const std::string dst_ip = p.dst_host >= 0 ? std::string() : ip_to_string(seg.dst.ip);
  const std::string& dst_tag = p.dst_host >= 0 ? hosts_[p.dst_host].tag : dst_ip;
  std::string id;
  id.reserve(tag.size() + dst_tag.size() + 18);
  id += tag;
  id += '>';
  id += dst_tag;
  if (pair_conn > 1) {
    char k[10];
    const char* kend = put_decimal(k, pair_conn);
    id += '.';
    id.append(k, static_cast<std::size_t>(kend - k));
  }
  return id;
}

std::string World::segment_id(int host, const Packet& p, std::uint32_t ordinal, std::uint32_t pair_conn) const {
  std::string id = segment_id_prefix(host, p, pair_conn);
  char digits[10];
  const char* dend = put_decimal(digits, ordinal);
  id += '#';
  id.append(digits, static_cast<std::size_t>(dend - digits));
  return id;
}

std::string World::packet_id(const Packet& p) const {
  return p.ordinal == 0 ? p.id : segment_id(p.src_host, p, p.ordinal, p.pair_conn);
}

SegId World::packet_seg_id(const Packet& p) const {
  if (p.ordinal == 0) return SegId(p.id);
  const IdPrefixKey key{p.src_host, p.dst_host, p.seg.src.ip, p.dst_host >= 0 ? 0U : p.seg.dst.ip, p.pair_conn};
  const Label prefix = label_caches().id_prefixes.get(key, [&] { return segment_id_prefix(p.src_host, p, p.pair_conn); });
  return SegId(prefix, p.ordinal);
}

Label World::pair_label_of(const Endpoint& a, const Endpoint& b) const {
  return label_caches().pairs.get(TupleKey{a, b}, [&] { return pair_label(a, b); });
}

namespace {
// The kind labels, interned once (a trace event is recorded for every packet).
Label kind_label(SegKind k) {
  static const std::array<Label, kSegKindCount> labels = [] {
    std::array<Label, kSegKindCount> a;
    for (std::size_t i = 0; i < kSegKindCount; ++i) a[i] = Label(kSegKindNames[i]);
    return a;
  }();
  return labels[static_cast<std::size_t>(k)];
}
}  // namespace

void World::trace_send(int host, Packet& p) {
  if (!tracing()) return skip_record();
  TraceEvent e = trace_event(TraceType::Send, host, pair_label_of(p.seg.src, p.seg.dst));
  e.id = packet_seg_id(p);
  e.kind = kind_label(p.kind);
  e.retx = p.retx;
  e.loss_probe = p.loss_probe;
  e.retx_cause = p.retx_cause;
  // The trace keeps the first bytes (enough to read a request line), not the stream: a
  // prefix that holds no large chunk alive (generated bytes stay a pattern slice).
  e.seg = p.seg;
  e.seg.payload = p.seg.payload.detached_prefix(kTracePayloadBytes);
  e.len = p.seg.payload.size();
  record(std::move(e));
}

void World::trace_drop(int host, const Packet& p, const std::string& where, const std::string& reason) {
  if (!tracing()) return skip_record();
  TraceEvent e = trace_event(TraceType::Drop, host, pair_label_of(p.seg.src, p.seg.dst));
  e.id = packet_seg_id(p);
  e.kind = p.ping ? Label(p.ping_reply ? "ECHO-REPLY" : "ECHO") : kind_label(p.kind);
  e.where = where;
  e.reason = reason;
  record(std::move(e));
}

// Queues the packet's arrival at its destination; the last copy queued takes the packet
// itself, a duplicate gets a copy.
void World::enqueue_arrival(Packet& p, Instant at, bool last) {
  const int dst = p.dst_host;
  push(at, EvKind::Arrive, dst, store_packet(p, last));
}

// A slot for the packet while it is on its way: the last copy takes the packet itself.
std::uint32_t World::store_packet(Packet& p, bool last) {
  std::uint32_t slot;
  if (!free_packets_.empty()) {
    slot = free_packets_.back();
    free_packets_.pop_back();
    if (last) packets_[slot] = std::move(p);
    else packets_[slot] = p;
  } else {
    slot = static_cast<std::uint32_t>(packets_.size());
    if (last) packets_.push_back(std::move(p));
    else packets_.push_back(p);
  }
  return slot;
}

void World::free_packet(std::uint32_t slot) {
  packets_[slot] = Packet();  // its payload goes now, not when the slot is reused
  free_packets_.push_back(slot);
}

void World::transmit(int host, Segment&& seg_in, ConnId c, bool retx, bool loss_probe, RetxCause cause) {
  Packet p;
  p.seg = std::move(seg_in);  // the payload moves from the stack's output to the link: no copy
  const Segment& seg = p.seg;
  p.src_host = host;
  p.dst_host = route(host, seg.dst.ip);
  p.retx = retx;
  p.loss_probe = loss_probe;
  p.retx_cause = cause;
  p.kind = segment_kind(seg);
  p.wire_bytes = 40 + static_cast<std::uint32_t>(seg.payload.size());  // IP and TCP headers
  if (seg.ts) p.wire_bytes += 12;
  if (seg.has(kSyn)) p.wire_bytes += 8;
  SegOrdinals& ord = c != kNoConn ? ordinals_of(host, c) : stray_ordinals_[pair_label(seg.src, seg.dst)];
  const std::uint32_t ordinal = ++ord.total;
  const std::uint32_t kind_ordinal = ++ord.per_kind[static_cast<std::size_t>(p.kind)];
  const std::uint32_t pair_conn = pair_conn_of(host, p, c != kNoConn ? &ord : nullptr);
  p.ordinal = ordinal;
  p.pair_conn = pair_conn;

  ++counters_.link_pkts;
  if (seg.payload.empty()) ++counters_.ack_pkts;
  else ++counters_.data_pkts;
  if (loss_probe) ++counters_.loss_probes;
  else if (retx) ++counters_.retx;
  trace_send(host, p);

  // Fault rules first (they name segments by id and kind ordinal), then the link.
  Duration extra = 0;
  bool dup = false;
  if (const FaultRule* r = match_fault(p, ordinal, kind_ordinal, pair_conn)) {
    switch (r->action) {
      case FaultAction::Drop:
        ++counters_.fault_drops;
        trace_drop(host, p, "fault", r->text);
        return;
      case FaultAction::Delay: extra = r->delay_ns; break;
      case FaultAction::Duplicate: dup = true; break;
      case FaultAction::Corrupt: p.corrupted = true; break;
      case FaultAction::Discard: p.discard_rule = static_cast<std::int16_t>(r - faults_.data()); break;
    }
  }
  send_on_path(host, p, extra, dup);
}

void World::send_on_path(int host, Packet& p, Duration extra, bool dup) {
  if (p.dst_host >= 0) {
    if (const int d = bottleneck_dir(host, p.dst_host); d >= 0) return bn_enter(d, p, extra, dup);
  }
  const Segment& seg = p.seg;
  bool a_to_b = true;
  Link* l = p.dst_host >= 0 ? link_between(host, p.dst_host, &a_to_b) : nullptr;
  if (!l) {
    ++counters_.no_route;
    trace_drop(host, p, "link", p.dst_host < 0 ? "no host has address " + ip_to_string(seg.dst.ip) : "no link to " + hosts_[p.dst_host].name);
    return;
  }
  LinkDir& dir = a_to_b ? l->ab : l->ba;
  // Series (sim/series.hpp): the queue of a link direction with a rate, when asked for.
  const bool trail = sink_.get() && sink_.get()->series_on && dir.params().rate_bps != 0;
  std::vector<QueueSample> samples;
  const Fate f = dir.offer(now_, p.wire_bytes, trail ? &samples : nullptr);
  if (trail) link_samples(host, p.dst_host, samples);
  switch (f.kind) {
    case Fate::Kind::Lost:
      ++counters_.err_drops;
      trace_drop(host, p, "link", "random loss");
      return;
    case Fate::Kind::QueueFull:
      ++counters_.q_drops;
      trace_drop(host, p, "queue", "drop-tail queue full (" + std::to_string(dir.params().queue_pkts_max) + " packets)");
      return;
    case Fate::Kind::Down:
      ++counters_.err_drops;
      trace_drop(host, p, "link", "link is down");
      return;
    case Fate::Kind::Deliver:
      break;
  }
  p.corrupted = p.corrupted || f.corrupted;
  const bool twice = f.duplicate || dup;
  const Instant first_at = f.arrive_at + extra;
  const Instant second_at = (f.duplicate ? f.duplicate_at : f.arrive_at + 1) + extra;
  enqueue_arrival(p, first_at, !twice);
  if (twice) enqueue_arrival(p, second_at, true);
}

void World::arrive(const QEvent& e) {
  Packet p = std::move(packets_[e.slot]);
  free_packets_.push_back(e.slot);
  const int h = p.dst_host;
  if (!hosts_[h].up) {
    ++counters_.err_drops;
    trace_drop(h, p, "link", hosts_[h].name + " is down (crashed)");
    return;
  }
  if (p.corrupted) {
    ++counters_.checksum_drops;
    trace_drop(h, p, "checksum", std::string("corrupted on the link: the ") + (p.ping ? "ICMP" : "TCP") + " checksum does not match");
    return;
  }
  if (p.discard_rule >= 0) {  // after the capture point, before the TCP: a firewall's DROP
    ++counters_.fault_drops;
    trace_drop(h, p, "firewall", faults_[static_cast<std::size_t>(p.discard_rule)].text);
    return;
  }
  if (p.ping) return ping_arrived(p);  // not TCP: the world answers it, no Deliver line
  if (tracing()) {
    TraceEvent t = trace_event(TraceType::Deliver, h, pair_label_of(p.seg.dst, p.seg.src));
    t.id = packet_seg_id(p);
    t.kind = kind_label(p.kind);
    record(std::move(t));
  } else {
    skip_record();
  }
  // A scripted peer's address: the segment is for its script, not for the host's stack
  // (which has no connection there and would answer RST).
  if (const int gi = peer_at(h, p.seg.dst); gi >= 0) return peer_arrived(gi, p.seg);
  if (hosts_[h].cfg.gro_ns > 0 && gro_hold(h, p)) return;
  to_stack(h, p);
}

void World::to_stack(int h, const Packet& p) {
  const auto before = stacks_[h].counters();
  out_.clear();
  stacks_[h].on_segment(now_, p.seg, out_);
  const auto& after = stacks_[h].counters();
  if (after.no_listener != before.no_listener)
    trace_drop(h, p, "no_listener", "no socket for " + endpoint_to_string(p.seg.dst) + (p.seg.has(kRst) ? "" : ": answered with RST"));
  if (after.listen_drops != before.listen_drops)
    trace_drop(h, p, "queue", "listen queue of port " + std::to_string(p.seg.dst.port) + " is full: SYN dropped");
  absorb(h, out_);
  // An ACK may change the window without any event to report (no send, no timer change).
  if (tracing()) sample_flow(h, stacks_[h].find(p.seg.dst.port, p.seg.src));
}

int World::peer_at(int host, const Endpoint& dst) const {
  for (std::size_t i = 0; i < gens_.size(); ++i) {
    const Gen& g = gens_[i];
    if (g.host == host && g.peer_started && g.peer.self() == dst) return static_cast<int>(i);
  }
  return -1;
}

void World::peer_arrived(int gi, const Segment& seg) {
  Gen& g = gens_[gi];
  if (g.peer_ended) {  // packetdrill stops checking at the script's end; so does the lab
    app_event(g.host, kNoConn, "peer", "after the script ended, ignored: " + g.peer.describe(seg));
    return;
  }
  int line = 0;
  if (!g.peer.checks_arrivals()) {  // only learnt from; the Deliver line shows it
    g.peer.arrived(now_, seg, &line);
    return;
  }
  const std::string why = g.peer.arrived(now_, seg, &line);
  app_event(g.host, kNoConn, "peer",
            "line " + std::to_string(line) + (why.empty() ? ": matched " + g.peer.describe(seg) : ": MISMATCH: " + why));
  gen_peer(gi);
}

SegOrdinals& World::ordinals_of(int host, ConnId c) {
  auto& v = ordinals_[host];
  if (v.size() <= c) v.resize(c + 1);
  return v[c];
}

}  // namespace tcplab
