// The trace as tcpdump prints it (TextView lines), kept in step with the cursor: the lines
// of the cursor's step are highlighted and scrolled into view; later lines are dimmed
// (hidden in predict mode). A click on a line moves the cursor there.
#include <algorithm>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

ImU32 line_color(const std::string& l) {
  // "00:00:00.001000 ** ..." : the marker follows the 15-character clock.
  const std::string mark = l.size() > 18 ? l.substr(16, 2) : "";
  if (mark == "**") return IM_COL32(255, 214, 120, 255);
  if (mark == "XX") return IM_COL32(255, 110, 110, 255);
  if (mark == "..") return IM_COL32(150, 200, 160, 255);
  if (mark == "~~") return IM_COL32(150, 150, 200, 255);
  return IM_COL32(214, 220, 230, 255);
}

}  // namespace

void draw_text(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const TraceIndex& ix = v.index;
  const auto& lines = ix.lines();
  const std::uint32_t row = ix.row_at_cursor(v.cursor);
  const std::uint64_t cur_begin = row == kNone ? 0 : ix.rows()[row].begin;
  const std::uint64_t cur_end = row == kNone ? 0 : ix.rows()[row].end;
  const std::uint32_t shown_end = ui.predict ? ix.first_line_at_or_after(v.cursor) : static_cast<std::uint32_t>(lines.size());
  rec.text_lines = static_cast<std::uint32_t>(lines.size());
  const std::uint32_t first_cur = ix.first_line_at_or_after(cur_begin);
  if (row != kNone && first_cur < lines.size() && lines[first_cur].k < cur_end) {
    rec.text_current_line = first_cur;
    rec.text_current = lines[first_cur].text;
  }
  ImGui::PushFont(fonts().mono);
  ImGui::BeginChild("##tcpdump", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  const float lh = ImGui::GetTextLineHeightWithSpacing();
  if (ui.follow_cursor && ui.text_scrolled_for != v.cursor) {
    ui.text_scrolled_for = v.cursor;
    const float y = static_cast<float>(first_cur) * lh;
    const float h = ImGui::GetWindowHeight();
    if (y < ImGui::GetScrollY() + lh || y > ImGui::GetScrollY() + h - 3 * lh) ImGui::SetScrollY(std::max(0.0F, y - h * 0.4F));
  }
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(shown_end), lh);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  while (clip.Step()) {
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const TextLine& l = lines[static_cast<std::size_t>(i)];
      const bool current = l.k >= cur_begin && l.k < cur_end && row != kNone;
      const bool future = l.k >= v.cursor;
      const ImVec2 p = ImGui::GetCursorScreenPos();
      if (current)
        dl->AddRectFilled(ImVec2(p.x - 4, p.y), ImVec2(p.x + ImGui::GetWindowWidth() + ImGui::GetScrollX(), p.y + lh),
                          IM_COL32(255, 206, 84, 40));
      const ImU32 c = line_color(l.text);
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(future ? with_alpha(c, 0.38F) : c));
      ImGui::TextUnformatted(shown(l.text).c_str());
      ImGui::PopStyleColor();
      if (ImGui::IsItemHovered() && ImGui::IsMouseClicked(0)) cmd.seek(ix.group_end_of(l.k));
    }
  }
  if (ui.predict && shown_end < lines.size())
    ImGui::TextDisabled("... (predict mode: later lines are hidden)");
  ImGui::EndChild();
  ImGui::PopFont();
}

}  // namespace tcplab::viz
