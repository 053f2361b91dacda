#include "viz/frame.hpp"

#include <chrono>

#include "viz/theme.hpp"

namespace tcplab::viz {

DrawRecord draw_session_frame(Session& s, UiState& ui, const std::vector<std::string>& catalogue, float scale,
                              Commands& cmd) {
  WorldView v{s, s.index(), s.world(), s.cursor(), s.display_time(), s.followed(ui)};
  v.catalogue = &catalogue;
  if (ui.tab == Tab::Plots) {
    v.cwnd_ep = plot_sender(v.index, v.followed);
    if (v.cwnd_ep != kNone) {
      const EndpointInfo& e = v.index.endpoints()[v.cwnd_ep];
      v.cwnd = &s.cwnd(e.host, e.label);
    }
  }
  if (ui.tab == Tab::Congestion) {  // computed the first time the pane is shown
    v.congestion = &s.congestion();
    if (ui.predict_cc) s.cc_predictor().prepare(*v.congestion, s.display_time());
    v.cc_predictor = &s.cc_predictor();
  }
  DrawRecord rec;
  rec.scale = scale;
  rec.lab = s.lab().name;
  rec.timeline = s.slot(s.active()).name;
  rec.cursor = v.cursor;
  rec.events = v.index.size();
  rec.now = v.now;
  rec.first_difference = s.first_difference();
  const auto t0 = std::chrono::steady_clock::now();  // draw time goes to the record only
  draw_frame(v, ui, cmd, rec);
  rec.picked_segment = ui.picked_segment;
  rec.draw_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  forget_key_presses();
  return rec;
}

std::string status_line(const Session& s, const UiState& ui) {
  const TraceIndex& ix = s.index();
  const std::uint32_t row = ix.row_at_cursor(s.cursor());
  std::string line = s.title_words() +
                     " step=" + std::to_string(row == kNone ? 0 : row + 1) + "/" + std::to_string(ix.rows().size()) +
                     " t=" + short_time(s.display_time()) + " timeline=" + s.slot(s.active()).name;
  const auto names = s.world().host_names();
  WorldView v{s, ix, s.world(), s.cursor(), s.display_time(), s.followed(ui)};
  for (std::uint32_t ep : v.followed) {
    const EndpointInfo& e = ix.endpoints()[ep];
    const std::string host = e.host >= 0 && static_cast<std::size_t>(e.host) < names.size()
                                 ? names[static_cast<std::size_t>(e.host)] : "?";
    line += " " + host + "=" + std::string(state_name(endpoint_now(v, ep).state));
  }
  return line;
}

}  // namespace tcplab::viz
