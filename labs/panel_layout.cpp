#include "labs/panel_layout.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tcplab::layout {

// ---------------------------------------------------------------- the ladder

float LadderColumns::x_of_host(int h) const {
  const int c = h >= 0 && static_cast<std::size_t>(h) < of_host.size() ? of_host[static_cast<std::size_t>(h)] : other;
  return x[static_cast<std::size_t>(std::max(0, c))];
}

LadderColumns ladder_columns(const TraceIndex& ix, const World& w, const std::vector<std::uint32_t>& followed,
                             float lanes_left, float lanes_right) {
  LadderColumns c;
  const auto nh = ix.host_names().size();
  c.of_host.assign(nh, -1);
  auto add = [&](int h) {
    if (h < 0 || static_cast<std::size_t>(h) >= nh || c.of_host[static_cast<std::size_t>(h)] >= 0) return;
    c.of_host[static_cast<std::size_t>(h)] = static_cast<int>(c.names.size());
    c.names.push_back(ix.host_names()[static_cast<std::size_t>(h)]);
    c.ips.push_back(ip_to_string(w.hosts()[static_cast<std::size_t>(h)].ip));
  };
  for (auto ep : followed) add(ix.endpoints()[ep].host);
  for (std::size_t h = 0; h < nh; ++h) add(static_cast<int>(h));
  for (const auto& s : ix.segments())
    if (s.dst_host < 0) {
      c.other = static_cast<int>(c.names.size());
      c.names.push_back("elsewhere");
      c.ips.push_back("(no host)");
      break;
    }
  const auto n = static_cast<float>(std::max<std::size_t>(1, c.names.size()));
  for (std::size_t i = 0; i < c.names.size(); ++i)
    c.x.push_back(lanes_left + (lanes_right - lanes_left) * (static_cast<float>(i) + 0.5F) / n);
  return c;
}

float lost_end_x(const LadderColumns& c, float lane_offset, float from_x, float to_x, bool to_nowhere) {
  if (to_nowhere) return to_x + (to_x > from_x ? -12.0F : 12.0F);
  for (float cx : c.x)
    if ((lane_offset + cx - from_x) * (to_x - (lane_offset + cx)) > 1.0F) to_x = lane_offset + cx;
  return (from_x + to_x) * 0.5F;
}

ArrowGeom arrow_geometry(const TraceIndex& ix, const LadderColumns& c, std::uint32_t seg, float lane_offset,
                         const std::function<float(std::uint32_t)>& y_of_row, float row_h, std::uint64_t cursor,
                         Instant now, bool ghost) {
  const SegInfo& sg = ix.segments()[seg];
  const auto& tr = ix.trace();
  const auto nrows = static_cast<std::uint32_t>(ix.rows().size());
  ArrowGeom g;
  g.a = {lane_offset + c.x_of_host(sg.src_host), y_of_row(sg.row_send)};
  const float to_x = lane_offset + c.x_of_host(sg.dst_host);
  if (sg.fate == SegFate::LostOnWay) {
    g.b = {lost_end_x(c, lane_offset, g.a.x, to_x, sg.dst_host < 0), g.a.y + row_h * 0.9F};
    g.head = false;
    g.lost = true;
    return g;
  }
  const std::uint32_t rf = sg.row_fate != kNone ? sg.row_fate : nrows - 1;
  g.b = {to_x, y_of_row(rf) + (sg.fate == SegFate::InFlight ? row_h * 0.5F : 0.0F)};
  if (!ghost && (sg.fate == SegFate::InFlight || sg.fate_k >= cursor)) {  // on its way at the cursor
    float f = 0.5F;
    if (sg.fate != SegFate::InFlight) {
      const Instant t0 = tr[sg.send_k].t_ns, t1 = tr[sg.fate_k].t_ns;
      f = t1 > t0 ? static_cast<float>(static_cast<double>(now - t0) / static_cast<double>(t1 - t0)) : 0.5F;
    }
    f = std::clamp(f, 0.12F, 0.92F);
    g.b = {g.a.x + (g.b.x - g.a.x) * f, g.a.y + (g.b.y - g.a.y) * f};
    g.head = false;
    g.partial = true;
  }
  return g;
}

