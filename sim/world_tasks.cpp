// Applications in the world: tasks that run scripts against a host's sockets, and the
// generators (clients, SYN flood, port scan) that start them.
//
// A task names its sockets by ConnId, an index into its host's TcpHost. A crash replaces
// the TcpHost, and ids start again from 0 in the new incarnation, so an id is only
// meaningful together with the host epoch the task was started in: every look at a task's
// connection goes through task_conn(), which checks both. Tasks live in slots of a deque
// (sim/slot_pool.hpp), so a `Task&` stays valid while the step it is running spawns more
// tasks; an ended task's slot is reused, and whatever names a task keeps the slot's generation.
#include <algorithm>

#include "sim/world.hpp"

namespace tcplab {

int World::spawn(int host, std::shared_ptr<const Script> script, ConnId conn, int gen, int app) {
  Task t;
  t.host = host;
  t.script = std::move(script);
  t.conn = conn;
  t.gen = gen;
  t.app = app;
  t.epoch = hosts_[host].epoch;
  t.serial = task_serial_++;
  const int id = tasks_.add(std::move(t));
  if (conn != kNoConn) task_bind(id, conn);
  if (gen >= 0) ++gens_[gen].running;
  return id;
}

void World::task_bind(int id, ConnId c) {
  auto& ct = conn_task_[tasks_[id].host];
  if (ct.size() <= c) ct.resize(c + 1);
  ct[c] = TaskRef{id, tasks_.gen(id)};
}

// Its connections' handles and its queued wake-ups name the slot with the generation they
// were made with, so they can no longer reach it: nothing else holds a task's id.
void World::task_release(int id) {
  if (tasks_.used(id) && tasks_[id].done && !tasks_[id].running) tasks_.release(id);
}

void World::task_done(int id) {
  Task& t = tasks_[id];
  if (t.done) return;
  t.done = true;
  if (t.gen >= 0) {
    Gen& g = gens_[t.gen];
    if (g.running > 0) --g.running;
    // A closed loop starts the next client when one finishes.
    if (g.spec.clients && g.spec.clients->parallel > 0 && g.started < g.spec.clients->count)
      push(now_, EvKind::GenTick, t.gen);
  }
}

const Connection* World::task_conn(const Task& t, ConnId c) const {
  if (c == kNoConn || t.epoch != hosts_[t.host].epoch || !stacks_[t.host].valid(c)) return nullptr;
  return &stacks_[t.host].conn(c);
}

// ---------------------------------------------------------------- generators

void World::gen_tick(int gi) {
  Gen& g = gens_[gi];
  if (g.stopped) return;
  const AppSpec& s = g.spec;
  if (s.ping) return gen_ping(gi);  // a ping goes on (silently) while its host is down
  if (!hosts_[g.host].up) return;
  if (!s.script.empty() && g.started == 0) {
    g.started = 1;
    run_task(spawn(g.host, std::make_shared<const Script>(s.script), kNoConn, -1, gi));
    return;
  }
  if (s.clients) gen_clients(gi);
  else if (s.flood) gen_flood(gi);
  else if (s.scan) gen_scan(gi);
  else if (s.peer) gen_peer(gi);
}

void World::gen_clients(int gi) {
  Gen& g = gens_[gi];
  const ClientsGen& c = *g.spec.clients;
  if (c.parallel > 0) {  // closed loop: top up to `parallel` running clients
    while (g.started < c.count && g.running < c.parallel) {
      ++g.started;
      run_task(spawn(g.host, c.script, kNoConn, gi, gi));
    }
    return;
  }
  if (g.started < c.count) {  // open loop: one now, the next after `every`
    ++g.started;
    const bool more = g.started < c.count;
    run_task(spawn(g.host, c.script, kNoConn, gi, gi));
    if (more) push(now_ + std::max<Duration>(c.every, 1), EvKind::GenTick, gi);
  }
}

void World::gen_flood(int gi) {
  Gen& g = gens_[gi];
  const FloodGen& f = *g.spec.flood;
  if (g.started >= f.count) return;
  const int dst = host_index(f.target);
  Segment syn;
  syn.src = Endpoint{f.src_base + static_cast<std::uint32_t>(g.started), static_cast<std::uint16_t>(1024 + rng_.below(60000))};
  syn.dst = Endpoint{dst >= 0 ? hosts_[dst].ip : parse_ipv4(f.target).value_or(0), f.port};
  syn.seq = Seq32(static_cast<std::uint32_t>(rng_.next()));
  syn.flags = kSyn;
  syn.wnd = 64240;
  syn.mss = 1460;
  ++g.started;
  app_event(g.host, kNoConn, "flood", "SYN from " + endpoint_to_string(syn.src));
  transmit(g.host, std::move(syn), kNoConn, false);
  if (g.started < f.count) push(now_ + std::max<Duration>(f.every, 1), EvKind::GenTick, gi);
}

void World::gen_scan(int gi) {
  Gen& g = gens_[gi];
  const ScanGen& sc = *g.spec.scan;
  const std::uint32_t port = sc.port_lo + g.started;
  if (port > sc.port_hi) return;
  ++g.started;
  // Each probe is a client that connects and closes (a connect() scan, as `nmap -sT`).
  auto script = std::make_shared<Script>();
  Step connect;
  connect.op = Op::Connect;
  connect.target = sc.target;
  connect.port = static_cast<std::uint16_t>(port);
  Step close;
  close.op = Op::Close;
  script->push_back(connect);
  script->push_back(close);
  run_task(spawn(g.host, script, kNoConn, gi, gi));
  if (port < sc.port_hi) push(now_ + std::max<Duration>(sc.every, 1), EvKind::GenTick, gi);
}

// A scripted peer (issue 15): plays its script's lines that are due now, then sleeps until
// the next one is. A '<' line is sent from the peer's own address like a flood's SYN (no
// connection of the host's stack owns it); a '>' line whose deadline passed is a mismatch.
// Segments for the peer come in through arrive() -> peer_arrived(), which calls this again
// so the lines after an arrival are timed from it.
void World::gen_peer(int gi) {
  Gen& g = gens_[gi];
  const PeerGen& pg = *g.spec.peer;
  if (now_ >= g.peer_tick) g.peer_tick = kNever;  // this is (or passed) the queued tick
  if (!g.peer_started) {
    g.peer_started = true;
    const int dst = host_index(pg.target);
    const Endpoint self{hosts_[g.host].ip, pg.own_port};
    const Endpoint stack{dst >= 0 ? hosts_[dst].ip : parse_ipv4(pg.target).value_or(0), pg.port};
    g.peer = pkt::PeerScript(pg.script, self, stack, now_, pg.check_arrivals);
  }
  while (!g.peer_ended) {
    const auto [wait, at] = g.peer.next();
    int line = 0;
    switch (wait) {
      case pkt::PeerScript::Wait::Done:
        g.peer_ended = true;
        app_event(g.host, kNoConn, "peer", "script ended: " + g.peer.summary());
        return;
      case pkt::PeerScript::Wait::Send: {
        if (at > now_) break;
        std::string text;
        Segment seg = g.peer.send(now_, &line, &text);
        app_event(g.host, kNoConn, "peer", "line " + std::to_string(line) + ": sends " + text);
        transmit(g.host, std::move(seg), kNoConn, false);
        continue;
      }
      case pkt::PeerScript::Wait::Expect: {
        // `at` is the last instant the segment may still arrive (an arrival at that same
        // instant may be queued after this tick): it is missed only after it.
        if (at >= now_) {
          if (at == kNever) return;
          const Instant after = at + 1;
          if (g.peer_tick != after) {
            g.peer_tick = after;
            push(after, EvKind::GenTick, gi);
          }
          return;
        }
        const std::string why = g.peer.expired(now_, &line);
        app_event(g.host, kNoConn, "peer", "line " + std::to_string(line) + ": MISMATCH: " + why);
        continue;
      }
    }
    // A '<' line not yet due: wake up when it is.
    if (g.peer_tick != at) {
      g.peer_tick = at;
      push(at, EvKind::GenTick, gi);
    }
    return;
  }
}

// The app's `stop` time: no new clients or probes (gen_tick looks at `stopped`), and each of
// its tasks blocked in a send is woken to end it (task_send).
void World::app_stop(int gi) {
  gens_[gi].stopped = true;
  // In the order the tasks were started; those started meanwhile are not blocked in a send.
  std::vector<std::pair<std::uint64_t, int>> order;
  for (std::size_t i = 0; i < tasks_.slots(); ++i) {
    const int id = static_cast<int>(i);
    if (tasks_.used(id) && tasks_[id].app == gi) order.push_back({tasks_[id].serial, id});
  }
  std::sort(order.begin(), order.end());
  for (const auto& [serial, id] : order) {
    // Looked at when its turn comes, as the ones before it may have ended it (or its slot).
    if (!tasks_.used(id) || tasks_[id].serial != serial) continue;
    const Task& t = tasks_[id];
    if (t.done || t.pc >= t.script->size() || (*t.script)[t.pc].op != Op::Send) continue;
    run_task(id);
  }
}

// ---------------------------------------------------------------- running a task

void World::run_task(int id) {
  // A task's own calls can wake it (its socket reported something): never run it twice at
  // once; note the wake-up and let the running instance look again before it blocks.
  if (tasks_[id].running) {
    tasks_[id].rerun = true;
    return;
  }
  tasks_[id].running = true;
  do {
    tasks_[id].rerun = false;
    run_task_once(id);
  } while (tasks_[id].rerun && !tasks_[id].done);
  tasks_[id].running = false;
  task_release(id);
}

void World::wake_task(int id) {
  Task& t = tasks_[id];
  const Duration d = t.app >= 0 ? gens_[t.app].spec.wakeup : 0;
  // A running task is awake: it looks again before it blocks (run_task).
  if (d <= 0 || t.running) return run_task(id);
  if (t.wake_at != kNever) return;  // already waking: that run reads what came meanwhile too
  t.wake_at = now_ + d;
  push(t.wake_at, EvKind::Task, id, tasks_.gen(id));
}

void World::run_task_once(int id) {
  Task& t = tasks_[id];  // stays valid: slots live in a deque, and this one is not released while it runs
  for (int guard = 0; guard < 100000; ++guard) {
    if (t.done) return;
    const int h = t.host;
    if (t.epoch != hosts_[h].epoch || !hosts_[h].up) {
      task_done(id);
      return;
    }
    if (t.pc >= t.script->size()) {
      task_done(id);  // the script ended; its socket stays as it is ("never close")
      return;
    }
    const Step& s = (*t.script)[t.pc];
    Flow f = Flow::Finish;
    switch (s.op) {
      case Op::Listen: f = task_listen(id, t, s); break;
      case Op::Serve:
      case Op::Accept: f = task_accept(id, t, s); break;
      case Op::Connect: f = task_connect(id, t, s); break;
      case Op::Send: f = task_send(id, t, s); break;
      case Op::Recv:
      case Op::RecvAll: f = task_recv(id, t, s); break;
      case Op::WaitEof: f = task_wait_eof(t); break;
      case Op::Wait: f = task_wait(id, t, s); break;
      case Op::Shutdown:
      case Op::Close:
      case Op::Abort: f = task_close(t, s); break;
      case Op::Crash: f = task_crash(t, s); break;
      case Op::Exit: f = Flow::Finish; break;
    }
    switch (f) {
      case Flow::Again: continue;
      case Flow::Block: return;
      case Flow::Finish: task_done(id); return;
      case Flow::Gone: return;
    }
  }
}

void World::task_next(Task& t) {
  ++t.pc;
  t.progress = 0;
  t.started_step = false;
}

World::Flow World::task_listen(int id, Task& t, const Step& s) {
  const int h = t.host;
  TcpHost& st = stacks_[h];
  ConnId l = kNoConn;
  out_.clear();
  TcpConfig cfg = hosts_[h].cfg;
  const Errno e = [&] {
    if (s.reuse_addr && !cfg.reuse_addr) {  // SO_REUSEADDR for this socket only
      cfg.reuse_addr = true;
      st.set_config(cfg);
      const Errno r = st.listen(now_, s.port, s.backlog, &l, out_);
      st.set_config(hosts_[h].cfg);
      return r;
    }
    return st.listen(now_, s.port, s.backlog, &l, out_);
  }();
  if (e == Errno::AddrInUse) {
    // `listen PORT` is bind() then listen(); a port in use fails bind(), as on Linux, and the
    // socket never existed: the label names the port it asked for.
    app_event(h, kNoConn, "bind", std::string(errno_name(e)), 0,
              ip_to_string(hosts_[h].ip) + ":" + std::to_string(s.port) + ">0.0.0.0:0");
  } else {
    app_event(h, l, "listen", std::string(errno_name(e)));
  }
  absorb(h, out_);
  if (e != Errno::Ok) return Flow::Finish;
  t.listener = l;
  task_bind(id, l);
  task_next(t);
  return Flow::Again;
}

World::Flow World::task_accept(int id, Task& t, const Step& s) {
  const int h = t.host;
  // A listener from an earlier incarnation of the host is not this host's any more.
  if (!task_conn(t, t.listener)) return Flow::Finish;
  const ConnId c = stacks_[h].accept(t.listener);
  if (c == kNoConn) return Flow::Block;  // woken when a child becomes acceptable
  app_event(h, c, "accept", "OK");
  if (s.op == Op::Accept) {
    t.conn = c;
    task_bind(id, c);
    task_next(t);
    return Flow::Again;
  }
  run_task(spawn(h, s.child, c, -1, t.app));
  return Flow::Again;  // keep serving
}

World::Flow World::task_connect(int id, Task& t, const Step& s) {
  const int h = t.host;
  if (!t.started_step) {
    const int dst = host_index(s.target);
    const Ipv4 ip = dst >= 0 ? hosts_[dst].ip : parse_ipv4(s.target).value_or(0);
    ConnId c = kNoConn;
    out_.clear();
    TcpConfig cfg = hosts_[h].cfg;
    cfg.reuse_addr = cfg.reuse_addr || s.reuse_addr;
    if (s.cc) cfg.cc = *s.cc;
    const Errno e = stacks_[h].connect(now_, Endpoint{ip, s.port}, s.local_port, &c, out_, &cfg);
    t.started_step = true;
    if (e != Errno::Ok) {
      app_event(h, kNoConn, "connect", std::string(errno_name(e)));
      return Flow::Finish;
    }
    t.conn = c;
    task_bind(id, c);
    app_event(h, c, "connect", "started");
    absorb(h, out_);
    return Flow::Again;  // look at the outcome (usually: still SYN_SENT, block)
  }
  const Connection* k = task_conn(t, t.conn);
  if (!k) return Flow::Finish;
  if (k->state() == State::SynSent || k->state() == State::SynReceived) return Flow::Block;
  if (k->state() == State::Closed) {
    app_event(h, t.conn, "connect", std::string(errno_name(k->error() == Errno::Ok ? Errno::ConnRefused : k->error())));
    return Flow::Finish;
  }
  app_event(h, t.conn, "connect", "OK");
  task_next(t);
  return Flow::Again;
}

World::Flow World::task_send(int, Task& t, const Step& s) {
  const int h = t.host;
  if (t.app >= 0 && gens_[t.app].stopped) {
    // The app's `stop` time has come: the send ends with the bytes it wrote so far (the
    // socket still sends those), and the script goes on.
    app_event(h, t.conn, "send", "stopped", t.progress);
    task_next(t);
    return Flow::Again;
  }
  const bool text = !s.text.empty();
  const std::uint64_t total = text ? s.text.size() : s.bytes;
  const std::uint64_t left = total - t.progress;
  std::uint32_t taken = 0;
  out_.clear();
  const ConnId c = t.conn;
  const std::uint32_t chunk = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, 1u << 30));
  const Errno e = text ? stacks_[h].send(now_, c, std::string_view(s.text).substr(t.progress), &taken, out_)
                       : stacks_[h].send_fill(now_, c, chunk, &taken, out_);
  t.progress += taken;
  const bool finished = t.progress >= total;
  if (e != Errno::Ok && e != Errno::Again) {
    app_event(h, c, "send", std::string(errno_name(e)), t.progress);
    absorb(h, out_);
    return Flow::Finish;
  }
  if (finished) app_event(h, c, "send", "OK", total);
  absorb(h, out_);
  if (!finished) return Flow::Block;  // the buffer is full: woken when ACKs free it
  task_next(t);
  return Flow::Again;
}

