#include "viz/panel_export.hpp"

#include "labs/cli.hpp"
#include "labs/options.hpp"

namespace tcplab::viz {

draw::Scene export_scene(const Session& session, const UiState& ui) {
  draw::Scene s;
  s.index = &session.index();
  s.world = &session.world();
  s.cursor = session.cursor();
  s.now = session.display_time();
  s.followed = session.followed(ui);
  s.ep = s.followed.empty() ? kNone : s.followed.front();
  s.title = (session.capture() ? "capture " + session.lab().name
                                : session.lab().name + " (seed " + std::to_string(session.lab().seed) + ")") +
            " at " + layout::short_time(s.now);
  s.lookup = [&session](int host, const std::string& label) { return session.conn_at_cursor(host, label); };
  return s;
}

std::string export_panel(const Session& session, const UiState& ui, draw::What what, const std::string& path) {
  if (session.capture() && what != draw::What::Ladder)  // no TCB to draw: the window shows the estimates
    return "a capture exports only its ladder as a picture (its sides' TCBs are estimates, shown in the window)";
  const auto format = draw::format_of(path);
  if (!format) return "'" + path + "': unknown format (the file must end in .svg or .png)";
  const draw::Scene s = export_scene(session, ui);
  if (what != draw::What::Ladder && s.ep == kNone) return "the run has no connection to show";
  const auto [w, h] = draw::default_size(s, what);
  try {
#ifdef __EMSCRIPTEN__  // no cairo in the browser: SVG only
    if (*format == draw::Format::Png) return "PNG needs the desktop build (cairo); export SVG";
    cli::write_output(path, draw::svg(s, what, w, h));
#else
    cli::write_output(path, *format == draw::Format::Svg ? draw::svg(s, what, w, h) : draw::png(s, what, w, h));
#endif
  } catch (const cli::BadInput& e) {
    return e.what();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace tcplab::viz
