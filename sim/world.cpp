// The world: building it, running its event queue, and hosts that crash and come back.
// Packets on links are in world_packets.cpp, what a stack reports in world_events.cpp, and
// applications in world_tasks.cpp.
#include "sim/world.hpp"

#include <algorithm>

#include "sim/labels.hpp"
#include "stack/text.hpp"

namespace tcplab {

World::World(std::uint64_t seed) : seed_(seed), rng_(seed) {}

int World::add_host(const std::string& name, Ipv4 ip, const TcpConfig& cfg) {
  HostInfo h;
  h.name = name;
  const auto n = hosts_.size();
  h.tag = n < 26 ? std::string(1, static_cast<char>('A' + n)) : "H" + std::to_string(n);
  h.ip = ip;
  h.cfg = cfg;
  h.secret = rng_.next();
  stacks_.emplace_back(ip, cfg, h.secret);
  hosts_.push_back(h);
  conn_timers_.emplace_back();
  ordinals_.emplace_back();
  conn_task_.emplace_back();
  if (!access_.empty()) access_.emplace_back();
  return static_cast<int>(n);
}

void World::set_ephemeral_range(int host, std::uint16_t lo, std::uint16_t hi) { stacks_[host].set_ephemeral_range(lo, hi); }

int World::add_link(int a, int b, const LinkParams& ab, const LinkParams& ba) {
  Link l;
  l.a = a;
  l.b = b;
  l.ab = LinkDir(ab, rng_.fork());
  l.ba = LinkDir(ba, rng_.fork());
  links_.push_back(l);
  const int id = static_cast<int>(links_.size() - 1);
  link_index_[{std::min(a, b), std::max(a, b)}] = id;
  return id;
}

void World::add_app(const AppSpec& app) {
  const int h = host_index(app.host);
  if (h < 0) return;
  Gen g;
  g.host = h;
  g.spec = app;
  gens_.push_back(g);
  push(app.start, EvKind::AppStart, static_cast<int>(gens_.size() - 1));
  if (app.stop != kNever) push(app.stop, EvKind::AppStop, static_cast<int>(gens_.size() - 1));
}

int World::host_index(const std::string& s) const {
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].name == s || hosts_[i].tag == s || ip_to_string(hosts_[i].ip) == s) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> World::host_names() const {
  std::vector<std::string> v;
  for (const auto& h : hosts_) v.push_back(h.name);
  return v;
}

std::vector<World::UnfinishedIo> World::unfinished_io() const {
  std::vector<UnfinishedIo> out;
  // In the order the tasks were started (slots are reused, so not in slot order).
  std::vector<std::pair<std::uint64_t, int>> order;
  for (std::size_t i = 0; i < tasks_.slots(); ++i)
    if (tasks_.used(static_cast<int>(i))) order.push_back({tasks_[static_cast<int>(i)].serial, static_cast<int>(i)});
  std::sort(order.begin(), order.end());
  for (const auto& [serial, id] : order) {
    const Task& t = tasks_[id];
    if (t.done || t.progress == 0 || t.pc >= t.script->size() || t.epoch != hosts_[t.host].epoch) continue;
    const Op op = (*t.script)[t.pc].op;
    if (op != Op::Send && op != Op::Recv && op != Op::RecvAll) continue;
    if (!stacks_[t.host].valid(t.conn)) continue;
    out.push_back({t.host, conn_label(t.host, t.conn), op != Op::Send, t.progress});
  }
  return out;
}

std::string World::conn_label(int host, ConnId c) const {
  const ConnRecordHead k = stacks_[host].head(c);
  return pair_label(k.local, k.remote);
}

Label World::conn_label_of(int host, ConnId c) const {
  const ConnRecordHead k = stacks_[host].head(c);
  return pair_label_of(k.local, k.remote);
}

void World::push(Instant t, EvKind k, int target, std::uint32_t slot, std::uint32_t epoch) {
  queue_.push(QEvent{t, order_++, k, target, slot, epoch}, now_);
}

// ---------------------------------------------------------------- running

// Lends a sink to the world for one call and takes it back however the call ends.
class World::SinkLoan {
 public:
  SinkLoan(World& w, TraceSink* sink) : w_(w) {
    w_.sink_.set(sink);
    w_.out_.list_timer_events = sink != nullptr;  // unlisted ones are counted (absorb)
  }
  ~SinkLoan() {
    w_.sink_.set(nullptr);
    w_.out_.list_timer_events = true;
  }
  SinkLoan(const SinkLoan&) = delete;
  SinkLoan& operator=(const SinkLoan&) = delete;

