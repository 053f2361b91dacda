// The frame: where each panel goes. Controls on top; the followed endpoints left and right
// of the ladder (so each ladder column sits next to its endpoint's panel); the tcpdump /
// netstat / plots / fork / lab tabs below. Tiles are fixed (no moving, no .ini file), so a
// screenshot of a given moment always looks the same.
#include <algorithm>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

constexpr ImGuiWindowFlags kTile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;

std::string endpoint_title(const WorldView& v, std::uint32_t ep) {
  const EndpointInfo& e = v.index.endpoints()[ep];
  // Before the connection exists, the panel shows the listening socket it will come from:
  // say so, rather than name a connection that is not there yet.
  if (const EndpointNow now = endpoint_now(v, ep); now.via_listener && now.conn)
    return v.index.host_names()[static_cast<std::size_t>(e.host)] + "   listening on " + endpoint_to_string(now.conn->local());
  std::string label = e.label;
  if (auto gt = label.find('>'); gt != std::string::npos)
    label = label.substr(0, gt) + (fonts().unicode ? "  ⇄  " : "  <->  ") + label.substr(gt + 1);
  return v.index.host_names()[static_cast<std::size_t>(e.host)] + "   " + label;
}

void endpoint_tile(const WorldView& v, const char* id, ImVec2 pos, ImVec2 size, const std::vector<std::uint32_t>& eps,
                   DrawRecord& rec) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  const std::string title = (eps.size() == 1 ? endpoint_title(v, eps[0]) : std::string("connections")) + "###" + id;
  // Several endpoints share the tile as tabs, which name them: no title bar above the tabs.
  if (ImGui::Begin(title.c_str(), nullptr, kTile | (eps.size() > 1 ? ImGuiWindowFlags_NoTitleBar : 0))) {
    if (eps.size() == 1) {
      draw_endpoint(v, eps[0], rec);
      rec.endpoints.back().title = title.substr(0, title.find("###"));
    } else if (ImGui::BeginTabBar("##eps")) {
      for (auto ep : eps) {
        // Host and local port ("client :39870"): short enough for two tabs in a narrow tile;
        // the whole connection on hover.
        const EndpointInfo& e = v.index.endpoints()[ep];
        const std::string local = e.label.substr(0, e.label.find('>'));
        const std::string tab = v.index.host_names()[static_cast<std::size_t>(e.host)] + " :" + local.substr(local.rfind(':') + 1) +
                                "##" + std::to_string(ep);
        const bool open = ImGui::BeginTabItem(tab.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", endpoint_title(v, ep).c_str());
        if (open) {
          draw_endpoint(v, ep, rec);
          ImGui::EndTabItem();
        }
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
}

const char* tab_name(Tab t) {
  switch (t) {
    case Tab::Text: return "text";
    case Tab::Netstat: return "netstat";
    case Tab::Plots: return "plots";
    case Tab::Fork: return "fork";
    case Tab::Lab: return "lab";
    case Tab::Congestion: return "congestion";
    case Tab::Observer: return "observer";
  }
  return "";
}

}  // namespace

// A capture's summary where a lab's text would be: where it was taken, what the reader
// noted, and its connections (the numbers `tcplab import --to-lab --conn N` takes).
void draw_capture_info(const CaptureModel& m) {
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kAccent), "capture %s", m.name.c_str());
  ImGui::TextDisabled("%s   %llu frames, %llu TCP segments; times from the first frame", m.path.c_str(),
                      static_cast<unsigned long long>(m.frames), static_cast<unsigned long long>(m.segments));
  ImGui::PushTextWrapPos(0);
  for (const auto& n : m.notes) ImGui::TextUnformatted(n.c_str());
  if (m.tcb_truncated) ImGui::TextUnformatted("note: TCB estimates are kept for the first segments only (a long capture)");
  ImGui::Spacing();
  for (const capture::ConnInfo& c : m.conns)
    ImGui::BulletText("%llu  %s  %s .. %s%s%s", static_cast<unsigned long long>(c.number), c.label.c_str(),
                      short_time(std::max<Instant>(0, c.first - m.origin)).c_str(),
                      short_time(std::max<Instant>(0, c.last - m.origin)).c_str(), c.midstream ? "  (open before the capture began)" : "",
                      c.delay >= 0 ? ("  one-way delay " + short_duration(c.delay)).c_str() : "");
  ImGui::Spacing();
  ImGui::TextDisabled("A lab that replays connection N: tcplab import %s --to-lab %s.toml --conn N", m.path.c_str(), m.name.c_str());
  ImGui::PopTextWrapPos();
}