World::Flow World::task_recv(int, Task& t, const Step& s) {
  const int h = t.host;
  // Slices of the receive buffer: counted, and read only to verify. The world's scratch
  // vector, so that a read allocates nothing; emptied before absorb() can run another task.
  std::vector<Payload>& data = recv_scratch_;
  data.clear();
  out_.clear();
  const ConnId c = t.conn;
  const std::uint64_t want = s.op == Op::Recv ? s.bytes - t.progress : UINT32_MAX;
  const Errno e = stacks_[h].recv(now_, c, static_cast<std::uint32_t>(std::min<std::uint64_t>(want, UINT32_MAX)), &data, out_);
  const std::uint64_t n = total_size(data);
  t.progress += n;
  counters_.bytes_delivered_to_apps += n;
  if (s.verify) {
    // `send N` writes 'a' + (stream offset % 26): any loss, duplication or reordering
    // that reached the application shows up here.
    std::uint64_t at = t.read_total;
    for (const Payload& part : data) {
      const std::uint32_t good = part.pattern_prefix(at);
      at += good;
      if (good < part.size()) {
        ++counters_.stream_mismatches;
        app_event(h, c, "recv", "DATA_MISMATCH at byte " + std::to_string(at), at);
        break;
      }
    }
  }
  data.clear();  // gives the slices' chunks back now
  t.read_total += n;
  const std::uint64_t got = t.progress;
  if (e == Errno::Again) {
    absorb(h, out_);
    return Flow::Block;
  }
  if (e != Errno::Ok) {
    app_event(h, c, "recv", std::string(errno_name(e)), got);
    absorb(h, out_);
    return Flow::Finish;
  }
  const bool eof = n == 0;
  if (eof || (s.op == Op::Recv && got >= s.bytes)) {
    // As recv(2) says it: the bytes, then 0 at the end of the stream (two calls).
    if (got > 0) app_event(h, c, "recv", "OK", got);
    if (eof) app_event(h, c, "recv", "EOF", 0);
    absorb(h, out_);
    task_next(t);
    return Flow::Again;
  }
  absorb(h, out_);
  return Flow::Again;  // read more
}

