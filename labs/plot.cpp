// `tcplab plot`'s figure: which flows, which range, and the lines and marks of each panel,
// computed once from the series; and the figure as a long-format CSV.
#include "labs/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <map>
#include <fmt/format.h>

namespace tcplab::plot {

namespace {

constexpr Duration kMinWindow = ms(100);
// Throughput points per flow at most (the step grows for long ranges; the plot is ~800 px wide).
constexpr Instant kMaxRatePoints = 2000;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string host_name(const Input& in, int host) {
  if (host >= 0 && static_cast<std::size_t>(host) < in.host_names.size()) return in.host_names[static_cast<std::size_t>(host)];
  return "host" + std::to_string(host);
}

bool delivered_data(const FlowSeries& f) { return !f.samples.empty() && f.samples.back().delivered > 0; }

// "1 client 10.0.0.1:...>... newreno, 2 ..." for messages that list what could be chosen.
std::string flow_list(const Input& in) {
  std::string s;
  for (std::size_t i = 0; i < in.series->flows.size(); ++i)
    s += (i ? "; " : "") + std::to_string(i + 1) + " " + flow_label(in, i);
  return s.empty() ? "none" : s;
}

// The samples of a step series to draw over r: those inside it where its value changed (a
// sample is taken when any of a flow's values changes; a line keeps only its own changes), and
// the value in force at the range's start.
template <class Sample, class Value>
void add_steps(Line& l, const std::vector<Sample>& v, TimeRange r, Value value) {
  for (const auto& s : v) {
    if (s.t < r.from) {
      l.at_from = value(s);
      continue;
    }
    if (s.t > r.to) break;
    const std::optional<double> x = value(s);
    if (!l.v.empty() && l.v.back() == x) continue;
    l.t.push_back(s.t);
    l.v.push_back(x);
  }
  if (!l.at_from && !l.t.empty() && l.t.front() == r.from) l.at_from = l.v.front();
  if (!v.empty()) l.until = std::min(r.to, v.back().t);
}

Line make_line(std::string series, std::string flow, std::string unit, int color, Style style) {
  Line l;
  l.series = std::move(series);
  l.flow = std::move(flow);
  l.unit = std::move(unit);
  l.color = color;
  l.style = style;
  return l;
}

Line flow_line(const Input& in, std::size_t flow, int color, std::string series, std::string unit, Style style) {
  return make_line(std::move(series), flow_label(in, flow), std::move(unit), color, style);
}

// The flow's phase at each of the line's points (for the CSV's phase column).
void add_phases(Line& l, const FlowSeries& f) {
  for (const Instant t : l.t) l.phase.push_back(flow_at(f, t)->phase);
}

std::optional<double> finite_ssthresh(const FlowSample& s) {
  if (s.ssthresh >= kSsthreshInfinite) return std::nullopt;
  return double(s.ssthresh);
}

struct Shown {
  const Input& in;
  const std::vector<std::size_t>& flows;
  TimeRange range;
  const FlowSeries& flow(std::size_t i) const { return in.series->flows[flows[i]]; }
};

// cwnd, ssthresh (dashed, absent while not set) and bytes in flight (light) of each flow,
// with its loss episodes; a second axis in segments when the flows share one MSS.
PanelData cwnd_panel(const Shown& s) {
  PanelData p;
  p.kind = Panel::Cwnd;
  p.title = "congestion window";
  p.y_label = "KB";
  p.scale = 1e-3;
  std::vector<std::uint32_t> mss;
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const FlowSeries& f = s.flow(i);
    const int c = static_cast<int>(i);
    Line flight = flow_line(s.in, s.flows[i], c, "flight", "bytes", Style::Light);
    add_steps(flight, f.samples, s.range, [](const FlowSample& x) { return std::optional<double>(x.flight); });
    Line ssthresh = flow_line(s.in, s.flows[i], c, "ssthresh", "bytes", Style::Dashed);
    add_steps(ssthresh, f.samples, s.range, finite_ssthresh);
    Line cwnd = flow_line(s.in, s.flows[i], c, "cwnd", "bytes", Style::Solid);
    add_steps(cwnd, f.samples, s.range, [](const FlowSample& x) { return std::optional<double>(x.cwnd); });
    for (Line* l : {&flight, &ssthresh, &cwnd}) add_phases(*l, f);
    // Drawn in this order: the window on top of what it bounds.
    p.lines.push_back(std::move(flight));
    p.lines.push_back(std::move(ssthresh));
    p.lines.push_back(std::move(cwnd));
    for (const auto& e : loss_episodes(f)) {
      if (e.start < s.range.from || e.start > s.range.to) continue;
      p.marks.push_back({"loss", flow_label(s.in, s.flows[i]), "bytes", e.kind, e.start, e.end,
                         double(e.cwnd_before), double(e.cwnd_before), c, true});
    }
    mss.push_back(s.in.flow_mss.size() > s.flows[i] ? s.in.flow_mss[s.flows[i]] : 0);
  }
  if (!mss.empty() && mss.front() > 0 && std::all_of(mss.begin(), mss.end(), [&](auto m) { return m == mss.front(); }))
    p.mss = mss.front();
  return p;
}

// Each link direction's queue (packets; bytes in the CSV only) and its drops.
PanelData queue_panel(const Shown& s) {
  const Series& series = *s.in.series;
  PanelData p;
  p.kind = Panel::Queue;
  p.title = "queue";
  p.y_label = "packets";
  for (std::size_t i = 0; i < series.links.size(); ++i) {
    const LinkSeries& link = series.links[i];
    const int c = kOtherColors + static_cast<int>(i);
    Line pkts = make_line("queue", link.name, "packets", c, Style::Solid);
    add_steps(pkts, link.samples, s.range, [](const QueueSample& q) { return std::optional<double>(q.pkts); });
    Line bytes = make_line("queue_bytes", link.name, "bytes", c, Style::Solid);
    bytes.draw = false;
    add_steps(bytes, link.samples, s.range, [](const QueueSample& q) { return std::optional<double>(q.bytes); });
    p.lines.push_back(std::move(pkts));
    p.lines.push_back(std::move(bytes));
    for (const auto& d : drop_marks(link)) {
      if (d.t < s.range.from || d.t > s.range.to) continue;
      p.marks.push_back({"drop", link.name, "packets", "", d.t, d.t, double(d.dropped), double(d.pkts), c, true});
    }
  }
  return p;
}

// Each flow's SRTT (from its first measurement) and each ping's round trips (points).
PanelData rtt_panel(const Shown& s) {
  PanelData p;
  p.kind = Panel::Rtt;
  p.title = "round-trip time";
  p.y_label = "ms";
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const FlowSeries& f = s.flow(i);
    Line l = flow_line(s.in, s.flows[i], static_cast<int>(i), "srtt", "ms", Style::Solid);
    add_steps(l, f.samples, s.range, [](const FlowSample& x) {
      return x.srtt_ns > 0 ? std::optional<double>(double(x.srtt_ns) / 1e6) : std::nullopt;
    });
    add_phases(l, f);
    p.lines.push_back(std::move(l));
  }
  const Series& series = *s.in.series;
  for (std::size_t i = 0; i < series.pings.size(); ++i) {
    const PingSeries& ping = series.pings[i];
    const std::string name = "ping " + host_name(s.in, ping.host) + ">" + ping.target;
    const int c = kOtherColors + static_cast<int>(series.links.size() + i);
    Line l = make_line("ping", name, "ms", c, Style::Dots);
    l.steps = false;
    for (const auto& x : ping.samples) {
      if (x.t < s.range.from || x.t > s.range.to) continue;
      l.t.push_back(x.t);
      if (x.rtt_ns == kNever) {
        l.v.push_back(std::nullopt);
        p.marks.push_back({"ping_lost", name, "", "", x.t, x.t, 0, 0, c, false});
      } else {
        l.v.push_back(double(x.rtt_ns) / 1e6);
      }
    }
    p.lines.push_back(std::move(l));
  }
  return p;
}

