#include "labs/cairo_canvas.hpp"

#include <cairo-svg.h>
#include <memory>
#include <numbers>
#include <stdexcept>

namespace tcplab::draw {

namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

void paint_on(cairo_surface_t* surface, const std::function<void(cairo_t*)>& paint) {
  std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface));
  paint(cr.get());
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("drawing failed: ") + cairo_status_to_string(cairo_status(cr.get())));
}

}  // namespace

std::string cairo_svg(int width, int height, const std::function<void(cairo_t*)>& paint) {
  std::string out;
  Surface s(cairo_svg_surface_create_for_stream(append, &out, width, height));
  cairo_svg_surface_set_document_unit(s.get(), CAIRO_SVG_UNIT_PX);
  paint_on(s.get(), paint);
  cairo_surface_finish(s.get());
  return out;
}

std::string cairo_png(int width, int height, const std::function<void(cairo_t*)>& paint) {
  std::string out;
  Surface s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  paint_on(s.get(), paint);
  cairo_surface_flush(s.get());
  if (cairo_surface_write_to_png_stream(s.get(), append, &out) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("cannot encode the PNG");
  return out;
}

CairoCanvas::CairoCanvas(cairo_t* cr) : cr_(cr) {
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  // Unhinted advances: the layout measures text with the font's own advance (Canvas::kAdvance),
  // and hinted metrics round it to whole pixels (labels would outgrow their plates).
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr_, fo);
  cairo_font_options_destroy(fo);
}

void CairoCanvas::rect_path(const Rect& r, float radius) {
  if (radius <= 0) {
    cairo_rectangle(cr_, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
    return;
  }
  const double pi = std::numbers::pi;
  cairo_new_sub_path(cr_);
  cairo_arc(cr_, r.x1 - radius, r.y0 + radius, radius, -pi / 2, 0);
  cairo_arc(cr_, r.x1 - radius, r.y1 - radius, radius, 0, pi / 2);
  cairo_arc(cr_, r.x0 + radius, r.y1 - radius, radius, pi / 2, pi);
  cairo_arc(cr_, r.x0 + radius, r.y0 + radius, radius, pi, 3 * pi / 2);
  cairo_close_path(cr_);
}

void CairoCanvas::fill_rect(const Rect& r, Rgba c, float radius) {
  color(c);
  rect_path(r, radius);
  cairo_fill(cr_);
}

void CairoCanvas::stroke_rect(const Rect& r, Rgba c, float width, float radius) {
  color(c);
  rect_path(r, radius);
  cairo_set_line_width(cr_, width);
  cairo_stroke(cr_);
}

void CairoCanvas::polyline(const std::vector<Pt>& pts, Rgba c, float width, bool dashed) {
  if (pts.size() < 2) return;
  static const double kDash[] = {6, 4};
  color(c);
  cairo_set_dash(cr_, kDash, dashed ? 2 : 0, 0);
  cairo_set_line_width(cr_, width);
  cairo_move_to(cr_, pts[0].x, pts[0].y);
  for (std::size_t i = 1; i < pts.size(); ++i) cairo_line_to(cr_, pts[i].x, pts[i].y);
  cairo_stroke(cr_);
  cairo_set_dash(cr_, kDash, 0, 0);
}

void CairoCanvas::fill_polygon(const std::vector<Pt>& pts, Rgba c) {
  if (pts.empty()) return;
  color(c);
  cairo_move_to(cr_, pts[0].x, pts[0].y);
  for (std::size_t i = 1; i < pts.size(); ++i) cairo_line_to(cr_, pts[i].x, pts[i].y);
  cairo_close_path(cr_);
  cairo_fill(cr_);
}

void CairoCanvas::circle(Pt p, float r, Rgba c) {
  color(c);
  cairo_new_sub_path(cr_);
  cairo_arc(cr_, p.x, p.y, r, 0, 2 * std::numbers::pi);
  cairo_fill(cr_);
}

void CairoCanvas::text(Pt at, const std::string& s, float size, Rgba c, bool bold) {
  color(c);
  cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
  cairo_move_to(cr_, at.x, at.y);
  cairo_show_text(cr_, s.c_str());
}

void CairoCanvas::clip(const Rect& r) {
  unclip();
  cairo_save(cr_);
  cairo_rectangle(cr_, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
  cairo_clip(cr_);
  clipped_ = true;
}

void CairoCanvas::unclip() {
  if (!clipped_) return;
  cairo_restore(cr_);
  clipped_ = false;
}

}  // namespace tcplab::draw
