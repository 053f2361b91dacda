// One endpoint at the cursor: its state (large, coloured), the TCB variables of RFC 9293
// 3.3.1 with the congestion state, every running timer as a countdown, and its RFC 9293
// Figure 5 diagram with the edge just taken.
#include <algorithm>
#include <array>
#include <optional>

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

// The TCB table's two name columns (SEND, RECEIVE), each as wide as its widest name.
constexpr std::array<TcbField, 7> kSendFields = {TcbField::Iss,  TcbField::SndUna,   TcbField::SndNxt, TcbField::SndWnd,
                                                 TcbField::Cwnd, TcbField::Ssthresh, TcbField::SndBuf};
constexpr std::array<TcbField, 6> kRecvFields = {TcbField::Irs,    TcbField::RcvNxt, TcbField::RcvWnd,
                                                 TcbField::RcvBuf, TcbField::Srtt,   TcbField::Rto};

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

std::string bytes_mss(std::uint32_t b, std::uint32_t mss) {
  if (b >= UINT32_MAX / 2) return fonts().unicode ? "∞" : "inf";
  if (mss == 0) return std::to_string(b);
  // Whole multiples without the ".0" (what a narrow panel at 1280x720 has room for).
  if (b % mss == 0) return fmt::format("{} ({} MSS)", b, b / mss);
  const double n = static_cast<double>(b) / mss;
  return n >= 10 ? fmt::format("{} ({:.0f} MSS)", b, n) : fmt::format("{} ({:.1f} MSS)", b, n);
}

// What is not known yet is shown as a dash, not as 0: the peer's numbers (IRS, RCV.NXT,
// SND.WND) before its SYN arrives; cwnd and ssthresh before there is anything to send to.
const char* kUnknown = "\u2013";

