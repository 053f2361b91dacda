// One endpoint at the cursor: its state (large, coloured), the TCB variables of RFC 9293
// 3.3.1 with the congestion state, every running timer as a countdown, and its RFC 9293
// Figure 5 diagram with the edge just taken.
#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "labs/panel_layout.hpp"
#include "viz/rfc.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {

EndpointNow endpoint_now(const WorldView& v, std::uint32_t ep) {
  const layout::EndpointAt a = layout::endpoint_at(v.index, v.world, ep, [&](int host, const std::string& label) {
    return v.session.conn_at_cursor(host, label);
  });
  return {a.conn, a.via_listener, a.state, a.shown_ep};
}

namespace {

// A TCB field's name with its RFC words on hover: behind a "(?)" when the panel is wide, on
// the name itself when it is narrow (1280x720, a projector's zoom).
void field_name(TcbField f, bool marker) {
  ImGui::TextUnformatted(tcb_name(f));
  if (!marker) {
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0F);
      ImGui::TextUnformatted(tcb_help(f));
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
    return;
  }
  ImGui::SameLine(0, 3);
  help_marker(tcb_help(f));
}

// Where a TCB value was drawn (framebuffer pixels), for the tests: every one whole and on screen.
void note_value_rect(const char* field, DrawRecord::Endpoint& r, float scale) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  r.tcb_rects[field] = {a.x * scale, a.y * scale, b.x * scale, b.y * scale};
}

// A value in its cell; one wider than the cell is noted (the GUI tests look for none). A
// sequence number also shows its absolute value, dimmed, when there is room for it.
void value_text(std::string v, const char* field, DrawRecord::Endpoint& r, float scale, std::optional<std::uint32_t> abs = {}) {
  const float avail = ImGui::GetContentRegionAvail().x;
  float w = ImGui::CalcTextSize(v.c_str()).x;
  if (w > avail && v.find(" (") == std::string::npos) {  // a long number in a narrow panel: the small font
    ImFont* sm = fonts().small;
    ImGui::PushFont(sm);
    ImGui::TextUnformatted(v.c_str());
    ImGui::PopFont();
    note_value_rect(field, r, scale);
    if (sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, v.c_str()).x > avail + 0.5F) r.tcb_clipped.emplace_back(field);
    return;
  }
  if (const auto paren = v.find(" ("); w > avail && paren != std::string::npos) {  // "14480 (10 MSS)" -> "14480", the rest on hover
    const std::string full = v;
    v = v.substr(0, paren);
    w = ImGui::CalcTextSize(v.c_str()).x;
    ImGui::TextUnformatted(v.c_str());
    note_value_rect(field, r, scale);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", full.c_str());
    if (w > avail + 0.5F) r.tcb_clipped.emplace_back(field);
    return;
  }
  ImGui::TextUnformatted(v.c_str());
  note_value_rect(field, r, scale);
  if (w > avail + 0.5F) r.tcb_clipped.emplace_back(field);
  if (!abs) return;
  const std::string a = std::to_string(*abs);
  ImFont* sm = fonts().small;
  if (w + ImGui::GetStyle().ItemSpacing.x + sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, a.c_str()).x > avail) return;
  ImGui::SameLine();
  ImGui::PushFont(sm);
  ImGui::TextDisabled("%s", a.c_str());
  ImGui::PopFont();
}

using layout::kRecvFields;
using layout::kSendFields;

// The content width a four-column TCB table needs for value columns `value_w` wide, with
// or without the ISS / IRS row (whose ten-digit numbers are the widest values).
float tcb_width_for(float value_w, bool with_iss) {
  float send = 0, recv = 0;
  for (TcbField f : kSendFields)
    if (with_iss || f != TcbField::Iss) send = std::max(send, ImGui::CalcTextSize(tcb_name(f)).x);
  for (TcbField f : kRecvFields)
    if (with_iss || f != TcbField::Irs) recv = std::max(recv, ImGui::CalcTextSize(tcb_name(f)).x);
  return send + recv + 2 * value_w + 8 * ImGui::GetStyle().CellPadding.x + 3.0F;
}

