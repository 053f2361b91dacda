#include "sim/trace_index.hpp"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "sim/relative_seq.hpp"
#include "sim/text_view.hpp"

namespace tcplab {
namespace {

constexpr std::uint32_t kBucketRows = 32;  // rows per bucket of the arrow lookup

bool visible(const TraceEvent& e) {
  switch (e.type) {
    case TraceType::Send:
    case TraceType::Deliver:
    case TraceType::Drop:
    case TraceType::State: return true;
    case TraceType::App: return e.result != "started";
    case TraceType::Timer: return e.action == TimerAction::Fire;
  }
  return false;
}

bool is_listener_label(const std::string& label) { return label.size() > 10 && label.ends_with(">0.0.0.0:0"); }

std::string reverse_label(const std::string& label) {
  const auto gt = label.find('>');
  if (gt == std::string::npos) return label;
  return label.substr(gt + 1) + ">" + label.substr(0, gt);
}

std::string segment_label(const TraceEvent& e, const RelativeSeq& rel) {
  const Segment& s = e.seg;
  const bool syn = s.has(kSyn);
  std::string out = "[" + flag_letters(s.flags) + "]";
  if (e.len > 0 || syn || s.has(kFin) || s.has(kRst)) {
    const std::uint32_t seq = syn ? s.seq.raw() : rel.seq(e);
    if (e.len > 0) out += fmt::format(" seq {}:{}", seq, seq + e.len);
    else out += fmt::format(" seq {}", seq);
  }
  if (s.has(kAck)) {
    const std::uint32_t ack = syn ? s.ack.raw() : rel.ack(e).value_or(s.ack.raw());
    out += fmt::format("{} ack {}", out.size() > 6 ? "," : "", ack);
  }
  return out;
}

}  // namespace

TraceIndex::HostTable TraceIndex::hosts_of(const World& w) {
  HostTable t;
  for (const auto& h : w.hosts()) {
    t.names.push_back(h.name);
    t.tags.push_back(h.tag);
    t.ips.push_back(h.ip);
  }
  return t;
}

TraceIndex::TraceIndex(const TraceEvents& trace, const World& w) : trace_(&trace) { build(nullptr, hosts_of(w)); }

TraceIndex::TraceIndex(const Timeline& tl, const World& w) : trace_(&tl.trace()) {
  const StepStart steps = [&tl](std::uint64_t k) { return tl.step_start(k); };
  build(&steps, hosts_of(w));
}

TraceIndex::TraceIndex(const TraceEvents& trace, const HostTable& hosts) : trace_(&trace) {
  // A capture has no world steps: the events of one instant are one step.
  std::vector<std::uint64_t> start(trace.size(), 0);
  for (std::uint64_t k = 1; k < trace.size(); ++k) start[k] = trace[k].t_ns == trace[k - 1].t_ns ? start[k - 1] : k;
  const StepStart steps = [&start](std::uint64_t k) { return start[k]; };
  build(&steps, hosts);
}

void TraceIndex::build(const StepStart* steps, const HostTable& hosts) {
  host_names_ = hosts.names;
  host_tags_ = hosts.tags;
  host_ips_ = hosts.ips;
  build_conn_tracks();
  // Without the steps, only what the checks need: they neither draw arrows nor follow
  // endpoints, and they render the few lines they quote themselves.
  if (!steps) {
    build_segments(false);
    return;
  }
  build_groups(*steps);
  build_endpoints();
  build_segments(true);
  build_fates();
  build_lines();
  build_counts();
}

void TraceIndex::build_groups(const StepStart& step_start) {
  const auto& tr = *trace_;
  const std::uint64_t n = tr.size();
  row_of_event_.assign(n, kNone);
  group_end_.assign(n, 0);
  std::uint64_t k = 0;
  while (k < n) {
    const std::uint64_t start = step_start(k);
    std::uint64_t end = k + 1;
    while (end < n && step_start(end) == start) ++end;
    Group g{k, end, tr[k].t_ns, -1, false};
    for (std::uint64_t i = k; i < end; ++i) {
      group_end_[i] = end;
      if (!visible(tr[i])) continue;
      if (g.host < 0) g.host = tr[i].host;
      if (tr[i].type == TraceType::State) g.has_state = true;
    }
    if (g.host >= 0) {
      const auto row = static_cast<std::uint32_t>(rows_.size());
      for (std::uint64_t i = k; i < end; ++i) row_of_event_[i] = row;
      rows_.push_back(g);
    }
    k = end;
  }
  std::vector<Duration> gaps;
  for (std::size_t r = 1; r < rows_.size(); ++r)
    if (rows_[r].t_ns > rows_[r - 1].t_ns) gaps.push_back(rows_[r].t_ns - rows_[r - 1].t_ns);
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
    typical_gap_ = gaps[gaps.size() / 2];
  }
}

