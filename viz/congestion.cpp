#include "viz/congestion.hpp"

#include <algorithm>

#include "sim/fault.hpp"

namespace tcplab::viz {
namespace {

// The series run: the lab from its start, with the timeline's fault rules in place from the
// start (as Session::fork_rule does for a timeline with nothing run yet), up to `until`.
void run_series(const Lab& lab, const std::vector<std::string>& rules, Instant until, TraceSink& sink) {
  World w = build_world(lab);
  for (const auto& r : rules) {
    std::string err;
    if (auto f = parse_fault(r, &err)) w.add_fault(*f);
  }
  sink.series_on = true;
  w.run(UINT64_MAX, until, &sink);
}

// The shown timeline and the series run made the same trace: then a sample's trace_seq is an
// index into the shown trace.
bool same_trace(const TraceEvents& a, const TraceEvents& b) {
  if (a.size() != b.size()) return false;
  const std::uint64_t n = a.size();
  for (const std::uint64_t k : {std::uint64_t{0}, n / 2, n ? n - 1 : 0})
    if (k < a.size() && !(a[k] == b[k])) return false;
  return true;
}

bool lost(const SegInfo& s) { return s.fate == SegFate::LostOnWay || s.fate == SegFate::DroppedOnArrival; }

// The retransmission a loss episode started with (a Send of the flow's connection marked retx
// at the episode's instant), and the earlier transmission of the same bytes that was lost.
std::optional<std::uint64_t> segment_of_episode(const TraceIndex& ix, const FlowSeries& f, std::uint64_t from) {
  const auto& tr = ix.trace();
  const Instant t = tr[from].t_ns;
  // Any event of that instant: the sample may be taken after the retransmission's events (a
  // timer restarted by it, say).
  std::uint64_t first = from;
  while (first > 0 && tr[first - 1].t_ns == t) --first;
  for (std::uint64_t k = first; k < tr.size() && tr[k].t_ns == t; ++k) {
    const TraceEvent& e = tr[k];
    if (e.type != TraceType::Send || !e.retx || e.host != f.host || e.conn != f.conn) continue;
    std::optional<std::uint64_t> earlier;
    for (std::uint64_t j = k; j-- > 0;) {
      const TraceEvent& o = tr[j];
      if (o.type != TraceType::Send || o.host != f.host || o.conn != f.conn || o.seg.seq != e.seg.seq) continue;
      const std::uint32_t s = ix.seg_of_event(j);
      if (s != kNone && lost(ix.segments()[s])) return j;  // the copy that was lost
      if (!earlier) earlier = j;
    }
    return earlier.value_or(k);
  }
  return std::nullopt;
}

// The queue drop a drop mark stands for: a `drop` event where = queue at that instant, of that
// queue when its reason names it.
std::optional<std::uint64_t> drop_event(const TraceIndex& ix, const std::string& link, Instant t) {
  const auto& tr = ix.trace();
  std::optional<std::uint64_t> any;
  for (std::uint64_t k = ix.cursor_at_time(t); k-- > 0 && tr[k].t_ns == t;) {
    const TraceEvent& e = tr[k];
    if (e.type != TraceType::Drop || e.where != "queue") continue;
    if (e.reason.rfind(link + ":", 0) == 0) return k;
    any = k;
  }
  return any;
}

// The event at time t when the traces differ: the last one at or before it.
std::uint64_t event_at_time(const TraceIndex& ix, Instant t) {
  const std::uint64_t c = ix.cursor_at_time(t);
  return c ? c - 1 : 0;
}

std::optional<MarkLink> link_loss(const CongestionData& d, const TraceIndex& ix, const plot::Mark& m) {
  if (m.color < 0 || static_cast<std::size_t>(m.color) >= d.flows.size()) return std::nullopt;
  const FlowSeries& f = d.series.flows[d.flows[static_cast<std::size_t>(m.color)]];
  for (const auto& e : loss_episodes(f)) {
    if (e.start != m.t) continue;
    MarkLink l;
    l.event = d.same_trace ? f.samples[e.sample].trace_seq : event_at_time(ix, e.start);
    if (l.event >= ix.size()) return std::nullopt;
    l.send_k = segment_of_episode(ix, f, l.event);
    return l;
  }
  return std::nullopt;
}

std::optional<MarkLink> link_drop(const TraceIndex& ix, const plot::Mark& m) {
  const auto k = drop_event(ix, m.flow, m.t);
  if (!k) return std::nullopt;
  MarkLink l{*k, std::nullopt};
  if (const std::uint32_t s = ix.seg_of_event(*k); s != kNone) l.send_k = ix.segments()[s].send_k;
  return l;
}

}  // namespace

std::unique_ptr<CongestionData> compute_congestion(const Lab& lab, const std::vector<std::string>& rules,
                                                   const TraceIndex& shown) {
  auto d = std::make_unique<CongestionData>();
  TraceSink sink;
  try {
    run_series(lab, rules, lab.until, sink);
  } catch (const std::exception& e) {
    d->error = std::string("the series run failed: ") + e.what();
    return d;
  }
  d->series = std::move(sink.series);
  d->same_trace = same_trace(sink.events, shown.trace());
  d->input.series = &d->series;
  d->input.host_names = shown.host_names();
  d->input.flow_mss = plot::flow_mss(d->series, sink.events);
  d->input.title = lab.name;
  if (d->series.flows.empty()) {
    d->error = "no connection had a congestion window in this lab";
    return d;
  }
  // The flows that delivered data (as `tcplab plot` shows by default), else every one.
  plot::Request req;
  try {
    d->flows = plot::select_flows(d->input, "");
  } catch (const plot::PlotError&) {
    req.flows = "all";
    d->flows = plot::select_flows(d->input, "all");
  }
  // One time axis for every panel and the ladder: the run's start to its last event or sample.
  Instant end = shown.size() ? shown.trace()[shown.size() - 1].t_ns : 0;
  end = std::max(end, series_span(d->series).to);
  req.from = 0;
  req.to = std::max<Instant>(end, 1);
  // Each panel that has something to show (a lab without a bottleneck has no queue).
  for (plot::Panel p : {plot::Panel::Cwnd, plot::Panel::Queue, plot::Panel::Rtt, plot::Panel::Throughput}) {
    req.panels = {p};
    try {
      plot::Figure f = plot::build_figure(d->input, req);
      if (d->figure.panels.empty()) {
        d->figure = std::move(f);
      } else {
        d->figure.panels.push_back(std::move(f.panels.front()));
      }
    } catch (const plot::PlotError&) {
    }
  }
  if (d->figure.panels.empty()) {
    d->error = "nothing to plot: no window, queue, RTT or delivered data";
    return d;
  }
  for (const auto& p : d->figure.panels) {
    auto& links = d->links.emplace_back();
    for (const auto& m : p.marks)
      links.push_back(m.series == "loss" ? link_loss(*d, shown, m) : m.series == "drop" ? link_drop(shown, m) : std::nullopt);
  }
  return d;
}

std::string cc_phase_at(const FlowSeries& f, Instant t) {
  const FlowSample* s = flow_at(f, t);
  if (!s) return "";
  return f.cc + (s->phase.empty() ? "" : " · " + s->phase);
}

std::optional<double> line_value_at(const plot::Line& l, Instant t) {
  const auto it = std::upper_bound(l.t.begin(), l.t.end(), t);
  if (it == l.t.begin()) return l.at_from;
  return l.v[static_cast<std::size_t>(it - l.t.begin() - 1)];
}

}  // namespace tcplab::viz