// What is not known yet is shown as a dash, not as 0 (the model, labs/panel_layout.hpp, says
// which values are known).
void tcb_table(const Connection& c, DrawRecord::Endpoint& r, bool compact, float scale) {
  const layout::TcbTable table = layout::tcb_table(c, fonts().unicode);
  const bool synced = table.synced;
  const std::string dash = fonts().unicode ? "\u2013" : "-";
  for (const auto& [send, recv] : table.rows)
    for (const layout::TcbCell* x : {&send, recv ? &*recv : nullptr})
      if (x) r.tcb[tcb_name(x->field)] = x->known ? x->value : dash;
  // The record keeps the plain numbers of what the panel shows with units.
  const bool cc = table.rows[4].first.known;
  r.tcb["cwnd"] = cc ? std::to_string(c.cwnd()) : dash;
  r.tcb["send_buf"] = std::to_string(c.send_queue_bytes());
  r.tcb["recv_buf"] = std::to_string(c.readable_bytes());
  for (const char* shown : {"ssthresh", "send buf", "recv buf", "SRTT", "RTO"}) r.tcb.erase(shown);
  const float avail = ImGui::GetContentRegionAvail().x;
  const bool marker = avail >= 430.0F;
  // ISS and IRS are ten-digit numbers: in a panel too narrow for them in the table (1024x768,
  // a projector's zoom), they go on a line of their own above it, so no value is ever cut.
  const bool iss_in_table = avail >= tcb_width_for(ImGui::CalcTextSize("3654526670").x, true);
  if (!synced) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  if (!iss_in_table) {
    const std::array<layout::TcbCell, 2> pairs = {table.rows[0].first, *table.rows[0].second};
    const float sp = ImGui::GetStyle().ItemSpacing.x;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const layout::TcbCell& p = pairs[i];
      const float w = ImGui::CalcTextSize(tcb_name(p.field)).x + sp + ImGui::CalcTextSize(p.known ? p.value.c_str() : dash.c_str()).x;
      if (i) {
        ImGui::SameLine(0, 2 * sp);
        if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();  // IRS under ISS when both do not fit
      }
      field_name(p.field, false);
      ImGui::SameLine();
      if (p.known) {
        value_text(p.value, tcb_name(p.field), r, scale);
      } else {
        ImGui::TextDisabled("%s", dash.c_str());
        note_value_rect(tcb_name(p.field), r, scale);
      }
    }
  }
  if (!ImGui::BeginTable("##tcb", 4, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    if (!synced) ImGui::PopStyleColor();
    return;
  }
  ImGui::TableSetupColumn("SEND", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("##sv", ImGuiTableColumnFlags_WidthStretch, 1.0F);
  ImGui::TableSetupColumn("RECEIVE", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("##rv", ImGuiTableColumnFlags_WidthStretch, 1.0F);
  if (!compact) ImGui::TableHeadersRow();
  // A cell pair: the name, then the value (or a dash when it is not known yet).
  auto cell = [&](const layout::TcbCell* x) {
    ImGui::TableNextColumn();
    if (x) field_name(x->field, marker);
    ImGui::TableNextColumn();
    if (!x) return;
    if (!x->known) {
      ImGui::TextDisabled("%s", dash.c_str());
      note_value_rect(tcb_name(x->field), r, scale);
    } else {
      value_text(x->value, tcb_name(x->field), r, scale, x->abs);
    }
  };
  for (std::size_t i = iss_in_table ? 0 : 1; i < table.rows.size(); ++i) {
    ImGui::TableNextRow();
    cell(&table.rows[i].first);
    cell(table.rows[i].second ? &*table.rows[i].second : nullptr);
  }
  ImGui::EndTable();
  if (!synced) ImGui::PopStyleColor();
}

void timers(const WorldView& v, std::uint32_t ep, const Connection& c, DrawRecord::Endpoint& r) {
  const auto rows = layout::timer_rows(v.index, ep, c, v.cursor, v.now);
  for (const layout::TimerRow& t : rows) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(timer_color(t.kind)));
    ImGui::TextUnformatted(std::string(timer_name(t.kind)).c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine(0, 3);
    help_marker(timer_help(t.kind));
    ImGui::SameLine(104);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImGui::ColorConvertU32ToFloat4(timer_color(t.kind)));
    const std::string overlay = short_duration(t.left) + " left, due " + short_time(t.due);
    ImGui::ProgressBar(t.left_fraction, ImVec2(-1, 0), overlay.c_str());
    ImGui::PopStyleColor();
    const ImVec2 b0 = ImGui::GetItemRectMin(), b1 = ImGui::GetItemRectMax();
    const float s = ImGui::GetIO().DisplayFramebufferScale.x;
    r.timers.push_back({std::string(timer_name(t.kind)), t.due, t.left_fraction, {b0.x * s, b0.y * s, b1.x * s, b1.y * s}});
  }
  if (rows.empty()) ImGui::TextDisabled("no timer running");
}

}  // namespace

float endpoint_min_width() {
  // Values up to seven digits ("1048576", "101.3 ms") beside their names, ISS / IRS above.
  const ImGuiStyle& st = ImGui::GetStyle();
  return tcb_width_for(ImGui::CalcTextSize("1234567").x, false) + 2 * st.WindowPadding.x + st.ScrollbarSize;
}

