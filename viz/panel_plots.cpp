// Plots for transfer labs, drawn with ImDrawList (Debian has no ImPlot): the time-sequence
// graph of Stevens / tcptrace (each data segment a vertical bar from SEQ to SEQ+LEN at the
// time it was sent, retransmissions orange, lost ones red; the ACKs that came back as a
// green step line) and the sender's cwnd, ssthresh and flight size over time.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

struct Axes {
  ImVec2 p0, p1;
  Instant t0, t1;
  double y0, y1;
  float x(Instant t) const {
    return p0.x + (p1.x - p0.x) * static_cast<float>(static_cast<double>(t - t0) / static_cast<double>(std::max<Instant>(1, t1 - t0)));
  }
  float y(double v) const { return p1.y - (p1.y - p0.y) * static_cast<float>((v - y0) / std::max(1e-9, y1 - y0)); }
};

std::string human_bytes(double b) {
  if (b >= 1e6) return fmt::format("{:.1f}M", b / 1e6);
  if (b >= 1e4) return fmt::format("{:.0f}k", b / 1e3);
  if (b < 10 && b != std::floor(b)) return fmt::format("{:.2g}", b);  // an RTT axis in ms: 0.046
  return fmt::format("{:.0f}", b);
}

Axes frame(ImDrawList* dl, ImVec2 o, ImVec2 size, Instant t0, Instant t1, double ymax, const char* title) {
  ImFont* sm = fonts().small;
  Axes a{ImVec2(o.x + 46, o.y + 20), ImVec2(o.x + size.x - 10, o.y + size.y - 18), t0, t1, 0, std::max(1.0, ymax * 1.05)};
  dl->AddText(ImVec2(o.x + 46, o.y), IM_COL32(225, 228, 235, 255), title);
  dl->AddRectFilled(a.p0, a.p1, IM_COL32(20, 22, 27, 255));
  dl->AddRect(a.p0, a.p1, IM_COL32(60, 65, 76, 255));
  for (int i = 0; i <= 4; ++i) {
    const double v = a.y1 * i / 4.0;
    dl->AddLine(ImVec2(a.p0.x, a.y(v)), ImVec2(a.p1.x, a.y(v)), IM_COL32(255, 255, 255, 14));
    const std::string l = human_bytes(v);
    dl->AddText(sm, sm->FontSize, ImVec2(o.x + 40 - sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, l.c_str()).x, a.y(v) - 7), kDim, l.c_str());
  }
  for (int i = 0; i <= 4; ++i) {
    const Instant t = t0 + (t1 - t0) * i / 4;
    const std::string l = short_time(t);
    const float w = sm->CalcTextSizeA(sm->FontSize, FLT_MAX, 0, l.c_str()).x;
    dl->AddText(sm, sm->FontSize, ImVec2(std::clamp(a.x(t) - w * 0.5F, a.p0.x, a.p1.x - w), a.p1.y + 2), kDim, l.c_str());
  }
  return a;
}

// A capture's RTT samples (ms) over time, as dots up to the cursor.
void rtt_plot(ImDrawList* dl, ImVec2 o, ImVec2 size, Instant t0, Instant t1, const std::vector<CwndSample>& series, Instant now) {
  double top = 0;
  for (const auto& s : series) top = std::max(top, static_cast<double>(s.rtt) / 1e6);
  const Axes a = frame(dl, o, size, t0, t1, std::max(top, 0.001), "RTT samples (ms), from the ACKs of its data");
  dl->PushClipRect(a.p0, a.p1, true);
  for (const auto& s : series) {
    if (s.t_ns > now) break;
    if (s.rtt > 0) dl->AddCircleFilled(ImVec2(a.x(s.t_ns), a.y(static_cast<double>(s.rtt) / 1e6)), 2.5F, IM_COL32(255, 206, 84, 230));
  }
  dl->PopClipRect();
}

}  // namespace