void draw_lab_info(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  const Lab& lab = v.session.lab();
  ImGui::BeginChild("##labinfo", ImVec2(0, 0), false);
  draw_exports(v, ui, cmd, rec);
  if (const CaptureModel* m = v.session.capture()) {
    draw_capture_info(*m);
    ImGui::EndChild();
    return;
  }
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kAccent), "%s", lab.title.c_str());
  ImGui::TextDisabled("%s   seed %llu   runs until %s", lab.path.c_str(), static_cast<unsigned long long>(lab.seed),
                      short_time(lab.until).c_str());
  ImGui::PushTextWrapPos(0);
  if (!lab.goal.empty()) ImGui::TextUnformatted(lab.goal.c_str());
  ImGui::Spacing();
  for (const auto& f : lab.faults) ImGui::BulletText("fault: %s", f.text.c_str());
  const auto& checks = v.session.slot(v.session.active()).checks;
  for (const auto& c : checks)
    ImGui::TextColored(c.pass ? ImVec4(0.45F, 0.9F, 0.5F, 1.0F) : ImVec4(1.0F, 0.5F, 0.45F, 1.0F), "%s  %s", c.pass ? "PASS" : "FAIL",
                       c.name.c_str());
  if (!lab.explanation.empty()) {
    ImGui::Spacing();
    ImGui::TextUnformatted(lab.explanation.c_str());
  }
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
}

void draw_help(UiState& ui) {
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5F, ImGui::GetIO().DisplaySize.y * 0.42F), ImGuiCond_Always,
                          ImVec2(0.5F, 0.5F));
  if (ImGui::Begin("Keyboard shortcuts###help", &ui.show_help, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
    const char* rows[][2] = {
        {"Right  or  .", "step one event (one world step that shows something)"},
        {"Left  or  ,", "step back"},
        {"Shift+Right  or  N", "to the next state change of the followed connections"},
        {"Shift+Left  or  P", "to the previous state change"},
        {"Space", "play / pause"},
        {"+  /  -", "faster / slower (virtual time per real second)"},
        {"Home  or  R", "restart (back to the start)"},
        {"End", "run to the end"},
        {"click a row", "move the cursor to that step (ladder and tcpdump panes)"},
        {"click an arrow", "drop / delay / duplicate that segment in a fork"},
        {"D  U  Y", "drop / duplicate / delay the picked segment"},
        {"Q", "predict-then-step on / off"},
        {"G", "show the future faintly"},
        {"C", "congestion pane: predict-then-reveal on / off"},
        {"click a loss / drop mark", "congestion pane: go to that step, the lost segment selected"},
        {"L", "ladder labels on / off"},
        {"F", "follow the cursor in the ladder and text on / off"},
        {"1 .. 7", "tabs: tcpdump, netstat, plots, fork, lab, congestion, observer (Wireshark vs the truth)"},
        {"Ctrl+S", "the fork tab (save the fork as a lab)"},
        {"F12", "save this frame as tcplab-viz-LAB-N.png"},
        {"F1  or  H", "this help"},
    };
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg)) {
      for (const auto& r : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kAccent), "%s", r[0]);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r[1]);
      }
      ImGui::EndTable();
    }
  }
  ImGui::End();
}

