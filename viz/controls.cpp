// The control bar: the lab picker, stepping (one step, to the next state change, back),
// play/pause with a speed in virtual time per real second, run to end, restart, and the
// timeline slider that rewinds to any event, with ticks where the followed endpoints
// changed state (and where a fork first differs).
#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

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

// The widths ImGui gives a button and a checkbox with this label (before drawing them).
float button_w(const char* label, float w = 0) {
  return w > 0 ? w : ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}
float checkbox_w(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
}

// The first row of the bar is made of groups (the lab, stepping, play and speed, the
// toggles) that wrap as words do: a group that would pass the right edge starts a new row,
// so no button is ever cut off in a narrow window (1024 px, a projector's zoom). The same
// list gives the bar's height before it is drawn (controls_height).
struct Group {
  float w = 0;    // ImGui units
  float gap = 0;  // before it, when it follows another group on the same row
  std::function<void()> draw;
};

// In a narrow bar the labels are shorter: no "Lab" caption, an icon for play, slimmer combo
// and speed slider.
bool narrow_bar(float avail) { return avail < 1100.0F; }

struct BarLayout {
  std::vector<int> row;       // of each group: left to right, a new row when the next would pass the edge
  float last_row_w = 0;       // the width the last row's groups take
  bool slider_own_row = true;  // the timeline slider starts a row of its own (else it follows the last groups)
  int rows() const { return (row.empty() ? 0 : row.back() + 1) + (slider_own_row ? 1 : 0); }
};

// The timeline slider is never narrower than this; it and the time and step after it follow
// the last row of buttons when they fit there (a 853 px wide bar then has two rows, not three).
constexpr float kMinSlider = 180.0F;

BarLayout layout_bar(const std::vector<Group>& groups, float avail, float where_w) {
  BarLayout l;
  float x = 0;
  int r = 0;
  for (const Group& g : groups) {
    if (!l.row.empty() && x + g.gap + g.w > avail) {
      ++r;
      x = 0;
    } else if (!l.row.empty()) {
      x += g.gap;
    }
    l.row.push_back(r);
    x += g.w;
  }
  l.last_row_w = x;
  // A wide bar (1280 px at zoom 1 and up) keeps the slider on a row of its own, as wide as
  // the window, for dragging precisely through long traces.
  const bool fits = avail - x >= 18.0F + kMinSlider + ImGui::GetStyle().ItemSpacing.x + where_w;
  l.slider_own_row = !fits || groups.empty() || !narrow_bar(avail);
  return l;
}

