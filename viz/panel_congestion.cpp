// The congestion pane: the figure `tcplab plot` draws (labs/plot.hpp: the same flows, colours,
// line styles and loss / drop marks), here with ImDrawList on the visualizer's dark ground, as
// stacked panels on one time axis (cwnd, queue, RTT, throughput with Jain's index) that share
// the cursor with the ladder. Beside them, each flow's congestion control and phase at the
// cursor, and the predict-then-reveal question. Hover for values; click a loss or drop mark to
// go to its step in the ladder with the lost segment selected; click elsewhere to move the cursor.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

using plot::Line;
using plot::Mark;
using plot::PanelData;
using plot::Style;
using plot::nice_step;
using plot::value_max;

// Colours: the headless plot's, with its dark link / ping tones lightened for a dark ground.
std::array<int, 3> rgb_of(int color) {
  const std::uint32_t c = plot::color_rgb(color);
  std::array<int, 3> v{int(c >> 16 & 255), int(c >> 8 & 255), int(c & 255)};
  if (color >= plot::kOtherColors)
    for (int& x : v) x = x + (255 - x) * 11 / 20;
  return v;
}
ImU32 col(int color, float alpha = 1.0F) {
  const auto v = rgb_of(color);
  return IM_COL32(v[0], v[1], v[2], static_cast<int>(alpha * 255));
}
ImU32 hex(std::uint32_t c, float alpha = 1.0F) {
  return IM_COL32(c >> 16 & 255, c >> 8 & 255, c & 255, static_cast<int>(alpha * 255));
}

std::string value_text(double v, const std::string& unit) {
  if (unit == "bytes") return v >= 1e6 ? fmt::format("{:.2f} MB", v / 1e6) : fmt::format("{:.1f} KB", v / 1e3);
  if (unit == "ms") return fmt::format("{:.1f} ms", v);
  if (unit == "packets") return fmt::format("{:.0f} pkts", v);
  if (unit == "Mb/s") return fmt::format("{:.2f} Mb/s", v);
  return fmt::format("{:.3f}", v);
}

struct Axis {
  ImVec2 p0, p1;  // the plot area
  TimeRange range;
  double top = 1;  // axis units at p0.y
  double scale = 1;
  float x(Instant t) const {
    return p0.x + (p1.x - p0.x) * static_cast<float>(static_cast<double>(t - range.from) / static_cast<double>(std::max<Duration>(1, range.length())));
  }
  Instant t(float px) const {
    const double f = std::clamp((px - p0.x) / std::max(1.0F, p1.x - p0.x), 0.0F, 1.0F);
    return range.from + static_cast<Instant>(f * static_cast<double>(range.length()));
  }
  float y(double v) const { return p1.y - (p1.y - p0.y) * static_cast<float>(v * scale / top); }
  float y_right(double v) const { return p1.y - (p1.y - p0.y) * static_cast<float>(v); }  // 0..1
};

// A polyline with the vertices that fall in one pixel column collapsed to their first, lowest,
// highest and last (a 60 s run has ~10^5 samples per line for ~1000 columns).
class Path {
 public:
  void point(float x, float y) {
    if (!pts_.empty() && std::floor(x) == col_) {
      lo_ = std::min(lo_, y);
      hi_ = std::max(hi_, y);
      last_ = ImVec2(x, y);
      ++n_;
      return;
    }
    flush();
    pts_.emplace_back(x, y);
    col_ = std::floor(x);
    lo_ = hi_ = y;
    first_ = last_ = ImVec2(x, y);
    n_ = 1;
  }
  void flush() {
    if (n_ <= 1) return;
    const bool down = last_.y >= first_.y;
    pts_.emplace_back(first_.x, down ? lo_ : hi_);
    pts_.emplace_back(last_.x, down ? hi_ : lo_);
    pts_.push_back(last_);
    n_ = 1;
  }
  std::vector<ImVec2>& done() {
    flush();
    return pts_;
  }

