// `tcplab torture --runs N --seed S`: random scenarios and fault schedules, checked against
// TCP's invariants. A failing run prints its seed and a minimal lab file that reproduces it.
#include <filesystem>
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>

#include "labs/cli.hpp"
#include "labs/torture.hpp"
#include "labs/torture_world.hpp"

namespace tcplab::cli {
namespace {

struct TortureArgs {
  std::uint64_t runs = 100;
  std::uint64_t seed = 1;
  std::string save_dir = ".";
  bool verbose = false;
  bool show = false;
  bool world = false;
  std::string lab;  // --lab: check this lab file once instead of drawing labs
};

// One campaign: draw the lab of each seed, check it, report the failures. `save` writes a
// failing run's lab (the n-th failure) and says where.
struct Campaign {
  const char* name;  // "torture" or "torture --world"
  std::string (*draw)(std::uint64_t seed);
  TortureRun (*check)(std::uint64_t seed, const std::string& lab_text);
  std::function<void(const TortureRun& r, std::uint64_t nth_failure)> save;
};

int run_campaign(const TortureArgs& a, const Campaign& c) {
  if (a.show) {
    std::cout << c.draw(a.seed);
    return kOk;
  }
  std::uint64_t violations = 0, failed_runs = 0, bytes = 0, events = 0;
  for (std::uint64_t i = 0; i < a.runs; ++i) {
    const std::uint64_t seed = a.seed + i;
    TortureRun r = c.check(seed, c.draw(seed));
    bytes += r.bytes_delivered;
    events += r.trace_events;
    if (a.verbose) std::cerr << fmt::format("run {} seed {}: {} events, {} bytes, {} violations\n", i, seed, r.trace_events, r.bytes_delivered, r.violations.size());
    if (r.violations.empty()) continue;
    ++failed_runs;
    violations += r.violations.size();
    std::cout << fmt::format("FAIL seed {} ({} violations):\n", seed, r.violations.size());
    for (const auto& v : r.violations) std::cout << "  - " << v << "\n";
    c.save(r, failed_runs);
  }
  std::cout << fmt::format("{}: seeds {}..{}, {} trace events, {} bytes delivered\n", c.name, a.seed, a.seed + a.runs - 1, events, bytes);
  std::cout << fmt::format("{} runs, {} violations\n", a.runs, violations);
  return violations == 0 ? kOk : kCheckFailed;
}

// `--lab FILE`: one lab, checked as a drawn one would be (a saved failing lab, kept as a
// regression test: the generator's draws change as the lab language grows, files do not).
int check_one_file(const TortureArgs& a) {
  std::ifstream in(a.lab, std::ios::binary);
  if (!in) throw BadInput("--lab: cannot read '" + a.lab + "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const TortureRun r = a.world ? world_check(a.seed, text) : torture_check(a.seed, text);
  for (const auto& v : r.violations) std::cout << "  - " << v << "\n";
  std::cout << fmt::format("{}: {}, {} trace events, {} bytes delivered\n", a.world ? "torture --world" : "torture", a.lab,
                           r.trace_events, r.bytes_delivered);
  std::cout << fmt::format("1 runs, {} violations\n", r.violations.size());
  return r.violations.empty() ? kOk : kCheckFailed;
}

int torture(const TortureArgs& a) {
  if (!a.lab.empty()) return check_one_file(a);
  // Created up front: a run of hours must not find out at its first failure that it cannot save.
  std::error_code ec;
  std::filesystem::create_directories(a.save_dir, ec);
  if (ec || !std::filesystem::is_directory(a.save_dir))
    throw BadInput("--save: cannot create the directory '" + a.save_dir + "'" + (ec ? ": " + ec.message() : ""));
  if (a.world) {
    // `--world` (issue 14): random labs over the whole lab language; a failing lab is saved as is.
    return run_campaign(a, {"torture --world", world_scenario, world_check, [&](const TortureRun& r, std::uint64_t n) {
      if (n > 20) return;
      const std::string path = fmt::format("{}/torture-world-{}.toml", a.save_dir, r.seed);
      std::ofstream(path) << r.lab_text;
      std::cout << fmt::format("  lab: {}  (reproduce with `tcplab torture --world --runs 1 --seed {}` or `tcplab run {}`)\n", path, r.seed, path);
    }});
  }
  return run_campaign(a, {"torture", torture_scenario, torture_check, [&](const TortureRun& r, std::uint64_t n) {
    if (n > 3) return;  // shrinking costs runs: the first few failures are enough
    const std::string minimal = torture_shrink(r.seed, r.lab_text);
    const std::string path = fmt::format("{}/torture-{}.toml", a.save_dir, r.seed);
    std::ofstream(path) << minimal;
    std::cout << fmt::format("  minimal lab: {}  (reproduce with `tcplab run {}`)\n", path, path);
  }});
}

}  // namespace

Command torture_command() {
  return {"torture", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<TortureArgs>();
    sub.add_option("--runs", a->runs, "how many random runs")->check(CLI::Range(1ULL, 100000000ULL));
    sub.add_option("--seed", a->seed, "the first seed (run i uses seed+i)");
    sub.add_option("--save", a->save_dir, "where to write the minimal lab of a failing run (created if missing)");
    sub.add_flag("-v,--verbose", a->verbose, "one line per run on stderr");
    sub.add_flag("--show", a->show, "print the lab file of --seed and exit");
    sub.add_option("--lab", a->lab, "check this lab file once, with the invariants of the random runs (with --world: the world's)");
    sub.add_flag("--world", a->world, "random labs over the whole lab language (hosts, links, every script step, generators, crashes, faults, checks)");
    sub.footer("Examples:\n  tcplab torture --runs 2000 --seed 1\n  tcplab torture --world --runs 1000000 --seed 7   (for hours)\n  tcplab torture --show --seed 42 > t.toml && tcplab run t.toml\n  tcplab torture --world --lab tests/cli/torture_regressions/torture-world-451.toml");
    return [a] { return torture(*a); };
  }, "random fault schedules checked against TCP's invariants"};
}

}  // namespace tcplab::cli