std::vector<Group> first_row(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec, float avail) {
  const Session& s = v.session;
  const bool u = fonts().unicode;
  const bool narrow = narrow_bar(avail);
  const float sp = ImGui::GetStyle().ItemSpacing.x;
  const float combo_w = narrow ? 128.0F : 170.0F, speed_w = narrow ? 112.0F : 150.0F, step_w = 34.0F;
  const char* reload = u ? "↻" : "R";
  std::vector<Group> g;
  // The lab: its name (a combo), the picker, reload.
  const float caption = narrow ? 0.0F : ImGui::CalcTextSize("Lab").x + sp;
  g.push_back({caption + combo_w + sp + button_w("Labs...") + sp + button_w(reload), 0, [&v, &ui, &cmd, &rec, &s, narrow, combo_w, reload] {
                 if (!narrow) {
                   ImGui::AlignTextToFramePadding();
                   ImGui::TextUnformatted("Lab");
                   ImGui::SameLine();
                 }
                 ImGui::SetNextItemWidth(combo_w);
                 if (ImGui::BeginCombo("##lab", s.lab().name.c_str())) {
                   if (v.catalogue)
                     for (const auto& n : *v.catalogue)
                       if (ImGui::Selectable(n.c_str(), n == s.lab().name)) cmd.load_lab(n);
                   ImGui::Separator();
                   ImGui::TextDisabled("or a file:");
                   ImGui::SetNextItemWidth(260);
                   const bool enter = ImGui::InputTextWithHint("##labpath", "path/to/lab.toml", &ui.lab_path_input,
                                                               ImGuiInputTextFlags_EnterReturnsTrue);
                   ImGui::SameLine();
                   if ((ImGui::Button("Open") || enter) && !ui.lab_path_input.empty()) {
                     cmd.load_lab(ui.lab_path_input);
                     ImGui::CloseCurrentPopup();
                   }
                   ImGui::EndCombo();
                 }
                 if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%s", s.lab().title.c_str(), s.lab().path.c_str());
                 record_item(rec, "ctrl:lab");
                 ImGui::SameLine();
                 if (button("Labs...", "every built-in lab with its title, or a lab file of your own")) ui.show_picker = true;
                 record_item(rec, "labs");
                 record_item(rec, "ctrl:labs");
                 ImGui::SameLine();
                 if (button(reload, "reload the lab file (re-runs it)")) cmd.load_lab(s.lab_arg());
                 record_item(rec, "ctrl:reload");
               }});
  // Stepping: restart, back a state change, back, step, next state change, to the end.
  struct Step {
    const char *uni, *ascii, *tip, *name;
    std::function<void()> act;
  };
  const std::vector<Step> steps = {
      {"|◀", "|<", "restart: back to the start  [Home]", "restart", [&cmd] { cmd.restart(); }},
      {"◀S", "<S", "back to the previous state change  [Shift+Left / P]", "state-back", [&cmd] { cmd.step_state(-1); }},
      {"◀", "<", "step back  [Left]", "back", [&cmd] { cmd.step(-1); }},
      {"▶", ">", "step one event: the next world step that sends, delivers, drops or changes state  [Right]", "step",
       [&cmd] { cmd.step(1); }},
      {"S▶", "S>", "step to the next state change of the followed connections  [Shift+Right / N]", "state-step",
       [&cmd] { cmd.step_state(1); }},
      {"▶|", ">|", "run to the end  [End]", "end", [&cmd] { cmd.run_to_end(); }},
  };
  const float steps_w = static_cast<float>(steps.size()) * step_w + static_cast<float>(steps.size() - 1) * sp;
  g.push_back({steps_w, 18.0F, [steps, u, step_w, &rec] {
                 for (std::size_t i = 0; i < steps.size(); ++i) {
                   if (i) ImGui::SameLine();
                   const bool go = std::string(steps[i].name) == "step";  // the one pressed most: green
                   if (go) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.20F, 0.42F, 0.30F, 1.0F));
                   if (button(u ? steps[i].uni : steps[i].ascii, steps[i].tip, step_w)) steps[i].act();
                   if (go) ImGui::PopStyleColor();
                   record_item(rec, std::string("ctrl:") + steps[i].name);
                 }
               }});
  // Play / pause and the speed.
  const std::string play = ui.playing ? (u ? "❚❚" : "||") : (u ? "▶" : ">");
  const std::string play_label = narrow ? play + "##play" : play + (ui.playing ? " Pause" : " Play") + "##play";
  const float play_w = narrow ? 40.0F : 84.0F;
  g.push_back({play_w + sp + speed_w, 18.0F, [&ui, &rec, play_label, play_w, speed_w] {
                 if (button(play_label.c_str(), "play / pause  [Space]", play_w)) ui.playing = !ui.playing;
                 record_item(rec, "ctrl:play");
                 ImGui::SameLine();
                 ImGui::SetNextItemWidth(speed_w);
                 int si = speed_index(ui.speed_per_s);
                 const std::string label = short_duration(ui.speed_per_s) + " / s";
                 if (ImGui::SliderInt("##speed", &si, 0, static_cast<int>(kSpeeds.size()) - 1, label.c_str()))
                   ui.speed_per_s = kSpeeds[static_cast<std::size_t>(si)];
                 if (ImGui::IsItemHovered()) ImGui::SetTooltip("virtual time per real second  [+ / -]");
                 record_item(rec, "ctrl:speed");
               }});
  g.push_back({checkbox_w("skip idle"), sp, [&ui, &rec] {
                 ImGui::Checkbox("skip idle", &ui.skip_gaps);
                 if (ImGui::IsItemHovered())
                   ImGui::SetTooltip("while playing, jump over stretches with nothing to show for more than a second");
                 record_item(rec, "ctrl:skip-idle");
               }});
  // The view toggles and the help.
  g.push_back({checkbox_w("predict") + sp + checkbox_w("future") + sp + button_w("?"), 18.0F, [&ui, &rec] {
                 ImGui::Checkbox("predict", &ui.predict);
                 if (ImGui::IsItemHovered()) ImGui::SetTooltip("predict-then-step: say what comes next before it is shown  [Q]");
                 record_item(rec, "ctrl:predict");
                 ImGui::SameLine();
                 ImGui::BeginDisabled(ui.predict);
                 ImGui::Checkbox("future", &ui.show_future);
                 ImGui::EndDisabled();
                 if (ImGui::IsItemHovered()) ImGui::SetTooltip("show the segments after the cursor, faintly  [G]");
                 record_item(rec, "ctrl:future");
                 ImGui::SameLine();
                 if (button("?", "keyboard shortcuts  [F1]")) ui.show_help = !ui.show_help;
                 record_item(rec, "ctrl:help");
               }});
  return g;
}

// `s` cut to `w` with an ellipsis (the whole on hover): the status line never runs off the bar.
std::string elided(const std::string& s, float w) {
  if (ImGui::CalcTextSize(s.c_str()).x <= w) return s;
  const std::string dots = fonts().unicode ? "…" : "...";
  std::string t = s;
  while (!t.empty() && ImGui::CalcTextSize((t + dots).c_str()).x > w) {
    while (!t.empty()) {  // one whole UTF-8 character: its continuation bytes, then its lead byte
      const auto c = static_cast<unsigned char>(t.back());
      t.pop_back();
      if ((c & 0xC0) != 0x80) break;
    }
  }
  return t.empty() ? "" : t + dots;
}

}  // namespace