ArrowShape arrow_shape(Pt a, Pt b, float thick, bool head) {
  ArrowShape s{b, {b, b, b}};
  const float l = std::hypot(b.x - a.x, b.y - a.y);
  if (l < 1 || !head) return s;
  const Pt d{(b.x - a.x) / l, (b.y - a.y) / l}, n{-d.y, d.x};
  const float hl = 9.0F + thick;
  s.line_end = {b.x - d.x * hl * 0.8F, b.y - d.y * hl * 0.8F};
  s.head = {b, Pt{b.x - d.x * hl + n.x * hl * 0.42F, b.y - d.y * hl + n.y * hl * 0.42F},
            Pt{b.x - d.x * hl - n.x * hl * 0.42F, b.y - d.y * hl - n.y * hl * 0.42F}};
  return s;
}

std::string label_flags(const std::string& label) { return label.substr(0, label.find(']') + 1); }

std::string ladder_label(const TraceEvent& e, const SegInfo& s, int group, const std::string& times) {
  std::string full = group ? label_flags(s.label) + times + std::to_string(group)
                           : s.label + (e.loss_probe ? "  TLP" : e.retx ? "  retx" : "");
  if (s.fate == SegFate::LostOnWay) full += "  LOST";
  if (s.fate == SegFate::DroppedOnArrival) full += "  DROPPED";
  return full;
}

std::string ladder_short_label(const SegInfo& s, bool lost, int group, const std::string& times) {
  return group ? label_flags(s.label) + times + std::to_string(group) : label_flags(s.label) + (lost ? " LOST" : "");
}

