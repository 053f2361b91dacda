#include "import/findings.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/text_view.hpp"

namespace tcplab::capture {
namespace {

// The article's words (shared/seed/000_fa3925fd44d398ca.txt) and what they mean.
struct Explanation {
  const char* title;
  const char* article;  // quoted from the article
  const char* meaning;  // its explanation, in English
};

const Explanation kExpSynSent{
    "many SYN_SENT without an answer",
    "如果发现有很多SYN_SENT出现，那一般有这么几种情况，一是你要访问的网站不存在或线路不好，二是用扫描软件扫描一个网段的机器，也会出出现很多SYN_SENT，另外就是可能中了病毒了",
    "SYN_SENT is normally too short to see. Many of them mean the host connected to does not exist or the path is "
    "bad, or a scanner (or a worm) is sweeping addresses: SYNs go out, are retransmitted, and nothing answers."};
const Explanation kExpSynFlood{
    "SYN_RECV that never complete (SYN flood signature)",
    "如果发现有很多SYN_RCVD状态，那你的机器有可能被SYN Flood的DoS(拒绝服务攻击)攻击了。",
    "SYN_RECV is normally brief: the client's ACK completes the handshake. Many half-open connections that never "
    "complete, from many source addresses, are the signature of a SYN flood (a denial of service)."};
const Explanation kExpVanished{
    "peers gone without a FIN (data, then silence)",
    "这时候若客户端断开的时候未发送FIN包，则服务端处还是显示ESTABLISHED状态……那么服务端将会出现大量的假的ESTABLISHED连接和CLOSE_WAIT连接。",
    "A peer that disappears without sending its FIN (crash, power loss, cable pulled, a NAT or firewall dropping the "
    "state) leaves the other side ESTABLISHED: its retransmissions go unanswered until it gives up. Repeated, the "
    "server fills with false ESTABLISHED connections."};
const Explanation kExpCloseWait{
    "connections stuck in CLOSE_WAIT (FIN received, no FIN sent)",
    "被动关闭(passive close)端TCP接到FIN后，就发出ACK以回应FIN请求……并进入CLOSE_WAIT.等待从本地用户发来的连接中断请求",
    "CLOSE_WAIT lasts until the application calls close(). The peer's FIN was acknowledged, but this side sent no "
    "FIN for a long time: the application does not close its sockets (a leak), and they pile up."};
const Explanation kExpFinWait1{
    "FIN_WAIT_1 piling up",
    "如果服务器出现shutdown再重启，使用netstat -nat查看，就会看到很多FIN-WAIT-1的状态。就是因为服务器当前有很多客户端连接，直接关闭服务器后，无法接收到客户端的ACK。",
    "A side that closed sent its FIN and waits for the ACK. Many at once, for long: the server was shut down with "
    "many clients connected and the clients' ACKs do not come back (clients unreachable)."};
const Explanation kExpLastAck{
    "LAST_ACK piling up",
    "使用并发压力测试的时候，突然断开压力测试客户端，服务器会看到很多LAST-ACK。",
    "The passive closer sent its FIN and waits for the last ACK. Many of them: the clients went away (a load-test "
    "client stopped abruptly) and nobody acknowledges the server's FINs."};
const Explanation kExpTimeWait{
    "TIME_WAIT counts and rebinding",
    "由于插口的2MSL状态，使得应用程序在2MSL时间内是无法再次使用同一个插口的……启动httpd就会出现错误(插口被使用)。",
    "The active closer holds each connection in TIME_WAIT for 2*MSL (60 s on Linux). Many short connections leave "
    "many TIME_WAIT sockets; a new connection on the same port pair within 2*MSL has to reuse one (or bind() fails)."};
const Explanation kExpRst{
    "RST storm",
    "连接出现连接不上的问题，一般是网路出现问题或者网卡超负荷或者是连接数已经满啦。",
    "Connections that cannot be made or are cut: the network, an overloaded NIC, or a full connection table. Many "
    "RSTs in a short time mean connections refused (no listener, full queues) or aborted in bulk."};
const Explanation kExpZero{
    "zero-window stalls",
    "服务器出现很多ESTABLISHED状态……但始终无法进入程序代码",
    "A receiver advertising a zero window has a full receive buffer: its application is not reading. The sender can "
    "only probe (RFC 9293 3.8.6.1) until the window opens: the connection stays ESTABLISHED but nothing moves."};
const Explanation kExpRto{
    "RTO retransmission chains",
    "连接出现连接不上的问题，一般是网路出现问题或者网卡超负荷或者是连接数已经满啦。",
    "The same data sent again and again on the retransmission timer, each wait twice the last (RFC 6298 5.5): "
    "the path loses everything (an outage, an overloaded NIC or queue) or the peer is gone."};

std::string clock(Instant t) { return TextView::clock(t % sec(86400)); }

std::string ms_text(Duration d) { return fmt::format("{:.3f} s", static_cast<double>(d) / 1e9); }

std::string top(const std::map<std::string, std::uint64_t>& by, std::size_t n) {
  std::vector<std::pair<std::uint64_t, std::string>> v;
  for (const auto& [k, c] : by) v.emplace_back(c, k);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < n; ++i) out += fmt::format("{}{} ({})", i ? ", " : "", v[i].second, v[i].first);
  if (v.size() > n) out += fmt::format(", ... {} in all", v.size());
  return out;
}

std::string addr_of(const std::string& endpoint) {  // "10.0.0.1:80" -> "10.0.0.1"
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}
std::string local_of(const std::string& conn) { return conn.substr(0, conn.find('>')); }
std::string remote_of(const std::string& conn) {
  const auto gt = conn.find('>');
  return gt == std::string::npos ? conn : conn.substr(gt + 1);
}

}  // namespace

