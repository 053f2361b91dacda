// The headless panels: the visualizer's ladder, Figure 5 and endpoint panels (viz/panel_*.cpp)
// painted on a Canvas, from the same layout (labs/panel_layout.hpp), for paper and slides.
#include "labs/panel_draw.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "labs/palette.hpp"

namespace tcplab::draw {

using namespace layout;

std::optional<What> parse_what(const std::string& name) {
  if (name == "ladder") return What::Ladder;
  if (name == "diagram") return What::Diagram;
  if (name == "endpoint") return What::Endpoint;
  return std::nullopt;
}

std::optional<Format> format_of(const std::string& path) {
  const auto dot = path.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string ext = path.substr(dot + 1);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "svg") return Format::Svg;
  if (ext == "png") return Format::Png;
  return std::nullopt;
}

World Recorded::world_at(std::uint64_t cursor) const {
  if (timeline->size() == 0) return timeline->final_world();
  return cursor == 0 ? timeline->world_before(0) : timeline->world_after(std::min(cursor, timeline->size()) - 1);
}

Recorded record(Lab lab) {
  Recorded r;
  r.timeline = std::make_unique<Timeline>(build_world(lab));
  r.timeline->run(lab.until);
  r.index = std::make_unique<TraceIndex>(*r.timeline, r.timeline->final_world());
  r.checks = run_checks(lab, r.timeline->final_world(), r.timeline->trace());
  r.lab = std::move(lab);
  return r;
}