bool overlaps(const Rect& a, const Rect& b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

std::vector<Rect> label_spots(Pt a, Pt end, Pt cross, bool lost, bool rightward, float tw, float th) {
  std::vector<Rect> spots;
  if (lost) {  // beside the cross, else above it
    const float x0 = rightward ? cross.x + 12 : cross.x - 12 - tw - 6;
    spots.push_back({x0, cross.y - th * 0.5F - 1, x0 + tw + 6, cross.y + th * 0.5F + 1});
    spots.push_back({cross.x - tw * 0.5F - 3, cross.y - th - 12, cross.x + tw * 0.5F + 3, cross.y - 10});
  }
  for (float t : {0.5F, 0.32F, 0.68F, 0.2F, 0.8F}) {
    const Pt m{a.x + (end.x - a.x) * t, a.y + (end.y - a.y) * t};
    spots.push_back({m.x - tw * 0.5F - 3, m.y - th - 3, m.x + tw * 0.5F + 3, m.y - 1});
  }
  return spots;
}

std::optional<Rect> first_free(const std::vector<Rect>& spots, const Rect& bounds, const std::vector<Rect>& taken,
                               const std::vector<Rect>& lanes, bool over_lanes) {
  auto free_of = [](const Rect& c, const std::vector<Rect>& rs) {
    return std::none_of(rs.begin(), rs.end(), [&](const Rect& r) { return overlaps(c, r); });
  };
  for (const Rect& c : spots) {
    const bool inside = c.x0 >= bounds.x0 && c.x1 <= bounds.x1 && c.y0 >= bounds.y0 && c.y1 <= bounds.y1;
    if (inside && free_of(c, taken) && (over_lanes || free_of(c, lanes))) return c;
  }
  return std::nullopt;
}

std::vector<std::pair<std::size_t, LabelPlaced>> place_labels(const std::vector<LabelAsk>& asks, const TextWidth& width,
                                                              float text_h, const Rect& bounds, std::vector<Rect> taken,
                                                              const std::vector<Rect>& lanes) {
  std::vector<std::size_t> order(asks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(), [&](std::size_t i) { return asks[i].current || asks[i].group_head; });
  std::stable_partition(order.begin(), order.end(), [&](std::size_t i) { return asks[i].current; });
  std::vector<bool> group_done(asks.size(), false);
  std::vector<std::pair<std::size_t, LabelPlaced>> out;
  for (std::size_t i : order) {
    const LabelAsk& q = asks[i];
    if (q.group && group_done[q.group_first]) continue;
    std::optional<Rect> spot;
    std::string label;
    // Pass 0 and 1 keep off the lifelines; pass 2 (the cursor's segment only) only off other labels.
    for (int pass = 0; pass < (q.current ? 3 : 2) && !spot; ++pass) {
      label = pass == 1 ? q.flags : q.full;
      spot = first_free(label_spots(q.a, q.end, q.cross, q.lost, q.rightward, width(label), text_h), bounds, taken, lanes, pass == 2);
    }
    if (!spot) continue;
    if (q.group) group_done[q.group_first] = true;
    taken.push_back(*spot);
    out.push_back({i, {label, *spot}});
  }
  return out;
}

Grouping group_repeats(const TraceIndex& ix, const std::vector<std::uint32_t>& segs, const std::vector<bool>& lost,
                       std::uint32_t r0, std::uint32_t r1) {
  const auto& all = ix.segments();
  const auto& tr = ix.trace();
  const std::size_t n = segs.size();
  Grouping g{std::vector<int>(n, 0), std::vector<std::size_t>(n, 0), std::vector<bool>(n, false)};
  for (std::size_t i = 0; i < n; ++i) {
    if (g.size[i]) continue;
    const SegInfo& si = all[segs[i]];
    std::vector<std::size_t> run = {i};
    for (std::size_t j = i + 1; j < n; ++j) {
      const SegInfo& sj = all[segs[j]];
      if (sj.row_send > all[segs[run.back()]].row_send + 3) break;
      const bool same = sj.src_host == si.src_host && sj.dst_host == si.dst_host && label_flags(sj.label) == label_flags(si.label) &&
                        (sj.label == si.label || si.src_host < 0 || si.dst_host < 0 || tr[sj.send_k].retx || n > 24);
      if (same && lost[j] == lost[i] && !g.size[j]) run.push_back(j);
    }
    if (run.size() < 3) continue;
    for (std::size_t k : run) {
      g.size[k] = static_cast<int>(run.size());
      g.first[k] = i;
    }
    std::vector<std::size_t> seen;
    for (std::size_t k : run)
      if (all[segs[k]].row_send >= r0 + 1 && all[segs[k]].row_send + 1 <= r1) seen.push_back(k);
    g.head[seen.empty() ? run[run.size() / 2] : seen[seen.size() / 2]] = true;
  }
  return g;
}

bool pill_left(int column, std::size_t columns) {
  return column == 0 && columns > 1 ? true : column + 1 == static_cast<int>(columns) ? false : true;
}

std::vector<Rect> place_pills(const std::vector<Pill>& pills, const std::function<float(const std::string&)>& width,
                              float text_h, float right_edge) {
  std::vector<Rect> out;
  for (std::size_t i = 0; i < pills.size(); ++i) {
    const Pill& p = pills[i];
    const float tw = width(std::string(state_name(p.state)));
    float edge = p.left ? p.x - 10 : p.x + 10;
    for (std::size_t j = 0; j < i; ++j)
      if (pills[j].x == p.x && pills[j].y == p.y && pills[j].left == p.left) edge = p.left ? out[j].x0 - 4 : out[j].x1 + 4;
    float x0 = p.left ? edge - tw - 8 : edge;
    if (!p.left && x0 + tw + 8 > right_edge) x0 = p.x - 10 - tw - 8;
    out.push_back({x0, p.y - text_h * 0.5F - 2, x0 + tw + 8, p.y + text_h * 0.5F + 2});
  }
  return out;
}

std::vector<std::uint64_t> state_history(const TraceIndex& ix, std::uint32_t ep, std::uint64_t p) {
  const auto& eps = ix.endpoints();
  const EndpointInfo& info = eps[ep];
  std::vector<std::uint64_t> hist;
  if (info.listener_ep != kNone)
    for (auto k : eps[info.listener_ep].state_events)
      if (k < info.first_k && k < p) hist.push_back(k);
  for (auto k : info.state_events)
    if (k < p) hist.push_back(k);
  return hist;
}

// ---------------------------------------------------------------- RFC 9293 Figure 5

std::string_view fig5_name(State s) {
  switch (s) {
    case State::Closed: return "CLOSED";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RCVD";
    case State::Established: return "ESTAB";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST-ACK";
    case State::TimeWait: return "TIME-WAIT";
  }
  return "?";
}

const Transition* figure5_edge(State from, State to) {
  const Transition* t = find_transition(from, to);
  return t && t->figure5 ? t : nullptr;
}

namespace {

struct Cell {
  float col, row;
};
// Where Figure 5 puts each box (columns 0..2, rows 0..6), CLOSED once, at the top.
constexpr std::array<Cell, kStateCount> kCells = {{
    {1, 0},  // CLOSED
    {1, 1},  // LISTEN
    {2, 2},  // SYN-SENT
    {0, 2},  // SYN-RCVD
    {1, 3},  // ESTAB
    {0, 4},  // FIN-WAIT-1
    {0, 5},  // FIN-WAIT-2
    {2, 4},  // CLOSE-WAIT
    {1, 5},  // CLOSING
    {2, 5},  // LAST-ACK
    {1, 6},  // TIME-WAIT
}};

Pt operator+(Pt a, Pt b) { return {a.x + b.x, a.y + b.y}; }
Pt operator-(Pt a, Pt b) { return {a.x - b.x, a.y - b.y}; }
Pt operator*(Pt a, float s) { return {a.x * s, a.y * s}; }

// Where the ray p + t*d leaves the box (p inside): the smallest positive t over the slabs.
float exit_t(const Box& b, Pt p, Pt d) {
  float t = 1e9F;
  if (d.x > 1e-4F) t = std::min(t, (b.max.x - p.x) / d.x);
  if (d.x < -1e-4F) t = std::min(t, (b.min.x - p.x) / d.x);
  if (d.y > 1e-4F) t = std::min(t, (b.max.y - p.y) / d.y);
  if (d.y < -1e-4F) t = std::min(t, (b.min.y - p.y) / d.y);
  return t;
}

}  // namespace

Pt Fig5Geometry::cell_center(float col, float row) const {
  return {origin.x + lane + colw * (col + 0.5F), box[0].center().y + row * pitch};
}

Fig5Geometry fig5_geometry(Pt origin, float W, float H, float box_w, float box_h, float min_pitch, float lane) {
  Fig5Geometry g;
  g.origin = origin;
  g.width = W;
  g.lane = lane;
  g.colw = (W - 2 * lane) / 3.0F;
  g.pitch = std::clamp((H - box_h - 6.0F) / 6.0F, min_pitch, 50.0F);
  g.lane_left = origin.x + lane * 0.45F;
  g.lane_right = origin.x + W - lane * 0.45F;
  for (int s = 0; s < kStateCount; ++s) {
    const Pt c{origin.x + lane + g.colw * (kCells[s].col + 0.5F), origin.y + 3.0F + box_h * 0.5F + kCells[s].row * g.pitch};
    g.box[s] = {{c.x - box_w * 0.5F, c.y - box_h * 0.5F}, {c.x + box_w * 0.5F, c.y + box_h * 0.5F}};
  }
  return g;
}

std::vector<Pt> fig5_edge_path(const Fig5Geometry& g, State from, State to) {
  const Box& a = g.box[static_cast<int>(from)];
  const Box& b = g.box[static_cast<int>(to)];
  if (from == State::LastAck && to == State::Closed) {
    const float x = g.lane_right;
    return {{a.max.x, a.center().y}, {x, a.center().y}, {x, b.center().y + 4}, {b.max.x, b.center().y + 4}};
  }
  if (from == State::TimeWait && to == State::Closed) {
    const float x = g.lane_left;
    return {{a.min.x, a.center().y}, {x, a.center().y}, {x, b.center().y + 4}, {b.min.x, b.center().y + 4}};
  }
  Pt pa = a.center(), pb = b.center();
  Pt d = pb - pa;
  const float len = std::sqrt(d.x * d.x + d.y * d.y);
  if (len < 1) return {pa, pb};
  d = d * (1.0F / len);
  if (figure5_edge(to, from)) {  // two-way pairs are drawn side by side
    const Pt n{-d.y, d.x};
    pa = pa + n * 5.0F;
    pb = pb + n * 5.0F;
  }
  return {pa + d * exit_t(a, pa, d), pb - d * exit_t(b, pb, d * -1.0F)};
}

Pt path_at(const std::vector<Pt>& pts, float t) {
  float total = 0;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) total += std::hypot(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y);
  float want = total * t;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    const float l = std::hypot(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y);
    if (want <= l && l > 0) return pts[i] + (pts[i + 1] - pts[i]) * (want / l);
    want -= l;
  }
  return pts.back();
}

