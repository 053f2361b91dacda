// Applications in the world: tasks that run scripts against a host's sockets, and the
// generators (clients, SYN flood, port scan) that start them.
#include <algorithm>

#include "sim/world.hpp"

namespace tcplab {

int World::spawn(int host, std::shared_ptr<const Script> script, ConnId conn, int gen) {
  Task t;
  t.host = host;
  t.script = std::move(script);
  t.conn = conn;
  t.gen = gen;
  t.epoch = hosts_[host].epoch;
  tasks_.push_back(std::move(t));
  const int id = static_cast<int>(tasks_.size() - 1);
  if (conn != kNoConn) {
    auto& ct = conn_task_[host];
    if (ct.size() <= conn) ct.resize(conn + 1, -1);
    ct[conn] = id;
  }
  if (gen >= 0) ++gens_[gen].running;
  return id;
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

void World::gen_tick(int gi) {
  Gen& g = gens_[gi];
  const int h = g.host;
  if (!hosts_[h].up) return;
  const AppSpec& s = g.spec;
  if (!s.script.empty() && g.started == 0) {
    g.started = 1;
    run_task(spawn(h, std::make_shared<const Script>(s.script), kNoConn, -1));
    return;
  }
  if (s.clients) {
    const ClientsGen& c = *s.clients;
    if (c.parallel > 0) {
      while (g.started < c.count && gens_[gi].running < c.parallel) {
        ++gens_[gi].started;
        run_task(spawn(h, c.script, kNoConn, gi));
      }
      return;
    }
    if (g.started < c.count) {
      ++g.started;
      const bool more = g.started < c.count;
      run_task(spawn(h, c.script, kNoConn, gi));
      if (more) push(now_ + std::max<Duration>(c.every, 1), EvKind::GenTick, gi);
    }
    return;
  }
  if (s.flood) {
    const FloodGen& f = *s.flood;
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
    app_event(h, kNoConn, "flood", "SYN from " + endpoint_to_string(syn.src));
    transmit(h, std::move(syn), kNoConn, false);
    if (g.started < f.count) push(now_ + std::max<Duration>(f.every, 1), EvKind::GenTick, gi);
    return;
  }
  if (s.scan) {
    const ScanGen& sc = *s.scan;
    const std::uint32_t port = sc.port_lo + g.started;
    if (port > sc.port_hi) return;
    ++g.started;
    auto script = std::make_shared<Script>();
    Step connect;
    connect.op = Op::Connect;
    connect.target = sc.target;
    connect.port = static_cast<std::uint16_t>(port);
    Step close;
    close.op = Op::Close;
    script->push_back(connect);
    script->push_back(close);
    run_task(spawn(h, script, kNoConn, gi));
    if (port < sc.port_hi) push(now_ + std::max<Duration>(sc.every, 1), EvKind::GenTick, gi);
  }
}

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
}

void World::run_task_once(int id) {
  // Re-fetch the task after every call that may spawn (tasks_ may reallocate).
  auto task = [&]() -> Task& { return tasks_[id]; };
  for (int guard = 0; guard < 100000; ++guard) {
    Task& t = task();
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
    TcpHost& st = stacks_[h];
    auto bind = [&](ConnId c) {
      auto& ct = conn_task_[h];
      if (ct.size() <= c) ct.resize(c + 1, -1);
      ct[c] = id;
    };
    auto next = [&]() {
      Task& tt = task();
      ++tt.pc;
      tt.progress = 0;
      tt.started_step = false;
    };
    switch (s.op) {
      case Op::Listen: {
        ConnId l = kNoConn;
        out_.clear();
        TcpConfig cfg = hosts_[h].cfg;
        const Errno e = [&] {
          if (s.reuse_addr && !cfg.reuse_addr) {
            cfg.reuse_addr = true;
            st.set_config(cfg);
            const Errno r = st.listen(now_, s.port, s.backlog, &l, out_);
            st.set_config(hosts_[h].cfg);
            return r;
          }
          return st.listen(now_, s.port, s.backlog, &l, out_);
        }();
        app_event(h, l, "listen", std::string(errno_name(e)));
        absorb(h, out_);
        if (e != Errno::Ok) {
          task_done(id);
          return;
        }
        task().listener = l;
        bind(l);
        next();
        break;
      }
      case Op::Serve:
      case Op::Accept: {
        const ConnId c = st.accept(task().listener);
        if (c == kNoConn) return;  // woken when a child becomes acceptable
        app_event(h, c, "accept", "OK");
        if (s.op == Op::Accept) {
          task().conn = c;
          bind(c);
          next();
          break;
        }
        const int child = spawn(h, s.child, c, -1);
        run_task(child);
        break;  // keep serving
      }
      case Op::Connect: {
        if (!t.started_step) {
          const int dst = host_index(s.target);
          const Ipv4 ip = dst >= 0 ? hosts_[dst].ip : parse_ipv4(s.target).value_or(0);
          ConnId c = kNoConn;
          out_.clear();
          TcpConfig cfg = hosts_[h].cfg;
          cfg.reuse_addr = cfg.reuse_addr || s.reuse_addr;
          const Errno e = st.connect(now_, Endpoint{ip, s.port}, s.local_port, &c, out_, &cfg);
          task().started_step = true;
          if (e != Errno::Ok) {
            app_event(h, kNoConn, "connect", std::string(errno_name(e)));
            task_done(id);
            return;
          }
          task().conn = c;
          bind(c);
          app_event(h, c, "connect", "started");
          absorb(h, out_);
          break;
        }
        const Connection& k = st.conn(t.conn);
        if (k.state() == State::SynSent || k.state() == State::SynReceived) return;
        if (k.state() == State::Closed) {
          app_event(h, t.conn, "connect", std::string(errno_name(k.error() == Errno::Ok ? Errno::ConnRefused : k.error())));
          task_done(id);
          return;
        }
        app_event(h, t.conn, "connect", "OK");
        next();
        break;
      }
      case Op::Send: {
        const bool text = !s.text.empty();
        const std::uint64_t total = text ? s.text.size() : s.n;
        const std::uint64_t left = total - t.progress;
        std::uint32_t taken = 0;
        out_.clear();
        const ConnId c = t.conn;
        const std::uint32_t chunk = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, 1u << 30));
        const Errno e = text ? st.send(now_, c, std::string_view(s.text).substr(t.progress), &taken, out_)
                             : st.send_fill(now_, c, chunk, &taken, out_);
        task().progress += taken;
        const bool finished = task().progress >= total;
        if (e != Errno::Ok && e != Errno::Again) {
          app_event(h, c, "send", std::string(errno_name(e)), task().progress);
          absorb(h, out_);
          task_done(id);
          return;
        }
        if (finished) app_event(h, c, "send", "OK", total);
        absorb(h, out_);
        if (!finished) return;  // the buffer is full: woken when ACKs free it
        next();
        break;
      }
      case Op::Recv:
      case Op::RecvAll: {
        std::string data;
        out_.clear();
        const ConnId c = t.conn;
        const std::uint64_t want = s.op == Op::Recv ? s.n - t.progress : UINT32_MAX;
        const Errno e = st.recv(now_, c, static_cast<std::uint32_t>(std::min<std::uint64_t>(want, UINT32_MAX)), &data, out_);
        task().progress += data.size();
        counters_.bytes_delivered_to_apps += data.size();
        if (s.verify) {
          // `send N` writes 'a' + (stream offset % 26): any loss, duplication or reordering
          // that reached the application shows up here.
          std::uint64_t at = task().read_total;
          for (char ch : data) {
            if (ch != static_cast<char>('a' + at % 26)) {
              ++counters_.stream_mismatches;
              app_event(h, c, "recv", "DATA_MISMATCH at byte " + std::to_string(at), at);
              break;
            }
            ++at;
          }
        }
        task().read_total += data.size();
        const std::uint64_t got = task().progress;
        if (e == Errno::Again) {
          absorb(h, out_);
          return;
        }
        if (e != Errno::Ok) {
          app_event(h, c, "recv", std::string(errno_name(e)), got);
          absorb(h, out_);
          task_done(id);
          return;
        }
        const bool eof = data.empty();
        if (eof || (s.op == Op::Recv && got >= s.n)) {
          app_event(h, c, "recv", eof ? "EOF" : "OK", got);
          absorb(h, out_);
          next();
          break;
        }
        absorb(h, out_);
        break;  // read more
      }
      case Op::WaitEof: {
        const Connection& k = st.conn(t.conn);
        if (k.eof_received()) {
          next();
          break;
        }
        if (k.state() == State::Closed) {
          task_done(id);
          return;
        }
        return;
      }
      case Op::Wait: {
        if (!t.started_step) {
          task().started_step = true;
          task().progress = static_cast<std::uint64_t>(now_ + s.d);
          push(now_ + s.d, EvKind::Task, id);
          return;
        }
        if (now_ < static_cast<Instant>(t.progress)) return;
        next();
        break;
      }
      case Op::Shutdown:
      case Op::Close:
      case Op::Abort: {
        out_.clear();
        // The task's connection; once the app has closed that, a further `close` closes the
        // listening socket (a server that stops: close(conn_fd), then close(listen_fd)).
        const bool conn_done = t.conn != kNoConn && s.op == Op::Close && t.listener != kNoConn &&
                               st.conn(t.conn).app_closed();
        const ConnId c = t.conn != kNoConn && !conn_done ? t.conn : t.listener;
        const Errno e = s.op == Op::Shutdown ? st.shutdown(now_, c, out_)
                        : s.op == Op::Close  ? st.close(now_, c, out_)
                                             : st.abort(now_, c, out_);
        app_event(h, c, s.op == Op::Shutdown ? "shutdown" : s.op == Op::Close ? "close" : "abort",
                  std::string(errno_name(e)));
        absorb(h, out_);
        next();
        break;
      }
      case Op::Crash: {
        const Duration back = s.d;
        crash_host(h);
        if (back > 0) push(now_ + back, EvKind::Restart, h);
        return;
      }
      case Op::Exit:
        task_done(id);
        return;
    }
  }
}

}  // namespace tcplab
