#pragma once
// cairo for the pictures: the surface plumbing `tcplab plot` (labs/plot_draw.cpp) and the
// panel pictures (labs/panel_draw.cpp) share, and the PNG canvas of the panel pictures.
// Not in the WebAssembly build (no cairo there).
#include <cairo.h>
#include <functional>
#include <string>

#include "labs/canvas.hpp"

namespace tcplab::draw {

// Paints on a cairo context of W x H and returns the bytes of the surface: an SVG document
// (cairo's own, glyphs as paths: `tcplab plot`) or a PNG. Throws std::runtime_error when
// cairo reports a failure.
std::string cairo_svg(int width, int height, const std::function<void(cairo_t*)>& paint);
std::string cairo_png(int width, int height, const std::function<void(cairo_t*)>& paint);

// The Canvas on a cairo context (the PNG of a panel picture).
class CairoCanvas : public Canvas {
 public:
  explicit CairoCanvas(cairo_t* cr);
  void fill_rect(const Rect& r, Rgba c, float radius = 0) override;
  void stroke_rect(const Rect& r, Rgba c, float width, float radius = 0) override;
  void polyline(const std::vector<Pt>& pts, Rgba c, float width, bool dashed = false) override;
  void fill_polygon(const std::vector<Pt>& pts, Rgba c) override;
  void circle(Pt centre, float r, Rgba c) override;
  void text(Pt at, const std::string& s, float size, Rgba c, bool bold = false) override;
  void clip(const Rect& r) override;
  void unclip() override;

 private:
  void color(Rgba c) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a); }
  void rect_path(const Rect& r, float radius);
  cairo_t* cr_;
  bool clipped_ = false;
};

}  // namespace tcplab::draw