void Findings::note(Finding& f, const std::string& by, Instant t, std::string text) {
  ++f.count;
  if (!by.empty()) ++f.by[by];
  if (f.examples.size() < kExamples) f.examples.push_back({t, std::move(text)});
}

void Findings::leave(const TraceEvent& e, const Open& o) {
  const Duration held = e.t_ns - o.since;
  if (held < kLong) return;
  const std::string text = fmt::format("{} on {}: {} from {} to {} ({}), then {}", e.conn, host(e.host), state_name(o.state),
                                       clock(o.since), clock(e.t_ns), ms_text(held), state_name(e.to));
  if (o.state == State::CloseWait) note(close_wait_, std::to_string(e.host), o.since, text);
  if (o.state == State::FinWait1) note(fin_wait_1_, std::to_string(e.host), o.since, text);
  if (o.state == State::LastAck) note(last_ack_, std::to_string(e.host), o.since, text);
}

void Findings::event(const TraceEvent& e) {
  if (e.type == TraceType::State) {
    const auto key = std::pair{e.host, e.conn};
    if (auto it = open_.find(key); it != open_.end()) {
      leave(e, it->second);
      Pile& old = piles_[{e.host, it->second.state}];
      if (old.now) --old.now;
      if (e.to == State::Closed) open_.erase(it);
      else it->second = Open{e.to, e.t_ns};
    } else if (e.to != State::Closed) {
      open_[key] = Open{e.to, e.t_ns};
    }
    if (e.to != State::Closed) {
      Pile& p = piles_[{e.host, e.to}];
      ++p.count;
      if (++p.now > p.peak) {
        p.peak = p.now;
        p.peak_at = e.t_ns;
      }
    }
    if (e.from == State::TimeWait && e.cause.find("new SYN") != std::string::npos)
      note(rebind_, std::to_string(e.host), e.t_ns, fmt::format("{} at {}: a new SYN reused the port pair in TIME_WAIT", e.conn, clock(e.t_ns)));
    if (e.from == State::SynReceived && e.to == State::Closed)
      note(half_open_, addr_of(remote_of(e.conn)), e.t_ns,
           fmt::format("{} on {}: SYN_RECV until {}, never ESTABLISHED", e.conn, host(e.host), clock(e.t_ns)));
    return;
  }
  if (e.type != TraceType::Send || !e.seg.has(kRst)) return;
  ++rst_total_;
  ++rst_by_[addr_of(local_of(e.conn))];
  rst_window_.push_back(e.t_ns);
  while (rst_window_[rst_head_] <= e.t_ns - sec(1)) ++rst_head_;
  const std::uint64_t in_window = rst_window_.size() - rst_head_;
  if (in_window > rst_peak_) {
    rst_peak_ = in_window;
    rst_peak_at_ = rst_window_[rst_head_];
  }
  if (rst_head_ > 4096) {  // keep only the window
    rst_window_.erase(rst_window_.begin(), rst_window_.begin() + static_cast<std::ptrdiff_t>(rst_head_));
    rst_head_ = 0;
  }
}

