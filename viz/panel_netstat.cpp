// Many connections: what `netstat -nat` would list at the cursor (click a row to give it
// the endpoint panels, ctrl-click to add it), and the number of connections in each state
// over the whole run as a small plot, with the cursor on it. For floods, pile-ups, scans.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/views.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

void counts_plot(const WorldView& v, ImVec2 size, DrawRecord& rec) {
  const TraceIndex& ix = v.index;
  const auto& cs = ix.state_counts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float legend_w = 150.0F;
  const ImVec2 p0(o.x + 34, o.y + 6), p1(o.x + size.x - legend_w, o.y + size.y - 18);
  ImGui::Dummy(size);
  dl->AddRectFilled(p0, p1, IM_COL32(20, 22, 27, 255));
  dl->AddRect(p0, p1, IM_COL32(60, 65, 76, 255));
  ImFont* sm = fonts().small;
  const StateCounts* now = ix.counts_at(v.cursor);
  if (cs.empty()) {
    dl->AddText(ImVec2(p0.x + 8, p0.y + 8), kDim, "no state changes");
    return;
  }
  const Instant t0 = cs.front().t_ns, t1 = std::max(cs.back().t_ns, t0 + 1);
  const float ymax = static_cast<float>(std::max<std::uint32_t>(1, ix.max_state_count()));
  auto X = [&](Instant t) { return p0.x + (p1.x - p0.x) * static_cast<float>(static_cast<double>(t - t0) / static_cast<double>(t1 - t0)); };
  auto Y = [&](float c) { return p1.y - (p1.y - p0.y - 4) * c / ymax; };
  // y grid
  for (int i = 0; i <= 4; ++i) {
    const float c = ymax * static_cast<float>(i) / 4.0F;
    dl->AddLine(ImVec2(p0.x, Y(c)), ImVec2(p1.x, Y(c)), IM_COL32(255, 255, 255, 14));
    const std::string l = fmt::format("{:.0f}", c);
    dl->AddText(sm, sm->FontSize, ImVec2(o.x + 2, Y(c) - sm->FontSize * 0.5F), kDim, l.c_str());
  }
  dl->AddText(sm, sm->FontSize, ImVec2(p0.x, p1.y + 2), kDim, short_time(t0).c_str());
  const std::string te = short_time(t1);
  dl->AddText(sm, sm->FontSize, ImVec2(p1.x - sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, te.c_str()).x, p1.y + 2), kDim, te.c_str());
  // One step line per state that ever had a connection; thinned to about one point per pixel.
  const std::size_t stride = std::max<std::size_t>(1, cs.size() / static_cast<std::size_t>(std::max(1.0F, p1.x - p0.x)));
  for (int s = 1; s < kStateCount; ++s) {
    bool any = false;
    for (std::size_t i = 0; i < cs.size() && !any; i += stride) any = cs[i].count[static_cast<std::size_t>(s)] > 0;
    if (!any) continue;
    std::vector<ImVec2> pts;
    for (std::size_t i = 0; i < cs.size(); i += stride) {
      const float y = Y(static_cast<float>(cs[i].count[static_cast<std::size_t>(s)]));
      const float x = X(cs[i].t_ns);
      if (!pts.empty()) pts.emplace_back(x, pts.back().y);
      pts.emplace_back(x, y);
    }
    pts.emplace_back(p1.x, pts.back().y);
    dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), state_color(static_cast<State>(s)), 0, 2.0F);
  }
  const float xc = X(std::clamp<Instant>(v.now, t0, t1));
  dl->AddLine(ImVec2(xc, p0.y), ImVec2(xc, p1.y), kAccent, 1.5F);
  // Legend with the counts at the cursor.
  float ly = o.y + 6;
  for (int s = 1; s < kStateCount; ++s) {
    const std::uint32_t n = now ? now->count[static_cast<std::size_t>(s)] : 0;
    if (n) rec.netstat_counts[std::string(linux_state_name(static_cast<State>(s)))] = n;
    dl->AddRectFilled(ImVec2(p1.x + 10, ly + 3), ImVec2(p1.x + 20, ly + 13), state_color(static_cast<State>(s)), 2.0F);
    const std::string l = fmt::format("{:<11} {}", linux_state_name(static_cast<State>(s)), n);
    dl->AddText(sm, sm->FontSize, ImVec2(p1.x + 25, ly + 1), n ? IM_COL32(225, 228, 235, 255) : kDim, l.c_str());
    ly += sm->FontSize + 2.5F;
  }
}