 private:
  World& w_;
};

void World::step_one() {
  const QEvent e = queue_.top();
  queue_.pop();
  if (e.t > now_) now_ = e.t;
  ++counters_.events;
  dispatch(e);
}

bool World::step(TraceSink* sink) {
  if (queue_.empty()) return false;
  SinkLoan loan(*this, sink);
  step_one();
  return true;
}

void World::run_until(Instant t, TraceSink* sink) {
  SinkLoan loan(*this, sink);
  while (!queue_.empty() && queue_.top().t <= t) step_one();
  if (t > now_ && t != kNever) now_ = t;
}

std::uint64_t World::run(std::uint64_t max_events, Instant limit, TraceSink* sink) {
  SinkLoan loan(*this, sink);
  std::uint64_t n = 0;
  while (n < max_events && !queue_.empty() && queue_.top().t <= limit) {
    step_one();
    ++n;
  }
  return n;
}

void World::dispatch(const QEvent& e) {
  switch (e.kind) {
    case EvKind::Arrive:
      arrive(e);
      break;
    case EvKind::Timer: {
      const int h = e.target;
      const ConnId c = e.slot;
      if (e.epoch != hosts_[h].epoch || !hosts_[h].up) break;
      auto& timers = conn_timers_[h];
      if (c >= timers.size()) break;
      ConnTimer& k = timers[c];
      if (e.t != k.queued || e.order != k.queued_order) break;  // superseded by an earlier deadline
      k.queued = kNever;
      if (e.t != k.at || e.order != k.at_order) {  // the deadline moved later (or went): queue it now
        if (k.at != kNever) queue_timer(h, c, k);
        break;
      }
      k.at = kNever;
      out_.clear();
      stacks_[h].on_timer(now_, c, out_);
      absorb(h, out_);
      // A pacing wake-up reports nothing when nothing could go: the connection's other
      // deadlines (its RTO) must still be queued. Only future ones: a deadline already past
      // that the stack did not act on would otherwise be queued again at this instant forever.
      if (stacks_[h].valid(c) && stacks_[h].next_deadline(c) > now_) schedule_timer(h, c);
      break;
    }
    case EvKind::Task:
      if (tasks_.live(e.target, e.slot)) {  // not an ended task's (or its slot's next)
        if (now_ >= tasks_[e.target].wake_at) tasks_[e.target].wake_at = kNever;
        run_task(e.target);
      }
      break;
    case EvKind::AppStart:
    case EvKind::GenTick:
      gen_tick(e.target);
      break;
    case EvKind::Crash:
      crash_host(e.target);
      break;
    case EvKind::Restart:
      restart_host(e.target);
      break;
    case EvKind::Hop:
      bn_hop(e.target, e.slot);
      break;
    case EvKind::GroFlush:
      gro_flush(e.target, e.slot);
      break;
    case EvKind::TxDone:
      bn_tx_done(e.target);
      break;
    case EvKind::AppStop:
      app_stop(e.target);
      break;
    case EvKind::PingLate:
      ping_late(e.target, e.slot);
      break;
  }
}

// ---------------------------------------------------------------- hosts

void World::crash_host(int h) {
  if (!hosts_[h].up) return;
  // Every connection vanishes without a segment: that is how the peer ends up half-open.
  // The stack reports only state changes here; they are traced as absorb() would, but
  // without its timer and task wake-ups (the host's timers and tasks die with it below).
  out_.clear();
  stacks_[h].crash(now_, hosts_[h].name, out_);
  for (const ConnEvent& ev : out_.events) {
    const auto* st = std::get_if<StateEvent>(&ev.body);
    if (!st) continue;
    trace_state(h, ev.conn, *st);
  }
  out_.clear();
  app_event(h, kNoConn, "crash", "OK");
  hosts_[h].up = false;
  ++hosts_[h].epoch;
  hosts_[h].secret = rng_.next();
  stacks_[h] = TcpHost(hosts_[h].ip, hosts_[h].cfg, hosts_[h].secret);
  conn_timers_[h].clear();
  ordinals_[h].clear();
  conn_task_[h].clear();
  for (std::size_t i = 0; i < tasks_.slots(); ++i) {
    const int id = static_cast<int>(i);
    if (!tasks_.used(id) || tasks_[id].host != h) continue;
    tasks_[id].done = true;
    task_release(id);  // one on the call stack (its own `crash` step) gives it back when it returns
  }
}

void World::restart_host(int h) {
  if (hosts_[h].up) return;
  hosts_[h].up = true;
  app_event(h, kNoConn, "restart", "OK");
}

}  // namespace tcplab
