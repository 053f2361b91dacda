// `tcplab plot LAB --series cwnd,queue,rtt,throughput --out F.svg|F.png|F.csv`: a lab run with
// its congestion series recorded, drawn as stacked panels (labs/plot_draw.cpp) or written as a
// long-format CSV for pandas, R or gnuplot (labs/plot.cpp).
#include <fmt/format.h>
#include <iostream>
#include <map>

#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "labs/plot.hpp"
#include "labs/run_control.hpp"
#include "labs/runner.hpp"

namespace tcplab::cli {
namespace {

struct PlotArgs {
  std::string lab;
  LabOptionArgs common;
  std::string series, flows, from, to, window, out, size;
};

std::vector<plot::Panel> panels_of(const std::string& list) {
  std::vector<plot::Panel> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = list.find(',', start);
    const std::string w = list.substr(start, comma - start);
    const auto p = plot::parse_panel(w);
    if (!p) throw BadInput("--series: '" + w + "' is not a series (" + plot::kPanelNames + ")");
    if (std::find(out.begin(), out.end(), *p) == out.end()) out.push_back(*p);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// What was drawn, and every flow with its number, so that --flows can name them.
void summary(const plot::Input& in, const std::vector<std::size_t>& shown, const plot::Figure& fig,
             const std::string& out, const std::string& series) {
  std::cout << fmt::format("{}: {} over {:.3f} s to {:.3f} s\n", out, series, fig.range.from / 1e9, fig.range.to / 1e9);
  const auto& flows = in.series->flows;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const bool on = std::find(shown.begin(), shown.end(), i) != shown.end();
    std::cout << fmt::format("  flow {:<3} {:<6} {:>9.3f} Mb/s  {}\n", i + 1, on ? "shown" : "-",
                             mean_throughput_bps(flows[i], fig.range) / 1e6, plot::flow_label(in, i));
  }
  if (fig.jain) std::cout << fmt::format("Jain's fairness index over the shown flows: {:.3f}\n", *fig.jain);
}

int run(const PlotArgs& a) {
  plot::Request req;
  req.panels = panels_of(a.series);
  const auto format = plot::format_of(a.out);
  if (!format) throw BadInput("--out: '" + a.out + "': unknown format (the file must end in .svg, .png or .csv)");
  const auto [width, height] = a.size.empty() ? std::pair{900, plot::default_height(req.panels.size())} : size_arg(a.size);
  req.flows = a.flows;
  if (!a.from.empty()) req.from = duration_arg("--from", a.from);
  if (!a.to.empty()) req.to = duration_arg("--to", a.to);
  if (!a.window.empty()) {
    req.window = duration_arg("--window", a.window);
    if (*req.window <= 0) throw BadInput("--window: must be longer than 0");
  }
  Lab lab = load_common(a.lab, a.common);
  const LongRun long_run(max_memory_of(a.common));
  LabRun r = run_lab(std::move(lab), until_of(a.common), false, &long_run.control(), /*series=*/true);
  if (!r.stopped.empty()) std::cerr << "tcplab: " << stopped_line(r) << "\n";
  plot::Input in;
  in.series = &r.sink->series;
  in.host_names = r.world.host_names();
  in.flow_mss = plot::flow_mss(r.sink->series, r.sink->events);
  in.title = r.lab.name + " (seed " + std::to_string(r.lab.seed);
  for (const auto& v : a.common.vars) in.title += ", " + v;
  in.title += ")";
  try {
    const plot::Figure fig = plot::build_figure(in, req);
    write_output(a.out, *format == plot::Format::Csv ? plot::to_csv(fig) : plot::draw(fig, *format, width, height));
    summary(in, plot::select_flows(in, req.flows), fig, a.out, a.series);
  } catch (const plot::PlotError& e) {
    throw BadInput(e.what());
  }
  return r.stopped.empty() ? kOk : stopped_exit_code(r);
}

}  // namespace

Command plot_command() {
  return {"plot", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<PlotArgs>();
    sub.add_option("LAB", a->lab, "a built-in lab's name or a .toml file")->required();
    add_lab_options(sub, a->common);
    sub.add_option("--series", a->series,
                   "the panels, stacked in this order on one time axis (a comma list): cwnd (cwnd, ssthresh dashed, "
                   "bytes in flight light, loss episodes marked), queue (each link's queue in packets, drops), "
                   "rtt (each flow's SRTT, pings), throughput (each flow's delivery rate over --window, "
                   "Jain's fairness index)")
        ->required();
    sub.add_option("--out", a->out, "the file to write: .svg or .png (a picture) or .csv (the numbers)")->required();
    sub.add_option("--flows", a->flows,
                   "which flows (a comma list): 'all', flow numbers (as the summary lists them: 1, 2 ...) or host "
                   "names (every flow of that host); default: the flows that delivered data");
    sub.add_option("--from", a->from, "start of the time axis, e.g. 1.5s (default 0)");
    sub.add_option("--to", a->to, "end of the time axis (default: the last sample of what is shown)");
    sub.add_option("--window", a->window,
                   "the throughput window: each point is the data acknowledged in the window before it "
                   "(default 100ms, or twice the largest SRTT shown when that is longer)");
    sub.add_option("--size", a->size, "picture size in pixels, WIDTHxHEIGHT (default 900 wide, 200 high per panel)");
    sub.footer(std::string("Examples:\n  tcplab plot lossy-transfer --series cwnd,throughput --out lossy.svg\n"
                           "  tcplab plot lossy-transfer --series cwnd,rtt --var loss=3% --out lossy.png --size 900x500\n"
                           "  tcplab plot lossy-transfer --series cwnd,rtt,throughput --flows all --out lossy.csv\n"
                           "Output: a summary on stdout lists every flow with its number, whether it is shown and "
                           "its mean throughput.\n") +
               plot::csv_columns_help());
    return [a] { return run(*a); };
  }, "plot a lab's congestion window, queues, RTT and throughput over time (SVG, PNG or CSV)"};
}

}  // namespace tcplab::cli
