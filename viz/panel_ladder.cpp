// The sequence ladder: time runs down, one column per host, one row per world step that
// did something visible, an arrow per segment from the row it was sent in to the row it
// arrived in, labelled as tcpdump would (flags, seq, ack; relative after the SYN). Lost
// segments end in a cross halfway; retransmissions are dashed and tagged; the cursor's row
// is highlighted; segments in flight at the cursor are drawn up to where they are. Only
// rows in view are drawn (rows are equal height; arrows are found through row buckets),
// so a trace of 10^4 segments scrolls smoothly. Hover shows the whole segment; a click
// offers to drop, delay or duplicate it in a fork of the timeline.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "labs/panel_layout.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

constexpr float kRowH = 26.0F;
constexpr float kPadTop = 12.0F;
constexpr float kTimeW = 92.0F;

// The lanes: the time column, then the hosts' lifelines (labs/panel_layout.hpp).
layout::LadderColumns columns(const WorldView& v, float width) {
  return layout::ladder_columns(v.index, v.world, v.followed, kTimeW + 40.0F, width - 24.0F);
}

ImVec2 lerp(ImVec2 a, ImVec2 b, float t) { return ImVec2(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t); }

float dist_seg(ImVec2 a, ImVec2 b, ImVec2 m) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float l2 = dx * dx + dy * dy;
  const float t = l2 > 0 ? std::clamp(((m.x - a.x) * dx + (m.y - a.y) * dy) / l2, 0.0F, 1.0F) : 0.0F;
  return std::hypot(m.x - (a.x + dx * t), m.y - (a.y + dy * t));
}

void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thick, bool dashed, bool head) {
  if (std::hypot(b.x - a.x, b.y - a.y) < 1) return;
  const layout::ArrowShape sh = layout::arrow_shape({a.x, a.y}, {b.x, b.y}, thick, head);
  const ImVec2 end(sh.line_end.x, sh.line_end.y);
  if (dashed) {
    const float le = std::hypot(end.x - a.x, end.y - a.y);
    for (float s = 0; s < le; s += 10) dl->AddLine(lerp(a, end, s / le), lerp(a, end, std::min(le, s + 6) / le), col, thick);
  } else {
    dl->AddLine(a, end, col, thick);
  }
  if (head) dl->AddTriangleFilled(b, ImVec2(sh.head[1].x, sh.head[1].y), ImVec2(sh.head[2].x, sh.head[2].y), col);
}

void cross(ImDrawList* dl, ImVec2 c, float r, ImU32 col) {
  dl->AddLine(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), col, 3.0F);
  dl->AddLine(ImVec2(c.x - r, c.y + r), ImVec2(c.x + r, c.y - r), col, 3.0F);
}

std::string seg_tooltip(const WorldView& v, const SegInfo& s) {
  const auto& tr = v.index.trace();
  const TraceEvent& e = tr[s.send_k];
  const Segment& g = e.seg;
  const auto& names = v.index.host_names();
  const std::string_view note = send_note(e);
  std::string t = fmt::format("{}  {}{}\n", e.id, e.kind, note.empty() ? std::string() : fmt::format("  ({})", note));
  t += fmt::format("{}  {} > {}\n", s.label, endpoint_to_string(g.src), endpoint_to_string(g.dst));
  t += fmt::format("SEG.SEQ {}  SEG.ACK {}  SEG.LEN {}  WND {}\n", g.seq.raw(), g.ack.raw(), g.seg_len(), g.wnd);
  std::string opts;
  if (g.mss) opts += fmt::format(" mss {}", *g.mss);
  if (g.wscale) opts += fmt::format(" wscale {}", *g.wscale);
  if (g.sack_permitted) opts += " sackOK";
  if (g.ts) opts += fmt::format(" TS val {} ecr {}", g.ts->val, g.ts->ecr);
  for (int i = 0; i < g.sack_count; ++i) opts += fmt::format(" sack {}-{}", g.sack[i].left.raw(), g.sack[i].right.raw());
  if (!opts.empty()) t += "options:" + opts + "\n";
  t += fmt::format("sent {} by {}\n", short_time(e.t_ns), names[static_cast<std::size_t>(s.src_host)]);
  switch (s.fate) {
    case SegFate::Delivered:
      t += fmt::format("delivered {} to {}{}", short_time(tr[s.fate_k].t_ns),
                       s.dst_host >= 0 ? names[static_cast<std::size_t>(s.dst_host)] : "?",
                       s.duplicates ? fmt::format(" (and {} duplicate{})", s.duplicates, s.duplicates > 1 ? "s" : "") : "");
      break;
    case SegFate::LostOnWay:
    case SegFate::DroppedOnArrival:
      t += fmt::format("DROPPED ({}): {}", tr[s.fate_k].where, tr[s.fate_k].reason);
      break;
    case SegFate::InFlight: t += "still in flight when the run ended"; break;
  }
  if (!g.payload.empty()) {
    std::string p;
    for (char c : g.payload.substr(0, 40).str()) p += (c >= 32 && c < 127) ? std::string(1, c) : c == '\r' ? "\\r" : c == '\n' ? "\\n" : ".";
    t += "\npayload: \"" + p + (g.payload.size() > 40 || e.len > g.payload.size() ? "...\"" : "\"");
  }
  t += "\n\nclick: drop, delay or duplicate it in a fork of the timeline";
  return t;
}

}  // namespace

