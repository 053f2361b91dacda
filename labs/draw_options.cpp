#include "labs/draw_options.hpp"

#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "sim/fault.hpp"

namespace tcplab::cli {

void add_picture_options(CLI::App& sub, PictureArgs& a) {
  auto* at = sub.add_option("--at", a.at, "the virtual time to show, e.g. 1.5s or 150ms (default: the end of the run)");
  auto* step = sub.add_option("--step", a.step, "show the run after its N-th step (the ladder's N-th row; 1 is the first)");
  at->excludes(step);
  sub.add_option("--host", a.host, "the endpoint of the diagram and endpoint pictures: a host's name, tag or address "
                                   "(default: the client, as the visualizer)");
  sub.add_option("--from", a.from, "the ladder's first row: the first at or after this time (default: the whole run when "
                                   "it fits, else rows around the moment shown)");
  sub.add_option("--to", a.to, "the ladder's last row: the last at or before this time");
}

Moment moment_of(const TraceIndex& ix, const Lab& lab, Instant end, const PictureArgs& a) {
  Moment m;
  if (!a.at.empty()) {
    const Instant at = duration_arg("--at", a.at);
    if (at > lab.until)
      throw BadInput("--at " + a.at + " is after the end of the lab at " + format_duration(lab.until) + " (its until)");
    return {ix.cursor_at_time(at), at, true};
  }
  if (a.step) {
    const auto& rows = ix.rows();
    if (*a.step == 0 || *a.step > rows.size())
      throw BadInput("--step " + std::to_string(*a.step) + ": the run has " + std::to_string(rows.size()) + " steps (1 to " +
                     std::to_string(rows.size()) + ")");
    const Group& g = rows[*a.step - 1];
    return {g.end, g.t_ns, true};
  }
  m.cursor = ix.size();
  m.now = end;
  return m;
}

std::uint32_t endpoint_of_host(const TraceIndex& ix, const World& w, const std::vector<std::uint32_t>& pair, const std::string& host) {
  if (host.empty()) {
    if (pair.empty()) throw BadInput("the lab's run has no connection to show");
    return pair.front();
  }
  const int h = w.host_index(host);
  if (h < 0) {
    std::string list;
    for (const auto& n : ix.host_names()) list += " " + n;
    throw BadInput("--host: the lab has no host '" + host + "' (hosts:" + list + ")");
  }
  for (std::uint32_t ep : pair)
    if (ix.endpoints()[ep].host == h) return ep;
  for (std::uint32_t ep = 0; ep < ix.endpoints().size(); ++ep)
    if (ix.endpoints()[ep].host == h && !ix.endpoints()[ep].listener && !ix.endpoints()[ep].state_events.empty()) return ep;
  throw BadInput("--host: " + host + " has no connection in this run");
}

std::string picture_title(const Lab& lab, const Moment& m) {
  return lab.name + " (seed " + std::to_string(lab.seed) + ")" + (m.given ? " at " + layout::short_time(m.now) : "");
}

PictureAt picture_at(const draw::Recorded& rec, const PictureArgs& a) {
  const TraceIndex& ix = *rec.index;
  const Moment m = moment_of(ix, rec.lab, rec.timeline->final_world().now(), a);
  PictureAt p;
  p.world = std::make_unique<World>(rec.world_at(m.cursor));
  draw::Scene& s = p.scene;
  s.index = &ix;
  s.world = p.world.get();
  s.cursor = m.cursor;
  s.now = m.now;
  s.followed = ix.default_pair();
  s.ep = endpoint_of_host(ix, *p.world, s.followed, a.host);
  s.title = picture_title(rec.lab, m);
  s.mark_cursor = m.given;
  if (!a.from.empty()) s.from = duration_arg("--from", a.from);
  if (!a.to.empty()) s.to = duration_arg("--to", a.to);
  if (s.from && s.to && *s.from > *s.to) throw BadInput("--from/--to: the window " + a.from + " to " + a.to + " is empty");
  if ((s.from || s.to) && draw::ladder_rows(s, 1).empty)
    throw BadInput("--from/--to: no step of the run is in that window");
  return p;
}

}  // namespace tcplab::cli
