#pragma once
// `tcplab plot`: a figure built from a run's congestion series (sim/series.hpp), then written as
// a long-format CSV (plot.cpp) or drawn through cairo as SVG or PNG (plot_draw.cpp): one model,
// so the CSV holds exactly what the picture shows.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/series_stats.hpp"
#include "sim/trace.hpp"

namespace tcplab::plot {

// One stacked panel each, in the order asked for; they share the time axis.
enum class Panel { Cwnd, Queue, Rtt, Throughput };
std::optional<Panel> parse_panel(const std::string& name);
const char* panel_name(Panel p);
constexpr const char* kPanelNames = "cwnd, queue, rtt, throughput";

enum class Format { Csv, Svg, Png };
// From the output file's extension (.csv, .svg, .png; any case); nullopt for another one.
std::optional<Format> format_of(const std::string& path);

// What to draw. Errors (an unknown name, an empty selection, a panel without data) are thrown
// as PlotError with a one-line message naming the option.
struct Request {
  std::vector<Panel> panels;
  std::string flows;                  // "" (flows that delivered data), "all", or a comma list of
                                      // flow numbers (1, 2 ... as listed) and host names
  std::optional<Instant> from, to;    // default: 0 to the last sample of what is shown
  std::optional<Duration> window;     // throughput window; default: default_window()
};
struct PlotError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What the run recorded, with what the series do not say themselves.
struct Input {
  const Series* series = nullptr;
  std::vector<std::string> host_names;  // by host index
  std::vector<std::uint32_t> flow_mss;  // per flow (series->flows order): its largest segment, 0 unknown
  std::string title;                    // e.g. "lossy-transfer (seed 1)"
};

// Each flow's largest data segment in the trace: its MSS as it sent (Input::flow_mss, for the
// axis in segments).
std::vector<std::uint32_t> flow_mss(const Series& series, const TraceEvents& trace);

// A flow's name in legends and the CSV: host, connection and congestion control,
// e.g. "s1 10.0.0.1:40000>10.0.0.3:80 cubic".
std::string flow_label(const Input& in, std::size_t flow);

enum class Style { Solid, Dashed, Light, Dots };
// Colours are palette indexes: 0, 1, ... the shown flows; from kOtherColors the links and pings
// (another palette, so a queue is not taken for a flow); kJainColor Jain's index.
constexpr int kOtherColors = 100, kJainColor = 1000;
// The colours, as 0xRRGGBB: the flows from a colour-blind-friendly qualitative palette (Tableau
// 10 less its red, kept for losses), links and pings from darker tones so that a queue or a ping
// is not read as a flow; shared with the visualizer's congestion pane.
std::uint32_t color_rgb(int color);
constexpr std::uint32_t kLossRgb = 0xd62728, kTimeoutRgb = 0xe6a100;
// Shading of a loss episode: fast recovery light red, the retransmission timer's loss state amber.
constexpr double kRecoveryAlpha = 0.10, kTimeoutAlpha = 0.22;

// One curve. Values are in the CSV's unit; the panel scales them for its axis.
struct Line {
  std::string series, flow, unit;  // the CSV's columns
  int color = 0;                   // palette index
  Style style = Style::Solid;
  bool steps = true;               // a step function (held until the next sample) or points joined
  bool right_axis = false;         // drawn against the panel's right axis (Jain's index)
  bool draw = true;                // false: in the CSV only
  std::vector<Instant> t;
  std::vector<std::optional<double>> v;  // nullopt: no value there (ssthresh not set, a lost ping): a gap
  std::vector<std::string> phase;        // per point for a flow's lines, else empty
  std::optional<double> at_from;         // the value in force at the range's start (drawn, not a CSV row)
  Instant until = 0;                     // a step line's last value holds to here (its series' last sample)
};

// A marked instant: a loss episode (drawn with its extent), a queue drop, a lost ping.
struct Mark {
  std::string series, flow, unit, note;  // CSV columns (note goes in the phase column)
  Instant t = 0, end = 0;
  double csv_value = 0;  // loss: cwnd before; drop: packets dropped
  double y = 0;          // where it is drawn, in the CSV unit of the panel's lines (lost ping: at the top)
  int color = 0;
  bool csv = true;       // false: drawn only (a lost ping is already a row of its line, with no value)
};

struct PanelData {
  Panel kind = Panel::Cwnd;
  std::string title;    // the header above the plot area
  std::string y_label;  // axis title with its unit, e.g. "KB"
  double scale = 1;     // value * scale = axis unit
  double mss = 0;       // cwnd: a second axis in segments of this many bytes (0: none)
  bool jain_axis = false;
  std::vector<Line> lines;
  std::vector<Mark> marks;
};

// The largest value a panel's left axis must show (its drawn lines, their values at the range's
// start, its marks but lost pings), in axis units: the window and the pictures both scale by it.
double value_max(const PanelData& d);
// A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks over [0, span].
double nice_step(double span, int want);

struct LegendEntry {
  std::string label;
  int color = 0;
};

struct Figure {
  std::string title;
  TimeRange range;
  Duration window = 0;             // the throughput window used
  std::optional<double> jain;      // over the shown flows' mean throughput in the range
  std::vector<LegendEntry> legend;  // the shown flows
  std::vector<PanelData> panels;
};

// The throughput window when none is asked for: 100 ms, or twice the largest SRTT of the
// shown flows when that is longer (a window then spans at least two rounds of ACKs, so
// window-limited flows do not show their round-trip bursts as rate swings).
Duration default_window(const std::vector<const FlowSeries*>& flows);

// The flows a selection names (indexes into series.flows, in order); throws PlotError.
std::vector<std::size_t> select_flows(const Input& in, const std::string& selection);

Figure build_figure(const Input& in, const Request& r);

// Long format, one row per change of a series: t_s,series,flow,value,unit,phase (csv_columns_help()).
std::string to_csv(const Figure& f);
const char* csv_columns_help();

// The figure drawn through cairo as SVG or PNG bytes (plot_draw.cpp).
std::string draw(const Figure& f, Format format, int width, int height);
// The default height for a figure of n panels at this width.
int default_height(std::size_t panels);

}  // namespace tcplab::plot