float dist_to_path(const std::vector<Pt>& pts, Pt m) {
  float best = 1e9F;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    const Pt a = pts[i], ab = pts[i + 1] - a, am = m - a;
    const float l2 = ab.x * ab.x + ab.y * ab.y;
    const float t = l2 > 0 ? std::clamp((am.x * ab.x + am.y * ab.y) / l2, 0.0F, 1.0F) : 0.0F;
    const Pt c = a + ab * t;
    best = std::min(best, std::hypot(m.x - c.x, m.y - c.y));
  }
  return best;
}

namespace {

// The area of the boxes a rectangle covers.
float box_cover(const Fig5Geometry& g, Pt a, Pt b) {
  float cover = 0;
  for (const Box& x : g.box)
    cover += std::max(0.0F, std::min(b.x, x.max.x) - std::max(a.x, x.min.x)) *
             std::max(0.0F, std::min(b.y, x.max.y) - std::max(a.y, x.min.y));
  return cover;
}

}  // namespace

Plate place_plate(const Fig5Geometry& g, const std::vector<Pt>& edge, State from, State to, const TextWidth& width,
                  float line_h) {
  const Transition* e = figure5_edge(from, to);
  const bool action = e && e->action[0] && std::string(e->action) != "x";
  const std::vector<std::string> one = {e ? std::string(e->event) + (action ? std::string(" / ") + e->action : "") : "not in Figure 5"};
  const std::vector<std::string> two = action ? std::vector<std::string>{e->event, e->action} : one;
  const float x_lo = g.origin.x + 2, W = g.width;
  auto text_w = [&](const std::vector<std::string>& lines) {
    float tw = 0;
    for (const auto& l : lines) tw = std::max(tw, width(l));
    return tw;
  };
  Plate best{{}, {}, one, {}};
  float best_cover = 1e9F;
  for (const auto* lines : {&one, &two}) {
    const float tw = text_w(*lines);
    const float th = line_h * static_cast<float>(lines->size()) + 1.0F;
    for (float t : {0.5F, 0.38F, 0.62F, 0.28F, 0.72F, 0.18F, 0.82F}) {
      const Pt on = path_at(edge, t);
      for (int anchor = 0; anchor < 5 && best_cover > 0; ++anchor) {
        float x0 = anchor == 0 ? on.x - tw * 0.5F - 4 : anchor == 1 || anchor == 3 ? on.x + 8 : on.x - tw - 16;
        const Pt m{on.x, anchor >= 3 ? on.y + th * 0.5F + 6 : on.y};  // below the edge, beside or under it
        x0 = std::clamp(x0, x_lo, g.origin.x + W - tw - 10);
        const Pt a{x0, m.y - th * 0.5F - 2}, b{x0 + tw + 8, m.y + th * 0.5F + 2};
        const float cover = box_cover(g, a, b);
        if (cover < best_cover) {
          best = {a, b, *lines, {}};
          best_cover = cover;
        }
      }
      if (best_cover == 0) break;
    }
    if (best_cover == 0) break;
  }
  if (best_cover == 0) return best;
  // No room by the edge (a short panel packs the boxes): the nearest empty cell of the grid.
  const Pt mid = path_at(edge, 0.5F);
  float best_d = 1e9F;
  for (const auto* lines : {&one, &two}) {
    const float tw = text_w(*lines);
    const float th = line_h * static_cast<float>(lines->size()) + 1.0F;
    for (float col : {0.0F, 2.0F})
      for (float row : {0.0F, 1.0F, 3.0F, 6.0F}) {
        const Pt c = g.cell_center(col, row);
        const float x0 = std::clamp(c.x - tw * 0.5F - 4, x_lo, g.origin.x + W - tw - 10);
        const Pt a{x0, c.y - th * 0.5F - 2}, b{x0 + tw + 8, c.y + th * 0.5F + 2};
        const float d = std::hypot(c.x - mid.x, c.y - mid.y);
        if (box_cover(g, a, b) == 0 && d < best_d) {
          best_d = d;
          best = {a, b, *lines, mid};
        }
      }
  }
  return best;
}

