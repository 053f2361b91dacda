#include "labs/runner.hpp"

#include <fstream>

#include "stack/wire/pcap.hpp"

namespace tcplab {

bool LabRun::all_passed() const {
  for (const auto& r : results)
    if (!r.pass) return false;
  return true;
}

LabRun run_lab(Lab lab, std::optional<Instant> until, bool checks) {
  LabRun run;
  run.lab = std::move(lab);
  run.world = build_world(run.lab);
  const Instant limit = until.value_or(run.lab.until);
  run.world.run(UINT64_MAX, limit, run.sink.get());
  if (until) run.world.run_until(limit, run.sink.get());
  if (checks) run.results = run_checks(run.lab, run.world, run.sink->events);
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

std::string write_pcap(const LabRun& run, const std::string& path) {
  return write_pcap(run.sink->events, run.world.hosts().size(), path);
}

std::string write_pcap(const TraceEvents& trace, std::size_t hosts, const std::string& path) {
  PcapWriter w(path);
  if (!w.ok()) return w.error();
  std::vector<std::uint16_t> ip_id(hosts, 0);
  for (const auto& e : trace) {
    if (e.type != TraceType::Send) continue;
    Segment s = e.seg;
    if (s.payload.size() < e.len) s.payload.resize(e.len, 'x');  // bytes past the kept prefix
    const auto id = e.host >= 0 ? ++ip_id[static_cast<std::size_t>(e.host)] : 0;
    w.write(s, e.t_ns, static_cast<std::uint16_t>(id));
  }
  w.close();
  return "";
}

}  // namespace tcplab
