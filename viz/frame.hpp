#pragma once
// What the desktop window and the web page share around the panels: starting a session from
// VizOptions (a command line there, a #lab=...&step=... link here) and drawing one frame.
#include <memory>
#include <string>
#include <vector>

#include "viz/cli_options.hpp"
#include "viz/session.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {

struct Started {
  std::unique_ptr<Session> session;  // null when `error` is set
  UiState ui;
  std::string error;                 // one line: a bad lab or fork rule
  std::string note;                  // e.g. "the timeline has 20 steps; showing the end"
};

// Loads the lab, applies --fork rules, then moves the cursor to --step N or --at T.
Started start_session(const VizOptions& opt);

// The lab shown when none is named: handshake, else the first in the catalogue.
std::string default_lab();

// One frame of panels (between ImGui::NewFrame and ImGui::Render): builds the view at the
// cursor, draws, and returns what was drawn. What the student asked for is queued in `cmd`.
DrawRecord draw_session_frame(Session& s, UiState& ui, const std::vector<std::string>& catalogue, float scale,
                              Commands& cmd);

// "lab=lost-fin seed=3 step=12/40 t=1.2s A:client=FIN_WAIT_1 B:server=CLOSE_WAIT": the
// moment shown, in one line (the page writes it to the console for tests and bug reports).
std::string status_line(const Session& s, const UiState& ui);

}  // namespace tcplab::viz
