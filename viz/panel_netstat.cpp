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

std::string timer_column(const Connection& c, Instant now) {
  // Linux netstat -o style: on / timewait / keepalive / off, with the time left.
  const Timers& t = c.timers();
  auto left = [&](TimerKind k) { return fmt::format("{:.2f}", static_cast<double>(std::max<Duration>(0, t.at(k) - now)) / 1e9); };
  if (t.armed(TimerKind::TimeWait)) return "timewait (" + left(TimerKind::TimeWait) + ")";
  // Linux's one transmit timer: a pending loss probe shows as "on" with the PTO left.
  if (t.armed(TimerKind::LossProbe)) return "on (" + left(TimerKind::LossProbe) + ")";
  if (t.armed(TimerKind::Reorder)) return "on (" + left(TimerKind::Reorder) + ")";
  if (t.armed(TimerKind::Rto)) return "on (" + left(TimerKind::Rto) + ")";
  if (t.armed(TimerKind::Persist)) return "probe (" + left(TimerKind::Persist) + ")";
  if (t.armed(TimerKind::Keepalive)) return "keepalive (" + left(TimerKind::Keepalive) + ")";
  if (t.armed(TimerKind::FinWait2)) return "timewait (" + left(TimerKind::FinWait2) + ")";
  return "off";
}

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

}  // namespace

void draw_netstat(const WorldView& v, UiState& ui, Commands&, DrawRecord& rec) {
  const World& w = v.world;
  // The rows and their columns come from sim/views, as `tcplab netstat` prints them.
  const std::vector<SocketRow> list = socket_rows(w);
  rec.netstat_rows = static_cast<std::uint32_t>(list.size());
  const float avail_w = ImGui::GetContentRegionAvail().x;
  const float plot_w = std::min(520.0F, avail_w * 0.42F);
  ImGui::BeginChild("##netstat_list", ImVec2(avail_w - plot_w - 8, 0), false);
  ImGui::TextDisabled("netstat -nat at %s: %zu connection%s (CLOSED ones are not listed)", short_time(v.now).c_str(), list.size(),
                      list.size() == 1 ? "" : "s");
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
        const SocketRow& r = list[static_cast<std::size_t>(i)];
        const Connection& c = w.stack(r.host).conn(r.conn);
        const std::string label = w.conn_label(r.host, r.conn);
        const std::uint32_t ep = v.index.endpoint(r.host, label);
        const bool selected = std::find(v.followed.begin(), v.followed.end(), ep) != v.followed.end();
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(i);
        if (ImGui::Selectable(w.hosts()[static_cast<std::size_t>(r.host)].name.c_str(), selected,
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
        const std::string local = netstat_local(r), remote = netstat_remote(r);
        ImGui::TextUnformatted(local.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(remote.c_str());
        rec.netstat_drawn.push_back(fmt::format("{} {} {} {} {}", r.recv_q, r.send_q, local, remote, linux_state_name(r.state)));
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(state_color(c.state())), "%s",
                           std::string(linux_state_name(c.state())).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(timer_column(c, v.now).c_str());
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
