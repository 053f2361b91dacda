// The lab picker: every built-in lab with its title, one click to open it, and a lab file
// of the student's own (a path on the desktop; the browser's file picker or a drop on the
// page). The web page opens on it when its link names no lab.
#include <algorithm>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

struct Entry {
  std::string name, title;
};

// Titles are read once: the catalogue does not change while the window is open.
const std::vector<Entry>& entries(const std::vector<std::string>& names) {
  static std::vector<Entry> cache;
  static std::size_t for_size = SIZE_MAX;
  if (for_size != names.size()) {
    cache.clear();
    for (const auto& n : names) {
      std::string title;
      try {
        title = load_lab(n).title;
      } catch (const std::exception& e) {
        title = std::string("(broken: ") + e.what() + ")";
      }
      cache.push_back({n, title});
    }
    for_size = names.size();
  }
  return cache;
}

}  // namespace

void draw_lab_picker(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(ds.x * 0.5F, ds.y * 0.5F), ImGuiCond_Appearing, ImVec2(0.5F, 0.5F));
  ImGui::SetNextWindowSize(ImVec2(std::min(ds.x - 40, 760.0F), std::min(ds.y - 40, 640.0F)), ImGuiCond_Appearing);
  if (!ImGui::Begin("Choose a lab###picker", &ui.show_picker, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
    ImGui::End();
    return;
  }
  rec.picker_open = true;
  ImGui::TextWrapped("Each lab is a scenario run by the real tcplab stack: step through it, rewind it, drop a segment "
                     "and see what changes. Pick one:");
  ImGui::Spacing();
  const float foot = ImGui::GetFrameHeightWithSpacing() * 2.2F;
  if (ImGui::BeginTable("##labs", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV,
                        ImVec2(0, -foot))) {
    ImGui::TableSetupColumn("lab", ImGuiTableColumnFlags_WidthFixed, 190);
    ImGui::TableSetupColumn("what it shows", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableHeadersRow();
    if (v.catalogue) {
      for (const Entry& e : entries(*v.catalogue)) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        const bool current = e.name == v.session.lab().name;
        if (ImGui::Selectable(e.name.c_str(), current, ImGuiSelectableFlags_SpanAllColumns)) {
          cmd.load_lab(e.name);
          ui.show_picker = false;
        }
        record_item(rec, "picker:" + e.name);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(shown(e.title).c_str());
      }
    }
    ImGui::EndTable();
  }
  ImGui::Separator();
  if (ui.web) {
    if (ImGui::Button("Open a lab file or a capture from your disk...")) ui.pick_file_requested = true;
    ImGui::SameLine();
    ImGui::TextDisabled("or drop a .toml, .pcap or .pcapng file on the page");
  } else {
    ImGui::SetNextItemWidth(320);
    const bool enter = ImGui::InputTextWithHint("##pickpath", "path/to/lab.toml or capture.pcap", &ui.lab_path_input,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if ((ImGui::Button("Open file") || enter) && !ui.lab_path_input.empty()) {
      cmd.load_lab(ui.lab_path_input);
      ui.show_picker = false;
    }
  }
  ImGui::End();
}

void draw_exports(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const bool fork = !v.session.slot(v.session.active()).rules.empty();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(ui.web ? "Download:" : "Export to the working directory:");
  ImGui::SameLine();
  const bool capture = v.session.capture() != nullptr;
  if (capture) {  // a recording: its ladder as a picture; the rest is `tcplab import`'s (the Capture tab says how)
    if (ui.web) {
      ImGui::TextDisabled("nothing here for a capture: `tcplab import` on the desktop writes its trace and a lab");
      return;
    }
    for (const char* ext : {".svg", ".png"}) {
      ImGui::SameLine();
      const std::string what = std::string("ladder") + ext;
      if (ImGui::SmallButton(what.c_str())) cmd.export_file(what);
      record_item(rec, "export:" + what);
    }
    return;
  }
  if (ImGui::Button("trace (.jsonl)")) cmd.export_file("trace");
  record_item(rec, "export:trace");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("every event of the shown timeline, one JSON object per line");
  ImGui::SameLine();
  if (ImGui::Button("pcap")) cmd.export_file("pcap");
  record_item(rec, "export:pcap");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("every segment sent, for Wireshark, tshark or tcpdump -r");
  ImGui::SameLine();
  if (ImGui::Button(fork ? "lab (.toml) with this fork's faults" : "lab (.toml)")) cmd.export_file("lab");
  record_item(rec, "export:lab");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", fork ? "the lab file with the fault rules of this timeline added: run it with tcplab run"
                                 : "the lab file as loaded");
  if (ui.web) return;  // pictures of a panel: the desktop build (cairo draws the PNG)
  // Export panel as SVG/PNG: the picture `tcplab draw LAB --at T --what PANEL` gives, at the cursor.
  ImGui::SameLine();
  ImGui::TextUnformatted("  panel at the cursor:");
  for (const char* panel : {"ladder", "diagram", "endpoint"})
    for (const char* ext : {".svg", ".png"}) {
      ImGui::SameLine();
      const std::string what = std::string(panel) + ext;
      if (ImGui::SmallButton(what.c_str())) cmd.export_file(what);
      record_item(rec, "export:" + what);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("the %s at the cursor as %s, for slides: as tcplab draw --what %s draws it", panel,
                          ext[1] == 's' ? "SVG (vector, real text)" : "PNG", panel);
    }
}

}  // namespace tcplab::viz
