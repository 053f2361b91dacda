#pragma once
// "Export panel as SVG/PNG": the ladder, Figure 5 or the followed endpoint at the session's
// cursor, drawn by the headless painters (labs/panel_draw.hpp) that `tcplab draw` uses, so a
// slide made from the window is the picture `tcplab draw LAB --at T` gives.
#include <string>

#include "labs/panel_draw.hpp"
#include "viz/session.hpp"

namespace tcplab::viz {

// The scene at the cursor: the followed endpoints (the first is the diagram's and the
// endpoint's), the time shown, the lab's name and seed in the heading.
// `world` must be session.world() (kept alive by the session).
draw::Scene export_scene(const Session& session, const UiState& ui);
// Writes the picture to `path` (.svg, or .png where cairo is built in); "" or an error.
std::string export_panel(const Session& session, const UiState& ui, draw::What what, const std::string& path);

}  // namespace tcplab::viz
