// `tcplab plot`'s figure (labs/plot.hpp): flow selection, each panel's lines and marks, the
// CSV, the errors, and a PNG read back pixel by pixel. Series are written by hand so that queue
// and ping panels are tested before any lab records them.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "labs/plot.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

using namespace tcplab;
using namespace tcplab::plot;

namespace {

FlowSample fs(Instant t, std::uint32_t cwnd, std::uint64_t delivered, std::string phase,
              std::uint32_t ssthresh = kSsthreshInfinite + 7, Duration srtt = ms(40)) {
  FlowSample s;
  s.t = t;
  s.cwnd = cwnd;
  s.ssthresh = ssthresh;
  s.flight = cwnd / 2;
  s.srtt_ns = srtt;
  s.delivered = delivered;
  s.phase = std::move(phase);
  return s;
}

// Two senders from s1 and s2 and one receiver that sent nothing; a queue that drops; a ping
// with one lost echo.
Series two_flows() {
  Series s;
  FlowSeries a{0, "10.0.0.1:40000>10.0.0.3:80", "cubic", {}};
  a.samples = {fs(0, 14480, 0, "slow start"), fs(ms(100), 28960, 100000, "slow start"),
               fs(ms(200), 20000, 200000, "recovery", 20000), fs(ms(300), 20000, 300000, "congestion avoidance", 20000),
               fs(ms(1000), 30000, 1000000, "congestion avoidance", 20000)};
  FlowSeries b{1, "10.0.0.2:40001>10.0.0.3:80", "newreno", {}};
  b.samples = {fs(0, 14480, 0, "slow start"), fs(ms(500), 14480, 250000, "slow start"), fs(ms(1000), 14480, 500000, "slow start")};
  FlowSeries r{2, "10.0.0.3:80>10.0.0.1:40000", "cubic", {}};
  r.samples = {fs(ms(10), 14480, 0, "slow start")};
  s.flows = {a, b, r};
  s.links.push_back({"bn>", {{0, 0, 0, 0}, {ms(150), 50, 72400, 0}, {ms(200), 50, 72400, 3}, {ms(400), 10, 14480, 3}}});
  s.pings.push_back({0, "r1", {{ms(100), ms(45)}, {ms(600), kNever}, {ms(700), ms(41)}}});
  return s;
}

Input input(const Series& s) {
  Input in;
  in.series = &s;
  in.host_names = {"s1", "s2", "r1"};
  in.flow_mss = {1448, 1448, 0};
  in.title = "dumbbell (seed 1)";
  return in;
}

Request request(std::vector<Panel> p, std::string flows = "") {
  Request r;
  r.panels = std::move(p);
  r.flows = std::move(flows);
  return r;
}

std::vector<std::string> csv_lines(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool has_row(const std::vector<std::string>& rows, const std::string& row) {
  return std::find(rows.begin(), rows.end(), row) != rows.end();
}

int count_rows(const std::vector<std::string>& rows, const std::string& series) {
  int n = 0;
  for (const auto& r : rows) n += r.find("," + series + ",") != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("flow selection: by default the flows that delivered data; all, numbers and host names") {
  const Series s = two_flows();
  const Input in = input(s);
  CHECK(select_flows(in, "") == std::vector<std::size_t>{0, 1});
  CHECK(select_flows(in, "all") == std::vector<std::size_t>{0, 1, 2});
  CHECK(select_flows(in, "3") == std::vector<std::size_t>{2});
  CHECK(select_flows(in, "s2,1") == std::vector<std::size_t>{0, 1});
  CHECK_THROWS_WITH_AS(select_flows(in, "4"), doctest::Contains("no flow 4"), PlotError);
  CHECK_THROWS_WITH_AS(select_flows(in, "x9"), doctest::Contains("'x9' is neither all, a flow number nor a host"), PlotError);
  CHECK(flow_label(in, 0) == "s1 10.0.0.1:40000>10.0.0.3:80 cubic");
  Series none;
  none.flows = {s.flows[2]};
  CHECK_THROWS_WITH_AS(select_flows(input(none), ""), doctest::Contains("no flow delivered data"), PlotError);
}

TEST_CASE("the figure: stacked panels in the order asked, lines and marks of each, Jain's index over the range") {
  const Series s = two_flows();
  const Figure f = build_figure(input(s), request({Panel::Throughput, Panel::Cwnd, Panel::Queue, Panel::Rtt}));
  REQUIRE(f.panels.size() == 4);
  CHECK(f.panels[0].kind == Panel::Throughput);
  CHECK(f.panels[1].kind == Panel::Cwnd);
  CHECK(f.range.from == 0);
  CHECK(f.range.to == sec(1));  // the last sample of what is shown (the ping ends earlier)
  CHECK(f.window == ms(100));   // SRTT 40 ms: twice that is under 100 ms
  // Mean throughput 8 Mb/s and 4 Mb/s: (12)^2 / (2 * (64 + 16)) = 0.9.
  REQUIRE(f.jain);
  CHECK(*f.jain == doctest::Approx(0.9));
  REQUIRE(f.legend.size() == 2);
  CHECK(f.legend[1].label == "s2 10.0.0.2:40001>10.0.0.3:80 newreno");

  const PanelData& cwnd = f.panels[1];
  REQUIRE(cwnd.lines.size() == 6);  // flight, ssthresh, cwnd per flow
  CHECK(cwnd.lines[2].series == "cwnd");
  CHECK(cwnd.lines[2].v.front() == 14480);
  CHECK(cwnd.lines[1].series == "ssthresh");
  CHECK_FALSE(cwnd.lines[1].v.front().has_value());  // not set yet: a gap, not 2^30
  REQUIRE(cwnd.lines[1].v.size() == 2);  // a row where it changes: unset, then 20000 from 200 ms
  CHECK(*cwnd.lines[1].v[1] == 20000);
  CHECK(cwnd.lines[5].v.size() == 1);  // flow 2's window never changes ...
  CHECK(cwnd.lines[5].until == sec(1));  // ... and holds to its last sample
  CHECK(cwnd.lines[0].style == Style::Light);
  CHECK(cwnd.mss == 1448);
  REQUIRE(cwnd.marks.size() == 1);
  CHECK(cwnd.marks[0].note == "recovery");
  CHECK(cwnd.marks[0].t == ms(200));
  CHECK(cwnd.marks[0].end == ms(300));
  CHECK(cwnd.marks[0].csv_value == 28960);

  const PanelData& queue = f.panels[2];
  CHECK(queue.lines[0].series == "queue");
  CHECK(queue.lines[0].v[1] == 50);
  REQUIRE(queue.marks.size() == 1);
  CHECK(queue.marks[0].t == ms(200));
  CHECK(queue.marks[0].csv_value == 3);

  const PanelData& rtt = f.panels[3];
  REQUIRE(rtt.lines.size() == 3);
  CHECK(rtt.lines[2].flow == "ping s1>r1");
  CHECK_FALSE(rtt.lines[2].v[1].has_value());
  REQUIRE(rtt.marks.size() == 1);
  CHECK(rtt.marks[0].series == "ping_lost");

  const PanelData& tput = f.panels[0];
  CHECK(tput.jain_axis);
  REQUIRE(tput.lines.size() == 3);
  CHECK(tput.lines[2].series == "jain");
  // At 500 ms (window 400-500 ms): flow 1 delivered 100000 bytes (8 Mb/s) ... well, its samples
  // step at 300 ms and 1000 ms, so none in that window; flow 2's steps at 500 ms: 250000 bytes.
  const auto at = [](const Line& l, Instant t) {
    for (std::size_t i = 0; i < l.t.size(); ++i)
      if (l.t[i] == t) return *l.v[i];
    FAIL("no point at ", t);
    return -1.0;
  };
  CHECK(at(tput.lines[0], ms(500)) == doctest::Approx(0));
  CHECK(at(tput.lines[1], ms(500)) == doctest::Approx(20.0));  // 250000 B * 8 / 100 ms = 20 Mb/s
  CHECK(at(tput.lines[2], ms(500)) == doctest::Approx(0.5));   // one of two flows has it all
}

TEST_CASE("the CSV: a header, one row per sample in time order, every series with its unit") {
  const Series s = two_flows();
  Request r = request({Panel::Cwnd, Panel::Queue, Panel::Rtt, Panel::Throughput});
  r.to = ms(800);
  const auto rows = csv_lines(to_csv(build_figure(input(s), r)));
  REQUIRE(rows.size() > 10);
  CHECK(rows[0] == "t_s,series,flow,value,unit,phase");
  CHECK(rows[1].rfind("0.000000000,", 0) == 0);
  CHECK(has_row(rows, "0.000000000,cwnd,s1 10.0.0.1:40000>10.0.0.3:80 cubic,14480,bytes,slow start"));
  CHECK(has_row(rows, "0.000000000,ssthresh,s1 10.0.0.1:40000>10.0.0.3:80 cubic,,bytes,slow start"));
  CHECK(has_row(rows, "0.200000000,loss,s1 10.0.0.1:40000>10.0.0.3:80 cubic,28960,bytes,recovery"));
  CHECK(has_row(rows, "0.200000000,drop,bn>,3,packets,"));
  CHECK(has_row(rows, "0.150000000,queue_bytes,bn>,72400,bytes,"));
  CHECK(has_row(rows, "0.600000000,ping,ping s1>r1,,ms,"));
  CHECK(has_row(rows, "0.100000000,ping,ping s1>r1,45,ms,"));
  CHECK(has_row(rows, "0.500000000,jain,all,0.500000,,"));
  // A row where a line changes: flow 1's window 14480, 28960, 20000 (not again at 300 ms), flow 2's 14480.
  CHECK(count_rows(rows, "cwnd") == 4);
  CHECK(count_rows(rows, "throughput") == 2 * 32);  // every 25 ms to 800 ms
  std::string prev = "0";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string t = rows[i].substr(0, rows[i].find(','));
    CHECK(std::stod(t) >= std::stod(prev));
    CHECK(std::count(rows[i].begin(), rows[i].end(), ',') == 5);
    prev = t;
  }
}

TEST_CASE("a panel without data, or a bad range, is an error naming it") {
  Series s = two_flows();
  s.links.clear();
  CHECK_THROWS_WITH_AS(build_figure(input(s), request({Panel::Queue})), doctest::Contains("--series queue: no queue was recorded"), PlotError);
  CHECK_THROWS_WITH_AS(build_figure(input(s), request({Panel::Throughput}, "3")),
                       doctest::Contains("--series throughput: the selected flows delivered no data"), PlotError);
  for (auto& f : s.flows)
    for (auto& x : f.samples) x.srtt_ns = 0;
  s.pings.clear();
  CHECK_THROWS_WITH_AS(build_figure(input(s), request({Panel::Rtt})), doctest::Contains("--series rtt"), PlotError);
  Request r = request({Panel::Cwnd});
  r.from = sec(2);
  CHECK_THROWS_WITH_AS(build_figure(input(s), r), doctest::Contains("is empty"), PlotError);
  CHECK(format_of("a/b.SVG") == Format::Svg);
  CHECK(format_of("x.csv") == Format::Csv);
  CHECK_FALSE(format_of("x.jpg"));
  CHECK_FALSE(format_of("dir.png/x"));
  CHECK_FALSE(parse_panel("cwin"));
}

TEST_CASE("the PNG: the first flow's colour where its window is drawn, the background elsewhere") {
  const Series s = two_flows();
  const Figure f = build_figure(input(s), request({Panel::Cwnd}));
  const std::string png = plot::draw(f, Format::Png, 900, 400);
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()), static_cast<int>(png.size()),
                                            &w, &h, &n, 3);
  REQUIRE(px != nullptr);
  CHECK(w == 900);
  CHECK(h == 400);
  // The first flow's colour (#1f77b4), in the plot area (below the legend, inside the margins),
  // on enough pixels to be a 2 px line across the panel.
  const auto is = [&](int x, int y, int r, int g, int b) {
    const unsigned char* p = px + 3 * (y * w + x);
    return p[0] == r && p[1] == g && p[2] == b;
  };
  int cwnd_px = 0, white = 0, inside = 0;
  for (int y = 70; y < h - 45; ++y)
    for (int x = 75; x < w - 65; ++x) {
      ++inside;
      cwnd_px += is(x, y, 0x1f, 0x77, 0xb4);
      white += is(x, y, 255, 255, 255);
    }
  CHECK(cwnd_px > 400);
  CHECK(white > inside / 2);  // mostly background
  CHECK(is(2, 2, 255, 255, 255));
  CHECK(is(w - 2, h - 2, 255, 255, 255));
  // The second flow's orange is there too, and the loss marker's red.
  int orange = 0, red = 0;
  for (int i = 0; i < w * h; ++i) {
    orange += is(i % w, i / w, 0xff, 0x7f, 0x0e);
    red += is(i % w, i / w, 0xd6, 0x27, 0x28);
  }
  CHECK(orange > 100);
  CHECK(red > 5);
  stbi_image_free(px);
}

TEST_CASE("the SVG: one document with the curves as paths, the same bytes for the same figure") {
  const Series s = two_flows();
  const Figure f = build_figure(input(s), request({Panel::Cwnd, Panel::Throughput}));
  const std::string svg = plot::draw(f, Format::Svg, 900, 500);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("width=\"900px\" height=\"500px\"") != std::string::npos);
  CHECK(svg.find("stroke:rgb(12.156863%,46.666667%,70.588235%)") != std::string::npos);  // #1f77b4
  CHECK(svg.find("</svg>") != std::string::npos);
}
