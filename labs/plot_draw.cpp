// `tcplab plot`'s drawing: one cairo code path for SVG and PNG. Stacked panels share the time
// axis; each has a header naming its lines, a left axis in its unit and, for the window, a
// right axis in segments (for throughput with several flows, Jain's index 0..1).
#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <numbers>

#include "labs/cairo_canvas.hpp"
#include "labs/plot.hpp"

namespace tcplab::plot {

namespace {

struct Rgb {
  double r, g, b;
};
constexpr Rgb hex(unsigned v) { return {((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0}; }

constexpr Rgb kLossRed = hex(kLossRgb), kTimeoutAmber = hex(kTimeoutRgb), kJainGray = hex(0x555555);
constexpr Rgb kText = hex(0x222222), kAxis = hex(0x999999), kGrid = hex(0xe6e6e6), kWhite = hex(0xffffff);

Rgb color_of(int c) { return hex(color_rgb(c)); }
Rgb lighter(Rgb c, double k) { return {c.r + (1 - c.r) * k, c.g + (1 - c.g) * k, c.b + (1 - c.b) * k}; }

// Layout, in pixels.
constexpr double kLeft = 70, kRight = 62, kBottom = 42, kPanelHeader = 20, kPanelGap = 12;
constexpr double kTitleSize = 14, kTextSize = 11;

struct Box {
  double x, y, w, h;
};

class Painter {
 public:
  explicit Painter(cairo_t* cr) : cr_(cr) {
    cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  }
  void color(Rgb c, double alpha = 1) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha); }
  void font(double size, bool bold = false) {
    cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
  }
  double text_width(const std::string& s) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, s.c_str(), &e);
    return e.x_advance;
  }
  // Text with its baseline at y; align 0 left, 0.5 centre, 1 right.
  void text(double x, double y, const std::string& s, double align = 0) {
    cairo_move_to(cr_, x - align * text_width(s), y);
    cairo_show_text(cr_, s.c_str());
  }
  void vertical_text(double x, double y, const std::string& s) {  // centred on y, reading upwards
    cairo_save(cr_);
    cairo_translate(cr_, x, y);
    cairo_rotate(cr_, -std::numbers::pi / 2);
    text(0, 0, s, 0.5);
    cairo_restore(cr_);
  }
  void line(double x1, double y1, double x2, double y2, double width) {
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, x1, y1);
    cairo_line_to(cr_, x2, y2);
    cairo_stroke(cr_);
  }
  void rect(const Box& b) {
    cairo_rectangle(cr_, b.x, b.y, b.w, b.h);
    cairo_fill(cr_);
  }
  void cross(double x, double y, double r) {
    cairo_set_line_width(cr_, 1.5);
    cairo_move_to(cr_, x - r, y - r);
    cairo_line_to(cr_, x + r, y + r);
    cairo_move_to(cr_, x - r, y + r);
    cairo_line_to(cr_, x + r, y - r);
    cairo_stroke(cr_);
  }
  void triangle_down(double x, double y, double r) {  // its tip at (x, y)
    cairo_move_to(cr_, x, y);
    cairo_line_to(cr_, x - r, y - 1.6 * r);
    cairo_line_to(cr_, x + r, y - 1.6 * r);
    cairo_close_path(cr_);
    cairo_fill(cr_);
  }
  void dot(double x, double y, double r) {
    cairo_new_sub_path(cr_);
    cairo_arc(cr_, x, y, r, 0, 2 * std::numbers::pi);
    cairo_fill(cr_);
  }
  void dash(bool on) {
    static const double kDash[] = {6, 4};
    cairo_set_dash(cr_, kDash, on ? 2 : 0, 0);
  }
  cairo_t* cr() { return cr_; }

 private:
  cairo_t* cr_;
};

// Tick positions (nice_step) and the decimals their labels need.
struct Ticks {
  double step = 1;
  int decimals = 0;
};
Ticks nice_ticks(double span, int want) {
  if (!(span > 0)) return {};
  Ticks t;
  t.step = nice_step(span, want);
  t.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(t.step) + 1e-9)));
  return t;
}
std::string tick_label(double v, int decimals) { return fmt::format("{:.{}f}", std::abs(v) < 1e-12 ? 0.0 : v, decimals); }

// The time axis: seconds, or milliseconds for a range under 2 s.
struct TimeAxis {
  TimeRange range;
  Box area;
  bool in_ms = false;
  double x(Instant t) const { return area.x + static_cast<double>(t - range.from) / static_cast<double>(range.length()) * area.w; }
  double unit() const { return in_ms ? 1e6 : 1e9; }
};