void TraceIndex::build_conn_tracks() {
  const auto& tr = *trace_;
  conn_tracks_.assign(host_names_.size(), {});
  std::map<std::pair<int, std::string>, std::size_t> open;  // (host, label) -> index in conn_tracks_[host]
  for (std::uint64_t k = 0; k < tr.size(); ++k) {
    const TraceEvent& e = tr[k];
    if (e.type != TraceType::State || e.host < 0 || e.host >= static_cast<int>(conn_tracks_.size())) continue;
    auto& tracks = conn_tracks_[static_cast<std::size_t>(e.host)];
    const auto key = std::make_pair(e.host, e.conn);
    auto it = open.find(key);
    // After CLOSED the same label is a new connection (the 4-tuple was reused).
    if (it == open.end() || tr[tracks[it->second].state_events.back()].to == State::Closed) {
      tracks.push_back({e.conn, is_listener_label(e.conn), {}});
      it = open.insert_or_assign(key, tracks.size() - 1).first;
    }
    tracks[it->second].state_events.push_back(k);
  }
}

void TraceIndex::build_endpoints() {
  const auto& tr = *trace_;
  ep_of_event_.assign(tr.size(), kNone);
  for (std::uint64_t k = 0; k < tr.size(); ++k) {
    const TraceEvent& e = tr[k];
    if (e.conn.empty() || e.host < 0) continue;
    if (e.type != TraceType::State && e.type != TraceType::Send && e.type != TraceType::Timer &&
        e.type != TraceType::App)
      continue;
    auto [it, fresh] = ep_by_key_.try_emplace({e.host, e.conn}, static_cast<std::uint32_t>(eps_.size()));
    if (fresh) {
      EndpointInfo ep;
      ep.host = e.host;
      ep.label = e.conn;
      ep.listener = is_listener_label(e.conn);
      ep.first_k = k;
      eps_.push_back(std::move(ep));
    }
    const std::uint32_t i = it->second;
    ep_of_event_[k] = i;
    EndpointInfo& ep = eps_[i];
    if (e.type == TraceType::State) ep.state_events.push_back(k);
    if (e.type == TraceType::Send) ep.sends.push_back(k);
    if (e.type == TraceType::Timer && e.action == TimerAction::Set)
      ep.timer_sets[static_cast<int>(e.timer)].push_back(k);
  }
  for (auto& ep : eps_) {
    if (!ep.listener) {
      const std::string local = ep.label.substr(0, ep.label.find('>'));
      if (auto it = ep_by_key_.find({ep.host, local + ">0.0.0.0:0"}); it != ep_by_key_.end()) ep.listener_ep = it->second;
    }
    const std::string rev = reverse_label(ep.label);
    for (std::size_t h = 0; h < host_names_.size() && ep.peer == kNone; ++h) {
      if (static_cast<int>(h) == ep.host && host_names_.size() > 1) continue;
      if (auto it = ep_by_key_.find({static_cast<int>(h), rev}); it != ep_by_key_.end()) ep.peer = it->second;
    }
  }
}

