#pragma once
// What the desktop window and the web page share around the panels: drawing one frame and
// saying in one line what it shows.
#include <memory>
#include <string>
#include <vector>

#include "viz/session.hpp"
#include "viz/start.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {

// One frame of panels (between ImGui::NewFrame and ImGui::Render): builds the view at the
// cursor, draws, and returns what was drawn. What the student asked for is queued in `cmd`.
DrawRecord draw_session_frame(Session& s, UiState& ui, const std::vector<std::string>& catalogue, float scale,
                              Commands& cmd);

// "lab=lost-fin seed=3 step=12/40 t=1.2s A:client=FIN_WAIT_1 B:server=CLOSE_WAIT": the
// moment shown, in one line (the page writes it to the console for tests and bug reports).
std::string status_line(const Session& s, const UiState& ui);

}  // namespace tcplab::viz
