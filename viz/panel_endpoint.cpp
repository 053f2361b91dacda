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
  if (v.session.capture()) {  // no stacks: the state is the last one the inference placed before the cursor
    EndpointNow n;
    n.inferred = true;
    n.shown_ep = ep;
    if (const auto k = v.index.last_state_event(ep, v.cursor)) n.state = v.index.trace()[*k].to;
    return n;
  }
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


// The state, large and coloured (filled when there is a TCB), with since when and a side note
// on the right in small type; the state's explanation on hover.
struct StateBadge {
  State state = State::Closed;
  bool filled = false;
  std::string label, since, side, side_short;  // side_short: when side does not fit
};

void state_badge(const StateBadge& b, bool compact, DrawRecord::Endpoint& r, float scale) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = compact ? 34.0F : 40.0F;
  const ImVec2 q(p.x + w, p.y + h);
  if (b.filled) {
    dl->AddRectFilled(p, q, state_color(b.state), 6.0F);
    dl->AddRect(p, q, IM_COL32(255, 255, 255, 60), 6.0F);
  } else {
    dl->AddRect(p, q, state_color(State::Closed), 6.0F, 0, 2.0F);
  }
  ImFont* big = fonts().big;
  const float bs = big->FontSize;
  const ImVec2 ts = big->CalcTextSizeA(bs, FLT_MAX, 0, b.label.c_str());
  const ImVec2 tp(p.x + 12.0F, p.y + (h - ts.y) * 0.5F);
  if (!b.filled || !state_text_dark(b.state)) dl->AddText(big, bs, ImVec2(tp.x + 1, tp.y + 1), IM_COL32(0, 0, 0, 90), b.label.c_str());
  dl->AddText(big, bs, tp, b.filled ? state_text_color(b.state) : kDim, b.label.c_str());
  ImFont* sm = fonts().small;
  auto small_w = [&](const std::string& t) { return sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, t.c_str()).x; };
  // The small lines never run into the state's name: shorter, or left out, when the panel is narrow.
  const float room = q.x - 8 - (tp.x + ts.x + 10);
  std::string side = b.side, since = b.since;
  if (small_w(side) > room) side = b.side_short;
  if (small_w(side) > room) side.clear();
  if (small_w(since) > room) since.clear();
  dl->AddText(sm, sm->FontSize, ImVec2(q.x - 8 - small_w(since), p.y + 5),
              b.filled ? state_text_color(b.state, 215) : IM_COL32(255, 255, 255, 215), since.c_str());
  dl->AddText(sm, sm->FontSize, ImVec2(q.x - 8 - small_w(side), p.y + h - 5 - sm->FontSize),
              b.filled ? state_text_color(b.state, 170) : IM_COL32(255, 255, 255, 170), side.c_str());
  ImGui::InvisibleButton("##badge", ImVec2(w, h));
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0F);
    ImGui::TextUnformatted(state_help(b.state));
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  r.badge = {p.x * scale, p.y * scale, q.x * scale, q.y * scale};
}