void TraceIndex::build_segments(bool labels) {
  const auto& tr = *trace_;
  seg_of_event_.assign(tr.size(), kNone);
  std::map<Ipv4, int> host_by_ip;
  for (std::size_t h = 0; h < host_ips_.size(); ++h) host_by_ip[host_ips_[h]] = static_cast<int>(h);
  std::map<std::string, std::uint32_t> last_by_conn_id;  // "conn|id" -> the latest such send
  RelativeSeq rel;
  for (std::uint64_t k = 0; k < tr.size(); ++k) {
    const TraceEvent& e = tr[k];
    if (e.type == TraceType::Send) {
      rel.feed(e);
      SegInfo s;
      s.send_k = k;
      s.src_host = e.host;
      if (auto it = host_by_ip.find(e.seg.dst.ip); it != host_by_ip.end()) s.dst_host = it->second;
      s.src_ep = endpoint_of_event(k);
      s.row_send = row_of_event(k);
      s.rel_seq = e.seg.has(kSyn) ? 0 : rel.seq(e);
      s.rel_ack = rel.ack(e);
      if (labels) s.label = segment_label(e, rel);
      const auto i = static_cast<std::uint32_t>(segs_.size());
      segs_.push_back(std::move(s));
      seg_of_event_[k] = i;
      last_by_conn_id[e.conn + "|" + e.id] = i;
    } else if (e.type == TraceType::Drop) {
      auto it = last_by_conn_id.find(e.conn + "|" + e.id);
      if (it != last_by_conn_id.end() && segs_[it->second].drop_k == UINT64_MAX) segs_[it->second].drop_k = k;
    }
  }
}

void TraceIndex::build_fates() {
  const auto& tr = *trace_;
  std::map<std::string, std::deque<std::uint32_t>> pending;  // id -> segments not yet delivered or dropped
  std::map<std::string, std::uint32_t> last_by_id;
  for (std::uint64_t k = 0; k < tr.size(); ++k) {
    const TraceEvent& e = tr[k];
    if (e.type == TraceType::Send) {
      pending[e.id].push_back(seg_of_event_[k]);
      last_by_id[e.id] = seg_of_event_[k];
    } else if (e.type == TraceType::Drop || e.type == TraceType::Deliver) {
      auto& q = pending[e.id];
      std::uint32_t i = kNone;
      if (!q.empty()) {
        i = q.front();
        q.pop_front();
      } else if (auto it = last_by_id.find(e.id); it != last_by_id.end()) {
        segs_[it->second].duplicates++;  // a second copy of a delivered segment
        seg_of_event_[k] = it->second;
        continue;
      }
      if (i == kNone) continue;
      SegInfo& s = segs_[i];
      seg_of_event_[k] = i;
      s.fate_k = k;
      s.row_fate = row_of_event(k);
      if (e.type == TraceType::Deliver) s.fate = SegFate::Delivered;
      // Lost on the way: dropped as it was sent, or later in a queue on the way (a
      // bottleneck's, traced on the sender's side); else dropped where it arrived.
      else if (group_end_of(s.send_k) == group_end_of(k) || (e.where == "queue" && e.host == s.src_host)) s.fate = SegFate::LostOnWay;
      else s.fate = SegFate::DroppedOnArrival;
      if (s.dst_host < 0 && e.type == TraceType::Deliver) s.dst_host = e.host;
    }
  }
  // Buckets of rows -> segments whose arrow crosses them (for drawing only what is visible).
  const std::uint32_t nrows = static_cast<std::uint32_t>(rows_.size());
  bucket_segs_.assign(nrows / kBucketRows + 1, {});
  for (std::uint32_t i = 0; i < segs_.size(); ++i) {
    const SegInfo& s = segs_[i];
    if (s.row_send == kNone) continue;
    std::uint32_t last = s.row_send + 1;
    if (s.fate == SegFate::Delivered || s.fate == SegFate::DroppedOnArrival) last = s.row_fate;
    else if (s.fate == SegFate::InFlight) last = nrows ? nrows - 1 : 0;
    last = std::max(last, s.row_send);
    max_span_ = std::max(max_span_, last - s.row_send);
    for (std::uint32_t b = s.row_send / kBucketRows; b <= last / kBucketRows && b < bucket_segs_.size(); ++b)
      bucket_segs_[b].push_back(i);
  }
}