// ---------------------------------------------------------------- the endpoint panel

const char* tcb_name(TcbField f) {
  switch (f) {
    case TcbField::Iss: return "ISS";
    case TcbField::Irs: return "IRS";
    case TcbField::SndUna: return "SND.UNA";
    case TcbField::SndNxt: return "SND.NXT";
    case TcbField::SndWnd: return "SND.WND";
    case TcbField::RcvNxt: return "RCV.NXT";
    case TcbField::RcvWnd: return "RCV.WND";
    case TcbField::Cwnd: return "cwnd";
    case TcbField::Ssthresh: return "ssthresh";
    case TcbField::SndBuf: return "send buf";
    case TcbField::RcvBuf: return "recv buf";
    case TcbField::Srtt: return "SRTT";
    case TcbField::Rto: return "RTO";
  }
  return "";
}

std::string bytes_mss(std::uint32_t b, std::uint32_t mss, bool unicode) {
  if (b >= UINT32_MAX / 2) return unicode ? "∞" : "inf";
  if (mss == 0) return std::to_string(b);
  // Whole multiples without the ".0" (what a narrow panel at 1280x720 has room for).
  if (b % mss == 0) return fmt::format("{} ({} MSS)", b, b / mss);
  const double n = static_cast<double>(b) / mss;
  return n >= 10 ? fmt::format("{} ({:.0f} MSS)", b, n) : fmt::format("{} ({:.1f} MSS)", b, n);
}

