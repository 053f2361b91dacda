// --dump-model: what the last frame drew, as JSON, so tests can check the picture's content
// (states per side, arrows and their labels, the cursor, the highlighted diagram state) and
// find where things were drawn (framebuffer pixels) to check colours in the screenshot.
#include <fstream>

#include <nlohmann/json.hpp>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

nlohmann::json rect(const Rect& r) { return {r.x0, r.y0, r.x1, r.y1}; }

}  // namespace

void record_item(DrawRecord& rec, const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  rec.items[name] = Rect{a.x, a.y, b.x, b.y};
}

std::string write_draw_record(const DrawRecord& rec, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << draw_record_json(rec, 1) << "\n";
  out.flush();
  if (!out) return "cannot write " + path;
  return "";
}

std::string draw_record_json(const DrawRecord& rec, int indent) {
  using nlohmann::json;
  json j;
  j["lab"] = rec.lab;
  j["timeline"] = rec.timeline;
  j["tab"] = rec.tab;
  j["cursor"] = rec.cursor;
  j["events"] = rec.events;
  j["now_ns"] = rec.now;
  j["first_difference"] = rec.first_difference ? json(*rec.first_difference) : json(nullptr);
  j["endpoints"] = json::array();
  for (const auto& e : rec.endpoints) {
    json tcb_rects = json::object();
    for (const auto& [k, r] : e.tcb_rects) tcb_rects[k] = rect(r);
    json t = json::array();
    for (const auto& x : e.timers)
      t.push_back({{"timer", x.kind}, {"deadline_ns", x.deadline}, {"left_fraction", x.left_fraction}, {"bar", rect(x.bar)}});
    j["endpoints"].push_back({{"host", e.host}, {"conn", e.conn}, {"title", e.title}, {"state", e.state}, {"badge", rect(e.badge)},
                              {"tcb", e.tcb}, {"tcb_clipped", e.tcb_clipped}, {"tcb_rects", tcb_rects}, {"window", rect(e.window)},
                              {"timers", t}});
  }
  j["diagrams"] = json::array();
  for (const auto& d : rec.diagrams) {
    json boxes = json::object();
    for (const auto& [k, r] : d.boxes) boxes[k] = rect(r);
    j["diagrams"].push_back({{"host", d.host},
                             {"highlight", d.highlight},
                             {"taken", d.taken_from.empty() ? json(nullptr) : json({d.taken_from, d.taken_to})},
                             {"taken_in_figure5", d.taken_in_figure5},
                             {"cause", d.cause},
                             {"boxes", boxes},
                             {"plate", rect(d.plate)},
                             {"why", rect(d.why)},
                             {"why_scrolls", d.why_scrolls},
                             {"figure", d.figure},
                             {"panel", rect(d.panel)}});
  }
  json arrows = json::array();
  int crosses = 0;
  for (const auto& a : rec.arrows) {
    json x = {{"id", a.id}, {"label", a.label}, {"kind", a.kind}, {"from", a.from}, {"to", a.to},
              {"fate", a.fate}, {"retx", a.retx}, {"current", a.current}, {"in_flight", a.in_flight},
              {"line", {a.x0, a.y0, a.x1, a.y1}}, {"shown", a.shown}};
    if (!a.shown.empty()) x["label_rect"] = rect(a.label_rect);
    if (a.cross) {
      x["cross"] = {(*a.cross)[0], (*a.cross)[1]};
      ++crosses;
    }
    arrows.push_back(x);
  }
  j["ladder"] = {{"rows", rec.ladder_rows},
                 {"rows_drawn", rec.ladder_rows_drawn},
                 {"current_row", rec.ladder_current_row},
                 {"segments_total", rec.segments_total},
                 {"segments_sent", rec.segments_sent},
                 {"arrows", arrows},
                 {"crosses", crosses},
                 {"lifelines", rec.lifelines}};
  j["text"] = {{"lines", rec.text_lines}, {"current_line", rec.text_current_line}, {"current", rec.text_current}};
  j["netstat"] = {{"rows", rec.netstat_rows}, {"counts", rec.netstat_counts}, {"drawn", rec.netstat_drawn}};
  j["predict"] = {{"prompt", rec.predict_prompt}, {"choices", rec.predict_choices}};
  if (rec.congestion) {
    const auto& c = *rec.congestion;
    json cc;
    cc["error"] = c.error;
    cc["flows"] = json::array();
    for (const auto& f : c.flows)
      cc["flows"].push_back({{"host", f.host}, {"conn", f.conn}, {"cc", f.cc}, {"phase", f.phase}, {"label", f.label},
                             {"color", f.color}, {"cwnd", f.cwnd}, {"mbps", f.mbps}, {"srtt_ms", f.srtt_ms}});
    cc["jain"] = c.jain ? json(*c.jain) : json(nullptr);
    cc["jain_now"] = c.jain_now ? json(*c.jain_now) : json(nullptr);
    cc["panels"] = json::array();
    for (const auto& p : c.panels)
      cc["panels"].push_back({{"kind", p.kind}, {"title", p.title}, {"plot", rect(p.plot)}, {"lines_drawn", p.lines_drawn}});
    cc["marks"] = json::array();
    for (const auto& m : c.marks)
      cc["marks"].push_back({{"series", m.series}, {"flow", m.flow}, {"note", m.note}, {"t_ns", m.t}, {"x", m.x}, {"y", m.y},
                             {"event", m.event ? json(*m.event) : json(nullptr)},
                             {"send_k", m.send_k ? json(*m.send_k) : json(nullptr)}});
    cc["loss_marks"] = c.loss_marks;
    cc["drop_marks"] = c.drop_marks;
    cc["hidden_marks"] = c.hidden_marks;
    cc["cursor_x"] = c.cursor_x;
    cc["hiding"] = c.hiding;
    cc["predict"] = {{"prompt", c.predict_prompt}, {"choices", c.predict_choices}, {"result", c.predict_result},
                     {"right", c.predict_right}, {"asked", c.predict_asked}};
    j["congestion"] = cc;
  }
  if (rec.observer) {
    json rows = json::array();
    for (const auto& r : rec.observer->rows)
      rows.push_back({{"frame", r.frame}, {"labels", r.labels}, {"knew", r.knew}, {"why", r.why}, {"send", r.send}, {"selected", r.selected}});
    j["observer"] = {{"at", rec.observer->at}, {"frames", rec.observer->frames}, {"flagged", rec.observer->flagged},
                     {"differ", rec.observer->differ}, {"rows", rows}};
  }
  j["picked_segment"] = rec.picked_segment ? json(*rec.picked_segment) : json(nullptr);
  json colors = json::object();
  for (int s = 0; s < kStateCount; ++s) {
    const auto c = state_rgb(static_cast<State>(s));
    colors[std::string(state_name(static_cast<State>(s)))] = {c[0], c[1], c[2]};
  }
  j["state_colors"] = colors;
  j["lost_color"] = {235, 64, 64};
  json items = json::object();
  for (const auto& [k, r] : rec.items) items[k] = rect(r);
  j["items"] = items;
  j["picker_open"] = rec.picker_open;
  j["scale"] = rec.scale;
  j["draw_ms"] = rec.draw_ms;
  j["vertices"] = rec.vertices;
  return j.dump(indent);
}

}  // namespace tcplab::viz
