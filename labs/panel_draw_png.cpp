// The panel pictures as PNG: the same painting on cairo's image surface (not in the
// WebAssembly build, which has no cairo).
#include "labs/cairo_canvas.hpp"
#include "labs/panel_draw.hpp"

namespace tcplab::draw {

std::string png(const Scene& s, What what, int width, int height) {
  return cairo_png(width, height, [&](cairo_t* cr) {
    CairoCanvas c(cr);
    paint(c, s, what, width, height);
    c.unclip();
  });
}

}  // namespace tcplab::draw
