// Ping (issue 17): echo requests from a ping app's host, answered by the target host's world
// (no socket, no TCP), over the same links, bottlenecks and queues as everything else. Each
// probe ends as an app event `ping` on the pinging host: a reply with its round-trip time,
// or no reply within World::kPingTimeout (a reply later than that is ignored, as
// `ping -W 1` would count it lost). With series on, each is a PingSample too.
#include <cstdio>

#include "sim/world.hpp"
#include "stack/text.hpp"

namespace tcplab {

namespace {

constexpr std::uint32_t kIpHeader = 20;

}  // namespace

// Sends the next probe (when its host is up) and queues the one after it.
void World::gen_ping(int gi) {
  Gen& g = gens_[gi];
  const PingGen& pg = *g.spec.ping;
  if (pg.count != 0 && g.ping_sent >= pg.count) return;
  if (hosts_[g.host].up) {
    const int dst = host_index(pg.target);
    Packet p;
    p.ping = true;
    p.ping_gen = gi;
    p.ping_seq = ++g.ping_sent;  // 1, 2, ... as icmp_seq
    p.src_host = g.host;
    p.dst_host = dst;
    p.seg.src = Endpoint{hosts_[g.host].ip, 0};
    p.seg.dst = Endpoint{dst >= 0 ? hosts_[dst].ip : parse_ipv4(pg.target).value_or(0), 0};
    p.wire_bytes = kIpHeader + pg.size;
    p.id = "ping:" + hosts_[g.host].tag + ">" + (dst >= 0 ? hosts_[dst].tag : pg.target) + "#" + std::to_string(p.ping_seq);
    ++counters_.ping_pkts;
    g.ping_waiting[p.ping_seq] = now_;
    push(now_ + kPingTimeout, EvKind::PingLate, gi, p.ping_seq);
    send_on_path(g.host, p, 0, false);
  } else {
    ++g.ping_sent;  // a probe the host was down for: its number is used up, as ping(8)'s
  }
  if (pg.count == 0 || g.ping_sent < pg.count) push(now_ + std::max<Duration>(pg.interval, 1), EvKind::GenTick, gi);
}

// An echo request is answered at once by its host; a reply ends its probe.
void World::ping_arrived(Packet& p) {
  if (!p.ping_reply) {
    Packet r = std::move(p);
    std::swap(r.seg.src, r.seg.dst);
    std::swap(r.src_host, r.dst_host);
    r.ping_reply = true;
    r.id = "ping:" + hosts_[r.src_host].tag + ">" + hosts_[r.dst_host].tag + "#" + std::to_string(r.ping_seq);
    ++counters_.ping_pkts;
    const int h = r.src_host;
    send_on_path(h, r, 0, false);
    return;
  }
  Gen& g = gens_[p.ping_gen];
  auto it = g.ping_waiting.find(p.ping_seq);
  if (it == g.ping_waiting.end()) return;  // it was counted lost already
  const Instant sent = it->second;
  g.ping_waiting.erase(it);
  ping_result(p.ping_gen, p.ping_seq, sent, now_ - sent);
}

void World::ping_late(int gi, std::uint32_t seq) {
  Gen& g = gens_[gi];
  auto it = g.ping_waiting.find(seq);
  if (it == g.ping_waiting.end()) return;  // answered in time
  const Instant sent = it->second;
  g.ping_waiting.erase(it);
  ping_result(gi, seq, sent, kNever);
}

void World::ping_result(int gi, std::uint32_t seq, Instant sent, Duration rtt) {
  const Gen& g = gens_[gi];
  const int dst = host_index(g.spec.ping->target);
  const std::string target = dst >= 0 ? hosts_[dst].name : g.spec.ping->target;
  if (rtt == kNever) {
    app_event(g.host, kNoConn, "ping", "no reply from " + target + " seq " + std::to_string(seq) + " within 1 s");
  } else {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", static_cast<double>(rtt) / 1e6);
    app_event(g.host, kNoConn, "ping", "reply from " + target + " seq " + std::to_string(seq) + " rtt " + ms + " ms");
  }
  if (!sink_.get() || !sink_.get()->series_on) return;
  auto& pings = sink_.get()->series.pings;
  PingSeries* s = nullptr;
  for (auto& ps : pings)
    if (ps.host == g.host && ps.target == target) s = &ps;
  if (!s) {
    pings.push_back(PingSeries{g.host, target, {}});
    s = &pings.back();
  }
  s->samples.push_back(PingSample{sent, rtt});
}

}  // namespace tcplab