// Collapses the vertices of a path that fall in one pixel column to their first, lowest,
// highest and last: a 60 s run has ~10^5 samples per line for ~800 columns, and this keeps
// the picture while the SVG stays small.
class Decimator {
 public:
  explicit Decimator(cairo_t* cr) : cr_(cr) {}
  void point(double x, double y) {
    const auto col = static_cast<long>(std::floor(x));
    if (open_ && col == col_) {
      lo_ = std::min(lo_, y);
      hi_ = std::max(hi_, y);
      last_ = {x, y};
      ++n_;
      return;
    }
    flush();
    if (!open_) cairo_move_to(cr_, x, y);
    else cairo_line_to(cr_, x, y);
    open_ = true;
    col_ = col;
    lo_ = hi_ = y;
    first_ = last_ = {x, y};
    n_ = 1;
  }
  void gap() {
    flush();
    open_ = false;
  }
  void flush() {
    if (!open_ || n_ == 1) return;
    const bool down = last_.y >= first_.y;  // visit the extremes in the direction of travel
    cairo_line_to(cr_, first_.x, down ? lo_ : hi_);
    cairo_line_to(cr_, last_.x, down ? hi_ : lo_);
    cairo_line_to(cr_, last_.x, last_.y);
    n_ = 1;
  }

 private:
  struct Pt {
    double x = 0, y = 0;
  };
  cairo_t* cr_;
  bool open_ = false;
  long col_ = 0;
  double lo_ = 0, hi_ = 0;
  Pt first_, last_;
  int n_ = 0;
};

class FigurePainter {
 public:
  FigurePainter(cairo_t* cr, const Figure& f, int width, int height)
      : p_(cr), f_(f), width_(width), height_(height) {}

  void draw() {
    p_.color(kWhite);
    p_.rect({0, 0, double(width_), double(height_)});
    double y = title();
    y = legend(y);
    const double panels_h = height_ - kBottom - y;
    const double each = panels_h / f_.panels.size();
    TimeAxis axis{f_.range, {kLeft, 0, width_ - kLeft - kRight, 0}, f_.range.length() < sec(2)};
    for (std::size_t i = 0; i < f_.panels.size(); ++i) {
      const double top = y + i * each;
      axis.area.y = top + kPanelHeader;
      axis.area.h = each - kPanelHeader - kPanelGap;
      panel(f_.panels[i], axis, i + 1 == f_.panels.size());
    }
  }

 private:
  Painter p_;
  const Figure& f_;
  int width_, height_;

  double title() {
    p_.font(kTitleSize, true);
    p_.color(kText);
    std::string t = f_.title;
    if (f_.legend.size() >= 2 && f_.jain) t += fmt::format("  -  Jain's fairness index {:.3f} over {} flows", *f_.jain, f_.legend.size());
    p_.text(kLeft, 20, t);
    return 28;
  }

  // The shown flows, a colour swatch and a label each, wrapped to the width.
  double legend(double y) {
    p_.font(kTextSize);
    double x = kLeft;
    y += 12;
    for (const auto& e : f_.legend) {
      const double w = 26 + p_.text_width(e.label) + 18;
      if (x > kLeft && x + w > width_ - kRight) {
        x = kLeft;
        y += 16;
      }
      p_.color(color_of(e.color));
      p_.dash(false);
      p_.line(x, y - 4, x + 20, y - 4, 3);
      p_.color(kText);
      p_.text(x + 26, y, e.label);
      x += w;
    }
    return y + 10;
  }

  // A line sample and its name in a panel header; returns where the next one goes.
  double key(double x, double y, Rgb c, Style s, const std::string& name) {
    p_.color(s == Style::Light ? lighter(c, 0.55) : c);
    if (s == Style::Dots) {
      p_.dot(x + 9, y - 4, 2.2);
    } else {
      p_.dash(s == Style::Dashed);
      p_.line(x, y - 4, x + 18, y - 4, s == Style::Light ? 1.5 : 2);
      p_.dash(false);
    }
    p_.color(kText);
    p_.text(x + 22, y, name);
    return x + 22 + p_.text_width(name) + 14;
  }
  double mark_key(double x, double y, const std::string& what, const std::string& name) {
    p_.color(kLossRed);
    if (what == "triangle") p_.triangle_down(x + 9, y - 1, 4);
    else p_.cross(x + 9, y - 4, 3.5);
    p_.color(kText);
    p_.text(x + 20, y, name);
    return x + 20 + p_.text_width(name) + 14;
  }

