// The control bar: the lab picker, stepping (one step, to the next state change, back),
// play/pause with a speed in virtual time per real second, run to end, restart, and the
// timeline slider that rewinds to any event, with ticks where the followed endpoints
// changed state (and where a fork first differs).
#include <algorithm>
#include <array>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

constexpr std::array<Duration, 20> kSpeeds = {us(10),  us(50),  us(100), us(200), us(500), ms(1),  ms(2),
                                              ms(5),   ms(10),  ms(20),  ms(50),  ms(100), ms(200), ms(500),
                                              sec(1),  sec(2),  sec(5),  sec(10), sec(30), sec(60)};

int speed_index(Duration d) {
  int best = 0;
  for (int i = 0; i < static_cast<int>(kSpeeds.size()); ++i)
    if (kSpeeds[static_cast<std::size_t>(i)] <= d) best = i;
  return best;
}

bool button(const char* label, const char* tip, float w = 0) {
  const bool b = ImGui::Button(label, ImVec2(w, 0));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
  return b;
}

}  // namespace

void change_speed(UiState& ui, int by) {
  const int i = std::clamp(speed_index(ui.speed_per_s) + by, 0, static_cast<int>(kSpeeds.size()) - 1);
  ui.speed_per_s = kSpeeds[static_cast<std::size_t>(i)];
}

void draw_controls(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const Session& s = v.session;
  const TraceIndex& ix = v.index;
  const bool u = fonts().unicode;
  // Row 1: lab, stepping, play.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Lab");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(170);
  if (ImGui::BeginCombo("##lab", s.lab().name.c_str())) {
    if (v.catalogue)
      for (const auto& n : *v.catalogue)
        if (ImGui::Selectable(n.c_str(), n == s.lab().name)) cmd.load_lab(n);
    ImGui::Separator();
    ImGui::TextDisabled("or a file:");
    ImGui::SetNextItemWidth(260);
    const bool enter = ImGui::InputTextWithHint("##labpath", "path/to/lab.toml", &ui.lab_path_input, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if ((ImGui::Button("Open") || enter) && !ui.lab_path_input.empty()) {
      cmd.load_lab(ui.lab_path_input);
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%s", s.lab().title.c_str(), s.lab().path.c_str());
  ImGui::SameLine();
  if (button("Labs...", "every built-in lab with its title, or a lab file of your own")) ui.show_picker = true;
  record_item(rec, "labs");
  ImGui::SameLine();
  if (button(u ? "↻" : "R", "reload the lab file (re-runs it)")) cmd.load_lab(s.lab_arg());
  ImGui::SameLine(0, 18);
  if (button(u ? "|◀" : "|<", "restart: back to the start  [Home]", 34)) cmd.restart();
  ImGui::SameLine();
  if (button(u ? "◀S" : "<S", "back to the previous state change  [Shift+Left / P]", 34)) cmd.step_state(-1);
  ImGui::SameLine();
  if (button(u ? "◀" : "<", "step back  [Left]", 34)) cmd.step(-1);
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.20F, 0.42F, 0.30F, 1.0F));
  if (button(u ? "▶" : ">", "step one event: the next world step that sends, delivers, drops or changes state  [Right]", 34))
    cmd.step(1);
  ImGui::PopStyleColor();
  ImGui::SameLine();
  if (button(u ? "S▶" : "S>", "step to the next state change of the followed connections  [Shift+Right / N]", 34)) cmd.step_state(1);
  ImGui::SameLine();
  if (button(u ? "▶|" : ">|", "run to the end  [End]", 34)) cmd.run_to_end();
  ImGui::SameLine(0, 18);
  if (button(ui.playing ? (u ? "❚❚ Pause" : "|| Pause") : (u ? "▶ Play" : "> Play"), "play / pause  [Space]", 84)) ui.playing = !ui.playing;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(150);
  int si = speed_index(ui.speed_per_s);
  const std::string sp = short_duration(ui.speed_per_s) + " / s";
  if (ImGui::SliderInt("##speed", &si, 0, static_cast<int>(kSpeeds.size()) - 1, sp.c_str()))
    ui.speed_per_s = kSpeeds[static_cast<std::size_t>(si)];
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("virtual time per real second  [+ / -]");
  ImGui::SameLine();
  ImGui::Checkbox("skip idle", &ui.skip_gaps);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("while playing, jump over stretches with nothing to show for more than a second");
  ImGui::SameLine(0, 18);
  ImGui::Checkbox("predict", &ui.predict);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("predict-then-step: say what comes next before it is shown  [Q]");
  ImGui::SameLine();
  ImGui::BeginDisabled(ui.predict);
  ImGui::Checkbox("future", &ui.show_future);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("show the segments after the cursor, faintly  [G]");
  ImGui::SameLine();
  if (button("?", "keyboard shortcuts  [F1]")) ui.show_help = !ui.show_help;

  // Row 2: the timeline slider with state-change ticks.
  const std::uint64_t n = ix.size();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 330);
  const ImVec2 sp0 = ImGui::GetCursorScreenPos();
  std::uint64_t pos = v.cursor;
  const std::uint64_t lo = 0;
  if (ImGui::SliderScalar("##timeline", ImGuiDataType_U64, &pos, &lo, &n, "event %llu") && pos != v.cursor) cmd.seek(pos);
  record_item(rec, "timeline");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("drag to rewind or fast-forward to any event");
  const ImVec2 sp1 = ImGui::GetItemRectMax();
  {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float x0 = sp0.x + 6, x1 = sp1.x - 6;
    auto X = [&](std::uint64_t k) { return x0 + (x1 - x0) * static_cast<float>(n ? static_cast<double>(k) / static_cast<double>(n) : 0.0); };
    const auto& tr = ix.trace();
    for (auto ep : v.followed)
      for (auto k : ix.endpoints()[ep].state_events)
        if (!ui.predict || k < v.cursor) dl->AddLine(ImVec2(X(k), sp1.y), ImVec2(X(k), sp1.y + 5), state_color(tr[k].to), 2.0F);
    if (s.has_fork() && s.first_difference()) {
      const float x = X(*s.first_difference());
      dl->AddTriangleFilled(ImVec2(x, sp1.y), ImVec2(x - 5, sp1.y + 7), ImVec2(x + 5, sp1.y + 7), kLost);
    }
  }
  ImGui::SameLine();
  const std::uint32_t row = ix.row_at_cursor(v.cursor);
  ImGui::Text("t = %s   step %u/%zu", short_time(v.now).c_str(), row == kNone ? 0 : row + 1, ix.rows().size());
  ImGui::SameLine();
  if (s.has_fork()) {
    ImGui::TextColored(s.active() == 1 ? ImVec4(1.0F, 0.6F, 0.3F, 1.0F) : ImVec4(0.6F, 0.8F, 1.0F, 1.0F), "%s",
                       s.active() == 1 ? "[fork]" : "[original]");
  }
  // Row 3: status, or on row 2 in a short window (1280x720 zoomed for a projector).
  if (ImGui::GetIO().DisplaySize.y < kShortWindow) ImGui::SameLine(0, 24);
  else ImGui::Dummy(ImVec2(1, 4));
  if (!ui.status.empty()) {
    ImGui::TextColored(ui.status_error ? ImVec4(1.0F, 0.45F, 0.45F, 1.0F) : ImVec4(0.65F, 0.85F, 0.65F, 1.0F), "%s",
                       shown(ui.status).c_str());
  } else {
    ImGui::TextDisabled("%s", s.lab().title.c_str());
  }
}

}  // namespace tcplab::viz
