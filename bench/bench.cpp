// `tcplab bench WORKLOAD`: the workloads of the ns-3 performance anchor
// (../shared/anchors/ns3: ns3_bulk.cc, ns3_conns.cc) built as a World in C++, timed, and
// summed up in one `RESULT k=v ...` line with the anchor's keys. bench/README.md says how
// each count maps onto the anchor's and where the two setups differ.
//
// Wall-clock time is read here and only here (std::chrono::steady_clock); it never reaches
// the world or its trace, so a bench run with --trace records the same trace as any other
// run of the same world and seed.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "dumbbell.hpp"
#include "lab_speed.hpp"
#include "labs/cli.hpp"
#include "labs/lab.hpp"
#include "labs/options.hpp"
#include "sim/fault.hpp"
#include "sim/probability.hpp"
#include "sim/world.hpp"

namespace tcplab::cli {
namespace {

using Clock = std::chrono::steady_clock;

// ns-3's ephemeral port range (Ipv4EndPointDemux::AllocateEphemeralPort): 49152-65535.
constexpr std::uint16_t kPortLo = 49152, kPortHi = 65535;
constexpr std::uint32_t kPortsPerServerPort = kPortHi - kPortLo + 1U;

struct BenchArgs {
  std::string workload;
  std::uint64_t bytes = 100'000'000;
  std::optional<std::string> loss;  // default: 0.01 for bulk, 0 for conns (as the anchor)
  std::optional<std::uint64_t> conns;
  std::uint32_t parallel = 0;
  std::string interval = "10us";
  std::uint32_t req = 100, resp = 100;
  std::string delay = "10ms", rate = "1Gbps";
  std::uint32_t buf = 16U << 20;
  std::uint32_t queue = 1101;  // 100 device + 1000 qdisc packets waiting + 1 on the wire
  std::uint64_t seed = 1;
  bool seed_given = false;  // dumbbell: the lab's seed unless --seed is given
  bool trace = false;
  std::string trace_out;
  std::size_t trace_reserve = 0;  // diagnostic: a sink that never regrows (bench/README.md)
  double max_sim_s = 1e6;
  bool quiet = false;
  std::string cc;  // congestion control (empty: the linux profile's, cubic)
  DumbbellArgs dumbbell;  // the dumbbell workload (bench/dumbbell.cpp)
  bool series = false;    // the lab workload: record the congestion series too
};

// The anchor's TCP (ns3 README "The scenarios"), on top of tcplab's Linux defaults.
TcpConfig anchor_tcp(const BenchArgs& a, bool server) {
  TcpConfig c;
  // ns-3's SegmentSize=1460 is payload with timestamps on; tcplab (like Linux) takes the
  // 12 option bytes off the announced MSS, so 1472 announced gives 1460-byte segments.
  c.mss = 1472;
  c.snd_buf_bytes = c.rcv_buf_bytes = a.buf;
  c.window_scaling = c.timestamps = c.sack = true;
  c.rto_initial_ns = sec(1);
  c.rto_min_ns = sec(1);
  c.rto_max_ns = sec(60);       // ns-3 caps the backed-off RTO at 60 s
  c.msl_ns = sec(120);          // ns-3 TIME_WAIT = 2 * MSL = 240 s
  c.delayed_ack = true;
  c.delack_ns = ms(200);        // ns-3 DelAckTimeout
  // ns-3 acks every 2nd segment; after a passive open its counter starts full, so the first
  // data segment is acked at once (quick-ack of 1). The active side has just sent its ACK.
  c.quickack_segments = server ? 1 : 0;
  c.delay_fin_ack = false;      // ns-3 ACKs a FIN at once
  c.ack_on_read = false;        // ns-3's ACKs do not depend on the application's reads
  c.nagle = false;              // ns-3 TcpNoDelay = true
  c.initial_window_segments = 10;
  if (!a.cc.empty()) {
    const auto k = parse_cc(a.cc);
    if (!k) throw BadInput("--cc: '" + a.cc + "' is not cubic, newreno, reno or bbr");
    c.cc = *k;
  }
  return c;
}

struct Built {
  World world;
  int client = -1, server = -1;
};

Built build(const BenchArgs& a, Ratio loss, std::uint64_t seed) {
  Built b{World(seed)};
  World& w = b.world;
  b.client = w.add_host("client", 0x0A010101, anchor_tcp(a, false));  // 10.1.1.1, ns-3's addresses
  b.server = w.add_host("server", 0x0A010102, anchor_tcp(a, true));   // 10.1.1.2
  w.set_ephemeral_range(b.client, kPortLo, kPortHi);
  LinkParams p;
  p.delay_ns = duration_arg("--delay", a.delay);
  const auto rate = parse_rate(a.rate);
  if (!rate || *rate == 0) throw BadInput("--rate: '" + a.rate + "' is not a rate such as 1Gbps");
  p.rate_bps = *rate;
  p.queue_pkts_max = a.queue;
  p.loss = loss;
  w.add_link(b.client, b.server, p, p);
  return b;
}

Step step(Op op, std::uint64_t n = 0, std::uint16_t port = 0, std::string target = "") {
  Step s;
  s.op = op;
  s.bytes = n;
  s.port = port;
  s.target = std::move(target);
  return s;
}

long rss_now_kb() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double cpu_now_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long rss_peak_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;  // kB on Linux
}

// What both workloads report about the link, counted the way the anchor counts.
struct LinkCounts {
  std::uint64_t c2s = 0, s2c = 0;        // packets that started transmission (PhyTxBegin)
  std::uint64_t err_drops = 0;           // lost on the wire (RateErrorModel, PhyRxDrop)
  std::uint64_t q_drops = 0, q_drops_c2s = 0;  // dropped at the sender's queue
  std::uint64_t link() const { return c2s + s2c; }
};

LinkCounts link_counts(const World& w) {
  LinkCounts n;
  const Link& l = w.links().front();  // client -> server is l.ab
  auto wire = [](const LinkCounters& c) { return c.sent - c.queue_drops - c.down_drops; };
  n.c2s = wire(l.ab.counters());
  n.s2c = wire(l.ba.counters());
  n.err_drops = l.ab.counters().lost + l.ba.counters().lost;
  n.q_drops_c2s = l.ab.counters().queue_drops;
  n.q_drops = l.ab.counters().queue_drops + l.ba.counters().queue_drops;
  return n;
}

struct LoopTime {
  double wall_s = 0, cpu_s = 0;
};

// Runs events until done() or the safety limit, printing a progress line now and then.
// Returns the loop's wall and CPU seconds (the anchor times Simulator::Run() alone).
template <typename Done, typename Progress>
LoopTime run_loop(World& w, TraceSink* sink, Instant limit, bool quiet, Done&& done, Progress&& progress) {
  const double cpu0 = cpu_now_s();
  const auto start = Clock::now();
  auto next_note = start + std::chrono::seconds(2);
  std::uint64_t n = 0;
  while (!done()) {
    if (w.idle() || w.next_event_time() > limit) break;
    w.step(sink);
    if ((++n & 0xFFFF) == 0 && !quiet) {
      const auto t = Clock::now();
      if (t >= next_note) {
        next_note = t + std::chrono::seconds(2);
        std::cerr << "bench: wall " << std::chrono::duration<double>(t - start).count() << " s, sim "
                  << static_cast<double>(w.now()) / 1e9 << " s, " << progress() << "\n";
      }
    }
  }
  return {std::chrono::duration<double>(Clock::now() - start).count(), cpu_now_s() - cpu0};
}

void finish_trace(const BenchArgs& a, const World& w, const TraceSink& sink) {
  if (a.trace_out.empty()) return;
  std::ofstream out(a.trace_out, std::ios::binary);
  if (!out) throw BadInput("--trace-out: cannot open '" + a.trace_out + "' for writing");
  const auto names = w.host_names();
  for (const auto& e : sink.events) out << to_json_line(e, names) << '\n';
  if (!out.flush()) throw BadInput("--trace-out: error writing '" + a.trace_out + "'");
}

std::string fmt_loss(Ratio r) { return std::to_string(r.num) + "/" + std::to_string(r.den); }

// ---------------------------------------------------------------- bulk

int bench_bulk(const BenchArgs& a, Ratio loss, Clock::time_point t0) {
  const std::uint64_t conns = std::max<std::uint64_t>(1, a.conns.value_or(1));
  if (a.bytes == 0) throw BadInput("--bytes must be at least 1");
  if (conns > 10'000) throw BadInput("--conns: at most 10000 bulk flows (each has its own send buffer)");
  Built b = build(a, loss, a.seed);
  World& w = b.world;
  TraceSink sink;
  TraceSink* const recording = a.trace ? &sink : nullptr;
  sink.events.reserve(a.trace ? a.trace_reserve : 0);

  const std::uint16_t port = 5000;
  // The sink: one listener, every accepted connection read to its end (ns-3 PacketSink).
  AppSpec srv;
  srv.host = "server";
  auto child = std::make_shared<const Script>(Script{step(Op::RecvAll)});
  Step listen = step(Op::Listen, 0, port);
  listen.backlog = 1'000'000;
  Step serve = step(Op::Serve);
  serve.child = child;
  srv.script = {listen, serve};
  w.add_app(srv);
  // conns BulkSend flows, all starting at 0, the last one taking the remainder.
  const std::uint64_t per = a.bytes / conns;
  for (std::uint64_t c = 0; c < conns; ++c) {
    AppSpec cl;
    cl.host = "client";
    const std::uint64_t mine = c == conns - 1 ? a.bytes - per * (conns - 1) : per;
    cl.script = {step(Op::Connect, 0, port, "server"), step(Op::Send, mine)};
    w.add_app(cl);
  }

  const long rss_before = rss_now_kb();
  const Instant limit = static_cast<Instant>(a.max_sim_s * 1e9);
  const auto& ctr = w.counters();
  const LoopTime lt = run_loop(
      w, recording, limit, a.quiet, [&] { return ctr.bytes_delivered_to_apps >= a.bytes; },
      [&] {
        const LinkCounts n = link_counts(w);
        return std::to_string(n.link()) + " link pkts, " +
               std::to_string(ctr.bytes_delivered_to_apps * 100 / a.bytes) + "% received";
      });
  const double run_wall = lt.wall_s;
  const bool done = ctr.bytes_delivered_to_apps >= a.bytes;
  const double sim_s = static_cast<double>(w.now()) / 1e9;
  const long rss_peak = rss_peak_kb();

  const LinkCounts n = link_counts(w);
  const std::uint64_t mss = w.stack(b.client).config().mss - 12U;
  const std::uint64_t min_segs = (a.bytes + mss - 1) / mss;
  // The anchor's estimate: data-direction segments beyond the minimum, less SYN and the
  // handshake's ACK per connection.
  const long long retx = static_cast<long long>(n.c2s + n.q_drops_c2s) - static_cast<long long>(min_segs) -
                         2LL * static_cast<long long>(conns);
  finish_trace(a, w, sink);
  const double total_wall = std::chrono::duration<double>(Clock::now() - t0).count();

  std::printf("tcplab bench bulk: %" PRIu64 " bytes over %" PRIu64 " flow(s), loss %s each way, %s, %s one-way, "
              "queue %u pkts, buf %u, seed %" PRIu64 ", trace %s\n",
              a.bytes, conns, fmt_loss(loss).c_str(), a.rate.c_str(), a.delay.c_str(), a.queue, a.buf, a.seed,
              a.trace ? "on" : "off");
  std::printf("  completed            : %s\n", done ? "yes (the sink read every byte)" : "NO");
  std::printf("  simulated time       : %.6f s (goodput %.2f Mbit/s)\n", sim_s,
              sim_s > 0 ? static_cast<double>(ctr.bytes_delivered_to_apps) * 8 / sim_s / 1e6 : 0.0);
  std::printf("  link packets         : %" PRIu64 " (data dir %" PRIu64 ", ack dir %" PRIu64 ")\n", n.link(), n.c2s,
              n.s2c);
  // The estimate counts every extra copy; the stack counts tail loss probes apart (RFC 8985 7.3).
  std::printf("  drops                : loss %" PRIu64 ", sender queue %" PRIu64 "; retx est. %lld, flagged by the stack %" PRIu64
              " (+ %" PRIu64 " loss probes)\n",
              n.err_drops, n.q_drops, retx, ctr.retx, ctr.loss_probes);
  std::printf("  wall                 : run %.3f s, process %.3f s; %.0f link pkts/s; peak RSS %ld kB\n", run_wall,
              total_wall, static_cast<double>(n.link()) / run_wall, rss_peak);
  std::printf(
      "RESULT prog=tcplab_bulk bytes=%" PRIu64 " loss=%s conns=%" PRIu64 " seed=%" PRIu64
      " trace=%d done=%d rx=%" PRIu64 " sim_s=%.6f link_pkts=%" PRIu64 " data_pkts=%" PRIu64 " ack_pkts=%" PRIu64
      " err_drops=%" PRIu64 " q_drops=%" PRIu64 " seg_tx=%" PRIu64 " seg_rx=%" PRIu64 " retx=%lld retx_stack=%" PRIu64
      " events=%" PRIu64 " trace_events=%zu run_wall_s=%.4f run_cpu_s=%.4f total_wall_s=%.4f pkts_per_s=%.0f"
      " rss_kb=%ld rss_run_kb=%ld\n",
      a.bytes, fmt_loss(loss).c_str(), conns, a.seed, a.trace ? 1 : 0, done ? 1 : 0, ctr.bytes_delivered_to_apps,
      sim_s, n.link(), n.c2s, n.s2c, n.err_drops, n.q_drops, n.link() + n.q_drops, n.link() - n.err_drops, retx,
      ctr.retx, ctr.events, sink.events.size(), run_wall, lt.cpu_s, total_wall, static_cast<double>(n.link()) / run_wall,
      rss_peak, rss_peak - rss_before);
  return done ? kOk : kCheckFailed;
}

// ---------------------------------------------------------------- connections

int bench_conns(const BenchArgs& a, Ratio loss, Clock::time_point t0) {
  const std::uint64_t conns = a.conns.value_or(1000);
  if (conns == 0) throw BadInput("--conns must be at least 1");
  const Duration every = duration_arg("--interval", a.interval);
  if (a.parallel == 0 && every <= 0) throw BadInput("--interval must be positive (open loop)");
  Built b = build(a, loss, a.seed);
  World& w = b.world;
  TraceSink sink;
  TraceSink* const recording = a.trace ? &sink : nullptr;
  sink.events.reserve(a.trace ? a.trace_reserve : 0);

  // ns-3's client takes ports 49152-65535 and keeps each in TIME_WAIT to the end, so one
  // (client, server port) pair carries at most 16384 connections. Past that the server
  // listens on more ports (80, 81, ...): block j of 16384 connections goes to port 80 + j.
  const std::uint64_t blocks = (conns + kPortsPerServerPort - 1) / kPortsPerServerPort;
  if (blocks > 1000) throw BadInput("--conns: at most 16384000 connections");
  auto per_conn = std::make_shared<const Script>(
      Script{step(Op::Recv, a.req), step(Op::Send, a.resp), step(Op::WaitEof), step(Op::Close)});
  for (std::uint64_t j = 0; j < blocks; ++j) {
    AppSpec srv;
    srv.host = "server";
    Step listen = step(Op::Listen, 0, static_cast<std::uint16_t>(80 + j));
    listen.backlog = 1'000'000'000;  // ns-3 has no listen backlog limit
    Step serve = step(Op::Serve);
    serve.child = per_conn;
    srv.script = {listen, serve};
    w.add_app(srv);
  }
  for (std::uint64_t j = 0; j < blocks; ++j) {
    const std::uint64_t first = j * kPortsPerServerPort;
    const std::uint64_t count = std::min<std::uint64_t>(kPortsPerServerPort, conns - first);
    AppSpec cl;
    cl.host = "client";
    ClientsGen g;
    g.count = count;
    if (a.parallel > 0) {
      // Closed loop: P connections open at once in all; the blocks run side by side and
      // share P (each finished connection starts the next of its block).
      g.parallel = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(a.parallel / blocks +
                                                                           (j < a.parallel % blocks ? 1 : 0)));
      cl.start = 0;
    } else {
      g.every = every;  // open loop: connection i starts at i * every
      cl.start = static_cast<Instant>(first) * every;
    }
    g.script = std::make_shared<const Script>(Script{step(Op::Connect, 0, static_cast<std::uint16_t>(80 + j), "server"),
                                                     step(Op::Send, a.req), step(Op::Recv, a.resp), step(Op::Close)});
    cl.clients = g;
    w.add_app(cl);
  }

  // A connection is done when its server socket is CLOSED (the anchor's rule). Server
  // children close nearly in order, so a cursor over the server's connections finds the
  // last one in amortised O(1) per event.
  // The server's first `blocks` connections are its listeners (opened at time 0, before
  // any SYN can arrive); a cursor skips them like finished children.
  const TcpHost& srv_stack = w.stack(b.server);
  ConnId cursor = 0;
  auto children_closed = [&]() -> std::uint64_t {
    while (cursor < srv_stack.conn_count()) {
      const State s = srv_stack.state(cursor);
      // A listener (LISTEN), or a child that is gone: CLOSED, or back to LISTEN after an RST.
      if (s != State::Closed && s != State::Listen) break;
      ++cursor;
    }
    return cursor - std::min<std::uint64_t>(blocks, cursor);
  };

  const long rss_before = rss_now_kb();
  const Instant limit = static_cast<Instant>(a.max_sim_s * 1e9);
  const LoopTime lt = run_loop(
      w, recording, limit, a.quiet, [&] { return children_closed() >= conns; },
      [&] { return std::to_string(children_closed()) + "/" + std::to_string(conns) + " connections closed"; });
  const double run_wall = lt.wall_s;
  const std::uint64_t done_n = children_closed();
  const bool done = done_n >= conns;
  const double sim_s = static_cast<double>(w.now()) / 1e9;
  const long rss_peak = rss_peak_kb();
  std::uint64_t time_wait = 0;
  const TcpHost& cli_stack = w.stack(b.client);
  for (ConnId c = 0; c < cli_stack.conn_count(); ++c) time_wait += cli_stack.state(c) == State::TimeWait;

  const LinkCounts n = link_counts(w);
  const auto& ctr = w.counters();
  finish_trace(a, w, sink);
  const double total_wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const long rss_run = rss_peak - rss_before;

  std::printf("tcplab bench conns: %" PRIu64 " connections (%u B request, %u B response, client closes), %s, loss %s "
              "each way, %" PRIu64 " server port(s), seed %" PRIu64 ", trace %s\n",
              conns, a.req, a.resp,
              a.parallel ? ("closed loop, " + std::to_string(a.parallel) + " at once").c_str()
                         : ("open loop every " + a.interval).c_str(),
              fmt_loss(loss).c_str(), blocks, a.seed, a.trace ? "on" : "off");
  std::printf("  completed            : %s (%" PRIu64 " server sockets CLOSED, %" PRIu64 " client sockets in TIME_WAIT)\n",
              done ? "yes" : "NO", done_n, time_wait);
  std::printf("  simulated time       : %.6f s\n", sim_s);
  std::printf("  link packets         : %" PRIu64 " (c->s %" PRIu64 ", s->c %" PRIu64 ") = %.2f per connection\n",
              n.link(), n.c2s, n.s2c, static_cast<double>(n.link()) / static_cast<double>(conns));
  std::printf("  drops                : loss %" PRIu64 ", queues %" PRIu64 "; retransmissions %" PRIu64 ", loss probes %" PRIu64 "\n",
              n.err_drops, n.q_drops, ctr.retx, ctr.loss_probes);
  std::printf("  wall                 : run %.3f s (%.2f us per connection), process %.3f s; %.0f conns/s\n", run_wall,
              run_wall * 1e6 / static_cast<double>(conns), total_wall, static_cast<double>(done_n) / run_wall);
  std::printf("  memory               : peak RSS %ld kB, %ld kB during the run = %.0f bytes per connection; %zu events queued at the end\n",
              rss_peak, rss_run, static_cast<double>(rss_run) * 1024 / static_cast<double>(conns), w.queued_events());
  const std::size_t records = srv_stack.packed_count() + cli_stack.packed_count();
  const std::size_t record_bytes = srv_stack.record_bytes() + cli_stack.record_bytes();
  std::printf("  compact records      : %zu connections (TIME_WAIT, CLOSED) in %zu bytes, %.1f each\n", records,
              record_bytes, records ? static_cast<double>(record_bytes) / static_cast<double>(records) : 0.0);
  std::printf(
      "RESULT prog=tcplab_conns conns=%" PRIu64 " req=%u resp=%u parallel=%u interval=%s loss=%s seed=%" PRIu64
      " trace=%d done=%d closed=%" PRIu64 " time_wait=%" PRIu64 " server_ports=%" PRIu64 " sim_s=%.6f link_pkts=%" PRIu64
      " data_pkts=%" PRIu64 " ack_pkts=%" PRIu64 " err_drops=%" PRIu64 " q_drops=%" PRIu64 " retx=%" PRIu64
      " events=%" PRIu64 " trace_events=%zu run_wall_s=%.4f run_cpu_s=%.4f total_wall_s=%.4f conns_per_s=%.1f"
      " us_per_conn=%.3f"
      " pkts_per_s=%.0f rss_kb=%ld rss_run_kb=%ld bytes_per_conn=%.0f\n",
      conns, a.req, a.resp, a.parallel, a.interval.c_str(), fmt_loss(loss).c_str(), a.seed, a.trace ? 1 : 0,
      done ? 1 : 0, done_n, time_wait, blocks, sim_s, n.link(), n.c2s, n.s2c, n.err_drops, n.q_drops, ctr.retx,
      ctr.events, sink.events.size(), run_wall, lt.cpu_s, total_wall, static_cast<double>(done_n) / run_wall,
      run_wall * 1e6 / static_cast<double>(conns), static_cast<double>(n.link()) / run_wall, rss_peak, rss_run,
      static_cast<double>(rss_run) * 1024 / static_cast<double>(conns));
  return done ? kOk : kCheckFailed;
}

int bench(const BenchArgs& a) {
  const auto t0 = Clock::now();
  if (a.workload == "dumbbell") {
    DumbbellArgs d = a.dumbbell;
    if (a.seed_given) d.seed = a.seed;
    return bench_dumbbell(d);
  }
  if (a.workload == "lab") {
    LabSpeedArgs l;
    l.lab = a.dumbbell.lab;
    l.series = a.series;
    if (a.seed_given) l.seed = a.seed;
    return bench_lab_speed(l);
  }
  const bool bulk = a.workload == "bulk";
  if (!bulk && a.workload != "conns")
    throw BadInput("bench: unknown workload '" + a.workload + "' (bulk, conns, dumbbell, lab)");
  const std::string loss_text = a.loss.value_or(bulk ? "0.01" : "0");
  // In lowest terms ("0.01" -> 1/100): the ratio decides the draws, and the recorded runs used it.
  ProbabilityError err = ProbabilityError::None;
  const auto loss = parse_probability(loss_text, RatioForm::Lowest, &err);
  if (err == ProbabilityError::Syntax) throw BadInput("--loss: '" + loss_text + "' is not a probability (0.01, 1%, 1/100)");
  if (!loss) throw BadInput("--loss: " + describe(err, loss_text, RatioForm::Lowest));
  if (a.queue == 0) throw BadInput("--queue must be at least 1 packet");
  return bulk ? bench_bulk(a, *loss, t0) : bench_conns(a, *loss, t0);
}

}  // namespace