void TraceIndex::build_lines() {
  TextView tv(host_names_);
  const auto& tr = *trace_;
  for (std::uint64_t k = 0; k < tr.size(); ++k) {
    std::string l = tv.line(tr[k]);
    if (!l.empty()) lines_.push_back({k, std::move(l)});
  }
}

void TraceIndex::build_counts() {
  const auto& tr = *trace_;
  std::vector<int> cur(eps_.size(), -1);
  std::array<std::uint32_t, kStateCount> count{};
  for (const Group& g : rows_) {
    if (!g.has_state) continue;
    for (std::uint64_t k = g.begin; k < g.end; ++k) {
      if (tr[k].type != TraceType::State || ep_of_event_[k] == kNone) continue;
      int& c = cur[ep_of_event_[k]];
      if (c > 0) --count[static_cast<std::size_t>(c)];
      c = static_cast<int>(tr[k].to);
      if (c > 0) ++count[static_cast<std::size_t>(c)];  // CLOSED (0) is not listed
    }
    counts_.push_back({g.end, g.t_ns, count});
    for (auto n : count) max_count_ = std::max(max_count_, n);
  }
}

std::uint32_t TraceIndex::row_at_cursor(std::uint64_t p) const {
  auto it = std::upper_bound(rows_.begin(), rows_.end(), p, [](std::uint64_t v, const Group& g) { return v < g.end; });
  if (it == rows_.begin()) return kNone;
  return static_cast<std::uint32_t>(it - rows_.begin()) - 1;
}

std::uint64_t TraceIndex::group_end_of(std::uint64_t k) const {
  if (k >= group_end_.size()) return size();
  return group_end_[k];
}

std::uint64_t TraceIndex::next_stop(std::uint64_t p) const {
  auto it = std::upper_bound(rows_.begin(), rows_.end(), p, [](std::uint64_t v, const Group& g) { return v < g.end; });
  return it == rows_.end() ? std::max(p, size()) : it->end;
}

std::uint64_t TraceIndex::prev_stop(std::uint64_t p) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), p, [](const Group& g, std::uint64_t v) { return g.end < v; });
  if (it == rows_.begin()) return 0;
  return std::prev(it)->end;
}

namespace {
bool row_has_state_of(const TraceEvents& tr, const Group& g, const std::vector<std::uint32_t>& eps,
                      const std::vector<std::uint32_t>& ep_of_event) {
  if (!g.has_state) return false;
  if (eps.empty()) return true;
  for (std::uint64_t k = g.begin; k < g.end; ++k)
    if (tr[k].type == TraceType::State && std::find(eps.begin(), eps.end(), ep_of_event[k]) != eps.end()) return true;
  return false;
}
}  // namespace

std::uint64_t TraceIndex::next_state_stop(std::uint64_t p, const std::vector<std::uint32_t>& eps) const {
  auto it = std::upper_bound(rows_.begin(), rows_.end(), p, [](std::uint64_t v, const Group& g) { return v < g.end; });
  for (; it != rows_.end(); ++it)
    if (row_has_state_of(*trace_, *it, eps, ep_of_event_)) return it->end;
  return p;
}

std::uint64_t TraceIndex::prev_state_stop(std::uint64_t p, const std::vector<std::uint32_t>& eps) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), p, [](const Group& g, std::uint64_t v) { return g.end < v; });
  while (it != rows_.begin()) {
    --it;
    if (row_has_state_of(*trace_, *it, eps, ep_of_event_)) return it->end;
  }
  return 0;
}

