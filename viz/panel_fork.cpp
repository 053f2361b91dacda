// Direct manipulation, continued: the two timelines side by side from their first
// difference (highlighted), what the lab's checks say about each, and saving the fork's
// fault rules into a new lab file (never over an existing file without asking).
#include <algorithm>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "viz/lab_edit.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

void checks_line(const TimelineSlot& s) {
  int pass = 0;
  for (const auto& c : s.checks) pass += c.pass ? 1 : 0;
  const bool all = pass == static_cast<int>(s.checks.size());
  ImGui::TextColored(all ? ImVec4(0.45F, 0.9F, 0.5F, 1.0F) : ImVec4(1.0F, 0.5F, 0.45F, 1.0F), "%d of %zu checks pass", pass,
                     s.checks.size());
  if (ImGui::IsItemHovered() && !s.checks.empty()) {
    ImGui::BeginTooltip();
    for (const auto& c : s.checks)
      ImGui::TextColored(c.pass ? ImVec4(0.45F, 0.9F, 0.5F, 1.0F) : ImVec4(1.0F, 0.5F, 0.45F, 1.0F), "%s  %s", c.pass ? "PASS" : "FAIL",
                         c.name.c_str());
    ImGui::EndTooltip();
  }
}

void side(const char* id, const TimelineSlot& s, std::optional<std::uint64_t> diff, float w) {
  ImGui::BeginChild(id, ImVec2(w, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::TextColored(ImVec4(0.6F, 0.8F, 1.0F, 1.0F), "%s", s.name.c_str());
  ImGui::SameLine();
  checks_line(s);
  ImGui::PushFont(fonts().mono);
  const auto& lines = s.index->lines();
  const std::uint64_t d = diff.value_or(0);
  std::uint32_t first = s.index->first_line_at_or_after(d);
  first = first > 6 ? first - 6 : 0;
  const std::uint32_t last = std::min<std::uint32_t>(static_cast<std::uint32_t>(lines.size()), first + 60);
  for (std::uint32_t i = first; i < last; ++i) {
    const bool at = diff && lines[i].k >= d;
    const bool first_diff = at && (i == 0 || lines[i - 1].k < d);
    if (first_diff) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x - 4, p.y), ImVec2(p.x + 2000, p.y + ImGui::GetTextLineHeight()),
                                                IM_COL32(235, 64, 64, 70));
    }
    ImGui::PushStyleColor(ImGuiCol_Text, at ? ImVec4(1.0F, 0.85F, 0.6F, 1.0F) : ImVec4(0.62F, 0.65F, 0.70F, 1.0F));
    ImGui::TextUnformatted(shown(lines[i].text).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopFont();
  ImGui::EndChild();
}

}  // namespace

void draw_fork(const WorldView& v, UiState& ui, Commands& cmd) {
  const Session& s = v.session;
  if (const CaptureModel* m = s.capture()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextWrapped("%s is a capture, a recording: it cannot be forked. To ask \"what if this segment had been lost?\", "
                       "make a lab of one of its connections, which replays it segment for segment, and open that:",
                       m->name.c_str());
    ImGui::TextDisabled("tcplab import %s --to-lab %s.toml --conn N", m->path.c_str(), m->name.c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  if (!s.has_fork()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(
        "What if this segment were lost? Click a segment's arrow in the ladder and choose Drop, Delay or Duplicate. "
        "The timeline is forked just before the segment was sent, the change is added as a fault rule on the "
        "segment's stable id (e.g. `drop A>B#3`), and the simulation runs on. The original is kept: compare the two "
        "here, then save the rule into a copy of the lab file.");
    ImGui::PopTextWrapPos();
    if (ui.picked_segment && *ui.picked_segment < v.index.size()) {
      const std::uint64_t k = *ui.picked_segment;
      ImGui::Text("Picked: %s", v.index.trace()[k].id.str().c_str());
      ImGui::SameLine();
      if (ImGui::Button("Drop")) cmd.fork(k, FaultAction::Drop, 0);
      ImGui::SameLine();
      if (ImGui::Button("Duplicate")) cmd.fork(k, FaultAction::Duplicate, 0);
      ImGui::SameLine();
      if (ImGui::Button("Delay")) cmd.fork(k, FaultAction::Delay, ms(ui.delay_ms));
    }
    return;
  }
  const int act = s.active();
  if (ImGui::RadioButton("original", act == 0)) cmd.show_timeline(0);
  ImGui::SameLine();
  if (ImGui::RadioButton(("fork: " + s.slot(1).name).c_str(), act == 1)) cmd.show_timeline(1);
  ImGui::SameLine();
  if (ImGui::Button("Discard the fork")) cmd.discard_fork();
  ImGui::SameLine(0, 24);
  if (auto d = s.first_difference()) {
    const auto& e = s.slot(1).tl->trace();
    ImGui::TextColored(ImVec4(1.0F, 0.55F, 0.5F, 1.0F), "first difference: event %llu at %s", static_cast<unsigned long long>(*d),
                       *d < e.size() ? short_time(e[*d].t_ns).c_str() : "the end");
    ImGui::SameLine();
    if (ImGui::SmallButton("go there")) cmd.seek(s.index().group_end_of(*d));
  } else {
    ImGui::TextDisabled("the two timelines are identical");
  }
  // Save.
  const TimelineSlot& shown_slot = s.slot(act);
  if (ui.save_path.empty() && !shown_slot.rules.empty()) ui.save_path = fresh_path(".", fork_stem(s.lab().name, shown_slot.rules));
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Save as a lab:");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(420.0F, ImGui::GetContentRegionAvail().x * 0.45F));
  ImGui::InputText("##savepath", &ui.save_path);
  ImGui::SameLine();
  ImGui::BeginDisabled(shown_slot.rules.empty());
  if (ImGui::Button("Save")) cmd.save_faults(ui.save_path, false);
  ImGui::EndDisabled();
  if (ui.confirm_overwrite) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1.0F, 0.7F, 0.3F, 1.0F), "exists:");
    ImGui::SameLine();
    if (ImGui::Button("Overwrite")) cmd.save_faults(ui.save_path, true);
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ui.confirm_overwrite = false;
  } else {
    ImGui::SameLine();
    ImGui::TextDisabled("faults += [%s]", [&] {
      std::string l;
      for (const auto& r : shown_slot.rules) l += (l.empty() ? "\"" : ", \"") + r + "\"";
      return l;
    }().c_str());
  }
  const float w = (ImGui::GetContentRegionAvail().x - 8) * 0.5F;
  side("##orig", s.slot(0), s.first_difference(), w);
  ImGui::SameLine();
  side("##fork", s.slot(1), s.first_difference(), w);
}

}  // namespace tcplab::viz
