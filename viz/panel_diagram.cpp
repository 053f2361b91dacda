// RFC 9293 Figure 5 for one endpoint: the eleven states in the figure's layout, its edges,
// the current state filled with its colour, the states and edges this connection went
// through outlined, the edge just taken drawn bold with its event/action, and below it the
// why: the cause the stack recorded for that transition (rule and numbers).
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>

#include "labs/panel_layout.hpp"
#include "viz/rfc.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

// The figure's geometry is the headless pictures' too (labs/panel_layout.hpp).
using layout::Fig5Geometry;
using layout::Pt;
ImVec2 iv(Pt p) { return ImVec2(p.x, p.y); }
Pt pt(ImVec2 p) { return {p.x, p.y}; }
ImVec2 operator+(ImVec2 a, ImVec2 b) { return ImVec2(a.x + b.x, a.y + b.y); }
ImVec2 operator-(ImVec2 a, ImVec2 b) { return ImVec2(a.x - b.x, a.y - b.y); }
ImVec2 operator*(ImVec2 a, float s) { return ImVec2(a.x * s, a.y * s); }

std::vector<ImVec2> edge_path(const Fig5Geometry& g, State from, State to) {
  std::vector<ImVec2> out;
  for (Pt p : layout::fig5_edge_path(g, from, to)) out.push_back(iv(p));
  return out;
}

void draw_path(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 col, float thick, float head, bool dashed) {
  if (pts.size() < 2) return;
  if (dashed) {
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
      const ImVec2 a = pts[i], b = pts[i + 1];
      const float l = std::hypot(b.x - a.x, b.y - a.y);
      for (float s = 0; s < l; s += 8) {
        const float e = std::min(l, s + 4);
        dl->AddLine(a + (b - a) * (s / l), a + (b - a) * (e / l), col, thick);
      }
    }
  } else {
    dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, 0, thick);
  }
  const ImVec2 tip = pts.back(), prev = pts[pts.size() - 2];
  ImVec2 d = tip - prev;
  const float l = std::hypot(d.x, d.y);
  if (l < 1e-3F) return;
  d = d * (1.0F / l);
  const ImVec2 n(-d.y, d.x);
  dl->AddTriangleFilled(tip, tip - d * head + n * (head * 0.5F), tip - d * head - n * (head * 0.5F), col);
}

}  // namespace

namespace {

// The connection's path so far: the states and edges it went through, the last edge.
struct History {
  std::set<int> visited;
  std::set<std::pair<int, int>> taken;
  std::optional<std::uint64_t> last;
  State current = State::Closed;
};

// The figure's box height and least row pitch: below these the boxes crowd (a short panel
// draws the figure elsewhere, see figure_fits).
float box_h() { return fonts().small->FontSize + 5.0F; }
float min_pitch() { return box_h() + 3.0F; }
constexpr float kLane = 20.0F;

// The widest state name in the small font: no name may spill out of its box.
float label_w() {
  ImFont* sm = fonts().small;
  float w = 0;
  for (int s = 0; s < kStateCount; ++s) {
    const std::string_view n = fig5_name(static_cast<State>(s));
    w = std::max(w, sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, n.data(), n.data() + n.size()).x);
  }
  return w;
}

// The least width and height in which Figure 5 is legible: three columns of boxes that hold
// their names, seven rows that do not touch.
ImVec2 figure_min_size() { return ImVec2(2 * kLane + 3 * (label_w() + 16.0F), box_h() + 9.0F + 6.0F * min_pitch()); }

