// One endpoint at the cursor: its state (large, coloured), the TCB variables of RFC 9293
// 3.3.1 with the congestion state, every running timer as a countdown, and its RFC 9293
// Figure 5 diagram with the edge just taken.
#include <algorithm>

#include <fmt/format.h>

#include "viz/rfc.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {

EndpointNow endpoint_now(const WorldView& v, std::uint32_t ep) {
  EndpointNow n;
  if (ep >= v.index.endpoints().size()) return n;
  const EndpointInfo& info = v.index.endpoints()[ep];
  if (ConnId c = v.session.conn_at_cursor(info.host, info.label); c != kNoConn) {
    n.conn = &v.world.stack(info.host).conn(c);
    n.state = n.conn->state();
    n.shown_ep = ep;
    return n;
  }
  if (info.listener_ep != kNone) {
    const EndpointInfo& li = v.index.endpoints()[info.listener_ep];
    if (ConnId c = v.session.conn_at_cursor(li.host, li.label); c != kNoConn) {
      n.conn = &v.world.stack(li.host).conn(c);
      n.via_listener = true;
      n.state = n.conn->state();
      n.shown_ep = info.listener_ep;
    }
  }
  return n;
}

namespace {

void field_name(TcbField f) {
  ImGui::TextUnformatted(tcb_name(f));
  ImGui::SameLine(0, 3);
  help_marker(tcb_help(f));
}

// A sequence number: relative (as tcpdump prints it) then absolute, dimmed.
void seq_value(std::uint32_t rel, std::uint32_t abs) {
  ImGui::Text("%u", rel);
  ImGui::SameLine();
  ImGui::PushFont(fonts().small);
  ImGui::TextDisabled("%u", abs);
  ImGui::PopFont();
}

std::string bytes_mss(std::uint32_t b, std::uint32_t mss) {
  if (b >= UINT32_MAX / 2) return fonts().unicode ? "∞" : "inf";
  if (mss == 0) return std::to_string(b);
  return fmt::format("{} ({:.1f} MSS)", b, static_cast<double>(b) / mss);
}

void tcb_table(const Connection& c, DrawRecord::Endpoint& r) {
  const Tcb& t = c.tcb();
  const bool synced = c.state() != State::Closed && c.state() != State::Listen;
  const std::uint32_t mss = t.snd_mss;
  auto rel = [](Seq32 v, Seq32 base) { return static_cast<std::uint32_t>(v.raw() - base.raw()); };
  r.tcb["ISS"] = std::to_string(t.iss.raw());
  r.tcb["IRS"] = std::to_string(t.irs.raw());
  r.tcb["SND.UNA"] = std::to_string(rel(t.snd_una, t.iss));
  r.tcb["SND.NXT"] = std::to_string(rel(t.snd_nxt, t.iss));
  r.tcb["RCV.NXT"] = std::to_string(rel(t.rcv_nxt, t.irs));
  r.tcb["SND.WND"] = std::to_string(t.snd_wnd);
  r.tcb["RCV.WND"] = std::to_string(t.rcv_wnd);
  r.tcb["cwnd"] = std::to_string(c.congestion().cwnd());
  r.tcb["send_buf"] = std::to_string(c.send_queue_bytes());
  r.tcb["recv_buf"] = std::to_string(c.readable_bytes());
  if (!ImGui::BeginTable("##tcb", 4, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) return;
  ImGui::TableSetupColumn("SEND", ImGuiTableColumnFlags_WidthStretch, 0.9F);
  ImGui::TableSetupColumn("##sv", ImGuiTableColumnFlags_WidthStretch, 1.2F);
  ImGui::TableSetupColumn("RECEIVE", ImGuiTableColumnFlags_WidthStretch, 0.9F);
  ImGui::TableSetupColumn("##rv", ImGuiTableColumnFlags_WidthStretch, 1.2F);
  ImGui::TableHeadersRow();
  if (!synced) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  auto row = [](auto&& left, auto&& right) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    left(0);
    ImGui::TableNextColumn();
    left(1);
    ImGui::TableNextColumn();
    right(0);
    ImGui::TableNextColumn();
    right(1);
  };
  auto seq_cell = [&](TcbField f, Seq32 v, Seq32 base) {
    return [=](int col) { col == 0 ? field_name(f) : seq_value(static_cast<std::uint32_t>(v.raw() - base.raw()), v.raw()); };
  };
  auto text_cell = [](TcbField f, std::string s) {
    return [=](int col) {
      if (col == 0) field_name(f);
      else ImGui::TextUnformatted(s.c_str());
    };
  };
  auto iss_cell = [](TcbField f, Seq32 v) {
    return [=](int col) {
      if (col == 0) field_name(f);
      else ImGui::Text("%u", v.raw());
    };
  };
  const auto& rtt = c.rtt();
  row(iss_cell(TcbField::Iss, t.iss), iss_cell(TcbField::Irs, t.irs));
  row(seq_cell(TcbField::SndUna, t.snd_una, t.iss), seq_cell(TcbField::RcvNxt, t.rcv_nxt, t.irs));
  row(seq_cell(TcbField::SndNxt, t.snd_nxt, t.iss), text_cell(TcbField::RcvWnd, std::to_string(t.rcv_wnd)));
  row(text_cell(TcbField::SndWnd, std::to_string(t.snd_wnd)),
      text_cell(TcbField::RcvBuf, fmt::format("{} B", c.readable_bytes())));
  row(text_cell(TcbField::Cwnd, bytes_mss(c.congestion().cwnd(), mss)),
      text_cell(TcbField::Srtt, rtt.has_sample() ? short_duration(rtt.srtt()) : "-"));
  row(text_cell(TcbField::Ssthresh, bytes_mss(c.congestion().ssthresh(), mss)),
      text_cell(TcbField::Rto, short_duration(rtt.rto())));
  row(text_cell(TcbField::SndBuf, fmt::format("{} B", c.send_queue_bytes())), [](int) {});
  if (!synced) ImGui::PopStyleColor();
  ImGui::EndTable();
}

void timers(const WorldView& v, std::uint32_t ep, const Connection& c, DrawRecord::Endpoint& r) {
  bool any = false;
  for (int i = 0; i < kTimerKinds; ++i) {
    const auto kind = static_cast<TimerKind>(i);
    if (!c.timers().armed(kind)) continue;
    any = true;
    const Instant due = c.timers().at(kind);
    const Duration left = std::max<Duration>(0, due - v.now);
    Duration total = left;
    if (auto k = v.index.last_timer_set(ep, kind, v.cursor)) total = std::max<Duration>(1, due - v.index.trace()[*k].t_ns);
    const float frac = total > 0 ? static_cast<float>(static_cast<double>(left) / static_cast<double>(total)) : 0.0F;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(timer_color(kind)));
    ImGui::TextUnformatted(std::string(timer_name(kind)).c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine(0, 3);
    help_marker(timer_help(kind));
    ImGui::SameLine(104);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImGui::ColorConvertU32ToFloat4(timer_color(kind)));
    const std::string overlay = short_duration(left) + " left, due " + short_time(due);
    ImGui::ProgressBar(std::clamp(frac, 0.0F, 1.0F), ImVec2(-1, 0), overlay.c_str());
    ImGui::PopStyleColor();
    const ImVec2 b0 = ImGui::GetItemRectMin(), b1 = ImGui::GetItemRectMax();
    const float s = ImGui::GetIO().DisplayFramebufferScale.x;
    r.timers.push_back({std::string(timer_name(kind)), due, std::clamp(frac, 0.0F, 1.0F), {b0.x * s, b0.y * s, b1.x * s, b1.y * s}});
  }
  if (!any) ImGui::TextDisabled("no timer running");
}

}  // namespace

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

  // The state, large and coloured.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = 40.0F;
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
  dl->AddText(big, bs, ImVec2(tp.x + 1, tp.y + 1), IM_COL32(0, 0, 0, 90), label.c_str());
  dl->AddText(big, bs, tp, now.conn ? IM_COL32_WHITE : kDim, label.c_str());
  // Since when, and the name netstat prints.
  std::string since;
  if (auto k = v.index.last_state_event(now.shown_ep == kNone ? ep : now.shown_ep, v.cursor))
    since = "since " + short_time(v.index.trace()[*k].t_ns);
  const std::string side = now.conn ? "netstat: " + std::string(linux_state_name(now.state)) : "";
  ImFont* sm = fonts().small;
  dl->AddText(sm, sm->FontSize, ImVec2(q.x - 8 - sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, since.c_str()).x, p.y + 5),
              IM_COL32(255, 255, 255, 215), since.c_str());
  dl->AddText(sm, sm->FontSize, ImVec2(q.x - 8 - sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, side.c_str()).x, p.y + h - 5 - sm->FontSize),
              IM_COL32(255, 255, 255, 170), side.c_str());
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
    ImGui::TextDisabled("%s", now.conn->passive() ? "passive open (accepted from a listener)" : "active open (connect)");
    tcb_table(*now.conn, r);
    ImGui::Spacing();
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