std::uint64_t TraceIndex::cursor_at_time(Instant t) const {
  auto it = std::upper_bound(trace_->begin(), trace_->end(), t, [](Instant v, const TraceEvent& e) { return v < e.t_ns; });
  return static_cast<std::uint64_t>(it - trace_->begin());
}

std::uint32_t TraceIndex::seg_of_event(std::uint64_t k) const {
  return k < seg_of_event_.size() ? seg_of_event_[k] : kNone;
}

void TraceIndex::segments_near_rows(std::uint32_t r0, std::uint32_t r1, std::vector<std::uint32_t>* out) const {
  out->clear();
  if (bucket_segs_.empty()) return;
  const std::uint32_t b0 = r0 / kBucketRows;
  const std::uint32_t b1 = std::min<std::uint32_t>(r1 / kBucketRows, static_cast<std::uint32_t>(bucket_segs_.size()) - 1);
  for (std::uint32_t b = b0; b <= b1; ++b)
    for (std::uint32_t i : bucket_segs_[b])
      if (b == b0 || segs_[i].row_send / kBucketRows == b) out->push_back(i);  // each once
}

const std::vector<ConnTrack>& TraceIndex::conn_tracks(int host) const {
  static const std::vector<ConnTrack> none;
  if (host < 0 || host >= static_cast<int>(conn_tracks_.size())) return none;
  return conn_tracks_[static_cast<std::size_t>(host)];
}

std::uint32_t TraceIndex::endpoint(int host, const std::string& label) const {
  auto it = ep_by_key_.find({host, label});
  return it == ep_by_key_.end() ? kNone : it->second;
}

std::vector<std::uint32_t> TraceIndex::default_pair() const {
  // The first connection whose peer is a connection too (both have state changes); else
  // the first connection alone.
  for (std::uint32_t i = 0; i < eps_.size(); ++i) {
    const EndpointInfo& e = eps_[i];
    if (e.listener || e.state_events.empty() || e.peer == kNone || eps_[e.peer].state_events.empty()) continue;
    return {i, e.peer};
  }
  for (std::uint32_t i = 0; i < eps_.size(); ++i)
    if (!eps_[i].listener && !eps_[i].state_events.empty()) return {i};
  for (std::uint32_t i = 0; i < eps_.size(); ++i)
    if (!eps_[i].state_events.empty()) return {i};
  return {};
}

std::optional<std::uint64_t> TraceIndex::last_state_event(std::uint32_t ep, std::uint64_t p) const {
  if (ep >= eps_.size()) return std::nullopt;
  const auto& v = eps_[ep].state_events;
  auto it = std::lower_bound(v.begin(), v.end(), p);
  if (it == v.begin()) return std::nullopt;
  return *std::prev(it);
}

std::optional<std::uint64_t> TraceIndex::last_timer_set(std::uint32_t ep, TimerKind kind, std::uint64_t p) const {
  if (ep >= eps_.size()) return std::nullopt;
  const auto& v = eps_[ep].timer_sets[static_cast<int>(kind)];
  auto it = std::lower_bound(v.begin(), v.end(), p);
  if (it == v.begin()) return std::nullopt;
  return *std::prev(it);
}

std::uint32_t TraceIndex::first_line_at_or_after(std::uint64_t k) const {
  auto it = std::lower_bound(lines_.begin(), lines_.end(), k, [](const TextLine& l, std::uint64_t v) { return l.k < v; });
  return static_cast<std::uint32_t>(it - lines_.begin());
}

const StateCounts* TraceIndex::counts_at(std::uint64_t p) const {
  auto it = std::upper_bound(counts_.begin(), counts_.end(), p, [](std::uint64_t v, const StateCounts& c) { return v < c.end_k; });
  if (it == counts_.begin()) return nullptr;
  return &*std::prev(it);
}

}  // namespace tcplab
