#pragma once
// What the headless panel pictures (labs/panel_draw.cpp) are painted on: one interface, two
// surfaces. SVG is written here as text (svg_canvas.cpp): cairo's SVG surface writes glyphs as
// paths, and a slide or a report wants real <text> that can be searched, copied and edited.
// PNG goes through cairo (labs/cairo_canvas.cpp; not in the WebAssembly build). Both use one
// monospace font, DejaVu Sans Mono, whose advance is known, so the layout does not depend on
// the surface: the same picture in both.
#include <memory>
#include <string>
#include <vector>

#include "labs/panel_layout.hpp"

namespace tcplab::draw {

using layout::Pt;
using layout::Rect;

struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;
};
// 0xRRGGBB, with an opacity.
Rgba rgb(unsigned hex, double alpha = 1);
Rgba rgb(const std::array<int, 3>& c, double alpha = 1);

class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual void fill_rect(const Rect& r, Rgba c, float radius = 0) = 0;
  virtual void stroke_rect(const Rect& r, Rgba c, float width, float radius = 0) = 0;
  virtual void polyline(const std::vector<Pt>& pts, Rgba c, float width, bool dashed = false) = 0;
  virtual void fill_polygon(const std::vector<Pt>& pts, Rgba c) = 0;
  virtual void circle(Pt centre, float r, Rgba c) = 0;
  // Text with its baseline's left end at `at`.
  virtual void text(Pt at, const std::string& s, float size, Rgba c, bool bold = false) = 0;
  // Everything until unclip() is cut to r (one level).
  virtual void clip(const Rect& r) = 0;
  virtual void unclip() = 0;

  // The width of a text in the font at `size` px (UTF-8, one advance a character).
  static float text_width(const std::string& s, float size);
  static constexpr float kAdvance = 1233.0F / 2048.0F;  // DejaVu Sans Mono's, in em
  static constexpr const char* kFont = "DejaVu Sans Mono";
};

// An SVG document W x H px; svg() closes it and returns its text.
class SvgCanvas : public Canvas {
 public:
  SvgCanvas(int width, int height, const std::string& title);
  void fill_rect(const Rect& r, Rgba c, float radius = 0) override;
  void stroke_rect(const Rect& r, Rgba c, float width, float radius = 0) override;
  void polyline(const std::vector<Pt>& pts, Rgba c, float width, bool dashed = false) override;
  void fill_polygon(const std::vector<Pt>& pts, Rgba c) override;
  void circle(Pt centre, float r, Rgba c) override;
  void text(Pt at, const std::string& s, float size, Rgba c, bool bold = false) override;
  void clip(const Rect& r) override;
  void unclip() override;
  std::string svg();

 private:
  std::string out_;
  int clips_ = 0;
  bool clipped_ = false;
};

// Escapes & < > " ' for XML and HTML text and attributes.
std::string xml_escape(const std::string& s);

}  // namespace tcplab::draw