void draw_frame(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec) {
  if (ui.predict) ui.show_future = false;
  handle_shortcuts(v, ui, cmd);
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float ctrl_h = controls_height(v, ui, ds.x);
  // The tabs below get a quarter of a tall window, less of a short one (1280x720, a
  // projector's zoom), where the endpoint panels need the height for TCB, diagram and why.
  // The congestion pane's stacked plots need height: it takes half the window, the ladder and
  // the endpoint panels (laid out tighter) the rest.
  const float bottom_h = ui.tab == Tab::Congestion ? std::clamp(ds.y * 0.5F, 190.0F, std::max(190.0F, ds.y - ctrl_h - 300.0F))
                         : ds.y >= 900.0F        ? std::clamp(ds.y * 0.25F, 190.0F, 320.0F)
                                                 : std::clamp(ds.y * 0.16F, ds.y < 560.0F ? 80.0F : 96.0F, 190.0F);
  // Endpoint panels want 380 px for the TCB table, but on a projector's 1024 px the ladder
  // (what the class looks at) must keep well over a third of the width. Panels give way by
  // priority: never narrower than their TCB values need (endpoint_min_width); when two that
  // wide would leave the ladder less than a third, the endpoints share one panel, as tabs
  // (1024x768 at zoom 1.5).
  const auto& f = v.followed;
  const float side_w = std::max(std::clamp(ds.x * 0.27F, std::min(380.0F, ds.x * 0.31F), 480.0F), endpoint_min_width());
  const bool shared = f.size() > 1 && ds.x - 2 * side_w < ds.x * 0.33F;
  const float mid_y = ctrl_h, mid_h = ds.y - ctrl_h - bottom_h;

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(ds.x, ctrl_h));
  if (ImGui::Begin("##controls", nullptr, kTile | ImGuiWindowFlags_NoTitleBar)) draw_controls(v, ui, cmd, rec);
  ImGui::End();

  // Endpoints beside the ladder: the first on the left, the others (tabs if several) on the right.
  float lx = 0, lw = ds.x;
  if (!f.empty()) {
    endpoint_tile(v, "ep_left", ImVec2(0, mid_y), ImVec2(side_w, mid_h), shared ? f : std::vector<std::uint32_t>{f[0]}, rec);
    lx = side_w;
    lw -= side_w;
  }
  if (f.size() > 1 && !shared) {
    endpoint_tile(v, "ep_right", ImVec2(ds.x - side_w, mid_y), ImVec2(side_w, mid_h), {f.begin() + 1, f.end()}, rec);
    lw -= side_w;
  }
  ImGui::SetNextWindowPos(ImVec2(lx, mid_y));
  ImGui::SetNextWindowSize(ImVec2(lw, mid_h));
  const std::string ladder_title = std::string("Sequence ladder") + (v.session.has_fork() ? (v.session.active() ? "  (fork)" : "  (original)") : "") +
                                   "###ladder";
  if (ImGui::Begin(ladder_title.c_str(), nullptr, kTile)) draw_ladder(v, ui, cmd, rec);
  ImGui::End();

  if (ui.predict) {
    ImGui::SetNextWindowPos(ImVec2(lx + 12, mid_y + mid_h - 12), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowSizeConstraints(ImVec2(lw - 24, 0), ImVec2(lw - 24, mid_h * 0.6F));
    ImGui::SetNextWindowBgAlpha(0.96F);
    if (ImGui::Begin("##predict", nullptr,
                     ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove |
                         ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing))
      draw_predict(v, ui, cmd, rec);
    ImGui::End();
  }

  ImGui::SetNextWindowPos(ImVec2(0, ds.y - bottom_h));
  ImGui::SetNextWindowSize(ImVec2(ds.x, bottom_h));
  if (ImGui::Begin("##bottom", nullptr, kTile | ImGuiWindowFlags_NoTitleBar)) {
    if (ImGui::BeginTabBar("##tabs")) {
      auto tab = [&](Tab t, const char* label, auto&& body) {
        const ImGuiTabItemFlags fl = ui.tab_requested && ui.tab == t ? ImGuiTabItemFlags_SetSelected : 0;
        if (ImGui::BeginTabItem(label, nullptr, fl)) {
          if (!ui.tab_requested) ui.tab = t;
          else if (ui.tab == t) ui.tab_requested = false;  // the requested tab is open now
          rec.tab = tab_name(t);
          body();
          ImGui::EndTabItem();
        }
      };
      tab(Tab::Text, "tcpdump", [&] { draw_text(v, ui, cmd, rec); });
      tab(Tab::Netstat, "netstat", [&] { draw_netstat(v, ui, cmd, rec); });
      tab(Tab::Plots, "plots", [&] { draw_plots(v, ui, rec); });
      tab(Tab::Fork, v.session.has_fork() ? "fork / compare *###fork" : "fork / compare###fork", [&] { draw_fork(v, ui, cmd); });
      tab(Tab::Lab, v.session.capture() ? "capture###lab" : "lab###lab", [&] { draw_lab_info(v, ui, cmd, rec); });
      tab(Tab::Congestion, "congestion", [&] { draw_congestion(v, ui, cmd, rec); });
      tab(Tab::Observer, "observer", [&] { draw_observer(v, ui, cmd, rec); });
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
  if (ui.show_help) draw_help(ui);
  if (ui.show_picker) draw_lab_picker(v, ui, cmd, rec);
}

}  // namespace tcplab::viz