double mbps(double bps) { return bps / 1e6; }

// Each flow's delivery rate over the sliding window, and (two flows or more) Jain's index of
// those rates at each point, against a right axis 0..1.
PanelData throughput_panel(const Shown& s, Duration window) {
  PanelData p;
  p.kind = Panel::Throughput;
  p.y_label = "Mb/s";
  const Duration step = std::max<Duration>(window / 4, s.range.length() / kMaxRatePoints);
  std::vector<std::vector<RatePoint>> rates;
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    Line l = flow_line(s.in, s.flows[i], static_cast<int>(i), "throughput", "Mb/s", Style::Solid);
    l.steps = false;
    rates.push_back(throughput_series(s.flow(i), s.range, window, step));
    for (const auto& r : rates.back()) {
      l.t.push_back(r.t);
      l.v.push_back(mbps(r.bps));
    }
    p.lines.push_back(std::move(l));
  }
  if (s.flows.size() >= 2) {
    Line jain = make_line("jain", "all", "", kJainColor, Style::Solid);
    jain.steps = false;
    jain.right_axis = true;
    for (std::size_t k = 0; k < rates.front().size(); ++k) {
      std::vector<double> x;
      for (const auto& r : rates) x.push_back(r[k].bps);
      jain.t.push_back(rates.front()[k].t);
      jain.v.push_back(jain_index(x));
    }
    p.lines.push_back(std::move(jain));
    p.jain_axis = true;
  }
  p.title = fmt::format("throughput ({} ms window)", window / ms(1));
  return p;
}