 private:
  std::vector<ImVec2> pts_;
  float col_ = 0, lo_ = 0, hi_ = 0;
  ImVec2 first_, last_;
  int n_ = 0;
};

void dashed(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 c, float w) {
  constexpr float kOn = 6, kOff = 4;
  float phase = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    const ImVec2 a = pts[i - 1], b = pts[i];
    const float len = std::hypot(b.x - a.x, b.y - a.y);
    float s = 0;
    while (s < len) {
      const float in = std::fmod(phase, kOn + kOff);
      const float step = std::min(len - s, in < kOn ? kOn - in : kOn + kOff - in);
      if (in < kOn) {
        const float f0 = s / len, f1 = (s + step) / len;
        dl->AddLine(ImVec2(a.x + (b.x - a.x) * f0, a.y + (b.y - a.y) * f0), ImVec2(a.x + (b.x - a.x) * f1, a.y + (b.y - a.y) * f1), c, w);
      }
      s += step;
      phase += step;
    }
  }
}

// One line up to `until` (the cursor, when hidden after it).
std::uint32_t draw_line(ImDrawList* dl, const Line& l, const Axis& a, Instant until) {
  if (!l.draw) return 0;
  const bool right = l.right_axis;
  auto y_of = [&](double v) { return right ? a.y_right(v) : a.y(v); };
  const ImU32 c = l.color == plot::kJainColor ? IM_COL32(205, 208, 215, 230) : col(l.color, l.style == Style::Light ? 0.5F : 1.0F);
  if (l.style == Style::Dots) {
    for (std::size_t i = 0; i < l.t.size() && l.t[i] <= until; ++i)
      if (l.v[i]) dl->AddCircleFilled(ImVec2(a.x(l.t[i]), y_of(*l.v[i])), 2.2F, c);
    return 1;
  }
  const float w = l.style == Style::Light ? 1.2F : right ? 1.2F : 2.0F;
  std::uint32_t drawn = 0;
  auto stroke = [&](Path& p) {
    auto& pts = p.done();
    if (pts.size() > 1) {
      if (l.style == Style::Dashed) dashed(dl, pts, c, 1.5F);
      else dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), c, 0, w);
      drawn = 1;
    }
    p = Path();
  };
  Path path;
  std::optional<float> prev;
  if (l.at_from) {
    prev = y_of(*l.at_from);
    path.point(a.p0.x, *prev);
  }
  for (std::size_t i = 0; i < l.t.size(); ++i) {
    if (l.t[i] > until) break;
    const float x = a.x(l.t[i]);
    if (!l.v[i]) {
      stroke(path);
      prev.reset();
      continue;
    }
    const float y = y_of(*l.v[i]);
    if (l.steps && prev) path.point(x, *prev);
    path.point(x, y);
    prev = y;
  }
  const Instant last = l.t.empty() ? a.range.from : l.t.back();
  if (l.steps && prev && std::min(l.until, until) > last && last <= until) path.point(a.x(std::min(l.until, until)), *prev);
  stroke(path);
  return drawn;
}

const char* short_title(const PanelData& d) {
  switch (d.kind) {
    case plot::Panel::Cwnd: return "cwnd (solid), ssthresh (dashed), in flight (light)";
    case plot::Panel::Queue: return "queue";
    case plot::Panel::Rtt: return "RTT: SRTT per flow, ping (dots)";
    case plot::Panel::Throughput: return nullptr;
  }
  return "";
}