namespace {

// Paper colours: dark text on white; the states keep the visualizer's palette.
const Rgba kWhite = rgb(0xffffff), kText = rgb(0x1f2328), kDim = rgb(0x6b7280), kLane = rgb(0xc3c8d0);
const Rgba kAccent = rgb(0xc77c00), kLost = rgb(0xd62728), kCursorBand = rgb(0xffce54, 0.25);
constexpr float kTitle = 14, kBody = 12, kSmall = 11;

Rgba kind_color(const std::string& kind) {
  if (kind == "SYN") return rgb(0xa86b00);
  if (kind == "SYN-ACK") return rgb(0xd0581c);
  if (kind == "DATA") return rgb(0x1f6fb4);
  if (kind == "FIN") return rgb(0x7b3fb8);
  if (kind == "RST") return rgb(0xd62728);
  return rgb(0x4b5563);  // ACK
}
Rgba state_fill(State s, double alpha = 1) { return rgb(state_rgb(s), alpha); }
Rgba state_ink(State s) { return state_text_dark(s) ? kText : kWhite; }
float width_at(const std::string& s, float size) { return Canvas::text_width(s, size); }

void heading(Canvas& c, const std::string& title, int width, int height) {
  c.fill_rect({0, 0, static_cast<float>(width), static_cast<float>(height)}, kWhite);
  c.text({12, 20}, title, kTitle, kText, true);
}

void cross(Canvas& c, Pt p, float r, Rgba col, float w) {
  c.polyline({{p.x - r, p.y - r}, {p.x + r, p.y + r}}, col, w);
  c.polyline({{p.x - r, p.y + r}, {p.x + r, p.y - r}}, col, w);
}

// Words wrapped to lines of at most `cols` characters.
std::vector<std::string> wrap(const std::string& text, std::size_t cols) {
  std::vector<std::string> lines;
  std::string line, word;
  auto flush_word = [&]() {
    if (word.empty()) return;
    if (!line.empty() && line.size() + 1 + word.size() > cols) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char ch : text) {
    if (ch == ' ' || ch == '\n') {
      flush_word();
      if (ch == '\n' && !line.empty()) {
        lines.push_back(line);
        line.clear();
      }
    } else {
      word += ch;
    }
  }
  flush_word();
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// ---------------------------------------------------------------- the ladder

constexpr float kRowH = 26, kTimeW = 92, kLadderTop = 66, kLadderBottom = 14;

struct LadderFrame {
  const Scene& s;
  RowRange rr;
  float row_h = kRowH, top = kLadderTop, bottom = 0, width = 0;
  LadderColumns cols;
  float y_of(std::uint32_t r) const {
    return top + (static_cast<float>(r) - static_cast<float>(rr.first)) * row_h + row_h * 0.5F;
  }
};

void ladder_rows_band(Canvas& c, const LadderFrame& f, std::uint32_t cur) {
  const TraceIndex& ix = *f.s.index;
  const auto& rows = ix.rows();
  const Duration gap_mark = std::max<Duration>(us(100), 8 * ix.typical_gap());
  for (std::uint32_t r = f.rr.first; r <= f.rr.last; ++r) {
    const float y = f.y_of(r);
    if (r == cur && f.s.mark_cursor) {
      c.fill_rect({0, y - f.row_h * 0.5F, f.width, y + f.row_h * 0.5F}, kCursorBand);
      c.fill_rect({0, y - f.row_h * 0.5F, 4, y + f.row_h * 0.5F}, kAccent);
    }
    const bool same_time = r > f.rr.first && rows[r].t_ns == rows[r - 1].t_ns;  // said once, on the first row
    if (!same_time || r == cur) c.text({8, y + 4}, short_time(rows[r].t_ns), kSmall, r == cur && f.s.mark_cursor ? kAccent : kDim);
    if (r > 0 && rows[r].t_ns - rows[r - 1].t_ns >= gap_mark) {
      const float yb = y - f.row_h * 0.5F;
      c.polyline({{4, yb}, {f.width - 8, yb}}, rgb(0xb8bec8), 1, true);
      const std::string gap = "+" + short_duration(rows[r].t_ns - rows[r - 1].t_ns);
      c.fill_rect({kTimeW - 2, yb - 7, kTimeW + width_at(gap, 10) + 4, yb + 7}, kWhite);
      c.text({kTimeW + 1, yb + 4}, gap, 10, kDim);
    }
  }
}

// The lifelines, coloured by the followed endpoints' states, and their state pills.
std::vector<Pill> ladder_lifelines(Canvas& c, const LadderFrame& f, std::uint32_t cur) {
  const TraceIndex& ix = *f.s.index;
  const auto& tr = ix.trace();
  const auto nrows = static_cast<std::uint32_t>(ix.rows().size());
  for (float x : f.cols.x) c.polyline({{x, f.top}, {x, f.bottom}}, kLane, 2);
  std::vector<Pill> pills;
  for (std::uint32_t ep : f.s.followed) {
    const EndpointInfo& info = ix.endpoints()[ep];
    const float x = f.cols.x_of_host(info.host);
    const bool left = pill_left(f.cols.of_host[static_cast<std::size_t>(info.host)], f.cols.names.size());
    const std::vector<std::uint64_t> hist = state_history(ix, ep, f.s.cursor);
    for (std::size_t i = 0; i < hist.size(); ++i) {
      const std::uint32_t ra = ix.row_of_event(hist[i]);
      if (ra == kNone) continue;
      std::uint32_t rb = i + 1 < hist.size() ? ix.row_of_event(hist[i + 1]) : nrows - 1;
      if (cur != kNone) rb = std::min(rb, cur);
      if (ra >= f.rr.first && ra <= f.rr.last) pills.push_back({x, f.y_of(ra), left, tr[hist[i]].to});
      if (rb < f.rr.first || ra > f.rr.last || tr[hist[i]].to == State::Closed) continue;
      const float ya = std::max(f.top, f.y_of(ra));
      const float yb = std::min(f.bottom, f.y_of(std::max(ra, rb)) + (rb == nrows - 1 ? f.row_h * 0.5F : 0));
      c.polyline({{x, ya}, {x, yb}}, state_fill(tr[hist[i]].to, 0.9), 5);
    }
  }
  return pills;
}

struct LadderArrow {
  std::uint32_t seg;
  ArrowGeom g;
  bool current = false;
};

void paint_ladder(Canvas& c, const Scene& s, int width, int height) {
  const TraceIndex& ix = *s.index;
  const auto& tr = ix.trace();
  const auto& segs = ix.segments();
  heading(c, s.title, width, height);
  LadderFrame f{s, {}, kRowH, kLadderTop, 0, static_cast<float>(width), {}};
  const float avail = static_cast<float>(height) - kLadderTop - kLadderBottom;
  f.rr = ladder_rows(s, static_cast<std::uint32_t>(std::max(1.0F, avail / kRowH)));
  f.cols = ladder_columns(ix, *s.world, s.followed, kTimeW + 40, f.width - 24);
  for (std::size_t i = 0; i < f.cols.names.size(); ++i) {
    const float x = f.cols.x[i];
    c.text({x - width_at(f.cols.names[i], 13) * 0.5F, 42}, f.cols.names[i], 13, kText, true);
    c.text({x - width_at(f.cols.ips[i], kSmall) * 0.5F, 56}, f.cols.ips[i], kSmall, kDim);
  }
  c.text({6, 56}, "virtual time", kSmall, kDim);
  if (f.rr.empty) {
    c.text({12, kLadderTop + 20}, "Nothing happened in this lab's run.", kBody, kDim);
    return;
  }
  const auto n = static_cast<float>(f.rr.last - f.rr.first + 1);
  // Rows share the height: at least kRowH each when they fit (ladder_rows saw to it), at most 40.
  f.row_h = std::min(avail / n, 40.0F);
  f.bottom = f.top + n * f.row_h;
  const std::uint32_t cur = ix.row_at_cursor(s.cursor);
  ladder_rows_band(c, f, cur);
  const std::vector<Pill> pills = ladder_lifelines(c, f, cur);
  const std::vector<Rect> pill_rects = place_pills(pills, [](const std::string& t) { return width_at(t, 10); }, 10, f.width - 18);

  // The arrows sent by the cursor, those that cross the rows shown.
  std::vector<std::uint32_t> cand;
  ix.segments_near_rows(f.rr.first, f.rr.last, &cand);
  std::vector<LadderArrow> arrows;
  const auto y_of = [&](std::uint32_t r) { return f.y_of(r); };
  for (std::uint32_t i : cand) {
    const SegInfo& sg = segs[i];
    if (sg.send_k >= s.cursor || sg.row_send == kNone) continue;
    const ArrowGeom g = arrow_geometry(ix, f.cols, i, 0, y_of, f.row_h, s.cursor, s.now, false);
    if (std::max(g.a.y, g.b.y) < f.top - f.row_h || std::min(g.a.y, g.b.y) > f.bottom + f.row_h) continue;
    const bool current = s.mark_cursor && cur != kNone && (sg.row_send == cur || (sg.row_fate == cur && sg.fate_k < s.cursor));
    arrows.push_back({i, g, current});
  }
  c.clip({0, f.top, f.width, f.bottom});
  std::vector<Rect> taken = pill_rects;
  for (const LadderArrow& a : arrows) {
    const SegInfo& sg = segs[a.seg];
    const TraceEvent& e = tr[sg.send_k];
    const Rgba col = kind_color(e.kind);
    const float thick = a.current ? 2.6F : 1.6F;
    const ArrowShape sh = arrow_shape(a.g.a, a.g.b, thick, a.g.head);
    c.polyline({a.g.a, sh.line_end}, col, thick, e.retx);
    if (a.g.head) c.fill_polygon({sh.head.begin(), sh.head.end()}, col);
    if (a.g.partial) c.circle(a.g.b, 4.5F, col);
    if (a.g.lost) {
      cross(c, a.g.b, 7, kLost, 3);
      taken.push_back({a.g.b.x - 9, a.g.b.y - 9, a.g.b.x + 9, a.g.b.y + 9});
    }
    if (sg.fate == SegFate::DroppedOnArrival && sg.fate_k < s.cursor) {
      const Pt p{a.g.b.x + (a.g.a.x < a.g.b.x ? -14.0F : 14.0F), a.g.b.y};
      cross(c, p, 5, kLost, 3);
      taken.push_back({p.x - 7, p.y - 7, p.x + 7, p.y + 7});
    }
  }
  // The labels, placed as the visualizer places them.
  std::vector<std::uint32_t> ids;
  std::vector<bool> lost;
  for (const LadderArrow& a : arrows) {
    ids.push_back(a.seg);
    lost.push_back(a.g.lost);
  }
  const Grouping groups = group_repeats(ix, ids, lost, f.rr.first, f.rr.last);
  std::vector<LabelAsk> asks;
  const auto nrows = static_cast<std::uint32_t>(ix.rows().size());
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    const LadderArrow& a = arrows[i];
    const SegInfo& sg = segs[a.seg];
    const Pt end = a.g.lost || !a.g.partial ? a.g.b : Pt{f.cols.x_of_host(sg.dst_host), f.y_of(sg.row_fate != kNone ? sg.row_fate : nrows - 1)};
    asks.push_back({a.g.a, end, a.g.b, a.g.lost, f.cols.x_of_host(sg.dst_host) >= a.g.a.x, a.current,
                    ladder_label(tr[sg.send_k], sg, groups.size[i], " ×"), ladder_short_label(sg, a.g.lost, groups.size[i], " ×"),
                    groups.size[i], groups.first[i], groups.head[i]});
  }
  std::vector<Rect> lanes;
  for (float x : f.cols.x) lanes.push_back({x - 3, f.top, x + 3, f.bottom});
  for (const auto& [i, l] : place_labels(asks, [](const std::string& t) { return width_at(t, kBody); }, kBody + 2,
                                         {kTimeW - 4, f.top, f.width - 18, f.bottom}, taken, lanes)) {
    const Rgba col = kind_color(tr[segs[arrows[i].seg].send_k].kind);
    c.fill_rect(l.rect, rgb(0xffffff, 0.92), 3);
    if (arrows[i].current) c.stroke_rect(l.rect, kAccent, 1.2F, 3);
    c.text({l.rect.x0 + 3, l.rect.y1 - 4}, l.shown, kBody, col, arrows[i].current);
  }
  c.unclip();
  for (std::size_t i = 0; i < pills.size(); ++i) {
    c.fill_rect(pill_rects[i], state_fill(pills[i].state), 7);
    c.text({pill_rects[i].x0 + 4, pill_rects[i].y1 - 4}, std::string(state_name(pills[i].state)), 10, state_ink(pills[i].state));
  }
}

// ---------------------------------------------------------------- Figure 5

struct History {
  std::set<int> visited;
  std::set<std::pair<int, int>> taken;
  std::optional<std::uint64_t> last;
  State current = State::Closed;
};

History history(const Scene& s, const EndpointAt& now) {
  const auto& tr = s.index->trace();
  History h;
  for (auto k : state_history(*s.index, s.ep, s.cursor)) {
    h.visited.insert(static_cast<int>(tr[k].from));
    h.visited.insert(static_cast<int>(tr[k].to));
    h.taken.insert({static_cast<int>(tr[k].from), static_cast<int>(tr[k].to)});
    h.last = k;
  }
  h.current = now.conn ? now.state : State::Closed;
  return h;
}

EndpointAt endpoint_of(const Scene& s) {
  const ConnLookup lookup = s.lookup ? s.lookup : [&](int host, const std::string& label) { return find_conn(*s.world, host, label); };
  return endpoint_at(*s.index, *s.world, s.ep, lookup);
}

void path_with_head(Canvas& c, const std::vector<Pt>& pts, Rgba col, float thick, float head, bool dashed) {
  if (pts.size() < 2) return;
  c.polyline(pts, col, thick, dashed);
  const Pt tip = pts.back(), prev = pts[pts.size() - 2];
  const float l = std::hypot(tip.x - prev.x, tip.y - prev.y);
  if (l < 1e-3F) return;
  const Pt d{(tip.x - prev.x) / l, (tip.y - prev.y) / l}, n{-d.y, d.x};
  c.fill_polygon({tip, {tip.x - d.x * head + n.x * head * 0.5F, tip.y - d.y * head + n.y * head * 0.5F},
                  {tip.x - d.x * head - n.x * head * 0.5F, tip.y - d.y * head - n.y * head * 0.5F}},
                 col);
}

void paint_figure(Canvas& c, const Scene& s, const History& h, Pt origin, float W, float H) {
  const auto& tr = s.index->trace();
  const float bh = kSmall + 8, lane = 20;
  float label_w = 0;
  for (int i = 0; i < kStateCount; ++i) label_w = std::max(label_w, width_at(std::string(fig5_name(static_cast<State>(i))), kSmall));
  const float colw = (W - 2 * lane) / 3.0F;
  const Fig5Geometry g = fig5_geometry(origin, W, H, std::min(colw - 6.0F, std::max(118.0F, label_w + 10.0F)), bh, bh + 3, lane);
  for (const auto& e : figure5_transitions()) {
    const bool was = h.taken.count({static_cast<int>(e.from), static_cast<int>(e.to)}) > 0;
    if (h.last && tr[*h.last].from == e.from && tr[*h.last].to == e.to) continue;
    path_with_head(c, fig5_edge_path(g, e.from, e.to), was ? rgb(0x4b5563) : rgb(0xa3a9b3), was ? 1.8F : 1.0F, was ? 7.0F : 6.0F, false);
  }
  std::vector<Pt> last_edge;
  if (h.last) {
    const State from = tr[*h.last].from, to = tr[*h.last].to;
    last_edge = fig5_edge_path(g, from, to);
    path_with_head(c, last_edge, kAccent, 3.2F, 11.0F, figure5_edge(from, to) == nullptr);
  }
  for (int i = 0; i < kStateCount; ++i) {
    const auto st = static_cast<State>(i);
    const Rect b{g.box[i].min.x, g.box[i].min.y, g.box[i].max.x, g.box[i].max.y};
    const bool cur = st == h.current, seen = h.visited.count(i) > 0;
    if (cur) {
      c.fill_rect({b.x0 - 3, b.y0 - 3, b.x1 + 3, b.y1 + 3}, state_fill(st, 0.35), 7);
      c.fill_rect(b, state_fill(st), 5);
      c.stroke_rect(b, kText, 1.5F, 5);
    } else {
      c.fill_rect(b, seen ? state_fill(st, 0.22) : kWhite, 5);
      c.stroke_rect(b, seen ? state_fill(st) : kLane, seen ? 1.5F : 1.0F, 5);
    }
    const std::string name(fig5_name(st));
    c.text({(b.x0 + b.x1 - width_at(name, kSmall)) * 0.5F, b.y1 - 5}, name, kSmall, cur ? state_ink(st) : seen ? kText : kDim, cur);
  }
  if (!h.last) return;
  const Plate p = place_plate(g, last_edge, tr[*h.last].from, tr[*h.last].to, [](const std::string& t) { return width_at(t, kSmall); },
                              kSmall + 2);
  if (p.leader) c.polyline({{(p.a.x + p.b.x) * 0.5F, (p.a.y + p.b.y) * 0.5F}, *p.leader}, rgb(0xc77c00, 0.6), 1);
  c.fill_rect({p.a.x, p.a.y, p.b.x, p.b.y}, rgb(0xfff4d6), 4);
  c.stroke_rect({p.a.x, p.a.y, p.b.x, p.b.y}, kAccent, 1, 4);
  float y = p.a.y + 2 + kSmall;
  for (const auto& l : p.lines) {
    c.text({(p.a.x + p.b.x - width_at(l, kSmall)) * 0.5F, y}, l, kSmall, rgb(0x7a4b00));
    y += kSmall + 2;
  }
}

// The cause of the last state change under the figure: "why FIN_WAIT_1 -> FIN_WAIT_2".
float why_height(const Scene& s, const History& h, float W) {
  if (!h.last) return 24;
  const auto lines = wrap(s.index->trace()[*h.last].cause, static_cast<std::size_t>((W - 20) / (Canvas::kAdvance * kBody)));
  return 30 + static_cast<float>(lines.size()) * (kBody + 4) + 8;
}

void paint_why(Canvas& c, const Scene& s, const History& h, Rect r) {
  if (!h.last) {
    c.text({r.x0, r.y0 + 16}, "No state change yet.", kBody, kDim);
    return;
  }
  const TraceEvent& e = s.index->trace()[*h.last];
  c.fill_rect(r, rgb(0xfff8e6), 4);
  c.stroke_rect(r, rgb(0xe8c77a), 1, 4);
  c.text({r.x0 + 8, r.y0 + 18}, "why " + std::string(state_name(e.from)) + " → " + std::string(state_name(e.to)) + "  (" + short_time(e.t_ns) + ")",
         kBody, kAccent, true);
  float y = r.y0 + 18 + kBody + 6;
  for (const auto& l : wrap(e.cause, static_cast<std::size_t>((r.x1 - r.x0 - 16) / (Canvas::kAdvance * kBody)))) {
    c.text({r.x0 + 8, y}, l, kBody, kText);
    y += kBody + 4;
  }
}

std::string endpoint_title(const Scene& s) {
  const EndpointInfo& info = s.index->endpoints()[s.ep];
  return s.index->host_names()[static_cast<std::size_t>(info.host)] + "  " + info.label;
}

void paint_diagram(Canvas& c, const Scene& s, int width, int height) {
  heading(c, s.title, width, height);
  const auto W = static_cast<float>(width) - 24;
  c.text({12, 40}, endpoint_title(s) + ": RFC 9293 Figure 5", kBody, kDim);
  const EndpointAt now = endpoint_of(s);
  const History h = history(s, now);
  const float why_h = why_height(s, h, W);
  const float fig_h = static_cast<float>(height) - 52 - why_h - 12;
  paint_figure(c, s, h, {12, 52}, W, fig_h);
  paint_why(c, s, h, {12, static_cast<float>(height) - why_h - 6, 12 + W, static_cast<float>(height) - 6});
}

// ---------------------------------------------------------------- the endpoint

float paint_badge(Canvas& c, const Scene& s, const EndpointAt& now, bool gone, float W) {
  const Rect b{12, 50, 12 + W, 96};
  if (now.conn) c.fill_rect(b, state_fill(now.state), 6);
  else c.stroke_rect(b, state_fill(State::Closed), 2, 6);
  const std::string label = now.conn ? std::string(state_name(now.state)) : gone ? "CLOSED (TCB gone)" : "no connection yet";
  const Rgba ink = now.conn ? state_ink(now.state) : kDim;
  c.text({b.x0 + 12, b.y1 - 15}, label, 22, ink, true);
  const std::uint32_t hist_ep = now.shown_ep == kNone ? s.ep : now.shown_ep;
  if (auto k = s.index->last_state_event(hist_ep, s.cursor)) {
    const std::string since = "since " + short_time(s.index->trace()[*k].t_ns);
    c.text({b.x1 - 8 - width_at(since, kSmall), b.y0 + 15}, since, kSmall, ink);
  }
  if (now.conn) {
    const std::string netstat = "netstat: " + std::string(linux_state_name(now.state));
    c.text({b.x1 - 8 - width_at(netstat, kSmall), b.y1 - 8}, netstat, kSmall, ink);
  }
  return b.y1 + 20;
}

float paint_tcb(Canvas& c, const TcbTable& t, float y, float W) {
  float send_w = 0, recv_w = 0;
  for (TcbField f : kSendFields) send_w = std::max(send_w, width_at(tcb_name(f), kBody));
  for (TcbField f : kRecvFields) recv_w = std::max(recv_w, width_at(tcb_name(f), kBody));
  const float x_send = 12, x_send_v = x_send + send_w + 12, x_recv = 12 + W * 0.5F + 6, x_recv_v = x_recv + recv_w + 12;
  c.text({x_send, y}, "SEND", kSmall, kDim, true);
  c.text({x_recv, y}, "RECEIVE", kSmall, kDim, true);
  c.polyline({{12 + W * 0.5F, y - 10}, {12 + W * 0.5F, y + 8 + 20 * static_cast<float>(t.rows.size())}}, kLane, 1);
  y += 20;
  const Rgba ink = t.synced ? kText : kDim;
  auto cell = [&](const TcbCell& x, float xn, float xv, float right) {
    c.text({xn, y}, tcb_name(x.field), kBody, kDim);
    const std::string v = x.known ? x.value : "\u2013";
    c.text({xv, y}, v, kBody, ink, true);
    if (!x.abs || !x.known) return;
    const std::string a = std::to_string(*x.abs);
    const float ax = xv + width_at(v, kBody) + 8;
    if (ax + width_at(a, 10) <= right) c.text({ax, y}, a, 10, kDim);
  };
  for (const auto& [send, recv] : t.rows) {
    cell(send, x_send, x_send_v, 12 + W * 0.5F - 4);
    if (recv) cell(*recv, x_recv, x_recv_v, 12 + W);
    y += 20;
  }
  return y + 4;
}

void paint_timers(Canvas& c, const Scene& s, const Connection& conn, float y, float W) {
  const auto rows = timer_rows(*s.index, s.ep, conn, s.cursor, s.now);
  c.text({12, y}, "TIMERS", kSmall, kDim, true);
  y += 8;
  if (rows.empty()) c.text({12, y + 14}, "no timer running", kBody, kDim);
  for (const TimerRow& t : rows) {
    const std::string name(timer_name(t.kind));
    c.text({12, y + 15}, name, kBody, kText, true);
    const Rect bar{110, y + 2, 12 + W, y + 20};
    c.fill_rect(bar, rgb(0xeef0f3), 3);
    c.fill_rect({bar.x0, bar.y0, bar.x0 + (bar.x1 - bar.x0) * t.left_fraction, bar.y1}, rgb(0xf0a040, 0.8), 3);
    c.text({bar.x0 + 6, y + 15}, short_duration(t.left) + " left, due " + short_time(t.due), kSmall, kText);
    y += 24;
  }
}

void paint_endpoint(Canvas& c, const Scene& s, int width, int height) {
  heading(c, s.title, width, height);
  const auto W = static_cast<float>(width) - 24;
  c.text({12, 40}, endpoint_title(s), kBody, kDim);
  const EndpointAt now = endpoint_of(s);
  const auto last = s.index->last_state_event(s.ep, s.cursor);
  const bool gone = !now.conn && last.has_value();
  float y = paint_badge(c, s, now, gone, W);
  if (now.conn && !now.via_listener) {
    c.text({12, y}, now.conn->passive() ? "passive open (accepted from a listener)" : "active open (connect)", kSmall, kDim);
    y = paint_tcb(c, tcb_table(*now.conn, true), y + 24, W);
    paint_timers(c, s, *now.conn, y + 6, W);
  } else if (now.conn) {
    c.text({12, y}, "Listening on " + endpoint_to_string(now.conn->local()) + ": the connection is created when a SYN arrives.", kBody, kText);
  } else if (gone) {
    c.text({12, y}, "No TCB any more: " + s.index->trace()[*last].cause, kBody, kText);
  } else {
    c.text({12, y}, "No TCB yet: this connection is created later in the timeline.", kBody, kText);
  }
}

}  // namespace

