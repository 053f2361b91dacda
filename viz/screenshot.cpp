#include "viz/screenshot.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

#include <GL/gl.h>
#include <stb_image_write.h>

namespace tcplab::viz {

std::string save_screenshot(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) return "empty framebuffer";
  const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
  std::vector<std::uint8_t> px(w * h * 4), flipped(w * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  if (const GLenum err = glGetError(); err != GL_NO_ERROR) return "glReadPixels failed (GL error " + std::to_string(err) + ")";
  for (std::size_t y = 0; y < h; ++y) std::memcpy(&flipped[y * w * 4], &px[(h - 1 - y) * w * 4], w * 4);
  for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;  // opaque, whatever the back buffer's alpha
  if (!stbi_write_png(path.c_str(), width, height, 4, flipped.data(), width * 4)) return "cannot write " + path;
  return "";
}

}  // namespace tcplab::viz