TcbTable tcb_table(const Connection& c, bool unicode) {
  const Tcb& t = c.tcb();
  TcbTable out;
  out.synced = c.state() != State::Closed && c.state() != State::Listen;
  // What is not known yet is a dash, not 0. Our numbers exist once a SYN went out (a CLOSED
  // TCB that was used keeps them, dimmed); the peer's (IRS, RCV.NXT, its window) once its SYN
  // came in; cwnd and ssthresh once there is anything to send to.
  const bool ours = c.state() != State::Listen && (c.state() != State::Closed || t.snd_nxt != t.iss);
  const bool peer = ours && c.state() != State::SynSent && (c.state() != State::Closed || t.rcv_nxt != t.irs);
  const bool cc = ours && c.cwnd() > 0;
  const std::uint32_t mss = t.snd_mss;
  auto rel = [](Seq32 v, Seq32 base) { return std::to_string(static_cast<std::uint32_t>(v.raw() - base.raw())); };
  const auto& rtt = c.rtt();
  const std::string dash = unicode ? "\u2013" : "-";
  using F = TcbField;
  auto& r = out.rows;
  r.push_back({{F::Iss, std::to_string(t.iss.raw()), ours, {}}, TcbCell{F::Irs, std::to_string(t.irs.raw()), peer, {}}});
  r.push_back({{F::SndUna, rel(t.snd_una, t.iss), ours, t.snd_una.raw()}, TcbCell{F::RcvNxt, rel(t.rcv_nxt, t.irs), peer, t.rcv_nxt.raw()}});
  r.push_back({{F::SndNxt, rel(t.snd_nxt, t.iss), ours, t.snd_nxt.raw()}, TcbCell{F::RcvWnd, std::to_string(t.rcv_wnd), true, {}}});
  r.push_back({{F::SndWnd, std::to_string(t.snd_wnd), peer, {}}, TcbCell{F::RcvBuf, fmt::format("{} B", c.readable_bytes()), true, {}}});
  r.push_back({{F::Cwnd, bytes_mss(c.cwnd(), mss, unicode), cc, {}},
               TcbCell{F::Srtt, rtt.has_sample() ? short_duration(rtt.srtt()) : dash, true, {}}});
  r.push_back({{F::Ssthresh, bytes_mss(c.ssthresh(), mss, unicode), cc, {}}, TcbCell{F::Rto, short_duration(rtt.rto()), true, {}}});
  r.push_back({{F::SndBuf, fmt::format("{} B", c.send_queue_bytes()), true, {}}, std::nullopt});
  return out;
}

