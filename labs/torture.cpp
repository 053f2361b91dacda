#include "labs/torture.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "labs/lab.hpp"
#include "sim/rng.hpp"
#include "stack/transitions.hpp"

namespace tcplab {

namespace {

struct Impair {
  std::uint32_t loss_pct = 0, dup_pct = 0, reorder_pct = 0, corrupt_pct = 0;
  std::uint32_t burst_enter_pct = 0;   // Gilbert-Elliott: chance to enter the bad state
  std::int64_t delay_us = 1000, jitter_us = 0;
  std::int64_t down_from_ms = 0, down_len_ms = 0;  // a cut in the link, if len > 0
};

enum class Close : std::uint8_t { ClientFirst, ServerFirst, Simultaneous, HalfClose };

struct ConnPlan {
  bool simultaneous_open = false;
  Close close = Close::ClientFirst;
  std::uint64_t up = 0, down = 0;  // bytes client->server, server->client
  std::int64_t start_ms = 0;
};

struct Scenario {
  Impair ab, ba;
  std::vector<ConnPlan> conns;
  bool rfc_profile = false;
};

Scenario draw_scenario(std::uint64_t seed) {
  Rng r(seed);
  Scenario s;
  auto impair = [&] {
    Impair i;
    const auto heavy = r.below(4) == 0;  // a quarter of directions are harsh
    i.loss_pct = static_cast<std::uint32_t>(heavy ? r.below(51) : r.below(11));
    i.dup_pct = static_cast<std::uint32_t>(r.below(3) == 0 ? r.below(11) : 0);
    i.reorder_pct = static_cast<std::uint32_t>(r.below(3) == 0 ? r.below(21) : 0);
    i.corrupt_pct = static_cast<std::uint32_t>(r.below(4) == 0 ? r.below(6) : 0);
    i.burst_enter_pct = static_cast<std::uint32_t>(r.below(5) == 0 ? 1 + r.below(10) : 0);
    i.delay_us = static_cast<std::int64_t>(100 + r.below(50'000));
    i.jitter_us = r.below(3) == 0 ? static_cast<std::int64_t>(r.below(5'000)) : 0;
    if (r.below(6) == 0) {
      i.down_from_ms = static_cast<std::int64_t>(r.below(3'000));
      i.down_len_ms = static_cast<std::int64_t>(1 + r.below(20'000));
    }
    return i;
  };
  s.ab = impair();
  s.ba = impair();
  s.rfc_profile = r.below(4) == 0;
  const auto n = 1 + r.below(3);
  for (std::uint64_t k = 0; k < n; ++k) {
    ConnPlan c;
    c.simultaneous_open = r.below(6) == 0;
    c.close = static_cast<Close>(r.below(4));
    auto size = [&] { return r.below(3) == 0 ? 0 : 1 + r.below(r.below(4) == 0 ? 300'000 : 20'000); };
    c.up = size();
    c.down = size();
    if (c.close == Close::Simultaneous) {
      // Both apps write before they read: more than the peer's receive buffer plus our send
      // buffer would block both writers forever, an application deadlock TCP cannot fix.
      c.up = std::min<std::uint64_t>(c.up, 150'000);
      c.down = std::min<std::uint64_t>(c.down, 150'000);
    }
    c.start_ms = static_cast<std::int64_t>(r.below(500));
    s.conns.push_back(c);
  }
  return s;
}

std::string link_toml(const Impair& i, const char* from, const char* to) {
  std::string t = fmt::format("[[path]]\nfrom = \"{}\"\nto = \"{}\"\ndelay = \"{}us\"\n", from, to, i.delay_us);
  if (i.jitter_us) t += fmt::format("jitter = \"{}us\"\n", i.jitter_us);
  if (i.loss_pct) t += fmt::format("loss = \"{}%\"\n", i.loss_pct);
  if (i.dup_pct) t += fmt::format("duplicate = \"{}%\"\n", i.dup_pct);
  if (i.reorder_pct) t += fmt::format("reorder = \"{}%\"\nreorder_delay = \"5ms\"\n", i.reorder_pct);
  if (i.corrupt_pct) t += fmt::format("corrupt = \"{}%\"\n", i.corrupt_pct);
  if (i.burst_enter_pct) t += fmt::format("burst = {{ enter = \"{}%\", leave = \"30%\", loss_bad = \"80%\" }}\n", i.burst_enter_pct);
  if (i.down_len_ms) t += fmt::format("down = [[\"{}ms\", \"{}ms\"]]\n", i.down_from_ms, i.down_from_ms + i.down_len_ms);
  return t;
}

std::string render(std::uint64_t seed, const Scenario& s) {
  std::string t = fmt::format("title = \"torture run {}\"\nseed = {}\nuntil = \"4h\"\n", seed, seed);
  // Short MSL, bounded retries and keepalive: every connection must reach CLOSED on its own,
  // even when its peer gave up (that is the invariant being checked).
  const std::string tcp = fmt::format(
      "tcp = {{ profile = \"{}\", msl = \"2s\", fin_timeout = \"30s\", retries = 8, orphan_retries = 6, "
      "keepalive = true, keepalive_idle = \"60s\", keepalive_interval = \"5s\", keepalive_probes = 3 }}\n",
      s.rfc_profile ? "rfc9293" : "linux");
  t += "\n[[host]]\nname = \"A\"\nip = \"10.0.0.1\"\n" + tcp;
  t += "\n[[host]]\nname = \"B\"\nip = \"10.0.0.2\"\n" + tcp;
  t += "\n" + link_toml(s.ab, "A", "B") + "\n" + link_toml(s.ba, "B", "A");
  for (std::size_t k = 0; k < s.conns.size(); ++k) {
    const ConnPlan& c = s.conns[k];
    const int port = 5000 + static_cast<int>(k), cport = 40000 + static_cast<int>(k);
    auto send = [](std::uint64_t n) { return n ? fmt::format("\"send {}\", ", n) : std::string(); };
    auto recv = [](std::uint64_t n) { return n ? fmt::format("\"recv {} verify\", ", n) : std::string(); };
    std::string client, server;
    if (c.simultaneous_open) {
      // Both sides connect to each other from fixed ports at the same moment.
      client = fmt::format("\"connect B {} from {}\", ", port, cport);
      server = fmt::format("\"connect A {} from {}\", ", cport, port);
    } else {
      client = fmt::format("\"connect B {}\", ", port);
    }
    std::string cs, ss;
    switch (c.close) {
      case Close::ClientFirst:
        cs = send(c.up) + recv(c.down) + "\"close\"";
        ss = recv(c.up) + send(c.down) + "\"recv all verify\", \"close\"";
        break;
      case Close::ServerFirst:
        cs = send(c.up) + "\"recv all verify\", \"close\"";
        ss = recv(c.up) + send(c.down) + "\"close\"";
        break;
      case Close::Simultaneous:
        cs = send(c.up) + recv(c.down) + "\"close\"";
        ss = send(c.down) + recv(c.up) + "\"close\"";
        break;
      case Close::HalfClose:
        cs = send(c.up) + "\"shutdown\", \"recv all verify\", \"close\"";
        ss = "\"recv all verify\", " + send(c.down) + "\"close\"";
        break;
    }
    if (c.close == Close::ServerFirst && c.down == 0) cs = send(c.up) + "\"recv all verify\", \"close\"";
    t += fmt::format("\n[[app]]\nhost = \"A\"\nstart = \"{}ms\"\nscript = [{}{}]\n", c.start_ms, client, cs);
    if (c.simultaneous_open)
      t += fmt::format("\n[[app]]\nhost = \"B\"\nstart = \"{}ms\"\nscript = [{}{}]\n", c.start_ms, server, ss);
    else
      t += fmt::format("\n[[app]]\nhost = \"B\"\nscript = [\"listen {}\", \"accept\", {}]\n", port, ss);
  }
  return t;
}

bool is_failure(const std::string& result) {
  return result.rfind("ECONN", 0) == 0 || result == "ETIMEDOUT" || result == "EPIPE" || result == "ENOTCONN";
}

}  // namespace

std::string reverse_conn(const std::string& c) {
  const auto gt = c.find('>');
  return gt == std::string::npos ? c : c.substr(gt + 1) + ">" + c.substr(0, gt);
}

std::string torture_scenario(std::uint64_t seed) { return render(seed, draw_scenario(seed)); }

TortureRun torture_check(std::uint64_t seed, const std::string& lab_text) {
  TortureRun run;
  run.seed = seed;
  run.lab_text = lab_text;
  auto& v = run.violations;
  Lab lab;
  try {
    lab = parse_lab(lab_text, fmt::format("torture-{}.toml", seed));
  } catch (const LabError& e) {
    v.push_back(std::string("the generated lab does not load: ") + e.what());
    return run;
  }
  auto once = [&](TraceSink& sink, World& w) {
    w = build_world(lab);
    std::uint64_t steps = 0;
    while (w.now() <= lab.until && w.step(&sink)) {
      if (++steps % 64 == 0 || w.idle()) {
        for (int h = 0; h < static_cast<int>(w.hosts().size()); ++h)
          for (ConnId c = 0; c < w.stack(h).conn_count(); ++c)
            if (auto bad = w.stack(h).conn(c).check_invariants(); !bad.empty() && v.size() < 20)
              v.push_back(fmt::format("t={} {} {}: {}", w.now(), w.hosts()[h].name, w.conn_label(h, c), bad));
      }
    }
  };
  TraceSink sink;
  World w;
  once(sink, w);
  run.trace_events = sink.events.size();
  run.bytes_delivered = w.counters().bytes_delivered_to_apps;
  if (!w.idle()) v.push_back(fmt::format("the run did not end by {} (events still pending at t={})", format_duration(lab.until), w.next_event_time()));
  if (w.counters().stream_mismatches) v.push_back(fmt::format("{} reads returned bytes out of order or corrupted", w.counters().stream_mismatches));
  for (int h = 0; h < static_cast<int>(w.hosts().size()); ++h)
    for (ConnId c = 0; c < w.stack(h).conn_count(); ++c) {
      const State st = w.stack(h).conn(c).state();
      if (st != State::Closed && st != State::Listen)
        v.push_back(fmt::format("{} {} ended in {}, not CLOSED", w.hosts()[h].name, w.conn_label(h, c), state_name(st)));
    }

  // Trace invariants: Figure 5 edges, no ACK of unsent data, bytes sent == bytes read.
  std::map<std::string, Seq32> max_end;  // conn (sender's view) -> highest SEQ+LEN sent
  std::map<std::string, std::uint64_t> sent, read;
  std::set<std::string> failed;
  for (const auto& e : sink.events) {
    if (e.type == TraceType::State && !find_transition(e.from, e.to))
      v.push_back(fmt::format("seq_no {}: {} -> {} is not in the transition table (stack/transitions) ({})", e.seq_no,
                              state_name(e.from), state_name(e.to), e.cause));
    if (e.type == TraceType::Send) {
      const Seq32 end = e.seg.seq + e.len + (e.seg.has(kSyn) ? 1U : 0U) + (e.seg.has(kFin) ? 1U : 0U);
      auto it = max_end.find(e.conn);
      if (!e.seg.has(kRst) && (it == max_end.end() || seq_gt(end, it->second))) max_end[e.conn] = end;
      auto peer = max_end.find(reverse_conn(e.conn));
      if (e.seg.has(kAck) && !e.seg.has(kRst) && peer != max_end.end() && seq_gt(e.seg.ack, peer->second))
        v.push_back(fmt::format("seq_no {}: {} acknowledges {} but the peer sent only up to {}", e.seq_no, e.id,
                                e.seg.ack.raw(), peer->second.raw()));
    }
    if (e.type == TraceType::App) {
      if (is_failure(e.result)) {
        failed.insert(e.conn);
        failed.insert(reverse_conn(e.conn));
      }
      if (e.call == "send" && e.result == "OK") sent[e.conn] += e.bytes;
      if (e.call == "recv" && (e.result == "OK" || e.result == "EOF")) read[reverse_conn(e.conn)] += e.bytes;
    }
  }
  for (const auto& [conn, n] : sent) {
    if (failed.count(conn)) continue;
    const std::uint64_t got = read.count(conn) ? read[conn] : 0;
    if (got != n) v.push_back(fmt::format("{}: the app sent {} bytes but the peer's app read {}", conn, n, got));
  }

  // Replay: the same lab and seed must give the same trace, byte for byte.
  TraceSink again;
  World w2;
  std::vector<std::string> saved = std::move(v);
  v.clear();
  once(again, w2);
  v = std::move(saved);
  bool same = again.events.size() == sink.events.size();
  for (std::size_t i = 0; same && i < sink.events.size(); ++i)
    same = sink.events[i] == again.events[i];
  if (!same) v.push_back("replaying the same seed gave a different trace");
  return run;
}

std::string torture_shrink(std::uint64_t seed, const std::string& lab_text, int max_tries) {
  // Greedy: try removing one thing at a time; keep the change if the run still fails.
  Scenario best = draw_scenario(seed);
  if (render(seed, best) != lab_text) return lab_text;
  auto fails = [&](const Scenario& s) { return !torture_check(seed, render(seed, s)).violations.empty(); };
  int tries = 0;
  bool progress = true;
  while (progress && tries < max_tries) {
    progress = false;
    std::vector<Scenario> candidates;
    for (std::size_t k = 0; best.conns.size() > 1 && k < best.conns.size(); ++k) {
      Scenario s = best;
      s.conns.erase(s.conns.begin() + static_cast<std::ptrdiff_t>(k));
      candidates.push_back(s);
    }
    for (Impair Scenario::*dir : {&Scenario::ab, &Scenario::ba}) {
      for (std::uint32_t Impair::*f : {&Impair::loss_pct, &Impair::dup_pct, &Impair::reorder_pct, &Impair::corrupt_pct,
                                       &Impair::burst_enter_pct}) {
        if ((best.*dir).*f == 0) continue;
        Scenario s = best;
        ((s.*dir).*f) = 0;
        candidates.push_back(s);
      }
      if ((best.*dir).down_len_ms) {
        Scenario s = best;
        (s.*dir).down_len_ms = 0;
        candidates.push_back(s);
      }
    }
    for (std::size_t k = 0; k < best.conns.size(); ++k) {
      for (std::uint64_t ConnPlan::*f : {&ConnPlan::up, &ConnPlan::down}) {
        if (best.conns[k].*f < 2) continue;
        Scenario s = best;
        s.conns[k].*f /= 2;
        candidates.push_back(s);
      }
    }
    for (const auto& c : candidates) {
      if (++tries > max_tries) break;
      if (fails(c)) {
        best = c;
        progress = true;
        break;
      }
    }
  }
  return render(seed, best);
}

}  // namespace tcplab