// Whether a panel shows anything: a value (for throughput, one above 0: a flow that delivered
// nothing has a flat line at 0, not data).
bool has_value(const PanelData& p) {
  for (const auto& l : p.lines)
    for (const auto& v : l.v)
      if (v && (p.kind != Panel::Throughput || *v > 0)) return true;
  return false;
}

// A panel with nothing to show is an error: the student asked for something this lab lacks.
void require_data(const PanelData& p, const Input& in) {
  if (has_value(p)) return;
  switch (p.kind) {
    case Panel::Queue:
      throw PlotError("--series queue: no queue was recorded in " + in.title + " in this range");
    case Panel::Rtt:
      throw PlotError("--series rtt: neither the selected flows nor a ping measured a round-trip time in this range");
    case Panel::Throughput:
      throw PlotError("--series throughput: the selected flows delivered no data in this range");
    case Panel::Cwnd:
      throw PlotError("--series cwnd: the selected flows have no window in this range");
  }
}

// 0 (or --from) to the last sample of what is shown (or --to).
TimeRange plot_range(const Input& in, const std::vector<std::size_t>& flows, const Request& r) {
  std::vector<const FlowSeries*> shown;
  for (auto i : flows) shown.push_back(&in.series->flows[i]);
  TimeRange span = flow_span(shown);
  for (Panel p : r.panels) {
    if (p == Panel::Queue)
      for (const auto& l : in.series->links) span = span_union(span, span_of(l));
    if (p == Panel::Rtt)
      for (const auto& g : in.series->pings) span = span_union(span, span_of(g));
  }
  TimeRange out{r.from.value_or(0), r.to.value_or(span.to)};
  if (out.empty()) {
    if (r.from || r.to)
      throw PlotError(fmt::format("--from/--to: the range {:.3f} s to {:.3f} s is empty (the series end at {:.3f} s)",
                                  out.from / 1e9, out.to / 1e9, span.to / 1e9));
    out.to = out.from + ms(1);
  }
  return out;
}

}  // namespace

std::optional<Panel> parse_panel(const std::string& name) {
  if (name == "cwnd") return Panel::Cwnd;
  if (name == "queue") return Panel::Queue;
  if (name == "rtt") return Panel::Rtt;
  if (name == "throughput") return Panel::Throughput;
  return std::nullopt;
}

const char* panel_name(Panel p) {
  switch (p) {
    case Panel::Cwnd: return "cwnd";
    case Panel::Queue: return "queue";
    case Panel::Rtt: return "rtt";
    case Panel::Throughput: return "throughput";
  }
  return "?";
}