void Findings::conn_end(const ConnInfo& c) {
  const SideTcb& opener = c.side[0];
  const SideTcb& other = c.side[1];
  if (opener.syns > 0 && other.segments == 0 && other.near && !opener.near)
    note(syn_ignored_, addr_of(endpoint_to_string(opener.ep)), c.first,
         fmt::format("{}: {} SYN{} at {}, no SYN,ACK and no RST from this host", c.label, opener.syns, opener.syns == 1 ? "" : "s",
                     clock(c.first)));
  else if (opener.syns > 0 && other.segments == 0)
    note(syn_unanswered_, addr_of(remote_of(c.label)), c.first,
         fmt::format("{}: {} SYN{} from {} to {}, no answer", c.label, opener.syns, opener.syns == 1 ? "" : "s", clock(c.first),
                     clock(opener.last_send)));
  for (int k = 0; k < 2; ++k) {
    const SideTcb& s = c.side[static_cast<std::size_t>(k)];
    const SideTcb& peer = c.side[static_cast<std::size_t>(1 - k)];
    if (s.zero_longest > 0 || s.zero_since >= 0) {
      const Duration d = s.zero_since >= 0 ? std::max(s.zero_longest, c.last - s.zero_since) : s.zero_longest;
      const Instant at = s.zero_since >= 0 && c.last - s.zero_since >= s.zero_longest ? s.zero_since : s.zero_longest_at;
      note(zero_window_, "", at,
           fmt::format("{} advertised a zero window {} time{}, the longest {} from {} ({} probe{} from the peer)",
                       endpoint_to_string(s.ep), s.zero_windows, s.zero_windows == 1 ? "" : "s", ms_text(d), clock(at),
                       peer.probes, peer.probes == 1 ? "" : "s"));
    }
    if (s.longest_rto_chain >= 3)
      note(rto_chain_, "", s.last_send,
           fmt::format("{} on {}: {} RTO retransmissions in a row of SND.UNA={} (last at {})", c.label, endpoint_to_string(s.ep),
                       s.longest_rto_chain, s.snd_una, clock(s.last_send)));
    // Data, then one side retransmits into silence: the peer sent nothing after the retransmissions began.
    if (s.rto_chain >= 3 && s.bytes + peer.bytes > 0 && peer.last_send < s.last_send && !peer.fin_seq && peer.rsts == 0)
      note(vanished_, addr_of(endpoint_to_string(peer.ep)), peer.last_send,
           fmt::format("{}: {} heard last at {}, no FIN or RST; {} retransmitted {} times until {}", c.label,
                       endpoint_to_string(peer.ep), clock(peer.last_send), endpoint_to_string(s.ep), s.rto_chain,
                       clock(s.last_send)));
  }
}

