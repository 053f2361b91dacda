// `tcplab bench-seek [LAB] [--events N]`: how fast a recorded run can be rewound. It records
// a run of about N trace events in a Timeline (a lab, or by default a long lossy bulk
// transfer built here), then seeks to --seeks random event indices (a fixed seed, so both
// forwards and backwards jumps, the same ones every run) with Timeline::world_after, and
// prints one line:
//
//   RESULT events=.. steps=.. seeks=.. max_ms=.. mean_ms=.. checkpoints=.. every=.. record_s=.. rss_kb=..
//
// max_ms/mean_ms are wall-clock times of one seek (restore the nearest checkpoint, replay to
// the event); checkpoints is how many world copies the timeline keeps (one at the start and
// one every `every` steps); rss_kb is the process's peak resident set. Wall-clock time is read
// only here and never reaches the world.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "labs/cli.hpp"
#include "labs/lab.hpp"
#include "labs/options.hpp"
#include "sim/rng.hpp"
#include "sim/timeline.hpp"

namespace tcplab::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct SeekArgs {
  std::string lab;
  LabOptionArgs common;
  std::uint64_t events = 1'000'000;
  std::uint64_t seeks = 1000;
  std::uint64_t every = Timeline::kDefaultCheckpointEvery;
  std::uint64_t seek_seed = 42;
};

// A bulk transfer over a lossy path: client -> server, 1% loss each way, 20 Mbps, 5 ms.
World lossy_bulk(std::uint64_t seed) {
  World w(seed);
  TcpConfig cfg;
  const int c = w.add_host("client", 0x0a000001, cfg);
  const int s = w.add_host("server", 0x0a000002, cfg);
  LinkParams p;
  p.delay_ns = ms(5);
  p.rate_bps = 20'000'000;
  p.queue_pkts_max = 100;
  p.loss = Ratio{1, 100};
  w.add_link(c, s, p, p);
  AppSpec server;
  server.host = "server";
  Step listen;
  listen.op = Op::Listen;
  listen.port = 5001;
  Step accept;
  accept.op = Op::Accept;
  Step recv;
  recv.op = Op::RecvAll;
  server.script = {listen, accept, recv};
  w.add_app(server);
  AppSpec client;
  client.host = "client";
  client.start = ms(1);
  Step connect;
  connect.op = Op::Connect;
  connect.target = "server";
  connect.port = 5001;
  Step send;
  send.op = Op::Send;
  send.bytes = 1ULL << 40;  // more than any run records: the run stops at --events
  Step close;
  close.op = Op::Close;
  client.script = {connect, send, close};
  w.add_app(client);
  return w;
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int bench_seek(const SeekArgs& a) {
  if (a.events == 0) throw BadInput("--events: must be at least 1");
  if (a.every == 0) throw BadInput("--every: must be at least 1");
  World start = lossy_bulk(a.common.seed.value_or(1));
  Instant limit = until_of(a.common).value_or(kNever);
  if (!a.lab.empty()) {
    const Lab lab = load_common(a.lab, a.common);
    start = build_world(lab);
    limit = until_of(a.common).value_or(lab.until);
  }

  const auto t0 = Clock::now();
  Timeline tl(std::move(start), a.every);
  while (tl.size() < a.events && !tl.final_world().idle() && tl.final_world().next_event_time() <= limit)
    tl.run(limit, 4096);
  const double record_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::uint64_t n = tl.size();
  if (n == 0) throw BadInput("the run recorded no trace events");

  Rng rng(a.seek_seed);
  double max_ms = 0, sum_ms = 0;
  std::uint64_t back = 0, fwd = 0, prev = 0, bad = 0;
  for (std::uint64_t i = 0; i < a.seeks; ++i) {
    const std::uint64_t k = rng.below(n);
    (k < prev ? back : fwd) += 1;
    prev = k;
    const auto s0 = Clock::now();
    const World w = tl.world_after(k);
    const double dt = std::chrono::duration<double, std::milli>(Clock::now() - s0).count();
    // The world after event k has produced at least k+1 events (replay counts them too).
    if (w.trace_count() <= k) ++bad;
    max_ms = std::max(max_ms, dt);
    sum_ms += dt;
  }
  const std::uint64_t checkpoints = 1 + tl.steps() / a.every;
  std::cout << fmt::format(
      "RESULT events={} steps={} seeks={} backward={} forward={} max_ms={:.3f} mean_ms={:.3f} checkpoints={} "
      "every={} record_s={:.2f} rss_kb={}\n",
      n, tl.steps(), a.seeks, back, fwd, max_ms, a.seeks ? sum_ms / static_cast<double>(a.seeks) : 0.0, checkpoints,
      a.every, record_s, peak_rss_kb());
  if (bad) {
    std::cerr << "tcplab bench-seek: " << bad << " seeks landed before their event\n";
    return kCheckFailed;
  }
  return kOk;
}

}  // namespace

Command bench_seek_command() {
  return {"bench-seek", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<SeekArgs>();
    sub.add_option("LAB", a->lab, "a lab to record (default: a built-in lossy bulk transfer)");
    sub.add_option("--events", a->events, "record this many trace events (default 1000000)");
    sub.add_option("--seeks", a->seeks, "seek to this many random events (default 1000)");
    sub.add_option("--every", a->every,
                   "keep a checkpoint every N world steps (default: Timeline::kDefaultCheckpointEvery)");
    add_lab_options(sub, a->common);
    sub.footer("Examples:\n  tcplab bench-seek\n  tcplab bench-seek --events 200000 --every 1024\n"
               "  tcplab bench-seek handshake --seeks 100\n"
               "Prints: RESULT events=.. seeks=.. max_ms=.. mean_ms=.. checkpoints=.. rss_kb=..");
    return [a] { return bench_seek(*a); };
  }, "time seeking (rewind / fast-forward) in a recorded run of ~1e6 trace events"};
}

}  // namespace tcplab::cli
