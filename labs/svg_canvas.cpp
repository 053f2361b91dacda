// The SVG surface: a small writer of rectangles, polylines, polygons, circles and <text>.
// Numbers are written with one decimal, so the same picture is the same bytes.
#include <fmt/format.h>

#include "labs/canvas.hpp"

namespace tcplab::draw {

Rgba rgb(unsigned hex, double alpha) { return {((hex >> 16) & 255) / 255.0, ((hex >> 8) & 255) / 255.0, (hex & 255) / 255.0, alpha}; }
Rgba rgb(const std::array<int, 3>& c, double alpha) { return {c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, alpha}; }

float Canvas::text_width(const std::string& s, float size) {
  std::size_t chars = 0;
  for (unsigned char ch : s) chars += (ch & 0xC0) != 0x80;  // UTF-8: count the first byte of each character
  return static_cast<float>(chars) * kAdvance * size;
}

std::string xml_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

namespace {

std::string color(Rgba c) {
  return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(c.r * 255 + 0.5), static_cast<int>(c.g * 255 + 0.5),
                     static_cast<int>(c.b * 255 + 0.5));
}
std::string opacity(const char* what, Rgba c) { return c.a < 0.999 ? fmt::format(" {}-opacity=\"{:.2f}\"", what, c.a) : ""; }
std::string points(const std::vector<Pt>& pts) {
  std::string s;
  for (const Pt& p : pts) s += fmt::format("{}{:.1f},{:.1f}", s.empty() ? "" : " ", p.x, p.y);
  return s;
}

}  // namespace

SvgCanvas::SvgCanvas(int width, int height, const std::string& title) {
  out_ = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"{2}, Menlo, Consolas, monospace\">\n<title>{3}</title>\n",
      width, height, kFont, xml_escape(title));
}

void SvgCanvas::fill_rect(const Rect& r, Rgba c, float radius) {
  out_ += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"{} fill=\"{}\"{}/>\n", r.x0, r.y0,
                      r.x1 - r.x0, r.y1 - r.y0, radius > 0 ? fmt::format(" rx=\"{:.1f}\"", radius) : "", color(c),
                      opacity("fill", c));
}

void SvgCanvas::stroke_rect(const Rect& r, Rgba c, float width, float radius) {
  out_ += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"{} fill=\"none\" stroke=\"{}\"{} stroke-width=\"{:.1f}\"/>\n",
                      r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0, radius > 0 ? fmt::format(" rx=\"{:.1f}\"", radius) : "", color(c),
                      opacity("stroke", c), width);
}

void SvgCanvas::polyline(const std::vector<Pt>& pts, Rgba c, float width, bool dashed) {
  out_ += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\"{} stroke-width=\"{:.1f}\"{}/>\n", points(pts), color(c),
                      opacity("stroke", c), width, dashed ? " stroke-dasharray=\"6 4\"" : "");
}

void SvgCanvas::fill_polygon(const std::vector<Pt>& pts, Rgba c) {
  out_ += fmt::format("<polygon points=\"{}\" fill=\"{}\"{}/>\n", points(pts), color(c), opacity("fill", c));
}

void SvgCanvas::circle(Pt p, float r, Rgba c) {
  out_ += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" fill=\"{}\"{}/>\n", p.x, p.y, r, color(c), opacity("fill", c));
}

void SvgCanvas::text(Pt at, const std::string& s, float size, Rgba c, bool bold) {
  // xml:space keeps the runs of spaces tcpdump lines use for alignment.
  out_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:.1f}\"{} fill=\"{}\"{} xml:space=\"preserve\">{}</text>\n", at.x, at.y,
                      size, bold ? " font-weight=\"bold\"" : "", color(c), opacity("fill", c), xml_escape(s));
}

void SvgCanvas::clip(const Rect& r) {
  unclip();
  const int id = ++clips_;
  out_ += fmt::format("<clipPath id=\"clip{}\"><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/></clipPath>\n<g clip-path=\"url(#clip{})\">\n",
                      id, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0, id);
  clipped_ = true;
}

void SvgCanvas::unclip() {
  if (!clipped_) return;
  out_ += "</g>\n";
  clipped_ = false;
}

std::string SvgCanvas::svg() {
  unclip();
  return out_ + "</svg>\n";
}

}  // namespace tcplab::draw