std::vector<TimerRow> timer_rows(const TraceIndex& ix, std::uint32_t ep, const Connection& c, std::uint64_t cursor,
                                 Instant now) {
  std::vector<TimerRow> out;
  for (int i = 0; i < kTimerKinds; ++i) {
    const auto kind = static_cast<TimerKind>(i);
    if (!c.timers().armed(kind)) continue;
    if (kind == TimerKind::Rto && c.timers().armed(TimerKind::LossProbe)) continue;
    TimerRow row;
    row.kind = kind;
    row.due = c.timers().at(kind);
    row.left = std::max<Duration>(0, row.due - now);
    Duration total = row.left;
    if (auto k = ix.last_timer_set(ep, kind, cursor)) total = std::max<Duration>(1, row.due - ix.trace()[*k].t_ns);
    row.left_fraction = total > 0 ? std::clamp(static_cast<float>(static_cast<double>(row.left) / static_cast<double>(total)), 0.0F, 1.0F) : 0.0F;
    out.push_back(row);
  }
  return out;
}

EndpointAt endpoint_at(const TraceIndex& ix, const World& w, std::uint32_t ep, const ConnLookup& lookup) {
  EndpointAt n;
  if (ep >= ix.endpoints().size()) return n;
  auto at = [&](std::uint32_t e, bool via) {
    const EndpointInfo& info = ix.endpoints()[e];
    const ConnId c = lookup(info.host, info.label);
    if (c == kNoConn) return false;
    n.conn = &w.stack(info.host).conn(c);
    n.state = n.conn->state();
    n.via_listener = via;
    n.shown_ep = e;
    return true;
  };
  if (!at(ep, false) && ix.endpoints()[ep].listener_ep != kNone) at(ix.endpoints()[ep].listener_ep, true);
  return n;
}

ConnId find_conn(const World& w, int host, const std::string& label) {
  ConnId found = kNoConn;
  for (ConnId c = 0; c < w.stack(host).conn_count(); ++c)
    if (w.conn_label(host, c) == label) found = c;
  return found;
}

std::string short_time(Instant t) {
  if (t < ms(1)) return fmt::format("{} us", t / 1000);
  if (t < sec(1)) return fmt::format("{}.{:03} ms", t / ms(1), (t % ms(1)) / 1000);
  return fmt::format("{}.{:03} s", t / sec(1), (t % sec(1)) / ms(1));
}

std::string short_duration(Duration d) {
  if (d < 0) d = 0;
  if (d < ms(1)) return fmt::format("{} us", d / 1000);
  if (d < sec(1)) return fmt::format("{} ms", d / ms(1));
  if (d < sec(100)) return fmt::format("{}.{:02} s", d / sec(1), (d % sec(1)) / ms(10));
  return fmt::format("{} s", d / sec(1));
}

}  // namespace tcplab::layout
