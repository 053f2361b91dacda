#include "labs/runner.hpp"

#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>

#include "labs/budget.hpp"
#include "stack/wire/pcap.hpp"

namespace tcplab {

bool LabRun::all_passed() const {
  for (const auto& r : results)
    if (!r.pass) return false;
  return true;
}

namespace {

// Runs in slices so that a budget or a stop request is noticed within a slice; the events,
// and so the trace, are the same as one uninterrupted run.
constexpr std::uint64_t kSliceEvents = 1 << 16;

void run_controlled(LabRun& run, Instant limit, const RunControl& ctl) {
  while (!run.world.idle() && run.world.next_event_time() <= limit) {
    run.world.run(kSliceEvents, limit, run.sink.get());
    if (ctl.progress) ctl.progress(run.world, *run.sink);
    if (ctl.stop && *ctl.stop) {
      run.stopped = "interrupted";
      return;
    }
    if (ctl.max_memory) {
      const std::uint64_t rss = resident_bytes();
      if (rss > ctl.max_memory) {
        run.stopped = "memory budget reached (" + human_bytes(rss) + " in use, the limit is " +
                      human_bytes(ctl.max_memory) + ": --max-memory)";
        return;
      }
    }
  }
}

}  // namespace

LabRun run_lab(Lab lab, std::optional<Instant> until, bool checks, const RunControl* control, bool series) {
  LabRun run;
  run.sink->series_on = series || (checks && needs_series(run.lab));
  run.lab = std::move(lab);
  run.world = build_world(run.lab);
  const Instant limit = until.value_or(run.lab.until);
  if (control) run_controlled(run, limit, *control);
  else run.world.run(UINT64_MAX, limit, run.sink.get());
  // A run that was not stopped lasts to its limit even when its last event came earlier: the
  // clock says so, and checks of a state still held at the end measure to there.
  if (run.stopped.empty()) run.world.run_until(limit, run.sink.get());
  if (checks)
    run.results = run_checks(run.lab, run.world, run.sink->events, run.sink->series_on ? &run.sink->series : nullptr);
  return run;
}

std::string write_jsonl(const LabRun& run, const std::string& path) {
  return write_jsonl(run.sink->events, run.world.host_names(), path);
}

std::string write_jsonl(const TraceEvents& trace, const std::vector<std::string>& names,
                        const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return "cannot open '" + path + "' for writing";
  for (const auto& e : trace) out << to_json_line(e, names) << '\n';
  out.flush();
  if (!out) return "error writing '" + path + "'";
  return "";
}

std::string write_pcap(const LabRun& run, const std::string& path, int capture) {
  return write_pcap(run.sink->events, run.world.hosts().size(), path, capture);
}

int client_host(const Lab& lab) {
  for (const auto& a : lab.apps) {
    bool opens = a.clients || a.peer || a.flood || a.scan;
    for (const auto& st : a.script) opens = opens || st.op == Op::Connect;
    if (!opens) continue;
    for (std::size_t i = 0; i < lab.hosts.size(); ++i)
      if (lab.hosts[i].name == a.host) return static_cast<int>(i);
  }
  return lab.hosts.empty() ? kCaptureLink : 0;
}

std::optional<int> capture_point(const Lab& lab, const std::string& at) {
  if (at == "link") return kCaptureLink;
  if (at == "client") return client_host(lab);
  for (std::size_t i = 0; i < lab.hosts.size(); ++i) {
    const std::string tag = i < 26 ? std::string(1, static_cast<char>('A' + i)) : "H" + std::to_string(i);
    if (lab.hosts[i].name == at || tag == at || ip_to_string(lab.hosts[i].ip) == at) return static_cast<int>(i);
  }
  return std::nullopt;
}

namespace {
// "10.0.0.1:1>10.0.0.2:2" -> "10.0.0.2:2>10.0.0.1:1": a delivery is labelled from the
// receiver's side, its send from the sender's.
std::string reversed_pair(const std::string& conn) {
  const auto gt = conn.find('>');
  if (gt == std::string::npos) return conn;
  return conn.substr(gt + 1) + ">" + conn.substr(0, gt);
}
}  // namespace

std::string write_pcap(const TraceEvents& trace, std::size_t hosts, const std::string& path, int capture) {
  PcapWriter w(path);
  if (!w.ok()) return w.error();
  std::vector<std::uint16_t> ip_id(hosts, 0);
  // Segments on their way, by connection (as the sender labels it) and id (ids repeat
  // across connections), oldest first; the last one that reached the capture host, for a
  // duplicate's second copy.
  struct Copy {
    Segment seg;
    std::uint16_t ip_id = 0;
    int sender = -1;
  };
  struct InFlight {
    std::deque<Copy> pending;
    std::optional<Copy> last;
  };
  std::map<std::string, InFlight> flight;
  for (const auto& e : trace) {
    if (e.type == TraceType::Send) {
      Segment s = e.seg;
      if (s.payload.size() < e.len) s.payload.resize(e.len, 'x');  // bytes past the kept prefix
      const auto id = static_cast<std::uint16_t>(e.host >= 0 ? ++ip_id[static_cast<std::size_t>(e.host)] : 0);
      if (capture == kCaptureLink || e.host == capture) w.write(s, e.t_ns, id);
      else flight[e.conn + "|" + e.id].pending.push_back({std::move(s), id, e.host});
      continue;
    }
    if (capture == kCaptureLink || (e.type != TraceType::Drop && e.type != TraceType::Deliver)) continue;
    // A delivery is labelled from the receiver's side, a drop from the sender's.
    auto it = flight.find((e.type == TraceType::Deliver ? reversed_pair(e.conn) : e.conn) + "|" + e.id);
    if (it == flight.end()) continue;
    InFlight& f = it->second;
    if (e.type == TraceType::Deliver) {
      if (!f.pending.empty()) {
        if (e.host == capture) f.last = std::move(f.pending.front());
        f.pending.pop_front();
      } else if (e.host != capture) {
        continue;
      }
      if (e.host == capture && f.last) w.write(f.last->seg, e.t_ns, f.last->ip_id);
      continue;
    }
    // A drop: by the sender's fault rules, link or queue, or at the receiver before its
    // stack (host down, corrupted); a drop after delivery (no listener, listen queue full)
    // was captured already.
    if (f.pending.empty()) continue;
    const bool before_arrival = e.host == f.pending.front().sender || e.where == "link" || e.where == "checksum";
    if (before_arrival) f.pending.pop_front();
  }
  w.close();
  return "";
}

}  // namespace tcplab