// A row as the table draws it.
struct NetRow {
  int host = -1;
  std::string label;  // the connection's, to follow it ("" for a listener)
  std::uint32_t recv_q = 0, send_q = 0;
  std::string local, remote, timer;
  State state = State::Closed;
};

// The rows and their columns come from sim/views, as `tcplab netstat` prints them; for a
// capture, from the sockets its trace implies (as `tcplab netstat CAPTURE --at T`).
std::vector<NetRow> net_rows(const WorldView& v) {
  std::vector<NetRow> out;
  if (const CaptureModel* m = v.session.capture()) {
    for (const CaptureSocketRow& c : v.session.capture_sockets()) {
      const SocketRow& r = c.row;
      out.push_back({r.host, c.label, r.recv_q, r.send_q, r.listener ? netstat_local(r) : m->endpoint_text(r.local),
                     r.listener ? netstat_remote(r) : m->endpoint_text(r.remote), "", r.state});
    }
    return out;
  }
  const World& w = v.world;
  for (const SocketRow& r : socket_rows(w))
    out.push_back({r.host, w.conn_label(r.host, r.conn), r.recv_q, r.send_q, netstat_local(r), netstat_remote(r),
                   netstat_timer(socket_timer(w, r)), w.stack(r.host).conn(r.conn).state()});
  return out;
}

}  // namespace

void draw_netstat(const WorldView& v, UiState& ui, Commands&, DrawRecord& rec) {
  const std::vector<NetRow> list = net_rows(v);
  rec.netstat_rows = static_cast<std::uint32_t>(list.size());
  const float avail_w = ImGui::GetContentRegionAvail().x;
  const float plot_w = std::min(520.0F, avail_w * 0.42F);
  ImGui::BeginChild("##netstat_list", ImVec2(avail_w - plot_w - 8, 0), false);
  ImGui::TextDisabled("netstat -nat at %s: %zu connection%s (CLOSED ones are not listed)%s", short_time(v.now).c_str(), list.size(),
                      list.size() == 1 ? "" : "s", v.session.capture() ? "; inferred from the capture, Recv-Q unknown (0)" : "");
  const ImGuiTableFlags tf = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                             ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Resizable;
  if (ImGui::BeginTable("##netstat", 7, tf)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Host", 0, 0.7F);
    ImGui::TableSetupColumn("Recv-Q", 0, 0.5F);
    ImGui::TableSetupColumn("Send-Q", 0, 0.5F);
    ImGui::TableSetupColumn("Local Address", 0, 1.3F);
    ImGui::TableSetupColumn("Foreign Address", 0, 1.3F);
    ImGui::TableSetupColumn("State", 0, 1.0F);
    ImGui::TableSetupColumn("Timer", 0, 1.0F);
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(list.size()));
    while (clip.Step()) {
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
        const NetRow& r = list[static_cast<std::size_t>(i)];
        const std::string& label = r.label;
        const std::uint32_t ep = label.empty() ? kNone : v.index.endpoint(r.host, label);
        const bool selected = std::find(v.followed.begin(), v.followed.end(), ep) != v.followed.end();
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(i);
        if (ImGui::Selectable(v.index.host_names()[static_cast<std::size_t>(r.host)].c_str(), selected,
                              ImGuiSelectableFlags_SpanAllColumns) &&
            ep != kNone) {
          const EndpointKey key{r.host, label};
          if (ImGui::GetIO().KeyCtrl) {
            if (ui.selected.empty())
              for (auto f : v.followed) ui.selected.push_back({v.index.endpoints()[f].host, v.index.endpoints()[f].label});
            if (std::find(ui.selected.begin(), ui.selected.end(), key) == ui.selected.end()) ui.selected.push_back(key);
          } else {
            ui.selected = {key};
            const std::uint32_t peer = v.index.endpoints()[ep].peer;
            if (peer != kNone) ui.selected.push_back({v.index.endpoints()[peer].host, v.index.endpoints()[peer].label});
          }
        }
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::Text("%u", r.recv_q);
        ImGui::TableNextColumn();
        ImGui::Text("%u", r.send_q);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.local.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.remote.c_str());
        rec.netstat_drawn.push_back(fmt::format("{} {} {} {} {}", r.recv_q, r.send_q, r.local, r.remote, linux_state_name(r.state)));
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(state_color(r.state)), "%s", std::string(linux_state_name(r.state)).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.timer.c_str());
      }
    }
    ImGui::EndTable();
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##netstat_plot", ImVec2(0, 0), false);
  ImGui::TextDisabled("connections per state over the run");
  counts_plot(v, ImGui::GetContentRegionAvail(), rec);
  ImGui::EndChild();
}

}  // namespace tcplab::viz
