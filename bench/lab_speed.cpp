// `tcplab bench lab LAB [--series]`: runs the lab's world once, as `tcplab run` does (the trace
// recorded, no checks) and, with --series, recording the congestion series as `tcplab plot`
// does; prints `RESULT lab=... series=0|1 run_wall_s=... trace_events=... series_samples=...`.
// The wall time covers run_lab's world run only, not loading the lab or freeing the trace.
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "lab_speed.hpp"
#include "labs/cli.hpp"
#include "labs/lab.hpp"
#include "labs/runner.hpp"

namespace tcplab::cli {

int bench_lab_speed(const LabSpeedArgs& a) {
  if (a.lab.empty()) throw BadInput("bench lab: name the lab to run (a built-in lab or a .toml file)");
  Lab lab;
  try {
    LoadOptions o;
    o.seed = a.seed;
    lab = load_lab(a.lab, o);
  } catch (const LabError& e) {
    throw BadInput(e.what());
  }
  const std::string name = lab.name;
  const auto t0 = std::chrono::steady_clock::now();
  const LabRun run = run_lab(std::move(lab), std::nullopt, false, nullptr, a.series);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::size_t samples = 0;
  for (const auto& f : run.sink->series.flows) samples += f.samples.size();
  for (const auto& l : run.sink->series.links) samples += l.samples.size();
  for (const auto& p : run.sink->series.pings) samples += p.samples.size();
  std::printf("RESULT lab=%s series=%d sim_s=%.3f run_wall_s=%.4f trace_events=%zu series_samples=%zu\n", name.c_str(),
              a.series ? 1 : 0, static_cast<double>(run.world.now()) / 1e9, wall, run.sink->events.size(), samples);
  return kOk;
}

}  // namespace tcplab::cli