std::uint32_t plot_sender(const TraceIndex& ix, const std::vector<std::uint32_t>& followed) {
  std::uint32_t best = followed.empty() ? kNone : followed.front();
  std::uint64_t most = 0;
  for (auto ep : followed) {
    std::uint64_t bytes = 0;
    for (auto k : ix.endpoints()[ep].sends) bytes += ix.trace()[k].len;
    if (bytes > most) {
      most = bytes;
      best = ep;
    }
  }
  return best;
}

void draw_plots(const WorldView& v, UiState&, DrawRecord&) {
  const TraceIndex& ix = v.index;
  if (v.cwnd_ep == kNone) {
    ImGui::TextDisabled("Pick a connection (netstat tab) to plot it.");
    return;
  }
  const EndpointInfo& info = ix.endpoints()[v.cwnd_ep];
  const auto& tr = ix.trace();
  const auto& segs = ix.segments();
  struct Bar {
    Instant t;
    double lo, hi;
    bool retx, lost;
  };
  std::vector<Bar> bars;
  double top = 1;
  for (auto k : info.sends) {
    const std::uint32_t i = ix.seg_of_event(k);
    if (i == kNone) continue;
    const TraceEvent& e = tr[k];
    if (e.len == 0 && !e.seg.has(kFin)) continue;
    const SegInfo& s = segs[i];
    const double lo = s.rel_seq, hi = s.rel_seq + std::max<std::uint32_t>(1, e.len);
    bars.push_back({e.t_ns, lo, hi, e.retx, s.fate == SegFate::LostOnWay || s.fate == SegFate::DroppedOnArrival});
    top = std::max(top, hi);
  }
  struct AckPt {
    Instant t;
    double ack;
  };
  std::vector<AckPt> acks;
  if (info.peer != kNone)
    for (auto k : ix.endpoints()[info.peer].sends) {
      const std::uint32_t i = ix.seg_of_event(k);
      if (i == kNone || !segs[i].rel_ack || segs[i].fate != SegFate::Delivered) continue;
      if (tr[k].seg.has(kSyn)) continue;
      acks.push_back({tr[segs[i].fate_k].t_ns, static_cast<double>(*segs[i].rel_ack)});
    }
  std::sort(acks.begin(), acks.end(), [](const AckPt& a, const AckPt& b) { return a.t < b.t; });
  const std::string who = ix.host_names()[static_cast<std::size_t>(info.host)] + " " + info.label;
  if (bars.empty()) {
    ImGui::TextDisabled("%s sends no data: the plots are for transfer labs (pick another connection in the netstat tab).", who.c_str());
    return;
  }
  Instant t0 = bars.front().t, t1 = bars.back().t;
  for (const auto& a : acks)
    if (a.t <= t1 + (t1 - t0) / 10 + ms(1)) t1 = std::max(t1, a.t);
  t1 = std::max(t1, t0 + 1);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float w1 = avail.x * 0.55F;
  ImGui::Dummy(avail);
  // Stevens graph.
  {
    const Axes a = frame(dl, o, ImVec2(w1 - 8, avail.y), t0, t1, top, ("time-sequence: " + who).c_str());
    dl->PushClipRect(a.p0, a.p1, true);
    const std::size_t stride = std::max<std::size_t>(1, bars.size() / 4000);
    for (std::size_t i = 0; i < bars.size(); i += stride) {
      const Bar& b = bars[i];
      if (b.t > v.now) break;
      const ImU32 c = b.lost ? kLost : b.retx ? IM_COL32(255, 160, 60, 255) : IM_COL32(96, 170, 255, 255);
      const float x = a.x(b.t);
      dl->AddLine(ImVec2(x, a.y(b.lo)), ImVec2(x, std::min(a.y(b.lo) - 2, a.y(b.hi))), c, 2.0F);
      if (b.lost) dl->AddCircle(ImVec2(x, a.y(b.hi)), 3.0F, kLost);
    }
    std::vector<ImVec2> pts;
    for (const auto& p : acks) {
      if (p.t > v.now) break;
      const ImVec2 q(a.x(p.t), a.y(p.ack));
      if (!pts.empty()) pts.emplace_back(q.x, pts.back().y);
      pts.push_back(q);
    }
    if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), IM_COL32(90, 210, 120, 255), 0, 1.5F);
    const float xc = a.x(std::clamp<Instant>(v.now, t0, t1));
    dl->AddLine(ImVec2(xc, a.p0.y), ImVec2(xc, a.p1.y), kAccent, 1.2F);
    dl->PopClipRect();
    ImFont* sm = fonts().small;
    dl->AddText(sm, sm->FontSize, ImVec2(a.p0.x + 6, a.p0.y + 4), IM_COL32(96, 170, 255, 255), "data (SEQ..SEQ+LEN)");
    dl->AddText(sm, sm->FontSize, ImVec2(a.p0.x + 6, a.p0.y + 18), IM_COL32(255, 160, 60, 255), "retransmitted");
    dl->AddText(sm, sm->FontSize, ImVec2(a.p0.x + 6, a.p0.y + 32), IM_COL32(90, 210, 120, 255), "ACK received");
  }
  // cwnd.
  {
    const ImVec2 o2(o.x + w1, o.y);
    const auto* cw = v.cwnd;
    double ymax = 1;
    if (cw)
      for (const auto& s : *cw) {
        ymax = std::max<double>(ymax, std::max(s.cwnd, s.flight));
        if (s.ssthresh < UINT32_MAX / 2) ymax = std::max<double>(ymax, s.ssthresh);
      }
    ymax = std::min(ymax, 4.0 * top + 65536.0);
    // A capture has no cwnd: only the flight size its segments and ACKs imply, and under it the
    // RTT samples its ACKs gave.
    const bool inferred = v.session.capture() != nullptr;
    const float h2 = inferred ? avail.y * 0.55F : avail.y;
    if (inferred && cw) rtt_plot(dl, ImVec2(o2.x, o2.y + h2), ImVec2(avail.x - w1, avail.y - h2), t0, t1, *cw, v.now);
    const Axes a = frame(dl, o2, ImVec2(avail.x - w1, h2), t0, t1, ymax,
                         inferred ? "flight size (green), inferred: cwnd and ssthresh are not on the wire"
                                  : "cwnd (blue), ssthresh (grey), flight (green)");
    if (cw && !cw->empty()) {
      dl->PushClipRect(a.p0, a.p1, true);
      std::vector<ImVec2> c, f, st;
      for (const auto& s : *cw) {
        if (s.t_ns > v.now) break;
        const float x = a.x(s.t_ns);
        auto add = [&](std::vector<ImVec2>& pts, double y) {
          if (!pts.empty()) pts.emplace_back(x, pts.back().y);
          pts.emplace_back(x, a.y(y));
        };
        add(c, s.cwnd);
        add(f, s.flight);
        if (s.ssthresh < UINT32_MAX / 2) add(st, s.ssthresh);
      }
      if (st.size() > 1) dl->AddPolyline(st.data(), static_cast<int>(st.size()), IM_COL32(160, 166, 178, 200), 0, 1.2F);
      if (f.size() > 1) dl->AddPolyline(f.data(), static_cast<int>(f.size()), IM_COL32(90, 210, 120, 170), 0, 1.2F);
      if (c.size() > 1 && !inferred) dl->AddPolyline(c.data(), static_cast<int>(c.size()), IM_COL32(96, 170, 255, 255), 0, 2.0F);
      const float xc = a.x(std::clamp<Instant>(v.now, t0, t1));
      dl->AddLine(ImVec2(xc, a.p0.y), ImVec2(xc, a.p1.y), kAccent, 1.2F);
      dl->PopClipRect();
    }
  }
}

}  // namespace tcplab::viz