std::optional<Format> format_of(const std::string& path) {
  const auto dot = path.rfind('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return std::nullopt;
  const std::string ext = lower(path.substr(dot + 1));
  if (ext == "csv") return Format::Csv;
  if (ext == "svg") return Format::Svg;
  if (ext == "png") return Format::Png;
  return std::nullopt;
}

std::vector<std::uint32_t> flow_mss(const Series& series, const TraceEvents& trace) {
  std::map<std::pair<int, std::string>, std::uint32_t> largest;
  for (const auto& f : series.flows) largest[{f.host, f.conn}] = 0;
  for (const auto& e : trace) {
    if (e.type != TraceType::Send || e.len == 0) continue;
    const auto it = largest.find({e.host, e.conn});
    if (it != largest.end()) it->second = std::max(it->second, e.len);
  }
  std::vector<std::uint32_t> out;
  for (const auto& f : series.flows) out.push_back(largest[{f.host, f.conn}]);
  return out;
}

std::uint32_t color_rgb(int c) {
  static constexpr std::uint32_t kFlows[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b,
                                             0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f};
  static constexpr std::uint32_t kOthers[] = {0x333333, 0x006d77, 0x8a6d00, 0x5e3c99};
  if (c == kJainColor) return 0x555555;
  if (c >= kOtherColors) return kOthers[static_cast<std::size_t>(c - kOtherColors) % std::size(kOthers)];
  return kFlows[static_cast<std::size_t>(std::max(0, c)) % std::size(kFlows)];
}

std::string flow_label(const Input& in, std::size_t flow) {
  const FlowSeries& f = in.series->flows[flow];
  return host_name(in, f.host) + " " + f.conn + " " + f.cc;
}

Duration default_window(const std::vector<const FlowSeries*>& flows) {
  Duration srtt = 0;
  for (const FlowSeries* f : flows)
    for (const auto& s : f->samples) srtt = std::max(srtt, s.srtt_ns);
  // Twice the largest SRTT, rounded up to whole 10 ms so the title reads cleanly.
  const Duration two_rtt = (2 * srtt + ms(10) - 1) / ms(10) * ms(10);
  return std::max(kMinWindow, two_rtt);
}

std::vector<std::size_t> select_flows(const Input& in, const std::string& selection) {
  const auto& flows = in.series->flows;
  std::vector<bool> on(flows.size(), false);
  if (selection.empty()) {
    for (std::size_t i = 0; i < flows.size(); ++i) on[i] = delivered_data(flows[i]);
    if (std::find(on.begin(), on.end(), true) == on.end())
      throw PlotError("--flows: no flow delivered data in " + in.title + " (flows: " + flow_list(in) + "); --flows all shows every one");
  }
  for (const std::string& w : selection.empty() ? std::vector<std::string>{} : split_commas(selection)) {
    bool any = false;
    if (w == "all") {
      std::fill(on.begin(), on.end(), true);
      any = !flows.empty();
    } else if (!w.empty() && w.find_first_not_of("0123456789") == std::string::npos) {
      const std::size_t n = std::stoul(w.substr(0, 9));
      if (n == 0 || n > flows.size())
        throw PlotError("--flows: no flow " + w + " (flows: " + flow_list(in) + ")");
      on[n - 1] = any = true;
    } else {
      bool host_known = false;
      for (std::size_t i = 0; i < flows.size(); ++i) {
        if (host_name(in, flows[i].host) != w) continue;
        on[i] = any = true;
      }
      for (const auto& h : in.host_names) host_known = host_known || h == w;
      if (!host_known)
        throw PlotError("--flows: '" + w + "' is neither all, a flow number nor a host (flows: " + flow_list(in) + ")");
    }
    if (!any) throw PlotError("--flows: '" + w + "' selects no flow (flows: " + flow_list(in) + ")");
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < flows.size(); ++i)
    if (on[i]) out.push_back(i);
  return out;
}

Figure build_figure(const Input& in, const Request& r) {
  if (r.panels.empty()) throw PlotError(std::string("--series: none asked for (") + kPanelNames + ")");
  const std::vector<std::size_t> flows = select_flows(in, r.flows);
  Figure fig;
  fig.title = in.title;
  fig.range = plot_range(in, flows, r);
  const Shown shown{in, flows, fig.range};
  std::vector<const FlowSeries*> shown_flows;
  for (auto i : flows) shown_flows.push_back(&in.series->flows[i]);
  fig.window = r.window.value_or(default_window(shown_flows));
  std::vector<double> means;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    fig.legend.push_back({flow_label(in, flows[i]), static_cast<int>(i)});
    means.push_back(mean_throughput_bps(*shown_flows[i], fig.range));
  }
  fig.jain = jain_index(means);
  for (Panel p : r.panels) {
    PanelData d = p == Panel::Cwnd    ? cwnd_panel(shown)
                  : p == Panel::Queue ? queue_panel(shown)
                  : p == Panel::Rtt   ? rtt_panel(shown)
                                      : throughput_panel(shown, fig.window);
    require_data(d, in);
    fig.panels.push_back(std::move(d));
  }
  return fig;
}