void side_column(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  DrawRecord::Congestion& rc = *rec.congestion;
  const CongestionData& d = *v.congestion;
  ImFont* sm = fonts().small;
  // Jain's index over the run and over the throughput window ending at the cursor.
  std::vector<double> now_rates;
  for (std::size_t i = 0; i < d.flows.size(); ++i) {
    const FlowSeries& f = d.series.flows[d.flows[i]];
    DrawRecord::Congestion::Flow rf;
    rf.host = f.host >= 0 && static_cast<std::size_t>(f.host) < d.input.host_names.size() ? d.input.host_names[static_cast<std::size_t>(f.host)] : "?";
    rf.conn = f.conn;
    rf.cc = f.cc;
    rf.label = plot::flow_label(d.input, d.flows[i]);
    const FlowSample* s = flow_at(f, v.now);
    rf.phase = s ? s->phase : "";
    rf.color = rgb_of(static_cast<int>(i));
    if (s) {
      rf.cwnd = s->cwnd;
      rf.srtt_ms = static_cast<double>(s->srtt_ns) / 1e6;
    }
    rf.mbps = throughput_bps(f, v.now, d.figure.window) / 1e6;
    now_rates.push_back(rf.mbps);
    rc.flows.push_back(rf);
  }
  rc.jain = d.figure.jain;
  rc.jain_now = jain_index(now_rates);
  if (d.flows.size() >= 2) {
    ImGui::TextUnformatted(fmt::format("Jain's index {:.3f}", rc.jain.value_or(0)).c_str());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("(sum x)^2 / (n sum x^2) over the flows' mean throughput in the run: 1 = equal shares, 1/n = one flow takes all");
    ImGui::SameLine();
    ImGui::TextDisabled("%s", rc.jain_now ? fmt::format("now {:.3f}", *rc.jain_now).c_str() : "now -");
  }
  for (std::size_t i = 0; i < rc.flows.size(); ++i) {
    const auto& f = rc.flows[i];
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float lh = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 3), ImVec2(p.x + 12, p.y + lh - 2), col(static_cast<int>(i)));
    ImGui::Dummy(ImVec2(16, lh));
    ImGui::SameLine();
    ImGui::TextUnformatted(shown(f.host + "  " + f.cc + (f.phase.empty() ? "" : " · " + f.phase)).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", f.label.c_str());
    ImGui::PushFont(sm);
    ImGui::TextDisabled("   cwnd %s  srtt %.1f ms  %.2f Mb/s", value_text(f.cwnd, "bytes").c_str(), f.srtt_ms, f.mbps);
    ImGui::PopFont();
  }
  ImGui::Separator();
  // Predict-then-reveal.
  ImGui::Checkbox("predict (C)", &ui.predict_cc);
  record_item(rec, "cc-predict");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("hide cwnd and the queues after the cursor until you guess what the next loss does");
  if (!ui.predict_cc || !v.cc_predictor) return;
  const CcPredictor& p = *v.cc_predictor;
  rc.predict_right = p.right();
  rc.predict_asked = p.asked();
  ImGui::SameLine();
  ImGui::TextDisabled("score %d / %d", p.right(), p.asked());
  auto results = [&](const std::vector<Answered>& list) {
    for (const auto& a : list) {
      rc.predict_result = a.correct ? "right" : "wrong";
      if (a.correct) ImGui::TextColored(ImVec4(0.45F, 0.9F, 0.5F, 1.0F), "%s", shown("✓ right: " + a.q.answer).c_str());
      else ImGui::TextColored(ImVec4(1.0F, 0.45F, 0.45F, 1.0F), "%s", shown("✗ you said " + a.given + "; it was " + a.q.answer).c_str());
      ImGui::PushTextWrapPos(0);
      ImGui::PushFont(sm);
      ImGui::TextDisabled("%s", a.q.rule.c_str());
      ImGui::PopFont();
      ImGui::PopTextWrapPos();
    }
  };
  if (const Question* q = p.current()) {
    rc.predict_prompt = q->prompt;
    rc.predict_choices = q->choices;
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(q->prompt.c_str());
    ImGui::PopTextWrapPos();
    for (std::size_t i = 0; i < q->choices.size(); ++i) {
      if (i % 2) ImGui::SameLine();
      if (ImGui::Button(q->choices[i].c_str())) cmd.answer_cc(q->choices[i]);
      record_item(rec, "cc-predict:" + q->choices[i]);
    }
  } else if (!p.answered().empty()) {
    results(p.answered());
  } else if (!p.previous().empty()) {
    results(p.previous());
  } else {
    ImGui::TextDisabled("No loss after the cursor: nothing to predict.");
  }
}

}  // namespace