std::vector<std::string> Findings::names(const std::vector<ConnInfo>& live, Instant end) const {
  Findings f = *this;
  for (const ConnInfo& c : live) f.conn_end(c);
  std::vector<std::string> out;
  std::uint64_t syn_recv_now = 0, close_wait_now = 0, fw1_now = 0, la_now = 0, tw_peak = 0;
  std::map<std::string, std::uint64_t> half_sources = f.half_open_.by;
  for (const auto& [key, o] : f.open_) {
    if (o.state == State::SynReceived) ++syn_recv_now;
    if (o.state == State::CloseWait && end - o.since >= kLong) ++close_wait_now;
    if (o.state == State::FinWait1 && end - o.since >= kLong) ++fw1_now;
    if (o.state == State::LastAck && end - o.since >= kLong) ++la_now;
  }
  for (const auto& [k, p] : f.piles_)
    if (k.second == State::TimeWait) tw_peak = std::max(tw_peak, p.peak);
  if (f.syn_unanswered_.count) out.push_back("syn-sent-unanswered");
  if (f.half_open_.count + syn_recv_now >= 2 || f.syn_ignored_.by.size() >= 4) out.push_back("syn-flood");
  if (f.vanished_.count) out.push_back("peer-gone");
  if (f.close_wait_.count + close_wait_now) out.push_back("close-wait");
  if (f.fin_wait_1_.count + fw1_now) out.push_back("fin-wait-1");
  if (f.last_ack_.count + la_now) out.push_back("last-ack");
  if (tw_peak >= 2 || f.rebind_.count) out.push_back("time-wait");
  if (f.rst_peak_ >= 10) out.push_back("rst-storm");
  if (f.zero_window_.count) out.push_back("zero-window");
  if (f.rto_chain_.count) out.push_back("rto-chain");
  return out;
}