void draw_endpoint(const WorldView& v, std::uint32_t ep, DrawRecord& rec) {
  const EndpointInfo& info = v.index.endpoints()[ep];
  const EndpointNow now = endpoint_now(v, ep);
  // No TCB at the cursor but a history before it: the TCB is gone (its host crashed and
  // lost every connection), which is not the same as "not created yet".
  const auto last = v.index.last_state_event(ep, v.cursor);
  const bool gone = !now.conn && last.has_value();
  DrawRecord::Endpoint r;
  r.host = v.index.host_names()[static_cast<std::size_t>(info.host)];
  r.conn = info.label;
  r.state = now.conn ? std::string(state_name(now.state)) : gone ? "gone" : "none";
  {
    const ImVec2 c0 = ImGui::GetWindowDrawList()->GetClipRectMin(), c1 = ImGui::GetWindowDrawList()->GetClipRectMax();
    r.window = {c0.x * rec.scale, c0.y * rec.scale, c1.x * rec.scale, c1.y * rec.scale};
  }

  // The state, large and coloured.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  // A short panel (1280x720, a projector's zoom) is laid out tighter: a slimmer badge, how the
  // connection was opened said in it rather than on a line of its own.
  const bool compact = ImGui::GetContentRegionAvail().y < 560.0F;
  const float h = compact ? 34.0F : 40.0F;
  const ImVec2 q(p.x + w, p.y + h);
  if (now.conn) {
    dl->AddRectFilled(p, q, state_color(now.state), 6.0F);
    dl->AddRect(p, q, IM_COL32(255, 255, 255, 60), 6.0F);
  } else {
    dl->AddRect(p, q, state_color(State::Closed), 6.0F, 0, 2.0F);
  }
  const std::string label = now.conn ? std::string(state_name(now.state)) : gone ? "CLOSED (TCB gone)" : "no connection yet";
  ImFont* big = fonts().big;
  const float bs = big->FontSize;
  const ImVec2 ts = big->CalcTextSizeA(bs, FLT_MAX, 0, label.c_str());
  const ImVec2 tp(p.x + 12.0F, p.y + (h - ts.y) * 0.5F);
  if (!now.conn || !state_text_dark(now.state)) dl->AddText(big, bs, ImVec2(tp.x + 1, tp.y + 1), IM_COL32(0, 0, 0, 90), label.c_str());
  dl->AddText(big, bs, tp, now.conn ? state_text_color(now.state) : kDim, label.c_str());
  // Since when, and the name netstat prints.
  std::string since;
  if (auto k = v.index.last_state_event(now.shown_ep == kNone ? ep : now.shown_ep, v.cursor))
    since = "since " + short_time(v.index.trace()[*k].t_ns);
  const bool opened_here = compact && now.conn && !now.via_listener;
  ImFont* sm0 = fonts().small;
  auto small_w = [&](const std::string& t) { return sm0->CalcTextSizeA(sm0->FontSize, FLT_MAX, 0, t.c_str()).x; };
  const std::string netstat = now.conn ? "netstat: " + std::string(linux_state_name(now.state)) : "";
  std::string side = opened_here ? std::string(now.conn->passive() ? "passive open, " : "active open, ") + netstat : netstat;
  // The small lines never run into the state's name: shorter, or left out, when the panel is narrow.
  const float room = q.x - 8 - (tp.x + ts.x + 10);
  if (small_w(side) > room) side = netstat;
  if (small_w(side) > room) side.clear();
  if (small_w(since) > room) since.clear();
  ImFont* sm = fonts().small;
  dl->AddText(sm, sm->FontSize, ImVec2(q.x - 8 - sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, since.c_str()).x, p.y + 5),
              now.conn ? state_text_color(now.state, 215) : IM_COL32(255, 255, 255, 215), since.c_str());
  dl->AddText(sm, sm->FontSize, ImVec2(q.x - 8 - sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, side.c_str()).x, p.y + h - 5 - sm->FontSize),
              now.conn ? state_text_color(now.state, 170) : IM_COL32(255, 255, 255, 170), side.c_str());
  ImGui::InvisibleButton("##badge", ImVec2(w, h));
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0F);
    ImGui::TextUnformatted(state_help(now.state));
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  const float s = rec.scale;
  r.badge = {p.x * s, p.y * s, q.x * s, q.y * s};

  if (now.conn && !now.via_listener) {
    if (!compact) ImGui::TextDisabled("%s", now.conn->passive() ? "passive open (accepted from a listener)" : "active open (connect)");
    tcb_table(*now.conn, r, compact, rec.scale);
    if (!compact) ImGui::Spacing();
    timers(v, ep, *now.conn, r);
  } else if (now.conn) {
    const TcpHost& st = v.world.stack(info.host);
    const auto port = now.conn->local().port;
    const auto it = st.listeners().find(port);
    ImGui::TextWrapped("Listening on %s: the connection is created when a SYN arrives.",
                       endpoint_to_string(now.conn->local()).c_str());
    if (it != st.listeners().end())
      ImGui::TextDisabled("backlog %d, SYN queue %u, accept queue %zu", it->second.backlog, it->second.syn_queue,
                          it->second.accept_queue.size());
  } else if (gone) {
    ImGui::TextWrapped("No TCB any more: %s.", v.index.trace()[*last].cause.c_str());
  } else {
    ImGui::TextWrapped("No TCB yet: this connection is created later in the timeline.");
  }
  ImGui::Separator();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_diagram(v, ep, now, avail, rec);
  rec.endpoints.push_back(std::move(r));
}

}  // namespace tcplab::viz