  double swatch(double x, double y, Rgb c, double alpha, const std::string& name) {
    p_.color(c, alpha);
    p_.rect({x, y - 10, 14, 12});
    p_.color(kText);
    p_.text(x + 18, y, name);
    return x + 18 + p_.text_width(name) + 14;
  }
  static bool has_episode(const PanelData& d, const std::string& kind) {
    for (const auto& m : d.marks)
      if (m.series == "loss" && m.note == kind) return true;
    return false;
  }

  void header(const PanelData& d, const Box& a) {
    const double y = a.y - 6;
    p_.font(kTextSize + 1, true);
    p_.color(kText);
    p_.text(a.x, y, d.title);
    double x = a.x + p_.text_width(d.title) + 16;
    p_.font(kTextSize);
    const Rgb neutral = hex(0x444444);
    bool lost_ping = false;
    for (const auto& m : d.marks) lost_ping = lost_ping || m.series == "ping_lost";
    switch (d.kind) {
      case Panel::Cwnd:
        x = key(x, y, neutral, Style::Solid, "cwnd");
        x = key(x, y, neutral, Style::Dashed, "ssthresh");
        x = key(x, y, neutral, Style::Light, "in flight");
        if (!d.marks.empty()) x = mark_key(x, y, "triangle", "loss");
        if (has_episode(d, "recovery")) x = swatch(x, y, kLossRed, kRecoveryAlpha, "fast recovery");
        if (has_episode(d, "loss")) x = swatch(x, y, kTimeoutAmber, kTimeoutAlpha, "timeout (RTO)");
        break;
      case Panel::Queue:
        for (const auto& l : d.lines)
          if (l.draw) x = key(x, y, color_of(l.color), Style::Solid, l.flow);
        if (!d.marks.empty()) x = mark_key(x, y, "cross", "drop");
        break;
      case Panel::Rtt:
        x = key(x, y, neutral, Style::Solid, "SRTT");
        for (const auto& l : d.lines)
          if (l.series == "ping") x = key(x, y, color_of(l.color), Style::Dots, l.flow);
        if (lost_ping) x = mark_key(x, y, "cross", "no reply");
        break;
      case Panel::Throughput:
        if (d.jain_axis) x = key(x, y, kJainGray, Style::Solid, "Jain's index (right axis)");
        else if (f_.jain) {
          p_.color(kText);
          p_.text(x, y, fmt::format("Jain's index {:.3f}", *f_.jain));
        }
        break;
    }
  }

  void panel(const PanelData& d, const TimeAxis& axis, bool bottom) {
    const Box& a = axis.area;
    header(d, a);
    // The y axis: 0 to a little over the largest value, at a tick.
    const double vmax = value_max(d);
    const Ticks yt = nice_ticks(vmax > 0 ? vmax * 1.05 : 1, 4);
    const double top = std::max(yt.step, std::ceil(vmax * 1.05 / yt.step) * yt.step);
    const auto y_of = [&](double axis_value) { return a.y + a.h - axis_value / top * a.h; };
    grid_and_axes(d, axis, yt, top, bottom);
    cairo_save(p_.cr());
    cairo_rectangle(p_.cr(), a.x, a.y, a.w, a.h);
    cairo_clip(p_.cr());
    for (const auto& m : d.marks)
      if (m.series == "loss" && m.end > m.t) shade(m, axis);
    const std::function<double(double)> left = [&](double v) { return y_of(v * d.scale); };
    const std::function<double(double)> right = [&](double v) { return a.y + a.h - v * a.h; };  // 0..1
    for (const auto& l : d.lines)
      if (l.draw) curve(l, axis, l.right_axis ? right : left);
    for (const auto& m : d.marks) mark(m, axis, m.series == "ping_lost" ? a.y + 5 : y_of(m.y * d.scale));
    cairo_restore(p_.cr());
    p_.color(kAxis);
    cairo_rectangle(p_.cr(), a.x + 0.5, a.y + 0.5, a.w - 1, a.h - 1);
    cairo_set_line_width(p_.cr(), 1);
    cairo_stroke(p_.cr());
  }