void draw_ladder(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const TraceIndex& ix = v.index;
  const auto& rows = ix.rows();
  const auto& tr = ix.trace();
  const auto& segs = ix.segments();
  const float width = ImGui::GetContentRegionAvail().x;
  const layout::LadderColumns cols = columns(v, width);
  ImFont* mono = fonts().mono;
  ImFont* sm = fonts().small;
  const float s = rec.scale;
  rec.ladder_rows = static_cast<std::uint32_t>(rows.size());
  rec.segments_total = segs.size();
  rec.segments_sent = static_cast<std::uint64_t>(
      std::lower_bound(segs.begin(), segs.end(), v.cursor, [](const SegInfo& x, std::uint64_t p) { return x.send_k < p; }) -
      segs.begin());

  // Column headers.
  {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    for (std::size_t i = 0; i < cols.names.size(); ++i) {
      const float x = o.x + cols.x[i];
      const ImVec2 ts = ImGui::CalcTextSize(cols.names[i].c_str());
      dl->AddText(ImVec2(x - ts.x * 0.5F, o.y), IM_COL32(235, 238, 245, 255), cols.names[i].c_str());
      const ImVec2 is = sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, cols.ips[i].c_str());
      dl->AddText(sm, sm->FontSize, ImVec2(x - is.x * 0.5F, o.y + ts.y + 1), kDim, cols.ips[i].c_str());
    }
    dl->AddText(sm, sm->FontSize, ImVec2(o.x + 6, o.y + 8), kDim, "virtual time");
    ImGui::Dummy(ImVec2(width, ImGui::GetFontSize() + sm->FontSize + 6));
  }

  ImGui::BeginChild("##ladder_rows", ImVec2(0, 0), false);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float scroll = ImGui::GetScrollY();
  const float view_h = ImGui::GetWindowHeight();
  const auto nrows = static_cast<std::uint32_t>(rows.size());
  ImGui::Dummy(ImVec2(width - 16, kPadTop + static_cast<float>(nrows) * kRowH + 40.0F));
  const bool win_hovered = ImGui::IsWindowHovered();
  const std::uint32_t cur = ix.row_at_cursor(v.cursor);
  rec.ladder_current_row = cur == kNone ? -1 : static_cast<std::int64_t>(cur);
  if (ui.follow_cursor && ui.ladder_scrolled_for != v.cursor) {
    ui.ladder_scrolled_for = v.cursor;
    const float yy = cur == kNone ? 0.0F : kPadTop + static_cast<float>(cur) * kRowH;
    if (yy < scroll + kRowH * 2 || yy > scroll + view_h - kRowH * 4) ImGui::SetScrollY(std::max(0.0F, yy - view_h * 0.55F));
  }
  auto y_of = [&](std::uint32_t r) { return o.y + kPadTop + static_cast<float>(r) * kRowH + kRowH * 0.5F; };
  auto x_of_host = [&](int h) { return o.x + cols.x_of_host(h); };
  if (nrows == 0) {
    ImGui::SetCursorScreenPos(ImVec2(o.x + 10, o.y + 10));
    ImGui::TextDisabled("Nothing happened in this lab's run.");
    ImGui::EndChild();
    return;
  }
  const auto first = static_cast<std::uint32_t>(std::max(0.0F, (scroll - kPadTop) / kRowH - 1.0F));
  const std::uint32_t r0 = std::min(first, nrows - 1);
  const std::uint32_t r1 = std::min<std::uint32_t>(nrows - 1, static_cast<std::uint32_t>((scroll + view_h - kPadTop) / kRowH + 1.0F));
  rec.ladder_rows_drawn = r1 - r0 + 1;
  const float top = o.y + kPadTop + static_cast<float>(r0) * kRowH, bottom = y_of(r1) + kRowH * 0.5F;

  // Row bands: the cursor's row; a line where the run was idle for much longer than usual.
  const Duration gap_mark = std::max<Duration>(us(100), 8 * ix.typical_gap());
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  std::uint32_t hovered_row = kNone;
  for (std::uint32_t r = r0; r <= r1; ++r) {
    const float y = y_of(r);
    const bool future = cur == kNone || r > cur;
    if (r == cur) {
      dl->AddRectFilled(ImVec2(o.x, y - kRowH * 0.5F), ImVec2(o.x + width, y + kRowH * 0.5F), IM_COL32(255, 206, 84, 34));
      dl->AddRectFilled(ImVec2(o.x, y - kRowH * 0.5F), ImVec2(o.x + 4, y + kRowH * 0.5F), kAccent);
    }
    if (win_hovered && mouse.y >= y - kRowH * 0.5F && mouse.y < y + kRowH * 0.5F) hovered_row = r;
    if (future && ui.predict) continue;  // no hints about what comes next
    const bool same_time = r > 0 && rows[r].t_ns == rows[r - 1].t_ns;  // said once, on the first row
    if (!same_time || r == cur)
      dl->AddText(mono, mono->FontSize, ImVec2(o.x + 8, y - mono->FontSize * 0.5F),
                  r == cur ? kAccent : future ? IM_COL32(110, 115, 126, 255) : IM_COL32(170, 176, 188, 255),
                  short_time(rows[r].t_ns).c_str());
    if (r > 0 && rows[r].t_ns - rows[r - 1].t_ns >= gap_mark) {
      const float yb = y - kRowH * 0.5F;
      for (float x = o.x + 4; x < o.x + width - 8; x += 9) dl->AddLine(ImVec2(x, yb), ImVec2(x + 4, yb), IM_COL32(90, 96, 110, 200));
      const std::string gap = "+" + short_duration(rows[r].t_ns - rows[r - 1].t_ns);
      const ImVec2 gs = sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, gap.c_str());
      dl->AddRectFilled(ImVec2(o.x + kTimeW - 2, yb - gs.y * 0.5F), ImVec2(o.x + kTimeW + gs.x + 4, yb + gs.y * 0.5F),
                        IM_COL32(22, 24, 29, 255));
      dl->AddText(sm, sm->FontSize, ImVec2(o.x + kTimeW + 1, yb - gs.y * 0.5F), IM_COL32(130, 136, 150, 255), gap.c_str());
    }
  }

  // Lifelines, coloured by the followed endpoint's state on that host.
  for (std::size_t c = 0; c < cols.names.size(); ++c)
    dl->AddLine(ImVec2(o.x + cols.x[c], top), ImVec2(o.x + cols.x[c], bottom), IM_COL32(70, 76, 88, 255), 2.0F);
  std::vector<layout::Pill> pills;
  for (std::size_t fi = 0; fi < v.followed.size(); ++fi) {
    const EndpointInfo& info = ix.endpoints()[v.followed[fi]];
    const std::vector<std::uint64_t> hist = layout::state_history(ix, v.followed[fi]);
    const float x = x_of_host(info.host);
    const int col = cols.of_host[static_cast<std::size_t>(info.host)];
    const bool left = layout::pill_left(col, cols.names.size());
    for (std::size_t i = 0; i < hist.size(); ++i) {
      const std::uint64_t k = hist[i];
      if (k >= v.cursor && !ui.show_future) break;
      const std::uint32_t ra = ix.row_of_event(k);
      std::uint32_t rb = i + 1 < hist.size() ? ix.row_of_event(hist[i + 1]) : nrows - 1;
      if (!ui.show_future && cur != kNone) rb = std::min(rb, cur);
      if (ra == kNone || rb < r0 || ra > r1) {
        if (ra != kNone && ra >= r0 && ra <= r1) pills.push_back({x, y_of(ra), left, tr[k].to});
        continue;
      }
      const float ya = std::max(top, y_of(ra)), yb = std::min(bottom, y_of(std::max(ra, rb)) + (rb == nrows - 1 ? kRowH * 0.5F : 0));
      if (tr[k].to != State::Closed) dl->AddLine(ImVec2(x, ya), ImVec2(x, yb), state_color(tr[k].to, 0.85F), 5.0F);
      if (ra >= r0 && ra <= r1) pills.push_back({x, y_of(ra), left, tr[k].to});
    }
  }

  // Pill rectangles: several changes in one row line up outward from the lifeline.
  std::vector<ImVec4> placed;  // rectangles taken by pills and labels (x0, y0, x1, y1)
  std::vector<ImVec4> pill_rect;
  for (const layout::Rect& r : layout::place_pills(
           pills, [&](const std::string& n) { return sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, n.c_str()).x; }, sm->FontSize,
           o.x + width - 18)) {
    pill_rect.emplace_back(r.x0, r.y0, r.x1, r.y1);
    placed.push_back(pill_rect.back());
  }

  // Arrows: first where each goes (and its cross), then the labels, placed where they
  // cover no other label, no cross, no state pill and no lifeline.
  std::vector<std::uint32_t> cand;
  ix.segments_near_rows(r0, r1, &cand);
  int hovered = -1;
  float hovered_d = 7.0F;
  struct Drawn {
    std::uint32_t seg;
    ImVec2 a, b;
    bool head = true, lost = false, partial = false, ghost = false, current = false;
    ImU32 col = 0;
    std::optional<std::array<float, 2>> cross_at;
    std::string shown;  // the label drawn ("" when none)
    ImVec4 label_rect{0, 0, 0, 0};
    int group = 0;      // identical segments in a row drawn under one label ("[S.] ×12"); 0: not grouped
    std::size_t group_id = 0;  // the index of the group's first member
    bool group_head = false;   // the member whose label is tried first (the middle one in view)
  };
  std::vector<Drawn> drawn;
  std::vector<ImVec4> crosses;  // rectangles of the crosses, which labels keep clear of
  for (std::uint32_t i : cand) {
    const SegInfo& sg = segs[i];
    const bool ghost = sg.send_k >= v.cursor;
    if (ghost && !ui.show_future) continue;
    if (sg.row_send == kNone) continue;
    const TraceEvent& e = tr[sg.send_k];
    const layout::ArrowGeom geo = layout::arrow_geometry(ix, cols, i, o.x, y_of, kRowH, v.cursor, v.now, ghost);
    const ImVec2 a(geo.a.x, geo.a.y), b(geo.b.x, geo.b.y);
    const bool head = geo.head, lost = geo.lost, partial = geo.partial;
    if (std::max(a.y, b.y) < top - kRowH || std::min(a.y, b.y) > bottom + kRowH) continue;
    Drawn d;
    d.seg = i;
    d.a = a;
    d.b = b;
    d.head = head;
    d.lost = lost;
    d.partial = partial;
    d.ghost = ghost;
    d.current = cur != kNone && (sg.row_send == cur || (sg.row_fate == cur && sg.fate_k < v.cursor));
    d.col = ghost ? with_alpha(kind_color(e.kind), 0.22F) : kind_color(e.kind);
    if (lost) {
      d.cross_at = std::array<float, 2>{b.x * s, b.y * s};
      crosses.emplace_back(b.x - 9, b.y - 9, b.x + 9, b.y + 9);
    }
    if (sg.fate == SegFate::DroppedOnArrival && !ghost && sg.fate_k < v.cursor) {
      const float cx = b.x + (a.x < b.x ? -14 : 14);
      crosses.emplace_back(cx - 7, b.y - 7, cx + 7, b.y + 7);
    }
    drawn.push_back(std::move(d));
  }
  // Identical segments sent one after another between the same two hosts share one label.
  {
    std::vector<std::uint32_t> ids;
    std::vector<bool> lost;
    for (const Drawn& d : drawn) {
      ids.push_back(d.seg);
      lost.push_back(d.lost);
    }
    const layout::Grouping g = layout::group_repeats(ix, ids, lost, r0, r1);
    for (std::size_t i = 0; i < drawn.size(); ++i) {
      drawn[i].group = g.size[i];
      drawn[i].group_id = g.first[i];
      drawn[i].group_head = g.head[i];
    }
  }
  for (Drawn& d : drawn) {
    const SegInfo& sg = segs[d.seg];
    const TraceEvent& e = tr[sg.send_k];
    arrow(dl, d.a, d.b, d.col, d.current ? 2.8F : 1.7F, e.retx, d.head);
    if (d.partial) dl->AddCircleFilled(d.b, 4.5F, d.col);
    if (sg.fate == SegFate::DroppedOnArrival && !d.ghost && sg.fate_k < v.cursor)
      cross(dl, ImVec2(d.b.x + (d.a.x < d.b.x ? -14 : 14), d.b.y), 5.0F, kLost);
    if (d.lost) cross(dl, d.b, 7.0F, d.ghost ? with_alpha(kLost, 0.3F) : kLost);
  }
  // Lifelines and pills are taken too; a label may cross a lifeline only where nothing else fits.
  for (const ImVec4& c : crosses) placed.push_back(c);
  std::vector<ImVec4> lanes;
  for (float cx : cols.x) lanes.emplace_back(o.x + cx - 3, top, o.x + cx + 3, bottom);
  const ImVec2 clip0 = dl->GetClipRectMin(), clip1 = dl->GetClipRectMax();  // the rows in view
  auto rects = [](const std::vector<ImVec4>& v) {
    std::vector<layout::Rect> out;
    for (const ImVec4& r : v) out.push_back({r.x, r.y, r.z, r.w});
    return out;
  };
  if (ui.ladder_labels) {
    const std::string times = fonts().unicode ? " ×" : " x";
    std::vector<layout::LabelAsk> asks;
    for (const Drawn& d : drawn) {
      const SegInfo& sg = segs[d.seg];
      // Along the arrow as drawn to its end (or its destination, when in flight).
      const ImVec2 end = d.lost || !d.partial ? d.b : ImVec2(x_of_host(sg.dst_host), y_of(sg.row_fate != kNone ? sg.row_fate : nrows - 1));
      asks.push_back({{d.a.x, d.a.y}, {end.x, end.y}, {d.b.x, d.b.y}, d.lost, x_of_host(sg.dst_host) >= d.a.x, d.current,
                      layout::ladder_label(tr[sg.send_k], sg, d.group, times), layout::ladder_short_label(sg, d.lost, d.group, times),
                      d.group, d.group_id, d.group_head});
    }
    // Not over the times, not off the edge, not above or below the rows in view.
    const auto labels = layout::place_labels(
        asks, [&](const std::string& l) { return mono->CalcTextSizeA(mono->FontSize, FLT_MAX, 0, l.c_str()).x; }, mono->FontSize,
        {o.x + kTimeW - 4, clip0.y, o.x + width - 18, clip1.y}, rects(placed), rects(lanes));
    for (const auto& [i, l] : labels) {
      Drawn& d = drawn[i];
      const ImVec4 r(l.rect.x0, l.rect.y0, l.rect.x1, l.rect.y1);
      d.shown = l.shown;
      d.label_rect = r;
      dl->AddRectFilled(ImVec2(r.x, r.y), ImVec2(r.z, r.w), IM_COL32(17, 19, 24, d.ghost ? 120 : 215), 3.0F);
      dl->AddText(mono, mono->FontSize, ImVec2(r.x + 3, r.y + 1),
                  d.ghost ? with_alpha(d.col, 0.8F) : d.current ? IM_COL32_WHITE : d.col, l.shown.c_str());
    }
  }
  for (const Drawn& d : drawn) {
    if (win_hovered) {
      const float dd = dist_seg(d.a, d.b, mouse);
      if (dd < hovered_d) {
        hovered_d = dd;
        hovered = static_cast<int>(d.seg);
      }
    }
    if (d.ghost) continue;
    const SegInfo& sg = segs[d.seg];
    const TraceEvent& e = tr[sg.send_k];
    DrawRecord::Arrow ar;
    ar.id = e.id;
    ar.label = sg.label;
    ar.shown = d.shown;
    if (!d.shown.empty()) ar.label_rect = {d.label_rect.x * s, d.label_rect.y * s, d.label_rect.z * s, d.label_rect.w * s};
    ar.kind = e.kind;
    ar.from = ix.host_names()[static_cast<std::size_t>(sg.src_host)];
    ar.to = sg.dst_host >= 0 ? ix.host_names()[static_cast<std::size_t>(sg.dst_host)] : "";
    ar.fate = sg.fate == SegFate::Delivered ? "delivered" : sg.fate == SegFate::LostOnWay ? "lost" : sg.fate == SegFate::DroppedOnArrival ? "dropped" : "in_flight";
    ar.retx = e.retx;
    ar.current = d.current;
    ar.in_flight = d.partial;
    ar.x0 = d.a.x * s;
    ar.y0 = d.a.y * s;
    ar.x1 = d.b.x * s;
    ar.y1 = d.b.y * s;
    ar.cross = d.cross_at;
    rec.arrows.push_back(std::move(ar));
  }
  for (float cx : cols.x) rec.lifelines.push_back((o.x + cx) * s);
  // State pills on the lifelines (drawn over the arrows' ends).
  for (std::size_t i = 0; i < pills.size(); ++i) {
    const ImVec4& r = pill_rect[i];
    dl->AddRectFilled(ImVec2(r.x, r.y), ImVec2(r.z, r.w), state_color(pills[i].state), 8.0F);
    dl->AddText(sm, sm->FontSize, ImVec2(r.x + 4, r.y + 2), state_text_color(pills[i].state), std::string(state_name(pills[i].state)).c_str());
  }
  // Hover and click.
  if (hovered >= 0) {
    const SegInfo& sg = segs[static_cast<std::size_t>(hovered)];
    for (const auto& d : drawn)
      if (d.seg == static_cast<std::uint32_t>(hovered)) dl->AddLine(d.a, d.b, IM_COL32(255, 255, 255, 120), 6.0F);
    ImGui::BeginTooltip();
    ImGui::PushFont(mono);
    ImGui::TextUnformatted(seg_tooltip(v, sg).c_str());
    ImGui::PopFont();
    ImGui::EndTooltip();
    if (ImGui::IsMouseClicked(0)) {
      ui.picked_segment = sg.send_k;
      ImGui::OpenPopup("##segmenu");
    }
  } else if (hovered_row != kNone && ImGui::IsMouseClicked(0)) {
    cmd.seek(rows[hovered_row].end);
  }
  if (ImGui::BeginPopup("##segmenu")) {
    if (ui.picked_segment && *ui.picked_segment < tr.size()) {
      const std::uint64_t k = *ui.picked_segment;
      const TraceEvent& e = tr[k];
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kind_color(e.kind)), "%s  %s", e.id.str().c_str(),
                         segs[ix.seg_of_event(k)].label.c_str());
      if (v.session.capture()) {  // a recording: nothing to run again
        ImGui::TextDisabled("captured: a recording cannot be forked. Make a lab of this connection");
        ImGui::TextDisabled("(tcplab import FILE --to-lab lab.toml --conn N) and fork that.");
        ImGui::Separator();
        if (ImGui::MenuItem("Move the cursor here")) cmd.seek(ix.group_end_of(k));
        ImGui::EndPopup();
        ImGui::EndChild();
        return;
      }
      ImGui::TextDisabled("fork the timeline just before it was sent, with:");
      ImGui::Separator();
      const std::string drop = v.session.rule_for_segment(k, FaultAction::Drop, 0);
      const std::string dup = v.session.rule_for_segment(k, FaultAction::Duplicate, 0);
      if (ImGui::MenuItem(("Drop it     " + drop).c_str(), "D")) cmd.fork(k, FaultAction::Drop, 0);
      record_item(rec, "segmenu:drop");
      if (ImGui::MenuItem(("Duplicate it     " + dup).c_str(), "U")) cmd.fork(k, FaultAction::Duplicate, 0);
      record_item(rec, "segmenu:duplicate");
      ImGui::SetNextItemWidth(110);
      ImGui::InputInt("ms##delayms", &ui.delay_ms, 10, 100);
      ui.delay_ms = std::clamp(ui.delay_ms, 1, 600000);
      ImGui::SameLine();
      if (ImGui::Button("Delay it")) {
        cmd.fork(k, FaultAction::Delay, ms(ui.delay_ms));
        ImGui::CloseCurrentPopup();
      }
      ImGui::Separator();
      if (ImGui::MenuItem("Move the cursor here")) cmd.seek(ix.group_end_of(k));
    }
    ImGui::EndPopup();
  }
  ImGui::EndChild();
}

}  // namespace tcplab::viz