void change_speed(UiState& ui, int by) {
  const int i = std::clamp(speed_index(ui.speed_per_s) + by, 0, static_cast<int>(kSpeeds.size()) - 1);
  ui.speed_per_s = kSpeeds[static_cast<std::size_t>(i)];
}

namespace {

// "t = 1.150 ms   step 5/15", and the timeline's tag when there is a fork.
std::string where_text(const WorldView& v) {
  const std::uint32_t row = v.index.row_at_cursor(v.cursor);
  return "t = " + short_time(v.now) + "   step " + std::to_string(row == kNone ? 0 : row + 1) + "/" + std::to_string(v.index.rows().size());
}
const char* fork_tag(const Session& s) { return s.has_fork() ? (s.active() == 1 ? "[fork]" : "[original]") : ""; }
float where_width(const WorldView& v) {
  const char* tag = fork_tag(v.session);
  return ImGui::CalcTextSize(where_text(v).c_str()).x + (*tag ? ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(tag).x : 0.0F);
}

}  // namespace

float controls_height(const WorldView& v, UiState& ui, float width) {
  Commands none;
  DrawRecord scratch;
  const float avail = width - 2 * ImGui::GetStyle().WindowPadding.x;
  const BarLayout l = layout_bar(first_row(v, ui, none, scratch, avail), avail, where_width(v));
  // Two rows (buttons, slider) in 64 units; the status below them in a window that is not short.
  const float more = static_cast<float>(l.rows() - 2) * (ImGui::GetFrameHeight() + ImGui::GetStyle().ItemSpacing.y);
  return (ImGui::GetIO().DisplaySize.y < kShortWindow ? 64.0F : 90.0F) + more;
}

void draw_controls(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const Session& s = v.session;
  const TraceIndex& ix = v.index;
  {
    const ImVec2 w0 = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    rec.items["window:controls"] = Rect{w0.x, w0.y, w0.x + ws.x, w0.y + ws.y};
  }
  // Row 1 (or more when narrow): lab, stepping, play, toggles.
  const float avail = ImGui::GetContentRegionAvail().x;
  const float where_w = where_width(v);
  const auto groups = first_row(v, ui, cmd, rec, avail);
  const BarLayout bar = layout_bar(groups, avail, where_w);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i && bar.row[i] == bar.row[i - 1]) ImGui::SameLine(0, groups[i].gap);
    groups[i].draw();
  }
  if (!bar.slider_own_row) ImGui::SameLine(0, 18.0F);

  // Then the timeline slider with state-change ticks, the time and step, and (in a short
  // window) the status; what does not fit is cut with an ellipsis, never mid-button.
  const bool short_window = ImGui::GetIO().DisplaySize.y < kShortWindow;
  const std::string where = where_text(v);
  const char* tag = fork_tag(s);
  const float sp = ImGui::GetStyle().ItemSpacing.x;
  const float line_w = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - ImGui::GetCursorScreenPos().x;
  // The slider keeps at least 40% of its row; in a short window the status gets a share of the rest.
  const float status_share = short_window ? std::min(320.0F, line_w * 0.3F) : 0.0F;
  const float slider_w =
      std::max(std::min(kMinSlider, line_w - where_w - sp), std::max(line_w * 0.4F, line_w - where_w - sp - (short_window ? status_share + 24.0F : 0.0F)));
  const std::uint64_t n = ix.size();
  ImGui::SetNextItemWidth(slider_w);
  const ImVec2 sp0 = ImGui::GetCursorScreenPos();
  std::uint64_t pos = v.cursor;
  const std::uint64_t lo = 0;
  if (ImGui::SliderScalar("##timeline", ImGuiDataType_U64, &pos, &lo, &n, "event %llu") && pos != v.cursor) cmd.seek(pos);
  record_item(rec, "timeline");
  record_item(rec, "ctrl:timeline");
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
  ImGui::TextUnformatted(where.c_str());
  record_item(rec, "ctrl:where");
  if (*tag) {
    ImGui::SameLine();
    ImGui::TextColored(s.active() == 1 ? ImVec4(1.0F, 0.6F, 0.3F, 1.0F) : ImVec4(0.6F, 0.8F, 1.0F, 1.0F), "%s", tag);
  }
  // The status: on this row in a short window (1280x720 zoomed for a projector), else below.
  if (short_window) ImGui::SameLine(0, 24);
  else ImGui::Dummy(ImVec2(1, 4));
  const std::string full = ui.status.empty() ? s.lab().title : shown(ui.status);
  const std::string text = elided(full, std::max(0.0F, ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - ImGui::GetCursorScreenPos().x));
  if (!ui.status.empty())
    ImGui::TextColored(ui.status_error ? ImVec4(1.0F, 0.45F, 0.45F, 1.0F) : ImVec4(0.65F, 0.85F, 0.65F, 1.0F), "%s", text.c_str());
  else
    ImGui::TextDisabled("%s", text.c_str());
  if (text != full && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", full.c_str());
  if (!text.empty()) record_item(rec, "ctrl:status");
}

}  // namespace tcplab::viz