void draw_congestion(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  rec.congestion.emplace();
  DrawRecord::Congestion& rc = *rec.congestion;
  if (!v.congestion) return;
  const CongestionData& d = *v.congestion;
  if (!d.error.empty()) {
    rc.error = d.error;
    ImGui::TextDisabled("%s", d.error.c_str());
    return;
  }
  const float fb = rec.scale;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float side_w = std::clamp(avail.x * 0.24F, 230.0F, 340.0F);
  ImGui::BeginChild("##ccside", ImVec2(side_w, avail.y), false);
  side_column(v, ui, cmd, rec);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##ccplots", ImVec2(0, avail.y), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const ImVec2 o = ImGui::GetCursorScreenPos(), size = ImGui::GetContentRegionAvail();
  ImGui::InvisibleButton("##ccarea", ImVec2(std::max(1.0F, size.x), std::max(1.0F, size.y)));
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked(0);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* sm = fonts().small;
  const float fs = sm->FontSize;
  const auto& fig = d.figure;
  const std::size_t n = fig.panels.size();
  constexpr float kLeft = 48, kRight = 30, kBottom = 16, kGap = 4;
  const float each = (size.y - kBottom) / static_cast<float>(n);
  const bool hiding = ui.predict_cc && v.cc_predictor && v.cc_predictor->hiding();
  rc.hiding = hiding;
  const Instant now = std::clamp<Instant>(v.now, fig.range.from, fig.range.to);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  struct Hit {
    std::size_t panel, mark;
    float dist;
  };
  std::optional<Hit> hit;
  std::optional<std::size_t> mouse_panel;
  std::vector<Axis> axes;
  for (std::size_t pi = 0; pi < n; ++pi) {
    const PanelData& p = fig.panels[pi];
    Axis a;
    a.p0 = ImVec2(o.x + kLeft, o.y + static_cast<float>(pi) * each + 2);
    a.p1 = ImVec2(o.x + size.x - kRight, o.y + static_cast<float>(pi + 1) * each - kGap);
    a.range = fig.range;
    a.scale = p.scale;
    const double vmax = value_max(p);
    const double step = nice_step(vmax > 0 ? vmax * 1.05 : 1, 3);
    a.top = std::max(step, std::ceil(vmax * 1.05 / step) * step);
    axes.push_back(a);
    const bool hide = hiding && (p.kind == plot::Panel::Cwnd || p.kind == plot::Panel::Queue);
    const Instant until = hide ? now : fig.range.to;
    dl->AddRectFilled(a.p0, a.p1, IM_COL32(20, 22, 27, 255));
    for (double y = 0; y <= a.top + step / 2; y += step) {
      const float py = a.p1.y - (a.p1.y - a.p0.y) * static_cast<float>(y / a.top);
      dl->AddLine(ImVec2(a.p0.x, py), ImVec2(a.p1.x, py), IM_COL32(255, 255, 255, 14));
      const std::string l = fmt::format("{:g}", y);
      dl->AddText(sm, fs, ImVec2(a.p0.x - 4 - sm->CalcTextSizeA(fs, FLT_MAX, 0, l.c_str()).x, py - fs * 0.5F), kDim, l.c_str());
    }
    if (p.jain_axis)
      for (double j : {0.0, 0.5, 1.0})
        dl->AddText(sm, fs, ImVec2(a.p1.x + 3, a.y_right(j) - fs * 0.5F), IM_COL32(205, 208, 215, 200), fmt::format("{:.1f}", j).c_str());
    dl->PushClipRect(a.p0, a.p1, true);
    // Loss episodes shaded over their extent, as the headless plot does.
    for (const auto& m : p.marks)
      if (m.series == "loss" && m.end > m.t && m.t <= until)
        dl->AddRectFilled(ImVec2(a.x(m.t), a.p0.y), ImVec2(std::max(a.x(std::min(m.end, until)), a.x(m.t) + 1), a.p1.y),
                          m.note == "loss" ? hex(plot::kTimeoutRgb, 0.26F) : hex(plot::kLossRgb, 0.20F));
    DrawRecord::Congestion::Panel rp;
    rp.kind = plot::panel_name(p.kind);
    rp.title = p.title;
    rp.plot = Rect{a.p0.x * fb, a.p0.y * fb, a.p1.x * fb, a.p1.y * fb};
    for (const auto& l : p.lines) rp.lines_drawn += draw_line(dl, l, a, until);
    for (std::size_t mi = 0; mi < p.marks.size(); ++mi) {
      const Mark& m = p.marks[mi];
      if (m.series == "loss") ++rc.loss_marks;
      if (m.series == "drop") ++rc.drop_marks;
      if (m.t > until) {
        ++rc.hidden_marks;
        continue;
      }
      const float x = a.x(m.t), y = m.series == "ping_lost" ? a.p0.y + 5 : a.y(m.y);
      const ImU32 red = hex(plot::kLossRgb);
      if (m.series == "loss") {
        dl->AddTriangleFilled(ImVec2(x, y - 2), ImVec2(x - 4.5F, y - 9), ImVec2(x + 4.5F, y - 9), red);
      } else {
        dl->AddLine(ImVec2(x - 3, y - 3), ImVec2(x + 3, y + 3), red, 1.6F);
        dl->AddLine(ImVec2(x - 3, y + 3), ImVec2(x + 3, y - 3), red, 1.6F);
      }
      if (m.series != "loss" && m.series != "drop") continue;
      DrawRecord::Congestion::Mark rm{m.series, m.flow, m.note, m.t, x * fb, (m.series == "loss" ? y - 5 : y) * fb, {}, {}};
      if (pi < d.links.size() && mi < d.links[pi].size() && d.links[pi][mi]) {
        rm.event = d.links[pi][mi]->event;
        rm.send_k = d.links[pi][mi]->send_k;
      }
      rc.marks.push_back(rm);
      const float dist = std::hypot(mouse.x - x, mouse.y - rm.y / fb);
      if (hovered && dist < 8 && (!hit || dist < hit->dist)) hit = Hit{pi, mi, dist};
    }
    // The cursor, shared with the ladder and the tcpdump pane.
    const float xc = a.x(now);
    rc.cursor_x = xc * fb;
    if (hide && now < fig.range.to) {
      dl->AddRectFilled(ImVec2(xc, a.p0.y), a.p1, IM_COL32(40, 44, 54, 235));
      const char* msg = "hidden: predict (left) to reveal";
      if (a.p1.x - xc > sm->CalcTextSizeA(fs, FLT_MAX, 0, msg).x + 12)
        dl->AddText(sm, fs, ImVec2(xc + 8, (a.p0.y + a.p1.y) * 0.5F - fs * 0.5F), kDim, msg);
    }
    dl->AddLine(ImVec2(xc, a.p0.y), ImVec2(xc, a.p1.y), kAccent, 1.4F);
    if (hovered && mouse.y >= a.p0.y && mouse.y <= a.p1.y && mouse.x >= a.p0.x && mouse.x <= a.p1.x) {
      mouse_panel = pi;
      dl->AddLine(ImVec2(mouse.x, a.p0.y), ImVec2(mouse.x, a.p1.y), IM_COL32(255, 255, 255, 60));
    }
    dl->PopClipRect();
    dl->AddRect(a.p0, a.p1, IM_COL32(60, 65, 76, 255));
    // The panel's name inside its top-left corner.
    const std::string title = short_title(p) ? std::string(short_title(p)) : p.title + (p.jain_axis ? ", Jain's index (grey, right)" : "");
    dl->AddText(sm, fs, ImVec2(a.p0.x + 5, a.p0.y + 2), IM_COL32(225, 228, 235, 220), title.c_str());
    // Queues and pings are named in their colours after the title.
    float kx = a.p0.x + 5 + sm->CalcTextSizeA(fs, FLT_MAX, 0, title.c_str()).x + 12;
    for (const auto& l : p.lines) {
      if (!l.draw || (l.series != "queue" && l.series != "ping")) continue;
      dl->AddText(sm, fs, ImVec2(kx, a.p0.y + 2), col(l.color), l.flow.c_str());
      kx += sm->CalcTextSizeA(fs, FLT_MAX, 0, l.flow.c_str()).x + 12;
    }
    dl->AddText(sm, fs, ImVec2(o.x + 2, a.p0.y + 2), kDim, p.y_label.c_str());
    rc.panels.push_back(rp);
  }
  // Time labels under the bottom panel.
  if (!axes.empty()) {
    const Axis& a = axes.back();
    const double span_s = static_cast<double>(fig.range.length()) / 1e9;
    const double st = nice_step(span_s, std::max(3, static_cast<int>((a.p1.x - a.p0.x) / 110)));
    const bool in_ms = span_s < 2;
    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10((in_ms ? 1e3 : 1) * st) + 1e-9)));
    for (double t = 0; t <= span_s + st * 1e-6; t += st) {
      const float x = a.x(fig.range.from + static_cast<Instant>(std::llround(t * 1e9)));
      const std::string l = fmt::format("{:.{}f} {}", (in_ms ? 1e3 : 1) * (static_cast<double>(fig.range.from) / 1e9 + t), decimals,
                                        in_ms ? "ms" : "s");
      const float w = sm->CalcTextSizeA(fs, FLT_MAX, 0, l.c_str()).x;
      dl->AddText(sm, fs, ImVec2(std::clamp(x - w * 0.5F, a.p0.x, a.p1.x - w), a.p1.y + 2), kDim, l.c_str());
    }
  }
  // Hover: a mark's story, or the values at the mouse's time; click: go there.
  if (hit) {
    const Mark& m = fig.panels[hit->panel].marks[hit->mark];
    const auto& link = hit->panel < d.links.size() && hit->mark < d.links[hit->panel].size() ? d.links[hit->panel][hit->mark] : std::nullopt;
    const std::string what = m.series == "loss"
                                 ? fmt::format("{} of {} at {}: cwnd {} before", m.note == "loss" ? "retransmission timeout" : m.note == "recovery" ? "fast retransmit (recovery)" : "window cut",
                                               m.flow, short_time(m.t), value_text(m.csv_value, "bytes"))
                                 : fmt::format("{}: {} dropped at {} (queue {} pkts)", m.flow, m.csv_value, short_time(m.t), m.y);
    ImGui::SetTooltip("%s\n%s", what.c_str(),
                      link ? (link->send_k ? "click: go there in the ladder, with the lost segment selected" : "click: go there in the ladder")
                           : "");
    if (clicked && link) cmd.seek_pick(link->event, link->send_k);
  } else if (mouse_panel) {
    const Axis& a = axes[*mouse_panel];
    const Instant t = a.t(mouse.x);
    std::string tip = short_time(t);
    for (const auto& l : fig.panels[*mouse_panel].lines) {
      if (!l.draw) continue;
      const bool hide = hiding && (fig.panels[*mouse_panel].kind == plot::Panel::Cwnd || fig.panels[*mouse_panel].kind == plot::Panel::Queue);
      const auto val = line_value_at(l, t);
      if (!val || (hide && t > now)) continue;
      tip += "\n" + l.series + " " + (l.flow.size() > 40 ? l.flow.substr(0, l.flow.find(' ')) : l.flow) + ": " +
             (l.unit.empty() ? fmt::format("{:.3f}", *val) : value_text(*val, l.unit));
    }
    ImGui::SetTooltip("%s", tip.c_str());
    if (clicked) cmd.seek(v.index.cursor_at_time(t));
  }
  ImGui::EndChild();
}

}  // namespace tcplab::viz