void tcb_table(const Connection& c, DrawRecord::Endpoint& r, bool compact, float scale) {
  const Tcb& t = c.tcb();
  const bool synced = c.state() != State::Closed && c.state() != State::Listen;
  // Our numbers exist once a SYN went out (a CLOSED TCB that was used keeps them, dimmed);
  // the peer's (IRS, RCV.NXT, its window) once its SYN came in.
  const bool ours = c.state() != State::Listen && (c.state() != State::Closed || t.snd_nxt != t.iss);
  const bool peer = ours && c.state() != State::SynSent && (c.state() != State::Closed || t.rcv_nxt != t.irs);
  const std::uint32_t mss = t.snd_mss;
  auto rel = [](Seq32 v, Seq32 base) { return static_cast<std::uint32_t>(v.raw() - base.raw()); };
  const std::string dash = fonts().unicode ? kUnknown : "-";
  const bool cc = ours && c.congestion().cwnd() > 0;
  r.tcb["ISS"] = ours ? std::to_string(t.iss.raw()) : dash;
  r.tcb["IRS"] = peer ? std::to_string(t.irs.raw()) : dash;
  r.tcb["SND.UNA"] = ours ? std::to_string(rel(t.snd_una, t.iss)) : dash;
  r.tcb["SND.NXT"] = ours ? std::to_string(rel(t.snd_nxt, t.iss)) : dash;
  r.tcb["RCV.NXT"] = peer ? std::to_string(rel(t.rcv_nxt, t.irs)) : dash;
  r.tcb["SND.WND"] = peer ? std::to_string(t.snd_wnd) : dash;
  r.tcb["RCV.WND"] = std::to_string(t.rcv_wnd);
  r.tcb["cwnd"] = cc ? std::to_string(c.congestion().cwnd()) : dash;
  r.tcb["send_buf"] = std::to_string(c.send_queue_bytes());
  r.tcb["recv_buf"] = std::to_string(c.readable_bytes());
  const float avail = ImGui::GetContentRegionAvail().x;
  const bool marker = avail >= 430.0F;
  // ISS and IRS are ten-digit numbers: in a panel too narrow for them in the table (1024x768,
  // a projector's zoom), they go on a line of their own above it, so no value is ever cut.
  const bool iss_in_table = avail >= tcb_width_for(ImGui::CalcTextSize("3654526670").x, true);
  if (!synced) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  if (!iss_in_table) {
    struct Pair {
      TcbField f;
      std::string v;
      bool known;
    };
    const std::array<Pair, 2> pairs = {{{TcbField::Iss, std::to_string(t.iss.raw()), ours}, {TcbField::Irs, std::to_string(t.irs.raw()), peer}}};
    const float sp = ImGui::GetStyle().ItemSpacing.x;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const Pair& p = pairs[i];
      const float w = ImGui::CalcTextSize(tcb_name(p.f)).x + sp + ImGui::CalcTextSize(p.known ? p.v.c_str() : dash.c_str()).x;
      if (i) {
        ImGui::SameLine(0, 2 * sp);
        if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();  // IRS under ISS when both do not fit
      }
      field_name(p.f, false);
      ImGui::SameLine();
      if (p.known) {
        value_text(p.v, tcb_name(p.f), r, scale);
      } else {
        ImGui::TextDisabled("%s", dash.c_str());
        note_value_rect(tcb_name(p.f), r, scale);
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
  // A cell pair: the name, then the value (or a dash when it is not known yet).
  auto cell = [&](TcbField f, std::string v, bool known = true, std::optional<std::uint32_t> abs = {}) {
    return [&r, f, v, known, abs, marker, dash, scale](int col) {
      if (col == 0) {
        field_name(f, marker);
      } else if (!known) {
        ImGui::TextDisabled("%s", dash.c_str());
        note_value_rect(tcb_name(f), r, scale);
      } else {
        value_text(v, tcb_name(f), r, scale, abs);
      }
    };
  };
  auto rel_s = [](Seq32 v, Seq32 base) { return std::to_string(static_cast<std::uint32_t>(v.raw() - base.raw())); };
  const auto& rtt = c.rtt();
  if (iss_in_table)
    row(cell(TcbField::Iss, std::to_string(t.iss.raw()), ours), cell(TcbField::Irs, std::to_string(t.irs.raw()), peer));
  row(cell(TcbField::SndUna, rel_s(t.snd_una, t.iss), ours, t.snd_una.raw()), cell(TcbField::RcvNxt, rel_s(t.rcv_nxt, t.irs), peer, t.rcv_nxt.raw()));
  row(cell(TcbField::SndNxt, rel_s(t.snd_nxt, t.iss), ours, t.snd_nxt.raw()), cell(TcbField::RcvWnd, std::to_string(t.rcv_wnd)));
  row(cell(TcbField::SndWnd, std::to_string(t.snd_wnd), peer), cell(TcbField::RcvBuf, fmt::format("{} B", c.readable_bytes())));
  row(cell(TcbField::Cwnd, bytes_mss(c.congestion().cwnd(), mss), cc),
      cell(TcbField::Srtt, rtt.has_sample() ? short_duration(rtt.srtt()) : dash));
  row(cell(TcbField::Ssthresh, bytes_mss(c.congestion().ssthresh(), mss), cc), cell(TcbField::Rto, short_duration(rtt.rto())));
  row(cell(TcbField::SndBuf, fmt::format("{} B", c.send_queue_bytes())), [](int) {});
  ImGui::EndTable();
  if (!synced) ImGui::PopStyleColor();
}

void timers(const WorldView& v, std::uint32_t ep, const Connection& c, DrawRecord::Endpoint& r) {
  bool any = false;
  for (int i = 0; i < kTimerKinds; ++i) {
    const auto kind = static_cast<TimerKind>(i);
    if (!c.timers().armed(kind)) continue;
    // Linux's one transmit timer: while a loss probe is pending it is what runs (the RTO,
    // behind it, restarts from the probe), so the panel shows the probe's row only.
    if (kind == TimerKind::Rto && c.timers().armed(TimerKind::LossProbe)) continue;
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
