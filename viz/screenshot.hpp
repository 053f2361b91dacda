#pragma once
// One rendered frame to a PNG: the back buffer is read with glReadPixels before the swap,
// its rows flipped (GL's origin is bottom-left), and written with stb_image_write (whose
// implementation is in Debian's libstb).
#include <string>

namespace tcplab::viz {

// Returns "" or what went wrong.
std::string save_screenshot(const std::string& path, int width, int height);

}  // namespace tcplab::viz