const char* csv_columns_help() {
  return "CSV columns (long format, sorted by time: one row where a series changes, its value holding until\n"
         "its next row; throughput and jain at regular steps, a quarter of the window or longer):\n"
         "  t_s     the sample's virtual time in seconds (ns precision)\n"
         "  series  cwnd, ssthresh, flight (bytes), loss (an episode's start: value = cwnd before it,\n"
         "          phase = recovery, loss (the retransmission timer) or cut), srtt (ms), ping (ms),\n"
         "          queue (packets), queue_bytes, drop (packets dropped then), throughput (Mb/s over\n"
         "          the window), jain (Jain's fairness index of the flows' throughput at that time)\n"
         "  flow    the flow (host, connection, congestion control), link, ping, or 'all'\n"
         "  value   the number, in `unit`; empty: none (ssthresh not set yet, a ping never answered)\n"
         "  unit    bytes, ms, packets, Mb/s, or empty\n"
         "  phase   the flow's congestion-control phase at the sample (cwnd/ssthresh/flight/srtt rows)\n";
}

namespace {

// Seconds from integer nanoseconds, exactly (no binary floating point in the time column).
std::string seconds(Instant t) {
  const char* sign = t < 0 ? "-" : "";
  const std::uint64_t a = t < 0 ? static_cast<std::uint64_t>(-t) : static_cast<std::uint64_t>(t);
  return fmt::format("{}{}.{:09}", sign, a / 1'000'000'000, a % 1'000'000'000);
}

std::string number(double v) {
  if (v == static_cast<double>(static_cast<std::int64_t>(v))) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{:.6f}", v);
}

// A text field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

struct Row {
  Instant t;
  std::string text;
};

}  // namespace

std::string to_csv(const Figure& f) {
  std::vector<Row> rows;
  for (const auto& p : f.panels) {
    for (const auto& l : p.lines)
      for (std::size_t i = 0; i < l.t.size(); ++i)
        rows.push_back({l.t[i], fmt::format("{},{},{},{},{},{}", seconds(l.t[i]), l.series, field(l.flow),
                                            l.v[i] ? number(*l.v[i]) : "", l.unit, l.phase.empty() ? "" : field(l.phase[i]))});
    for (const auto& m : p.marks)
      if (m.csv)
        rows.push_back({m.t, fmt::format("{},{},{},{},{},{}", seconds(m.t), m.series, field(m.flow), number(m.csv_value),
                                         m.unit, field(m.note))});
  }
  // By time; at one time, in the order the panels produced them (stable).
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });
  std::string out = "t_s,series,flow,value,unit,phase\n";
  for (const auto& r : rows) out += r.text + "\n";
  return out;
}

double value_max(const PanelData& d) {
  double m = 0;
  for (const auto& l : d.lines) {
    if (!l.draw || l.right_axis) continue;
    for (const auto& v : l.v)
      if (v) m = std::max(m, *v);
    if (l.at_from) m = std::max(m, *l.at_from);
  }
  for (const auto& k : d.marks)
    if (k.series != "ping_lost") m = std::max(m, k.y);
  return m * d.scale;
}

double nice_step(double span, int want) {
  if (!(span > 0)) return 1;
  const double raw = span / want, mag = std::pow(10, std::floor(std::log10(raw))), f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

}  // namespace tcplab::plot