World::Flow World::task_wait_eof(Task& t) {
  const Connection* k = task_conn(t, t.conn);
  if (!k) return Flow::Finish;  // no connection to wait on (or it vanished in a crash)
  if (k->eof_received()) {
    task_next(t);
    return Flow::Again;
  }
  if (k->state() == State::Closed) return Flow::Finish;
  return Flow::Block;
}

World::Flow World::task_wait(int id, Task& t, const Step& s) {
  if (!t.started_step) {
    t.started_step = true;
    t.progress = static_cast<std::uint64_t>(now_ + s.duration);
    push(now_ + s.duration, EvKind::Task, id, tasks_.gen(id));
    return Flow::Block;
  }
  if (now_ < static_cast<Instant>(t.progress)) return Flow::Block;
  task_next(t);
  return Flow::Again;
}

World::Flow World::task_close(Task& t, const Step& s) {
  const int h = t.host;
  TcpHost& st = stacks_[h];
  out_.clear();
  // The task's connection; once the app has closed that, a further `close` closes the
  // listening socket (a server that stops: close(conn_fd), then close(listen_fd)).
  const Connection* k = task_conn(t, t.conn);
  const bool conn_done = k && s.op == Op::Close && t.listener != kNoConn && k->app_closed();
  const ConnId c = t.conn != kNoConn && !conn_done ? t.conn : t.listener;
  const Errno e = s.op == Op::Shutdown ? st.shutdown(now_, c, out_)
                  : s.op == Op::Close  ? st.close(now_, c, out_)
                                       : st.abort(now_, c, out_);
  app_event(h, c, s.op == Op::Shutdown ? "shutdown" : s.op == Op::Close ? "close" : "abort", std::string(errno_name(e)));
  absorb(h, out_);
  task_next(t);
  return Flow::Again;
}

World::Flow World::task_crash(Task& t, const Step& s) {
  const int h = t.host;
  const Duration back = s.duration;
  crash_host(h);  // ends every task of the host, this one included
  if (back > 0) push(now_ + back, EvKind::Restart, h);
  return Flow::Gone;
}

}  // namespace tcplab