RowRange ladder_rows(const Scene& s, std::uint32_t max_rows) {
  const auto& rows = s.index->rows();
  RowRange r;
  if (rows.empty()) return r;
  const auto n = static_cast<std::uint32_t>(rows.size());
  if (s.from || s.to) {
    const Instant from = s.from.value_or(0), to = s.to.value_or(rows.back().t_ns);
    std::uint32_t a = 0;
    while (a < n && rows[a].t_ns < from) ++a;
    std::uint32_t b = a;
    while (b < n && rows[b].t_ns <= to) ++b;
    if (b == a) return r;
    return {a, b - 1, false};
  }
  max_rows = std::max<std::uint32_t>(1, max_rows);
  if (n <= max_rows) return {0, n - 1, false};
  const std::uint32_t cur = s.index->row_at_cursor(s.cursor);
  const std::uint32_t centre = cur == kNone ? 0 : cur;
  const std::uint32_t first = std::min(n - max_rows, centre > max_rows / 2 ? centre - max_rows / 2 : 0);
  return {first, first + max_rows - 1, false};
}

std::pair<int, int> default_size(const Scene& s, What what) {
  switch (what) {
    case What::Ladder: {
      const RowRange r = ladder_rows(s, 60);
      const int rows = r.empty ? 2 : static_cast<int>(r.last - r.first + 1);
      return {900, static_cast<int>(kLadderTop + kLadderBottom) + rows * static_cast<int>(kRowH)};
    }
    case What::Diagram: return {600, 500};
    case What::Endpoint: return {600, 360};
  }
  return {900, 600};
}

void paint(Canvas& c, const Scene& s, What what, int width, int height) {
  switch (what) {
    case What::Ladder: paint_ladder(c, s, width, height); break;
    case What::Diagram: paint_diagram(c, s, width, height); break;
    case What::Endpoint: paint_endpoint(c, s, width, height); break;
  }
}

std::string svg(const Scene& s, What what, int width, int height) {
  SvgCanvas c(width, height, s.title);
  paint(c, s, what, width, height);
  return c.svg();
}

}  // namespace tcplab::draw