// Draws Figure 5 at the cursor in W x H; returns the edge's plate. `interactive`: hovering
// an edge or a box explains it (not when drawn inside a tooltip).
Rect draw_figure(const WorldView& v, const History& h, float W, float H, bool interactive, Fig5Geometry& g) {
  const auto& tr = v.index.trace();
  const auto& last = h.last;
  const auto& taken = h.taken;
  const auto& visited = h.visited;
  const State current = h.current;
  ImFont* sm = fonts().small;
  const float fs = sm->FontSize;
  const float bh = box_h();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float colw = (W - 2 * kLane) / 3.0F;
  const float bw = std::min(colw - 6.0F, std::max(118.0F, label_w() + 10.0F));
  g = layout::fig5_geometry(pt(o), W, H, bw, bh, min_pitch(), kLane);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ImGui::InvisibleButton("##fig5", ImVec2(W, H));
  const bool hovered = interactive && ImGui::IsItemHovered();
  std::string tip;

  // Edges: the figure's in grey, those taken by this connection lighter, the last one bold.
  const bool last_in_fig = last && figure5_edge(tr[*last].from, tr[*last].to);
  for (const auto& e : figure5_edges()) {
    const auto pts = edge_path(g, e.from, e.to);
    const bool was = taken.count({static_cast<int>(e.from), static_cast<int>(e.to)}) > 0;
    const bool is_last = last && tr[*last].from == e.from && tr[*last].to == e.to;
    if (is_last) continue;
    draw_path(dl, pts, was ? IM_COL32(170, 182, 204, 230) : IM_COL32(86, 92, 106, 255), was ? 1.8F : 1.0F, was ? 7.0F : 6.0F, false);
    if (hovered && tip.empty() && layout::dist_to_path(layout::fig5_edge_path(g, e.from, e.to), pt(mouse)) < 5.0F)
      tip = std::string(fig5_name(e.from)) + " -> " + std::string(fig5_name(e.to)) + ":  " + e.event +
            (e.action[0] ? std::string(" / ") + e.action : "");
  }
  std::vector<ImVec2> last_pts;
  if (last) {
    const State f = tr[*last].from, t = tr[*last].to;
    last_pts = edge_path(g, f, t);
    draw_path(dl, last_pts, kAccent, 3.2F, 11.0F, !last_in_fig);
  }
  // Boxes.
  for (int s = 0; s < kStateCount; ++s) {
    const auto st = static_cast<State>(s);
    const ImVec2 bmin = iv(g.box[s].min), bmax = iv(g.box[s].max);
    const bool cur = st == current;
    const bool seen = visited.count(s) > 0;
    if (cur) {
      dl->AddRectFilled(bmin - ImVec2(3, 3), bmax + ImVec2(3, 3), with_alpha(state_color(st), 0.35F), 7.0F);
      dl->AddRectFilled(bmin, bmax, state_color(st), 5.0F);
      dl->AddRect(bmin, bmax, IM_COL32(255, 255, 255, 220), 5.0F, 0, 1.5F);
    } else {
      dl->AddRectFilled(bmin, bmax, seen ? with_alpha(state_color(st), 0.22F) : IM_COL32(34, 37, 44, 255), 5.0F);
      dl->AddRect(bmin, bmax, seen ? state_color(st) : IM_COL32(74, 80, 92, 255), 5.0F, 0, seen ? 1.5F : 1.0F);
    }
    centered_text(dl, sm, fs, bmin, bmax,
                  cur ? IM_COL32_WHITE : seen ? IM_COL32(225, 228, 235, 255) : IM_COL32(140, 146, 158, 255),
                  std::string(fig5_name(st)));
    if (hovered && mouse.x >= bmin.x && mouse.x <= bmax.x && mouse.y >= bmin.y && mouse.y <= bmax.y)
      tip = state_help(st);
  }
  Rect plate;
  // The last edge's event / action on its plate (placed as in the headless pictures).
  if (last) {
    std::vector<Pt> edge;
    for (ImVec2 p : last_pts) edge.push_back(pt(p));
    const layout::Plate pl = layout::place_plate(g, edge, tr[*last].from, tr[*last].to,
                                                 [&](const std::string& l) { return sm->CalcTextSizeA(fs, FLT_MAX, 0, l.c_str()).x; }, fs);
    if (pl.leader) dl->AddLine(iv(Pt{(pl.a.x + pl.b.x) * 0.5F, (pl.a.y + pl.b.y) * 0.5F}), iv(*pl.leader), with_alpha(kAccent, 0.6F), 1.0F);
    plate = {pl.a.x, pl.a.y, pl.b.x, pl.b.y};
    dl->AddRectFilled(iv(pl.a), iv(pl.b), IM_COL32(40, 34, 14, 240), 4.0F);
    dl->AddRect(iv(pl.a), iv(pl.b), kAccent, 4.0F);
    float y = pl.a.y + 2;
    for (const auto& l : pl.lines) {
      const float lw = sm->CalcTextSizeA(fs, FLT_MAX, 0, l.c_str()).x;
      dl->AddText(sm, fs, ImVec2((pl.a.x + pl.b.x - lw) * 0.5F, y), kAccent, l.c_str());
      y += fs;
    }
  }
  if (!tip.empty()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0F);
    ImGui::TextUnformatted(tip.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  return plate;
}

}  // namespace

