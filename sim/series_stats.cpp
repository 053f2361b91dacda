#include "sim/series_stats.hpp"

#include <algorithm>

namespace tcplab {

namespace {

// Index of the last sample at or before t, or npos.
template <class Sample>
std::size_t at_or_before(const std::vector<Sample>& v, Instant t) {
  const auto it = std::upper_bound(v.begin(), v.end(), t, [](Instant x, const Sample& s) { return x < s.t; });
  return it == v.begin() ? std::string::npos : static_cast<std::size_t>(it - v.begin() - 1);
}

// Time-weighted mean over r of value(sample) for the samples where keep(sample), each held
// until the next sample (the last until r.to).
template <class Value, class Keep>
std::optional<double> step_mean(const std::vector<FlowSample>& v, TimeRange r, Value value, Keep keep) {
  if (r.empty() || v.empty()) return std::nullopt;
  double sum = 0;
  Duration held = 0;
  std::size_t i = at_or_before(v, r.from);
  if (i == std::string::npos) i = 0;
  for (; i < v.size() && v[i].t < r.to; ++i) {
    const Instant a = std::max(v[i].t, r.from);
    const Instant b = i + 1 < v.size() ? std::min(v[i + 1].t, r.to) : r.to;
    if (b <= a || !keep(v[i])) continue;
    sum += value(v[i]) * static_cast<double>(b - a);
    held += b - a;
  }
  if (held == 0) return std::nullopt;
  return sum / static_cast<double>(held);
}

bool in_recovery(const std::string& phase) { return phase == "recovery" || phase == "loss"; }

}  // namespace

const FlowSample* flow_at(const FlowSeries& f, Instant t) {
  const std::size_t i = at_or_before(f.samples, t);
  return i == std::string::npos ? nullptr : &f.samples[i];
}

std::uint64_t delivered_at(const FlowSeries& f, Instant t) {
  const FlowSample* s = flow_at(f, t);
  return s ? s->delivered : 0;
}

double throughput_bps(const FlowSeries& f, Instant t, Duration window) {
  if (window <= 0) return 0;
  const std::uint64_t bytes = delivered_at(f, t) - delivered_at(f, t - window);
  return static_cast<double>(bytes) * 8e9 / static_cast<double>(window);
}

double mean_throughput_bps(const FlowSeries& f, TimeRange r) {
  if (r.empty()) return 0;
  return throughput_bps(f, r.to, r.length());
}

std::vector<RatePoint> throughput_series(const FlowSeries& f, TimeRange r, Duration window, Duration step) {
  std::vector<RatePoint> out;
  if (r.empty() || step <= 0) return out;
  for (Instant t = r.from + step; t <= r.to; t += step) out.push_back({t, throughput_bps(f, t, window)});
  return out;
}

std::optional<double> jain_index(const std::vector<double>& x) {
  double sum = 0, sq = 0;
  for (double v : x) {
    sum += v;
    sq += v * v;
  }
  if (x.empty() || sq <= 0) return std::nullopt;
  return sum * sum / (static_cast<double>(x.size()) * sq);
}

FlowAverages flow_averages(const FlowSeries& f, TimeRange r) {
  FlowAverages a;
  const auto all = [](const FlowSample&) { return true; };
  a.cwnd_bytes = step_mean(f.samples, r, [](const FlowSample& s) { return double(s.cwnd); }, all);
  a.flight_bytes = step_mean(f.samples, r, [](const FlowSample& s) { return double(s.flight); }, all);
  a.srtt_ns = step_mean(f.samples, r, [](const FlowSample& s) { return double(s.srtt_ns); },
                        [](const FlowSample& s) { return s.srtt_ns > 0; });
  a.throughput_bps = mean_throughput_bps(f, r);
  return a;
}

std::vector<LossEpisode> loss_episodes(const FlowSeries& f) {
  std::vector<LossEpisode> out;
  const auto& v = f.samples;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const bool was = in_recovery(v[i - 1].phase), is = in_recovery(v[i].phase);
    if (is && (!was || v[i].phase != v[i - 1].phase)) {
      // Entered recovery, or went from fast recovery to the timer's loss state: a new episode.
      if (!out.empty() && out.back().end == kNever) out.back().end = v[i].t;
      out.push_back({i, v[i].t, kNever, v[i].phase, v[i - 1].cwnd});
    } else if (was && !is) {
      if (!out.empty() && out.back().end == kNever) out.back().end = v[i].t;
    } else if (!was && !is && v[i].cwnd < v[i - 1].cwnd) {
      out.push_back({i, v[i].t, v[i].t, "cut", v[i - 1].cwnd});
    }
  }
  if (!out.empty() && out.back().end == kNever) out.back().end = v.back().t;
  return out;
}

std::vector<DropMark> drop_marks(const LinkSeries& l) {
  std::vector<DropMark> out;
  std::uint64_t before = 0;
  for (const auto& s : l.samples) {
    if (s.drops > before) out.push_back({s.t, s.pkts, s.drops - before});
    before = s.drops;
  }
  return out;
}

TimeRange span_union(TimeRange a, TimeRange b) {
  if (b.empty()) return a;
  if (a.empty()) return b;
  return {std::min(a.from, b.from), std::max(a.to, b.to)};
}

namespace {
template <class Sample>
TimeRange samples_span(const std::vector<Sample>& v) {
  if (v.empty()) return {};
  return {v.front().t, std::max(v.back().t, v.front().t + 1)};  // one sample: a 1 ns span, not empty
}
}  // namespace

TimeRange span_of(const FlowSeries& f) { return samples_span(f.samples); }
TimeRange span_of(const LinkSeries& l) { return samples_span(l.samples); }
TimeRange span_of(const PingSeries& p) { return samples_span(p.samples); }

TimeRange flow_span(const std::vector<const FlowSeries*>& flows) {
  TimeRange r;
  for (const FlowSeries* f : flows) r = span_union(r, span_of(*f));
  return r;
}

TimeRange series_span(const Series& s) {
  TimeRange r;
  for (const auto& f : s.flows) r = span_union(r, span_of(f));
  for (const auto& l : s.links) r = span_union(r, span_of(l));
  for (const auto& p : s.pings) r = span_union(r, span_of(p));
  return r;
}

}  // namespace tcplab
