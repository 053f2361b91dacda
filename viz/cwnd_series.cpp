#include "viz/cwnd_series.hpp"

namespace tcplab::viz {

std::vector<CwndSample> cwnd_series(const Timeline& tl, int host, const std::string& label, std::size_t max_samples) {
  std::vector<CwndSample> out;
  if (tl.size() == 0 || host < 0) return out;
  World w = tl.world_before(0);
  if (host >= static_cast<int>(w.hosts().size())) return out;
  ConnId cid = kNoConn;
  std::size_t scanned = 0;
  for (std::uint64_t s = 0; s < tl.steps() && w.step(); ++s) {
    const TcpHost& st = w.stack(host);
    for (; scanned < st.conn_count(); ++scanned)
      if (w.conn_label(host, static_cast<ConnId>(scanned)) == label) cid = static_cast<ConnId>(scanned);
    if (cid == kNoConn) continue;
    const Connection& c = st.conn(cid);
    const Tcb& t = c.tcb();
    CwndSample x{w.now(), c.cwnd(), c.ssthresh(),
                 static_cast<std::uint32_t>(std::max<std::int32_t>(0, t.snd_nxt - t.snd_una)), t.snd_wnd};
    if (!out.empty() && out.back().cwnd == x.cwnd && out.back().ssthresh == x.ssthresh &&
        out.back().flight == x.flight && out.back().snd_wnd == x.snd_wnd)
      continue;
    if (out.size() >= max_samples) break;
    out.push_back(x);
  }
  return out;
}

}  // namespace tcplab::viz
