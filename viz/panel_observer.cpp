// The observer pane: the frames a capture point sees (what `tcplab run --pcap` would write,
// the client by default), with the labels Wireshark's TCP analysis gives them beside what
// the endpoints really knew, and, where the two differ, why. Rows follow the ladder: the
// segment picked there is highlighted here, and a click on a row moves the cursor to that
// frame and picks its segment. Later frames are dimmed (hidden in predict mode).
#include <algorithm>

#include <fmt/format.h>

#include "labs/runner.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

constexpr ImU32 kWsColor = IM_COL32(255, 170, 90, 255);   // Wireshark's words
constexpr ImU32 kWhyColor = IM_COL32(255, 120, 120, 255);  // where it is wrong

int capture_host(const WorldView& v, const UiState& ui) {
  return ui.observer_at == -2 ? client_host(v.session.lab()) : ui.observer_at;
}

std::string capture_label(const WorldView& v, int at, bool client) {
  if (at == kCaptureLink) return "the link";
  const auto& hosts = v.world.hosts();
  if (at < 0 || at >= static_cast<int>(hosts.size())) return "?";
  const auto& h = hosts[static_cast<std::size_t>(at)];
  return fmt::format("{} ({}){}", h.name, ip_to_string(h.ip), client ? ", the client" : "");
}

void capture_picker(const WorldView& v, UiState& ui, int at) {
  ImGui::SetNextItemWidth(230);
  if (ImGui::BeginCombo("##observer_at", capture_label(v, at, ui.observer_at == -2).c_str())) {
    if (ImGui::Selectable("the client (as tcplab run --pcap)", ui.observer_at == -2)) ui.observer_at = -2;
    if (ImGui::Selectable("the link (every send)", ui.observer_at == kCaptureLink)) ui.observer_at = kCaptureLink;
    for (std::size_t i = 0; i < v.world.hosts().size(); ++i) {
      const int h = static_cast<int>(i);
      if (ImGui::Selectable(capture_label(v, h, false).c_str(), ui.observer_at == h)) ui.observer_at = h;
    }
    ImGui::EndCombo();
  }
}


std::string segment_text(const ObservedFrame& f) {
  const Segment& s = f.seen.seg;
  std::string t = fmt::format("{} [{}]", f.truth.id, flag_letters(s.flags));
  if (f.seen.len) t += fmt::format(" len {}", f.seen.len);
  t += fmt::format(" win {}", s.wnd);
  return t;
}

}  // namespace

void draw_observer(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const int at = capture_host(v, ui);
  const std::vector<ObservedFrame>& frames = v.session.observer(at);
  DrawRecord::Observer& out = rec.observer.emplace();
  out.at = capture_label(v, at, ui.observer_at == -2);
  out.frames = static_cast<std::uint32_t>(frames.size());
  std::vector<std::uint32_t> rows;  // the frames listed
  rows.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const ObservedFrame& f = frames[i];
    if (f.ws.flags) ++out.flagged;
    if (!f.truth.why.empty()) ++out.differ;
    if (ui.predict && f.frame.event >= v.cursor) continue;
    if (!ui.observer_only_flagged || observer_notable(f)) rows.push_back(static_cast<std::uint32_t>(i));
  }
  ImGui::TextDisabled("Captured at");
  ImGui::SameLine();
  capture_picker(v, ui, at);
  ImGui::SameLine();
  ImGui::TextDisabled("%u frames: Wireshark labels %u, and its guess differs from what the endpoints knew on %u.",
                      out.frames, out.flagged, out.differ);
  ImGui::SameLine();
  ImGui::Checkbox("only labelled or explained", &ui.observer_only_flagged);
  // Where the picked segment (or else the cursor) is in the list.
  std::size_t focus = rows.size();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const ObservedFrame& f = frames[rows[r]];
    if (ui.picked_segment && f.frame.send == *ui.picked_segment) { focus = r; break; }
    if (!ui.picked_segment && f.frame.event < v.cursor) focus = r;
  }
  const ImGuiTableFlags tf = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                             ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Resizable;
  if (!ImGui::BeginTable("##observer", 6, tf)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("No.", ImGuiTableColumnFlags_WidthFixed, 48.0F);
  ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed, 84.0F);
  ImGui::TableSetupColumn("Segment", 0, 1.1F);
  ImGui::TableSetupColumn("Wireshark says", 0, 1.3F);
  ImGui::TableSetupColumn("What the endpoints knew", 0, 2.2F);
  ImGui::TableSetupColumn("Why they differ", 0, 2.0F);
  ImGui::TableHeadersRow();
  const float lh = ImGui::GetTextLineHeightWithSpacing();
  const std::uint64_t scroll_key = ui.picked_segment ? (*ui.picked_segment << 1) | 1 : v.cursor << 1;
  if (ui.follow_cursor && ui.observer_scrolled_for != scroll_key && focus < rows.size()) {
    ui.observer_scrolled_for = scroll_key;
    const float y = static_cast<float>(focus) * lh;
    const float h = ImGui::GetWindowHeight();
    if (y < ImGui::GetScrollY() + lh || y > ImGui::GetScrollY() + h - 3 * lh) ImGui::SetScrollY(std::max(0.0F, y - h * 0.4F));
  }
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(rows.size()), lh);
  while (clip.Step()) {
    for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
      const std::uint32_t i = rows[static_cast<std::size_t>(r)];
      const ObservedFrame& f = frames[i];
      const bool selected = ui.picked_segment && f.frame.send == *ui.picked_segment;
      const bool future = f.frame.event >= v.cursor;
      DrawRecord::Observer::Row row{i + 1, f.ws.labels(), f.truth.what, f.truth.why, f.frame.send, selected};
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(i));
      const std::string no = std::to_string(i + 1);
      if (ImGui::Selectable(no.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
        cmd.seek_pick(v.index.group_end_of(f.frame.event), f.frame.send);
      record_item(rec, "observer:" + no);
      if (ImGui::IsItemHovered()) {
        const std::string tip = row.why.empty() ? row.knew : row.knew + "\nWireshark differs: " + row.why;
        ImGui::SetTooltip("%s", tip.c_str());
      }
      ImGui::PopID();
      const float a = future ? 0.38F : 1.0F;
      auto cell = [&](ImU32 c, const std::string& text) {
        ImGui::TableNextColumn();
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(with_alpha(c, a)));
        ImGui::TextUnformatted(text.c_str());
        ImGui::PopStyleColor();
      };
      cell(kDim, short_time(f.frame.t_ns));
      cell(IM_COL32(214, 220, 230, 255), segment_text(f));
      cell(kWsColor, row.labels);
      cell(IM_COL32(214, 220, 230, 255), row.knew);
      cell(kWhyColor, row.why);
      out.rows.push_back(std::move(row));
    }
  }
  ImGui::EndTable();
}

}  // namespace tcplab::viz