Command bench_command() {
  return {"bench", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<BenchArgs>();
    sub.add_option("WORKLOAD", a->workload, "bulk | conns | dumbbell | lab")->required();
    sub.add_option("LAB", a->dumbbell.lab,
                   "dumbbell: a lab file with a [[bottleneck]] (bench/dumbbell/*.toml); lab: any lab to time");
    sub.add_flag("--series", a->series, "lab: also record the congestion series (as tcplab plot does)");
    sub.add_option("--from", a->dumbbell.from, "dumbbell: the measuring window's start")->capture_default_str();
    sub.add_option("--to", a->dumbbell.to, "dumbbell: the measuring window's end (default: the run's end)");
    sub.add_option("--until", a->dumbbell.until, "dumbbell: end the run here (default: the lab's until)");
    sub.add_option("--bytes", a->bytes, "bulk: payload bytes in all (decimal), split over --conns flows")
        ->capture_default_str();
    sub.add_option("--loss", a->loss, "per-packet loss each way: 0.01, 1% or 1/100 (default: bulk 0.01, conns 0)");
    sub.add_option("--conns", a->conns, "bulk: parallel flows (default 1); conns: connections (default 1000)");
    sub.add_option("--parallel", a->parallel, "conns: closed loop with this many open at once (0 = open loop)");
    sub.add_option("--interval", a->interval, "conns: open loop, connection i starts at i * interval")->capture_default_str();
    sub.add_option("--req", a->req, "conns: request bytes")->capture_default_str();
    sub.add_option("--resp", a->resp, "conns: response bytes")->capture_default_str();
    sub.add_option("--delay", a->delay, "one-way propagation delay")->capture_default_str();
    sub.add_option("--rate", a->rate, "link rate each way")->capture_default_str();
    sub.add_option("--buf", a->buf, "send and receive buffer bytes")->capture_default_str();
    sub.add_option("--queue", a->queue, "sender drop-tail queue, packets (incl. the one on the wire)")->capture_default_str();
    auto* seed = sub.add_option("--seed", a->seed, "world seed (dumbbell: default the lab's)")->capture_default_str();
    sub.add_flag("--trace", a->trace, "record the full trace in memory (a TraceSink lent to World::step) while timing");
    sub.add_option("--trace-out", a->trace_out, "with --trace: write it as JSON Lines afterwards (not timed)");
    sub.add_option("--trace-reserve", a->trace_reserve,
                   "diagnostic: reserve room for this many trace events before the run (no regrowth)");
    sub.add_option("--max-sim", a->max_sim_s, "safety stop, simulated seconds")->capture_default_str();
    sub.add_option("--cc", a->cc, "congestion control: cubic (default), newreno (reno), bbr");
    sub.add_flag("-q,--quiet", a->quiet, "no progress lines on stderr");
    sub.footer("Workloads of the ns-3 anchor (../shared/anchors/ns3), see bench/README.md:\n"
               "  tcplab bench bulk --bytes 100000000 --loss 0.01 [--conns 4] [--trace]\n"
               "  tcplab bench conns --conns 10000 [--parallel 100] [--loss 0.01]\n"
               "  tcplab bench dumbbell bench/dumbbell/cubic-vs-bbr.toml [--from 10s] [--to 60s]\n"
               "  tcplab bench lab bench/bottleneck-60s.toml [--series]\n"
               "Prints one `RESULT k=v ...` line; exit 1 if the run did not complete.");
    return [a, seed] {
      a->seed_given = seed->count() > 0;
      if (!a->trace_out.empty()) a->trace = true;
      return bench(*a);
    };
  }, "benchmark the engine on the ns-3 anchor's workloads (bulk, conns), the ns-3 dumbbell (dumbbell), a lab's run (lab)"};
}

}  // namespace tcplab::cli