std::string Findings::report(const std::vector<ConnInfo>& live, Instant end, const std::vector<std::string>& host_names) const {
  Findings f = *this;
  for (const ConnInfo& c : live) f.conn_end(c);
  auto host = [&](const std::string& index) {
    const auto i = static_cast<std::size_t>(std::stoul(index));
    return i < host_names.size() ? host_names[i] : index;
  };
  // Those still in a closing state at the end, held long: the piles as netstat would show them now.
  std::map<State, std::vector<std::string>> still;
  std::map<State, std::map<std::string, std::uint64_t>> still_by;
  for (const auto& [key, o] : f.open_) {
    if (end - o.since < kLong && o.state != State::SynReceived && o.state != State::SynSent) continue;
    const std::string h = key.first >= 0 && static_cast<std::size_t>(key.first) < host_names.size() ? host_names[static_cast<std::size_t>(key.first)] : "?";
    ++still_by[o.state][o.state == State::SynReceived ? addr_of(remote_of(key.second)) : h];
    if (still[o.state].size() < kExamples)
      still[o.state].push_back(fmt::format("{} on {}: {} since {} ({} at the end)", key.second, h, state_name(o.state), clock(o.since),
                                           ms_text(end - o.since)));
  }
  std::string out;
  int n = 0;
  auto section = [&](const Explanation& x, const std::string& evidence) {
    out += fmt::format("\n{}. {}\n   The article: {}\n   Why: {}\n{}", ++n, x.title, x.article, x.meaning, evidence);
  };
  auto examples = [](const std::vector<Example>& ex, const std::vector<std::string>& more = {}) {
    std::string s;
    for (const Example& e : ex) s += "     - " + e.text + "\n";
    for (const std::string& m : more) s += "     - " + m + "\n";
    return s;
  };
  const auto names = f.names({}, end);
  auto has = [&](const char* name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  if (has("syn-sent-unanswered"))
    section(kExpSynSent, fmt::format("   Evidence: {} connection attempt{} never answered; to {}\n{}", f.syn_unanswered_.count,
                                  f.syn_unanswered_.count == 1 ? "" : "s", top(f.syn_unanswered_.by, 5), examples(f.syn_unanswered_.examples)));
  if (has("syn-flood")) {
    std::map<std::string, std::uint64_t> sources = f.half_open_.by;
    for (const auto& [a, c] : still_by[State::SynReceived]) sources[a] += c;
    std::uint64_t now = 0;
    for (const auto& [a, c] : still_by[State::SynReceived]) now += c;
    std::string ignored;
    if (f.syn_ignored_.count)
      ignored = fmt::format("   And {} SYN{} from {} more address{} got no answer at all (the SYN queue full, or SYN cookies not on)\n{}",
                            f.syn_ignored_.count, f.syn_ignored_.count == 1 ? "" : "s", f.syn_ignored_.by.size(),
                            f.syn_ignored_.by.size() == 1 ? "" : "es", examples({f.syn_ignored_.examples.begin(),
                                                                                 f.syn_ignored_.examples.begin() + std::min<std::size_t>(2, f.syn_ignored_.examples.size())}));
    section(kExpSynFlood, fmt::format("   Evidence: {} half-open connection{} dropped after their SYN,ACK retries, {} still SYN_RECV at "
                                   "the end, from {} source address{}: {}\n{}{}",
                                   f.half_open_.count, f.half_open_.count == 1 ? "" : "s", now, sources.size(),
                                   sources.size() == 1 ? "" : "es", top(sources, 5),
                                   examples(f.half_open_.examples, still[State::SynReceived]), ignored));
  }
  if (has("peer-gone"))
    section(kExpVanished, fmt::format("   Evidence: {} connection{} where one side fell silent\n{}", f.vanished_.count,
                                   f.vanished_.count == 1 ? "" : "s", examples(f.vanished_.examples)));
  auto pile = [&](const Explanation& x, const Finding& done, State s) {
    std::uint64_t now = 0;
    for (const auto& [a, c] : still_by[s]) now += c;
    std::uint64_t peak = 0;
    Instant peak_at = 0;
    std::string peak_host;
    for (const auto& [k, p] : f.piles_)
      if (k.second == s && p.peak > peak) {
        peak = p.peak;
        peak_at = p.peak_at;
        peak_host = static_cast<std::size_t>(k.first) < host_names.size() ? host_names[static_cast<std::size_t>(k.first)] : "?";
      }
    std::map<std::string, std::uint64_t> by;
    for (const auto& [h, c] : done.by) by[host(h)] += c;
    section(x, fmt::format("   Evidence: {} held {} or longer and then left it, {} still in it at the end ({}); at most {} at once on {} "
                           "(at {})\n{}",
                           done.count, ms_text(kLong), now, top(by.empty() ? still_by[s] : by, 3), peak, peak_host, clock(peak_at),
                           examples(done.examples, still[s])));
  };
  if (has("close-wait")) pile(kExpCloseWait, f.close_wait_, State::CloseWait);
  if (has("fin-wait-1")) pile(kExpFinWait1, f.fin_wait_1_, State::FinWait1);
  if (has("last-ack")) pile(kExpLastAck, f.last_ack_, State::LastAck);
  if (has("time-wait")) {
    std::string ev;
    for (const auto& [k, p] : f.piles_)
      if (k.second == State::TimeWait && p.peak >= 2)
        ev += fmt::format("   Evidence: {} entered TIME_WAIT {} times, at most {} at once (at {})\n",
                          static_cast<std::size_t>(k.first) < host_names.size() ? host_names[static_cast<std::size_t>(k.first)] : "?",
                          p.count, p.peak, clock(p.peak_at));
    if (f.rebind_.count) ev += fmt::format("   Rebinding: {} new SYN{} on a port pair still in TIME_WAIT\n{}", f.rebind_.count,
                                           f.rebind_.count == 1 ? "" : "s", examples(f.rebind_.examples));
    section(kExpTimeWait, ev);
  }
  if (has("rst-storm"))
    section(kExpRst, fmt::format("   Evidence: {} RSTs in all, {} within one second from {}; sent by {}\n", f.rst_total_, f.rst_peak_,
                              clock(f.rst_peak_at_), top(f.rst_by_, 5)));
  if (has("zero-window"))
    section(kExpZero, fmt::format("   Evidence: {} receiver{} closed the window\n{}", f.zero_window_.count, f.zero_window_.count == 1 ? "" : "s",
                               examples(f.zero_window_.examples)));
  if (has("rto-chain"))
    section(kExpRto, fmt::format("   Evidence: {} chain{} of 3 or more timeout retransmissions\n{}", f.rto_chain_.count,
                              f.rto_chain_.count == 1 ? "" : "s", examples(f.rto_chain_.examples)));
  if (n == 0) return "findings: none of the article's pathologies in this capture\n";
  return fmt::format("findings: {} of the article's pathologies (TCP连接的状态详解以及故障排查)\n", n) + out;
}

}  // namespace tcplab::capture