  void grid_and_axes(const PanelData& d, const TimeAxis& axis, const Ticks& yt, double top, bool bottom) {
    const Box& a = axis.area;
    p_.font(kTextSize);
    for (double v = 0; v <= top + yt.step / 2; v += yt.step) {
      const double y = std::round(a.y + a.h - v / top * a.h) + 0.5;
      p_.color(kGrid);
      p_.line(a.x, y, a.x + a.w, y, 1);
      p_.color(kText);
      p_.text(a.x - 5, y + 4, tick_label(v, yt.decimals), 1);
    }
    p_.vertical_text(16, a.y + a.h / 2, d.y_label);
    // Time: a grid line at each tick in every panel, labels under the bottom one only.
    const double span = static_cast<double>(axis.range.length()) / axis.unit();
    const Ticks xt = nice_ticks(span, std::max(4, static_cast<int>(a.w / 110)));
    const double first = std::ceil(static_cast<double>(axis.range.from) / axis.unit() / xt.step) * xt.step;
    for (double t = first; t <= static_cast<double>(axis.range.to) / axis.unit() + xt.step * 1e-6; t += xt.step) {
      const double x = std::round(axis.x(static_cast<Instant>(std::llround(t * axis.unit())))) + 0.5;
      p_.color(kGrid);
      p_.line(x, a.y, x, a.y + a.h, 1);
      if (!bottom) continue;
      p_.color(kText);
      p_.text(x, a.y + a.h + 15, tick_label(t, xt.decimals), 0.5);
    }
    if (bottom) p_.text(a.x + a.w / 2, a.y + a.h + 32, axis.in_ms ? "time (ms)" : "time (s)", 0.5);
    right_axis(d, a, top);
  }

  // Segments for the window (when the flows share an MSS), Jain's index 0..1 for throughput.
  void right_axis(const PanelData& d, const Box& a, double top) {
    const double xr = a.x + a.w + 5;
    p_.color(kText);
    if (d.mss > 0) {
      const double segs = top / d.scale / d.mss;
      const Ticks st = nice_ticks(segs, 4);
      for (double s = 0; s <= segs; s += st.step) p_.text(xr, a.y + a.h - s / segs * a.h + 4, tick_label(s, st.decimals));
      p_.vertical_text(width_ - 12, a.y + a.h / 2, fmt::format("segments ({} B)", static_cast<int>(d.mss)));
    } else if (d.jain_axis) {
      for (double j : {0.0, 0.5, 1.0}) p_.text(xr, a.y + a.h - j * a.h + 4, tick_label(j, 1));
      p_.vertical_text(width_ - 12, a.y + a.h / 2, "Jain's index");
    }
  }

  void curve(const Line& l, const TimeAxis& axis, const std::function<double(double)>& y_of) {
    const Rgb c = color_of(l.color);
    if (l.style == Style::Dots) {
      p_.color(c);
      for (std::size_t i = 0; i < l.t.size(); ++i)
        if (l.v[i]) p_.dot(axis.x(l.t[i]), y_of(*l.v[i]), 2);
      return;
    }
    cairo_t* cr = p_.cr();
    Decimator path(cr);
    std::optional<double> prev;
    if (l.at_from) {
      prev = y_of(*l.at_from);
      path.point(axis.area.x, *prev);
    }
    for (std::size_t i = 0; i < l.t.size(); ++i) {
      const double x = axis.x(l.t[i]);
      if (!l.v[i]) {
        path.gap();
        prev.reset();
        continue;
      }
      const double y = y_of(*l.v[i]);
      if (l.steps && prev) path.point(x, *prev);
      path.point(x, y);
      prev = y;
    }
    // The last value holds until the series' last sample (a flow that stopped changing).
    if (l.steps && prev && l.until > (l.t.empty() ? axis.range.from : l.t.back())) path.point(axis.x(l.until), *prev);
    path.flush();
    p_.color(l.style == Style::Light ? lighter(c, 0.55) : c);
    p_.dash(l.style == Style::Dashed);
    cairo_set_line_width(cr, l.style == Style::Light ? 1.2 : l.right_axis ? 1 : 2);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    p_.dash(false);
  }

  void shade(const Mark& m, const TimeAxis& axis) {
    const double x1 = axis.x(m.t), x2 = axis.x(m.end);
    if (m.note == "loss") p_.color(kTimeoutAmber, kTimeoutAlpha);
    else p_.color(kLossRed, kRecoveryAlpha);
    p_.rect({x1, axis.area.y, std::max(1.0, x2 - x1), axis.area.h});
  }

  void mark(const Mark& m, const TimeAxis& axis, double y) {
    const double x = axis.x(m.t);
    p_.color(kLossRed);
    if (m.series == "loss") p_.triangle_down(x, y - 2, 4);
    else p_.cross(x, y, 3);
  }
};

}  // namespace

int default_height(std::size_t panels) { return static_cast<int>(110 + 200 * std::max<std::size_t>(panels, 1)); }

std::string draw(const Figure& f, Format format, int width, int height) {
  const auto paint = [&](cairo_t* cr) { FigurePainter(cr, f, width, height).draw(); };
  try {
    return format == Format::Svg ? draw::cairo_svg(width, height, paint) : draw::cairo_png(width, height, paint);
  } catch (const std::runtime_error& e) {
    throw PlotError(e.what());
  }
}

}  // namespace tcplab::plot
