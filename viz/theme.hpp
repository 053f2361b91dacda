#pragma once
// Colours, fonts and small widgets shared by the panels: one colour per RFC state (the
// same in the badge, the diagram, the ladder and the plots), one per segment kind, and
// the HelpMarker of imgui_demo.
#include <array>
#include <string>

#include <imgui.h>

#include "stack/state.hpp"
#include "viz/palette.hpp"

namespace tcplab::viz {

struct Fonts {
  ImFont* body = nullptr;   // DejaVu Sans 15 px (or ImGui's default font)
  ImFont* mono = nullptr;   // DejaVu Sans Mono 14 px: the tcpdump pane and ladder labels
  ImFont* big = nullptr;    // DejaVu Sans Bold 24 px: state badges
  ImFont* small = nullptr;  // DejaVu Sans 12.5 px: diagram boxes, axes
  bool unicode = false;     // arrows and symbols are available
};
Fonts& fonts();
// Loads the fonts (before the backend builds its font texture) and sets the style. The
// glyphs are rasterised for `density` framebuffer pixels per ImGui unit (zoom x HiDPI).
void setup_style_and_fonts(float density = 1.0F);
// Reloads the fonts for another density; the caller then rebuilds the backend's font texture.
void load_fonts(float density);
float fonts_density();

ImU32 state_color(State s, float alpha = 1.0F);
// White, or near-black on the light fills (palette.hpp).
ImU32 state_text_color(State s, int alpha = 255);
ImU32 kind_color(const std::string& kind);  // SYN, SYN-ACK, ACK, DATA, FIN, RST
ImU32 timer_color(TimerKind k);
ImU32 with_alpha(ImU32 c, float alpha);
constexpr ImU32 kAccent = IM_COL32(255, 206, 84, 255);   // the cursor, the edge just taken
constexpr ImU32 kLost = IM_COL32(235, 64, 64, 255);      // crosses, drops
constexpr ImU32 kDim = IM_COL32(140, 146, 158, 255);

// A "(?)" that shows `text` on hover (imgui_demo's HelpMarker).
void help_marker(const char* text);
// `s` with the symbols the current font lacks replaced by ASCII ("→" -> "->").
std::string shown(const std::string& s);
// Text centred in [min, max].
void centered_text(ImDrawList* dl, ImFont* f, float size, ImVec2 min, ImVec2 max, ImU32 col, const std::string& s);

}  // namespace tcplab::viz