// A capture's side: the inferred state and the inference's TCB estimate after the last
// captured segment by the cursor's time, said to be inferred and how surely (near or far side).
void draw_inferred_side(const WorldView& v, std::uint32_t ep, const EndpointNow& now, DrawRecord::Endpoint& r, DrawRecord& rec) {
  const CaptureModel& m = *v.session.capture();
  const EndpointInfo& info = v.index.endpoints()[ep];
  const auto last = v.index.last_state_event(ep, v.cursor);
  const bool compact = ImGui::GetContentRegionAvail().y < 560.0F;
  r.state = last ? std::string(state_name(now.state)) : "none";
  StateBadge b;
  b.state = now.state;
  b.filled = last.has_value();
  b.label = last ? std::string(state_name(now.state)) : "not seen yet";
  if (last) b.since = "since " + short_time(v.index.trace()[*last].t_ns);
  b.side_short = last ? "netstat: " + std::string(linux_state_name(now.state)) : "";
  b.side = last ? "inferred; " + b.side_short : "";
  state_badge(b, compact, r, rec.scale);
  const CaptureTcbAt* t = m.tcb_at(info.host, info.label, v.now);
  // What the far side had sent by now reaches the capture one delay later: its estimate then.
  if (t && !t->side.near && t->delay > 0 && !m.capture_host.empty())
    t = m.tcb_at(info.host, info.label, v.now + t->delay);
  if (!t) {
    ImGui::TextWrapped("Nothing of this side captured yet.");
  } else {
    const capture::SideTcb& s = t->side;
    if (m.capture_host.empty())
      ImGui::TextWrapped("Inferred from a capture on the path: both sides from what they sent and answered.");
    else if (s.near)
      ImGui::TextWrapped("The capture host's side (%s): seen exactly, at the times its segments were captured.",
                         m.capture_host.c_str());
    else
      ImGui::TextWrapped("The far side, inferred from what it sent and answered; its changes placed one one-way delay "
                         "(%s) from the capture and only once they showed: less sure.",
                         t->delay >= 0 ? short_duration(t->delay).c_str() : "unknown");
    // Sequence numbers relative to the ISS / IRS, as the lab panel shows them; the window in bytes, scaled.
    auto rel = [](std::uint32_t x, const std::optional<std::uint32_t>& base) {
      return base ? std::to_string(x - *base) : std::to_string(x);
    };
    const std::optional<std::uint32_t> irs = t->peer_iss;
    const std::string dash = fonts().unicode ? "\u2013" : "-";
    const std::pair<const char*, std::string> cells[] = {
        {"SND.UNA", rel(s.snd_una, s.iss)},
        {"RCV.NXT", rel(s.rcv_nxt, irs)},
        {"SND.NXT", rel(s.snd_nxt, s.iss)},
        {"RCV.WND", std::to_string(s.wnd_bytes)},
        {"SND.WND", std::to_string(t->peer_wnd)},
        {"wscale", s.wscale >= 0 ? std::to_string(s.wscale) : dash},
        {"ISS", s.iss ? std::to_string(*s.iss) : dash},
        {"IRS", irs ? std::to_string(*irs) : dash},
    };
    if (ImGui::BeginTable("##inferred_tcb", 4, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
      for (std::size_t i = 0; i < std::size(cells); ++i) {
        if (i % 2 == 0) ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(cells[i].first);
        ImGui::TableNextColumn();
        value_text(cells[i].second, cells[i].first, r, rec.scale);
        r.tcb[cells[i].first] = cells[i].second;
      }
      ImGui::EndTable();
    }
    r.tcb["SRTT"] = s.rtt_samples ? short_duration(s.srtt) : dash;
    r.tcb["retransmits"] = std::to_string(s.retransmits);
    ImGui::TextDisabled("RTT: %s", s.rtt_samples ? fmt::format("SRTT {}, min {}, last {} ({} samples)", short_duration(s.srtt),
                                                               short_duration(s.rtt_min), short_duration(s.rtt_last), s.rtt_samples).c_str()
                                                 : "no sample");
    ImGui::TextDisabled("sent %llu segments, %llu bytes; %llu retransmitted, %llu dup ACKs",
                        static_cast<unsigned long long>(s.segments), static_cast<unsigned long long>(s.bytes),
                        static_cast<unsigned long long>(s.retransmits), static_cast<unsigned long long>(s.dup_acks));
    if (s.zero_windows || s.probes || s.keepalives || s.rsts)
      ImGui::TextDisabled("zero windows %llu, probes %llu, keepalives %llu, RSTs %llu", static_cast<unsigned long long>(s.zero_windows),
                          static_cast<unsigned long long>(s.probes), static_cast<unsigned long long>(s.keepalives),
                          static_cast<unsigned long long>(s.rsts));
  }
  if (!compact) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("Timers and cwnd are not on the wire: a capture cannot show them.");
    ImGui::PopStyleColor();
  }
  ImGui::Separator();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_diagram(v, ep, now, avail, rec);
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
  if (now.inferred) {
    draw_inferred_side(v, ep, now, r, rec);
    rec.endpoints.push_back(std::move(r));
    return;
  }

  // A short panel (1280x720, a projector's zoom) is laid out tighter: a slimmer badge, how the
  // connection was opened said in it rather than on a line of its own.
  const bool compact = ImGui::GetContentRegionAvail().y < 560.0F;
  StateBadge b;
  b.state = now.state;
  b.filled = now.conn != nullptr;
  b.label = now.conn ? std::string(state_name(now.state)) : gone ? "CLOSED (TCB gone)" : "no connection yet";
  if (auto k = v.index.last_state_event(now.shown_ep == kNone ? ep : now.shown_ep, v.cursor))
    b.since = "since " + short_time(v.index.trace()[*k].t_ns);
  const bool opened_here = compact && now.conn && !now.via_listener;
  b.side_short = now.conn ? "netstat: " + std::string(linux_state_name(now.state)) : "";
  b.side = opened_here ? std::string(now.conn->passive() ? "passive open, " : "active open, ") + b.side_short : b.side_short;
  state_badge(b, compact, r, rec.scale);

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