void draw_diagram(const WorldView& v, std::uint32_t ep, const EndpointNow& now, ImVec2 size, DrawRecord& rec) {
  const auto& eps = v.index.endpoints();
  const auto& tr = v.index.trace();
  const EndpointInfo& info = eps[ep];
  // This connection's history up to the cursor: its listener's first, then its own.
  const std::vector<std::uint64_t> hist = layout::state_history(v.index, ep, v.cursor);
  History h;
  for (auto k : hist) {
    h.visited.insert(static_cast<int>(tr[k].from));
    h.visited.insert(static_cast<int>(tr[k].to));
    h.taken.insert({static_cast<int>(tr[k].from), static_cast<int>(tr[k].to)});
  }
  if (!hist.empty()) h.last = hist.back();
  h.current = now.conn || now.inferred ? now.state : State::Closed;
  const auto& last = h.last;

  const float W = size.x;
  std::string why_title, why_text;
  if (last) {
    const TraceEvent& e = tr[*last];
    why_title = shown("why " + std::string(state_name(e.from)) + " → " + std::string(state_name(e.to)) + "  (" + short_time(e.t_ns) + ")");
    why_text = shown(e.cause);
  }
  const ImGuiStyle& st = ImGui::GetStyle();
  const float wrap_w = std::max(60.0F, W - 2 * st.WindowPadding.x - 2);
  if (last && ImGui::CalcTextSize(why_title.c_str()).x > wrap_w) {  // the time is in the badge too: leave it out first
    const TraceEvent& e = tr[*last];
    why_title = shown("why " + std::string(state_name(e.from)) + " → " + std::string(state_name(e.to)));
  }
  // Panels give way by priority. The why (the rule and its numbers) comes first: the height
  // its text needs (wrapped to the panel) or, when the panel is short, at least its title and
  // two lines, with a scroll bar for the rest. Figure 5 takes what is left, when that is
  // enough for it to stay legible; else it is shown on hover (1280x720 at zoom 1.5).
  const float title_h = ImGui::CalcTextSize(why_title.c_str(), nullptr, false, wrap_w).y;
  const float frame = 2 * st.WindowPadding.y + 4;
  const float why_full = last ? title_h + st.ItemSpacing.y + ImGui::CalcTextSize(why_text.c_str(), nullptr, false, wrap_w).y + frame
                              : ImGui::GetTextLineHeightWithSpacing();
  const float why_least = std::min(why_full, title_h + st.ItemSpacing.y + 2 * ImGui::GetTextLineHeightWithSpacing() + frame);
  const ImVec2 fig_min = figure_min_size();
  const float gap = st.ItemSpacing.y;
  bool inline_fig = W >= fig_min.x;
  float fig_h = 0, why_h = why_full;
  if (inline_fig && size.y - why_full - gap >= fig_min.y) {
    fig_h = size.y - why_full - gap;
  } else if (inline_fig && size.y - why_least - gap >= fig_min.y) {
    fig_h = fig_min.y;
    why_h = size.y - fig_h - gap;
  } else {
    inline_fig = false;
    why_h = std::clamp(size.y - ImGui::GetTextLineHeightWithSpacing(), why_least, why_full);
  }

  DrawRecord::Diagram d;
  Fig5Geometry g;
  Rect plate;
  if (inline_fig) {
    plate = draw_figure(v, h, W, fig_h, true, g);
    d.figure = "inline";
  } else {
    ImGui::TextDisabled("RFC 9293 Figure 5: hover here");
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      Fig5Geometry tg;
      draw_figure(v, h, std::max(fig_min.x, 340.0F), std::max(fig_min.y, 240.0F), false, tg);
      ImGui::EndTooltip();
    }
    d.figure = "hover";
  }

  {
    const ImVec2 c0 = ImGui::GetWindowDrawList()->GetClipRectMin(), c1 = ImGui::GetWindowDrawList()->GetClipRectMax();
    d.panel = {c0.x * rec.scale, c0.y * rec.scale, c1.x * rec.scale, c1.y * rec.scale};
  }
  d.host = v.index.host_names()[static_cast<std::size_t>(info.host)];
  d.highlight = std::string(state_name(h.current));
  const float s = rec.scale;
  if (inline_fig)
    for (int i = 0; i < kStateCount; ++i)
      d.boxes[std::string(state_name(static_cast<State>(i)))] = {g.box[i].min.x * s, g.box[i].min.y * s, g.box[i].max.x * s,
                                                                 g.box[i].max.y * s};
  if (last) {
    const TraceEvent& e = tr[*last];
    d.taken_from = state_name(e.from);
    d.taken_to = state_name(e.to);
    d.cause = e.cause;
    d.taken_in_figure5 = figure5_edge(e.from, e.to) != nullptr;
    d.why_scrolls = why_h < why_full - 0.5F;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(38, 34, 22, 255));
    ImGui::BeginChild("##why", ImVec2(W, why_h), true, d.why_scrolls ? ImGuiWindowFlags_AlwaysVerticalScrollbar : ImGuiWindowFlags_NoScrollbar);
    ImGui::PushTextWrapPos(0);
    ImGui::PushStyleColor(ImGuiCol_Text, kAccent);
    ImGui::TextUnformatted(why_title.c_str());
    ImGui::PopStyleColor();
    ImGui::TextUnformatted(why_text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
    ImGui::PopStyleColor();
    const ImVec2 w0 = ImGui::GetItemRectMin(), w1 = ImGui::GetItemRectMax();
    d.why = {w0.x * s, w0.y * s, w1.x * s, w1.y * s};
  } else {
    ImGui::TextDisabled("No state change yet.");
  }
  d.plate = {plate.x0 * s, plate.y0 * s, plate.x1 * s, plate.y1 * s};
  rec.diagrams.push_back(std::move(d));
}

}  // namespace tcplab::viz
