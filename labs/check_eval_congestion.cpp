// Congestion checks: a statistic of a series (sim/series.hpp) over a span, against bounds.
// Flows are a host's connections that delivered data, in the order the series met them;
// links are named as `tcplab plot --series queue` lists them.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "labs/check_eval.hpp"
#include "labs/check_words.hpp"
#include "sim/fault.hpp"
#include "sim/series_stats.hpp"

namespace tcplab {

namespace {

std::string fmt_value(const std::string& m, double v) {
  char b[64];
  if (m == "throughput") std::snprintf(b, sizeof b, "%.2f Mb/s", v / 1e6);
  else if (m == "srtt" || m == "ping_rtt") std::snprintf(b, sizeof b, "%.1f ms", v / 1e6);
  else if (m == "fairness") std::snprintf(b, sizeof b, "%.3f", v);
  else if (m == "queue") std::snprintf(b, sizeof b, "%.1f packets", v);
  else if (m == "drops") std::snprintf(b, sizeof b, "%.0f", v);
  else std::snprintf(b, sizeof b, "%.0f bytes (%.1f KB)", v, v / 1000);
  return b;
}

bool within(const Bound<double>& b, double v) {
  // An exact bound on a real measure allows 1 % (a rate or a mean is never exact to the bit).
  if (b.exact) return std::fabs(v - *b.exact) <= std::max(1.0, std::fabs(*b.exact) * 0.01);
  return (!b.min || v >= *b.min) && (!b.max || v <= *b.max);
}

// The flows of `from` (to `to`, if given) that delivered data, in order.
std::vector<const FlowSeries*> flows_of(const EvalContext& cx, const Check& c) {
  const HostSel from = host_sel(cx, c.from), to = host_sel(cx, c.to);
  std::vector<const FlowSeries*> v;
  for (const auto& f : cx.series->flows) {
    if (f.samples.empty() || f.samples.back().delivered == 0) continue;
    if (!from.any && f.host != from.host) continue;
    if (!to.any) {
      const auto gt = f.conn.find('>');
      const std::string remote = gt == std::string::npos ? "" : f.conn.substr(gt + 1);
      if (remote.rfind(ip_to_string(to.ip) + ":", 0) != 0) continue;
    }
    v.push_back(&f);
  }
  return v;
}

// A step series' statistic over [r.from, r.to]: value(sample) per sample.
template <class Get>
std::optional<double> step_stat(const FlowSeries& f, TimeRange r, const std::string& stat, Get get,
                                std::uint64_t* where) {
  const FlowSample* at_start = flow_at(f, r.from);
  std::optional<double> lo, hi;
  double area = 0;
  Duration covered = 0;
  Instant t = r.from;
  std::optional<double> cur;
  if (at_start) cur = get(*at_start);
  auto take = [&](double x, std::uint64_t seq) {
    if (!lo || x < *lo) lo = x;
    if (!hi || x > *hi) {
      hi = x;
      if (stat == "max") *where = seq;
    }
    if (stat == "min" && *lo == x) *where = seq;
  };
  if (cur) take(*cur, at_start->trace_seq);
  for (const auto& s : f.samples) {
    if (s.t <= r.from) continue;
    if (s.t > r.to) break;
    if (cur) {
      area += *cur * static_cast<double>(s.t - t);
      covered += s.t - t;
    }
    cur = get(s);
    t = s.t;
    take(*cur, s.trace_seq);
  }
  if (!cur) return std::nullopt;
  if (r.to > t) {
    area += *cur * static_cast<double>(r.to - t);
    covered += r.to - t;
  }
  if (stat == "min") return lo;
  if (stat == "max") return hi;
  if (stat == "final") {
    if (const FlowSample* s = flow_at(f, r.to)) *where = s->trace_seq;
    return cur;
  }
  return covered > 0 ? std::optional<double>(area / static_cast<double>(covered)) : cur;
}

}  // namespace

Verdict check_congestion(const EvalContext& cx, const Check& c) {
  Verdict v;
  const std::string& m = c.measure;
  const Instant end_of_run = cx.world.now();
  TimeRange r{c.at ? *c.at : c.start.value_or(0), c.at ? *c.at : c.end.value_or(end_of_run)};
  const std::string span = c.at ? "at " + format_duration(*c.at)
                                : (c.start || c.end) ? "from " + format_duration(r.from) + " to " + format_duration(r.to)
                                                     : "over the run";
  const std::string stat = !c.stat.empty() ? c.stat : c.at ? "final" : m == "drops" ? "final" : "mean";
  std::uint64_t where = UINT64_MAX;
  std::optional<double> got;
  std::string subject;
  if (cx.series == nullptr) {
    v.expected = "congestion series";
    v.actual = "this run recorded none";
    return v;
  }
  if (m == "queue" || m == "drops") {
    const LinkSeries* l = nullptr;
    std::vector<std::string> names;
    for (const auto& x : cx.series->links) {
      names.push_back("\"" + x.name + "\"");
      if (x.name == c.link) l = &x;
    }
    subject = "link " + c.link;
    if (!l) {
      v.expected = m + " of link \"" + c.link + "\"";
      v.actual = names.empty() ? "no link in this lab has a queue" : "no such link (links with a queue: " + join(names, ", ") + ")";
      return v;
    }
    double area = 0, lo = 1e300, hi = -1, last = 0;
    std::uint64_t drops_before = 0, drops_end = 0;
    Instant t = r.from;
    bool any = false;
    for (const auto& s : l->samples) {
      if (s.t <= r.from) {
        last = s.pkts;
        drops_before = drops_end = s.drops;
        continue;
      }
      if (s.t > r.to) break;
      area += last * static_cast<double>(s.t - t);
      t = s.t;
      last = s.pkts;
      drops_end = s.drops;
      any = true;
      lo = std::min(lo, last);
      hi = std::max(hi, last);
    }
    area += last * static_cast<double>(std::max<Instant>(0, r.to - t));
    if (m == "drops") {
      got = static_cast<double>(drops_end - drops_before);
    } else if (stat == "max") {
      got = any ? hi : last;
    } else if (stat == "min") {
      got = any ? lo : last;
    } else if (stat == "final") {
      got = last;
    } else {
      got = r.length() > 0 ? area / static_cast<double>(r.length()) : last;
    }
  } else if (m == "ping_rtt") {
    const HostSel from = host_sel(cx, c.from);
    subject = "ping from " + from.name;
    std::vector<double> rtts;
    for (const auto& p : cx.series->pings) {
      if (p.host != from.host) continue;
      for (const auto& s : p.samples)
        if (s.t >= r.from && s.t <= r.to && s.rtt_ns != kNever) rtts.push_back(static_cast<double>(s.rtt_ns));
    }
    if (!rtts.empty()) {
      if (stat == "max") got = *std::max_element(rtts.begin(), rtts.end());
      else if (stat == "min") got = *std::min_element(rtts.begin(), rtts.end());
      else if (stat == "final") got = rtts.back();
      else {
        double sum = 0;
        for (double x : rtts) sum += x;
        got = sum / static_cast<double>(rtts.size());
      }
    }
  } else if (m == "fairness") {
    const auto flows = flows_of(cx, c);
    subject = std::to_string(flows.size()) + " flows";
    std::vector<double> shares;
    for (const FlowSeries* f : flows) shares.push_back(mean_throughput_bps(*f, r));
    got = jain_index(shares);
  } else {
    const auto flows = flows_of(cx, c);
    const auto nth = static_cast<std::size_t>(std::max<std::int64_t>(1, c.conn.nth));
    const std::string who = c.from.value_or("?");
    if (flows.size() < nth) {
      v.expected = m + " of " + who + "'s connection " + c.conn.written;
      v.actual = flows.empty() ? who + " sent no data on any connection" : who + " sent data on " + std::to_string(flows.size()) + " connection(s) only";
      return v;
    }
    const FlowSeries& f = *flows[nth - 1];
    subject = cx.host_name(f.host) + " " + f.conn + " (" + f.cc + ")";
    if (m == "phase") {
      for (const auto& s : f.samples) {
        if (s.t < r.from || s.t > r.to || s.phase != c.phase) continue;
        v.pass = true;
        if (s.trace_seq < cx.trace.size()) v.evidence.push_back(s.trace_seq);
        v.expected = "phase \"" + c.phase + "\" " + span + " on " + subject;
        v.actual = "seen at " + format_duration(s.t);
        return v;
      }
      std::vector<std::string> seen;
      for (const auto& s : f.samples)
        if (s.t >= r.from && s.t <= r.to && std::find(seen.begin(), seen.end(), "\"" + s.phase + "\"") == seen.end())
          seen.push_back("\"" + s.phase + "\"");
      v.expected = "phase \"" + c.phase + "\" " + span + " on " + subject;
      v.actual = seen.empty() ? "no sample in that span" : "only " + join(seen, ", ");
      return v;
    }
    if (m == "throughput") {
      got = r.length() > 0 ? mean_throughput_bps(f, r) : throughput_bps(f, r.to, ms(100));
    } else {
      auto get = [&](const FlowSample& s) -> double {
        if (m == "cwnd") return s.cwnd;
        if (m == "ssthresh") return s.ssthresh;
        if (m == "flight") return s.flight;
        return static_cast<double>(s.srtt_ns);
      };
      got = step_stat(f, r, stat, get, &where);
    }
  }
  const std::string what = (m == "drops" ? "drops" : stat + " " + m) + " of " + subject + " " + span;
  v.expected = what + ": " + c.value_text;
  if (!got) {
    v.actual = "no data in that span";
    return v;
  }
  v.actual = fmt_value(m, *got);
  v.pass = within(c.value, *got);
  if (where < cx.trace.size()) v.evidence.push_back(where);
  return v;
}

}  // namespace tcplab
