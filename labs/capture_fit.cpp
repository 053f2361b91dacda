#include "labs/capture_fit.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "labs/runner.hpp"
#include "sim/capture.hpp"

namespace tcplab {

namespace {

// A segment's relative numbers need each direction's ISN: the sequence number of the first
// SYN it sent (0 before one is seen, as tcpdump's relative numbers).
class RelativeNumbers {
 public:
  CapturedSegment of(const TraceEvent& e) {
    const std::string src = capture_endpoint(e.conn);
    if (opener_.empty() && e.seg.has(kSyn) && !e.seg.has(kAck)) opener_ = src;
    const std::string dst = capture_endpoint(std::string(e.conn).substr(std::string(e.conn).find('>') + 1));
    if (e.seg.has(kSyn) && !isn_.contains(src)) isn_[src] = e.seg.seq.raw();
    CapturedSegment s;
    s.from_opener = src == opener_;
    s.flags = e.seg.flags;
    s.rel_seq = e.seg.seq.raw() - isn_of(src);
    s.rel_ack = e.seg.has(kAck) ? e.seg.ack.raw() - isn_of(dst) : 0;
    s.len = e.len;
    return s;
  }

 private:
  std::uint32_t isn_of(const std::string& endpoint) const {
    const auto it = isn_.find(endpoint);
    return it == isn_.end() ? 0 : it->second;
  }
  std::string opener_;
  std::map<std::string, std::uint32_t> isn_;
};

// What the replay's capture at host `near` shows: its segments and, for the ones the far
// side sent, their ids in the run ("B>A#171").
struct Replay {
  std::vector<CapturedSegment> segments;
  std::vector<std::string> far_ids;  // "" for the capture host's own segments
};

Replay replay(const std::string& toml, int near) {
  LabRun run = run_lab(parse_lab(toml, "capture lab"), std::nullopt, /*checks=*/false);
  Replay r;
  RelativeNumbers rel;
  for_each_captured(run.sink->events, run.lab.hosts.size(), near, [&](const CapturedFrame& f) {
    const TraceEvent& e = run.sink->events[f.send];
    r.segments.push_back(rel.of(e));
    r.far_ids.push_back(f.arrival ? std::string(e.id) : std::string());
  });
  return r;
}

}  // namespace

std::vector<CapturedSegment> captured_segments(const std::vector<TraceEvent>& sends) {
  RelativeNumbers rel;
  std::vector<CapturedSegment> out;
  out.reserve(sends.size());
  for (const TraceEvent& e : sends) out.push_back(rel.of(e));
  return out;
}

std::size_t first_difference(const std::vector<CapturedSegment>& a, const std::vector<CapturedSegment>& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

Duration far_gro_candidate(const CaptureLabInput& in) {
  if (in.near < 0) return 0;
  const std::vector<CapturedSegment> segs = captured_segments(in.sends);
  const bool near_opens = in.near == 0;
  // The capture host's new data segments since the far side's last ACK, each run contiguous:
  // where each ends, and when it was captured.
  struct Sent {
    std::uint32_t end = 0;
    Instant t = 0;
  };
  std::vector<Sent> run;
  std::uint32_t highest = 0;
  Duration longest = -1;  // none yet
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const CapturedSegment& s = segs[i];
    const Instant t = in.sends[i].t_ns;
    if (s.from_opener == near_opens) {
      if (s.len == 0 || (s.flags & (kSyn | kFin | kRst)) != 0) continue;
      if (s.rel_seq < highest) {  // a retransmission: no clean run across it
        run.clear();
        continue;
      }
      if (!run.empty() && run.back().end != s.rel_seq) run.clear();
      run.push_back({s.rel_seq + s.len, t});
      highest = s.rel_seq + s.len;
      continue;
    }
    if ((s.flags & kAck) == 0) continue;
    std::size_t covered = 0;
    while (covered < run.size() && run[covered].end <= s.rel_ack) ++covered;
    if (covered >= 2 && run[covered - 1].end == s.rel_ack) {
      const Duration took = run[covered - 1].t - run[0].t;
      if (took <= ms(1)) longest = std::max(longest, took);
    }
    run.erase(run.begin(), run.begin() + static_cast<std::ptrdiff_t>(covered));
  }
  if (longest < 0) return 0;
  return (longest + us(1) - 1) / us(1) * us(1) + us(1);
}

CaptureFit fit_capture_lab(CaptureLabInput in, std::size_t max_rules) {
  CaptureFit fit;
  const std::vector<CapturedSegment> want = captured_segments(in.sends);
  fit.captured = want.size();
  fit.toml = capture_lab_toml(in);
  if (in.near < 0) return fit;
  Replay got = replay(fit.toml, in.near);
  std::size_t agree = first_difference(want, got.segments);
  CaptureLabInput best = in;  // the input of fit.toml
  while (!(agree == want.size() && got.segments.size() == want.size()) && fit.rules.size() < max_rules) {
    // The replay's segment where they part: one the far side sent that the capture lacks?
    if (agree >= got.segments.size() || got.far_ids[agree].empty()) break;
    CaptureLabInput next = in;
    next.replay_faults.push_back("drop " + got.far_ids[agree]);
    std::string toml = capture_lab_toml(next);
    Replay again = replay(toml, in.near);
    const std::size_t later = first_difference(want, again.segments);
    if (later <= agree) break;  // that loss explains nothing: the difference is something else
    in = std::move(next);
    fit.rules.push_back(in.replay_faults.back());
    fit.toml = std::move(toml);
    got = std::move(again);
    agree = later;
    best = in;
  }
  const auto replays_all = [&] { return agree == want.size() && got.segments.size() == want.size(); };
  // Another lab for the capture: kept (true) when it replays further, or all of it.
  const auto try_lab = [&](const CaptureLabInput& x) {
    std::string toml = capture_lab_toml(x);
    Replay r = replay(toml, in.near);
    const std::size_t n = first_difference(want, r.segments);
    if (n <= agree && !(n == want.size() && r.segments.size() == want.size())) return false;
    agree = n;
    fit.toml = std::move(toml);
    got = std::move(r);
    best = x;
    return true;
  };
  // The far side may have acknowledged back-to-back segments once each run, as a kernel does
  // that merged them before its TCP took them (GRO, or the socket backlog while its application
  // was in a socket call): `base` with the far side's tcp.gro. Tried before scripting a side,
  // which keeps less of the lab a stack.
  const Duration gro = far_gro_candidate(in);
  const auto try_gro = [&](const CaptureLabInput& base) {
    if (gro <= 0 || replays_all()) return;
    CaptureLabInput coalesced = base;
    coalesced.far_gro = gro;
    try_lab(coalesced);
  };
  // Both ends connected and sent their SYNs again before they crossed: the other side's
  // connect() timed so that its last SYN crosses the opener's as in the capture.
  if (!replays_all()) {
    CaptureLabInput aligned = in;
    aligned.other_syn_from_last = true;
    if (capture_lab_toml(aligned) != fit.toml && try_lab(aligned)) in = aligned;
  }
  try_gro(in);
  // Still not the capture: the far side's timing may have depended on more than this connection
  // (other flows in a bottleneck's queue). Its segments as a script then, with each congestion
  // control for the capture host (a capture does not name it); the one that replays furthest.
  if (!replays_all()) {
    for (const char* cc : {"", "newreno", "cubic", "bbr"}) {
      CaptureLabInput scripted = in;
      scripted.far_scripted = true;
      scripted.near_cc = cc;
      try_lab(scripted);
      if (replays_all()) break;
    }
  }
  // Still not: no application's calls may make the capture host's stack send what it sent (a
  // kernel's write path: Linux's PSH inside a long write; its segments and the arriving ACKs in
  // an order within microseconds that the capture cannot resolve). Its segments as a script
  // then, each after what the capture shows arriving before it; the far side a stack.
  if (!replays_all()) {
    CaptureLabInput scripted = in;
    scripted.near_scripted = true;
    try_lab(scripted);
  }
  // Still not: the best lab so far (the capture host scripted, say) with the far side's tcp.gro.
  try_gro(best);
  // What the kept lab is made of.
  fit.far_scripted = best.far_scripted;
  fit.near_scripted = best.near_scripted;
  fit.near_cc = best.near_cc;
  fit.far_gro = best.far_gro;
  fit.other_syn_from_last = best.other_syn_from_last;
  fit.replayed = agree;
  return fit;
}

}  // namespace tcplab
