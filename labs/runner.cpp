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
  // A host's own name comes first: in a lab with a host named "client" (or "link"),
  // --pcap-at client means that host, not the first host that connects.
  for (std::size_t i = 0; i < lab.hosts.size(); ++i)
    if (lab.hosts[i].name == at) return static_cast<int>(i);
  if (at == "link") return kCaptureLink;
  if (at == "client") return client_host(lab);
  for (std::size_t i = 0; i < lab.hosts.size(); ++i) {
    const std::string tag = i < 26 ? std::string(1, static_cast<char>('A' + i)) : "H" + std::to_string(i);
    if (tag == at || ip_to_string(lab.hosts[i].ip) == at) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string write_pcap(const TraceEvents& trace, std::size_t hosts, const std::string& path, int capture) {
  PcapWriter w(path);
  if (!w.ok()) return w.error();
  for_each_captured(trace, hosts, capture, [&](const CapturedFrame& f) {
    const TraceEvent& e = trace[f.send];
    if (e.seg.payload.size() >= e.len) return w.write(e.seg, f.t_ns, f.ip_id);
    Segment s = e.seg;
    std::string bytes = e.seg.payload.str();
    bytes.resize(e.len, 'x');  // bytes past the kept prefix
    s.payload = std::move(bytes);
    w.write(s, f.t_ns, f.ip_id);
  });
  w.close();
  return "";
}

}  // namespace tcplab
