// Grouping segments into connections, the capture point, the time order of the inferred
// events and the timers no packet shows (TIME-WAIT's 2*MSL, the SYN retries' end).
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "import/infer_internal.hpp"
#include "sim/labels.hpp"

namespace tcplab::capture {

// A connection as the callbacks see it: its info and both sides' TCB estimates now.
ConnInfo Inference::Impl::info_of(const Conn& c) const {
  ConnInfo info = c.info;
  for (std::size_t k = 0; k < 2; ++k) static_cast<SideTcb&>(info.side[k]) = c.s[k];
  info.delay_now = delay_now(c);
  return info;
}

std::string_view kind_of(const DecodedFrame& f) {
  const Segment& s = f.seg;
  if (s.has(kRst)) return "RST";
  if (s.has(kSyn)) return s.has(kAck) ? "SYN-ACK" : "SYN";
  if (s.has(kFin)) return "FIN";
  return f.len > 0 ? "DATA" : "ACK";
}

Inference::Inference(InferOptions opt, EventFn on_event, ConnFn on_end) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(opt);
  impl_->on_event = std::move(on_event);
  impl_->on_end = std::move(on_end);
}
Inference::~Inference() = default;

const AddressBook& Inference::addresses() const { return impl_->book; }
std::string Inference::capture_host() const {
  return impl_->near_key ? impl_->book.text(*impl_->near_key) : std::string();
}
std::string Inference::capture_point_note() const { return impl_->point_note; }
Instant Inference::last_time() const { return impl_->now; }

void Inference::frame(Instant t, std::uint64_t number, const DecodedFrame& f) {
  Impl& m = *impl_;
  if (!m.decided) {
    m.early.emplace_back(t, number, f);
    if (m.early.size() < std::max<std::size_t>(1, m.opt.guess_frames) && m.opt.at_host.empty()) return;
    m.decide(nullptr);
    return;
  }
  m.process(t, number, f);
}

void Inference::finish(std::optional<Instant> until) {
  Impl& m = *impl_;
  if (!m.decided) m.decide(nullptr);
  const Instant end = until.value_or(m.now);
  m.fire_timers(end);
  m.resolve_delays(std::numeric_limits<Instant>::max());
  m.flush(std::numeric_limits<Instant>::max());
}

void Inference::on_frame(ConnFn fn) { impl_->on_frame = std::move(fn); }

std::vector<ConnInfo> Inference::live() const {
  std::vector<ConnInfo> out;
  for (const auto& [n, c] : impl_->conns) {
    if (c.over) continue;
    out.push_back(impl_->info_of(c));
  }
  return out;
}

// The capture host: --at-host, else the one address every early connection has (a tcpdump
// on a server sees the server in every segment), else none (a tap on the path).
void Inference::Impl::decide(const DecodedFrame*) {
  decided = true;
  if (!opt.at_host.empty()) {
    // Register the early frames' addresses first, so an IPv6 --at-host finds its key.
    for (auto& [t, n, f] : early) {
      book.key(f.src_ip);
      book.key(f.dst_ip);
    }
    near_key = book.find(opt.at_host);
    point_note = near_key ? fmt::format("capture at {} (--at-host): its side exact, the far side inferred", opt.at_host)
                          : fmt::format("--at-host {} is in none of the first frames: treated as a capture on the path", opt.at_host);
    if (!near_key) near_key = parse_ipv4(opt.at_host);
  } else {
    std::map<Ipv4, std::size_t> seen;
    for (auto& [t, n, f] : early) {
      const Ipv4 a = book.key(f.src_ip), b = book.key(f.dst_ip);
      ++seen[a];
      if (b != a) ++seen[b];
    }
    std::vector<Ipv4> everywhere;
    for (const auto& [k, count] : seen)
      if (count == early.size()) everywhere.push_back(k);
    if (everywhere.size() == 2) {
      // Two hosts that only talk to each other: the capture host answers at once (its answers
      // leave as the segment arrives), the far one a round trip later.
      if (auto near = quick_responder(everywhere[0], everywhere[1])) {
        near_key = *near;
        point_note = fmt::format("capture at {} (guessed: it answers the other host at once, the other a round trip later; "
                                 "--at-host says otherwise): its side exact, the far side inferred", book.text(*near_key));
      }
    }
    if (near_key) {
    } else if (everywhere.size() == 1) {
      near_key = everywhere[0];
      point_note = fmt::format("capture at {} (guessed: it is in every segment of the first {}; --at-host says otherwise): "
                               "its side exact, the far side inferred", book.text(*near_key), early.size());
    } else {
      point_note = everywhere.empty()
                       ? "capture on the path (no address is in every segment; --at-host names the capture host): both sides inferred"
                       : "capture at one of two hosts that only talk to each other (--at-host says which); treated as on the path";
    }
  }
  auto frames = std::move(early);
  early.clear();
  for (auto& [t, n, f] : frames) process(t, n, f);
}

// Of two hosts, the one whose shortest answer time (from a segment of the other's to its
// next segment) is under a quarter of the other's; nullopt if neither stands out.
std::optional<Ipv4> Inference::Impl::quick_responder(Ipv4 a, Ipv4 b) {
  Duration best[2] = {-1, -1};
  Ipv4 last_src = 0;
  Instant last_t = 0;
  bool have = false;
  for (auto& [t, n, f] : early) {
    const Ipv4 src = book.key(f.src_ip);
    if (have && src != last_src && (src == a || src == b)) {
      Duration& d = best[src == a ? 0 : 1];
      const Duration gap = t - last_t;
      if (d < 0 || gap < d) d = gap;
    }
    last_src = src;
    last_t = t;
    have = true;
  }
  if (best[0] < 0 || best[1] < 0) return std::nullopt;
  // x * 4 < y without the product (capture timestamps are anyone's: a gap near 2^62 ns overflows it).
  const auto quarter_below = [](Duration x, Duration y) { return y > 0 && x <= (y - 1) / 4; };
  if (quarter_below(best[0], best[1])) return a;
  if (quarter_below(best[1], best[0])) return b;
  return std::nullopt;
}

Conn& Inference::Impl::open_conn(const Endpoint& opener, const Endpoint& other, Instant t) {
  const std::uint64_t number = next_conn++;
  Conn& c = conns[number];
  c.info.number = number;
  c.info.first = c.info.last = t;
  auto label = [&](const Endpoint& a, const Endpoint& b) {
    if (!book.is_v6(a.ip) && !book.is_v6(b.ip)) return pair_label(a, b);
    auto ep = [&](const Endpoint& e) {
      return book.is_v6(e.ip) ? "[" + book.text(e.ip) + "]:" + std::to_string(e.port) : endpoint_to_string(e);
    };
    return ep(a) + ">" + ep(b);
  };
  c.info.label = label(opener, other);
  const Endpoint eps[2] = {opener, other};
  for (int i = 0; i < 2; ++i) {
    Side& s = c.side(i);
    s.ep = eps[i];
    s.host = book.host(eps[i].ip);
    s.near = near_key && eps[i].ip == *near_key;
    c.info.side_label[static_cast<std::size_t>(i)] = label(eps[i], eps[1 - i]);
  }
  c.link_mode = !c.s[0].near && !c.s[1].near;
  const std::string a = book.text(opener.ip), b = book.text(other.ip);
  const std::uint32_t k = ++pair_conns[a < b ? std::pair{a, b} : std::pair{b, a}];
  const std::string suffix = k > 1 ? "." + std::to_string(k) : "";
  c.id_prefix[0] = a + ">" + b + suffix;
  c.id_prefix[1] = b + ">" + a + suffix;
  const Endpoint lo = std::min(opener, other), hi = std::max(opener, other);
  by_tuple[TupleKey{lo, hi}] = number;
  return c;
}

// Both sides CLOSED: reported now, kept a while so that late segments of it (a stray ACK, a
// retransmission that crossed the RST) are not taken for a new connection.
void Inference::Impl::conn_over(Conn& c, Instant t) {
  if (c.over) return;
  c.over = true;
  if (!c.far_wait.empty()) release_far(c);
  if (on_end) on_end(info_of(c));
  over_queue.emplace_back(t, c.info.number);
}

void Inference::Impl::evict(Instant t) {
  while (!over_queue.empty() && over_queue.front().first < t - kKeepOver) {
    end_conn(over_queue.front().second);
    over_queue.pop_front();
  }
}

void Inference::Impl::end_conn(std::uint64_t number) {
  auto it = conns.find(number);
  if (it == conns.end()) return;
  Conn& c = it->second;
  conn_over(c, now);
  const Endpoint lo = std::min(c.s[0].ep, c.s[1].ep), hi = std::max(c.s[0].ep, c.s[1].ep);
  auto t = by_tuple.find(TupleKey{lo, hi});
  if (t != by_tuple.end() && t->second == number) by_tuple.erase(t);
  conns.erase(it);
}

// A new incarnation: a SYN (not a retransmission of the current one) after the old
// connection ended, or with another ISN while the old one is closing (RFC 9293 3.10.7.4
// TIME-WAIT, RFC 6191: a new SYN may reopen the pair).
bool new_incarnation(const Conn& c, int sender, const DecodedFrame& f) {
  const Segment& s = f.seg;
  if (!s.has(kSyn) || s.has(kAck)) return false;
  const Side& me = c.s[static_cast<std::size_t>(sender)];
  if (me.iss && *me.iss == s.seq.raw()) return false;
  if (c.over) return true;
  const Side& peer = c.s[static_cast<std::size_t>(1 - sender)];
  auto done = [](const Side& x) { return !x.opened || x.state == State::Closed || x.state == State::TimeWait; };
  if (me.state == State::SynSent && !peer.opened) return true;  // connect() again with a new ISN
  return done(me) && done(peer) && (me.opened || peer.opened);
}

void Inference::Impl::process(Instant t, std::uint64_t number, const DecodedFrame& f) {
  any_frame = true;
  now = std::max(now, t);
  fire_timers(t);
  resolve_delays(t);
  DecodedFrame fr = f;
  fr.seg.src.ip = book.key(f.src_ip);
  fr.seg.dst.ip = book.key(f.dst_ip);
  book.host(fr.seg.src.ip);
  book.host(fr.seg.dst.ip);
  const Endpoint lo = std::min(fr.seg.src, fr.seg.dst), hi = std::max(fr.seg.src, fr.seg.dst);
  Conn* c = nullptr;
  if (auto it = by_tuple.find(TupleKey{lo, hi}); it != by_tuple.end()) c = &conns.at(it->second);
  if (c) {
    const int sender = c->s[0].ep == fr.seg.src ? 0 : 1;
    if (new_incarnation(*c, sender, fr)) {
      // The old one is over: a side still in TIME-WAIT gives way to the new SYN.
      for (int k = 0; k < 2; ++k)
        if (c->side(k).state == State::TimeWait)
          transition(*c, k, State::Closed, Place{t, 0, number * 4},
                     "3.10.7.4 TIME-WAIT: a new SYN with another ISN reopens the port pair (RFC 6191) → CLOSED");
      end_conn(c->info.number);
      c = nullptr;
    }
  }
  if (!c) {
    // The opener is the SYN's sender; a SYN,ACK's receiver; else the sender (mid-stream).
    const bool synack = fr.seg.has(kSyn) && fr.seg.has(kAck);
    c = synack ? &open_conn(fr.seg.dst, fr.seg.src, t) : &open_conn(fr.seg.src, fr.seg.dst, t);
    if (!fr.seg.has(kSyn) && !fr.seg.has(kRst)) {
      // Already open before the capture began: both sides ESTABLISHED from its first segment.
      c->info.midstream = true;
      for (int k = 0; k < 2; ++k) {
        Side& s = c->side(k);
        s.opened = true;
        transition(*c, k, State::Established, Place{t, 0, number * 4},
                   "no handshake in the capture: the connection was open before it began → ESTABLISHED");
      }
      Side& snd = c->side(0);
      snd.snd_una = fr.seg.seq.raw();
      snd.snd_nxt = fr.seg.seq.raw();
      Side& rcv = c->side(1);
      rcv.snd_una = rcv.snd_nxt = fr.seg.ack.raw();
      rcv.rcv_known = true;
      rcv.rcv_contig = fr.seg.seq.raw();
      snd.rcv_known = fr.seg.has(kAck);
      snd.rcv_contig = fr.seg.ack.raw();
    }
  }
  c->info.last = t;
  const int i = c->s[0].ep == fr.seg.src ? 0 : 1;
  const int j = 1 - i;
  const Place at_sender{t, -1, number * 4};
  const Place at_receiver{t, +1, number * 4 + 2};
  // Its ACK of the peer's FIN shows that FIN taken in first (the far side's FIN,ACK in answer to ours).
  if (const Side& snd = c->side(i); !snd.near && snd.tentative && !fr.seg.has(kRst)) {
    // Its SYN,ACK or FIN again: it did not get the ACK of it.
    const bool synack_again = fr.seg.has(kSyn) && snd.iss && fr.seg.seq.raw() == *snd.iss;
    const bool fin_again = fr.seg.has(kFin) && snd.fin_seq && fr.seg.seq.raw() + fr.len == *snd.fin_seq;
    if (synack_again || fin_again) retract(*c, i, t - std::max<Duration>(delay_now(*c), 0));
  }
  synack_evidence(*c, i, t, number * 4, fr);
  fin_evidence(*c, i, t, number * 4, fr);
  send_rules(*c, i, at_sender, fr);
  bool retx = false;
  const RetxCause cause = analyse_send(*c, i, t, fr, retx);
  {
    Side& s = c->side(i);
    if (fr.seg.flags & (kSyn | kFin)) {
      if (s.ctl_tx.size() >= 16) s.ctl_tx.erase(s.ctl_tx.begin());
      s.ctl_tx.push_back(CtlTx{t, number * 4 + 2, fr.seg.flags, fr.seg.ts.has_value(), fr.seg.ts ? fr.seg.ts->val : 0});
    }
    TraceEvent e;
    e.t_ns = t;
    e.type = TraceType::Send;
    e.host = s.host;
    e.conn = c->info.side_label[static_cast<std::size_t>(i)];
    e.id = fmt::format("{}#{}", c->id_prefix[static_cast<std::size_t>(i)], ++s.ordinal);
    e.kind = kind_of(fr);
    e.retx = retx;
    e.retx_cause = cause;
    e.seg = fr.seg;
    e.len = fr.len;
    push(std::move(e), number * 4 + 1);
  }
  analyse_receive(*c, j, t, fr);
  recv_rules(*c, j, at_receiver, fr);
  c->side(j).last_arrival = Place{t, 0, number * 4 + 2};
  if (c->s[0].state == State::Closed && c->s[1].state == State::Closed && (c->s[0].opened || c->s[1].opened || fr.seg.has(kRst)))
    conn_over(*c, t);
  if (on_frame) on_frame(info_of(*c));  // before evict: it may end this very connection
  evict(t);
  flush(t - opt.horizon);
}

std::tuple<Instant, std::uint64_t, std::uint64_t> Inference::Impl::push(TraceEvent e, std::uint64_t key) {
  // Never before what has been handed on already: the order stays monotonic.
  if (e.t_ns < flushed_to) e.t_ns = flushed_to;
  const auto k = std::tuple{e.t_ns, key, arrivals++};
  pending.emplace(k, std::move(e));
  return k;
}

// The far side repeats its FIN (or SYN,ACK) after the change our ACK was taken to cause: the
// ACK never reached it. The change is taken back while it is still held (within the horizon).
void Inference::Impl::retract(Conn& c, int side, Instant sent_at) {
  Side& s = c.side(side);
  if (!s.tentative || sent_at <= s.tentative->t) return;
  auto it = pending.find(s.tentative->key);
  if (it == pending.end()) return;
  pending.erase(it);
  s.state = s.tentative->from;
  s.since = s.tentative->t;
  ++s.timer_gen;  // a TIME-WAIT it started is void
  if (s.state == State::LastAck || s.state == State::FinWait1 || s.state == State::Closing) s.fin_acked = false;
  if (c.over && s.state != State::Closed) c.over = false;
  s.tentative.reset();
}

void Inference::Impl::flush(Instant upto) {
  while (!pending.empty()) {
    auto it = pending.begin();
    if (std::get<0>(it->first) > upto) break;
    TraceEvent e = std::move(it->second);
    pending.erase(it);
    flushed_to = e.t_ns;
    e.seq_no = out_seq++;
    if (on_event) on_event(e);
  }
}

std::string Inference::Impl::cause_prefix(const Conn& c, int side, const Place& p) const {
  if (c.link_mode) return "inferred (capture on the path, each side's delay unknown): ";
  const Side& s = c.s[static_cast<std::size_t>(side)];
  if (s.near) return "inferred (capture at this host: exact): ";
  const std::string at = near_key ? book.text(*near_key) : "?";
  if (p.dir == 0) return fmt::format("inferred (capture at {}, far side: from its last answer, less sure): ", at);
  if (delay_now(c) < 0) return fmt::format("inferred (capture at {}, far side: one-way delay unknown, placed at the capture time; less sure): ", at);
  return fmt::format("inferred (capture at {}, far side: placed {}{}us by the one-way delay, known from its answer; less sure): ", at,
                     p.dir < 0 ? "-" : "+", delay_now(c) / 1000);
}

void Inference::Impl::transition(Conn& c, int side, State to, const Place& p, const std::string& rule) {
  Side& s = c.side(side);
  const State from = s.state;
  if (from == to) return;
  s.state = to;
  if (to != State::Closed) s.opened = true;
  TraceEvent e;
  e.type = TraceType::State;
  e.host = s.host;
  e.conn = c.info.side_label[static_cast<std::size_t>(side)];
  e.from = from;
  e.to = to;
  e.cause = cause_prefix(c, side, p) + rule;
  const bool exact = s.near || p.dir == 0;
  if (exact) {
    e.t_ns = p.t;
    s.since = p.t;
    push(std::move(e), p.key);
  } else if (delay_now(c) >= 0) {
    // A side's changes stay in order even when the delay estimate moves between them.
    e.t_ns = std::max(p.t + p.dir * delay_now(c), s.since);
    s.since = e.t_ns;
    const bool by_pure_ack = p.dir > 0 && (to == State::Closed || to == State::FinWait2 || to == State::TimeWait ||
                                           (from == State::SynReceived && to == State::Established));
    const Instant when = e.t_ns;
    const auto k = push(std::move(e), p.key);
    if (by_pure_ack) s.tentative = Side::Tentative{k, from, when};
    else s.tentative.reset();
  } else {
    e.t_ns = p.t;
    s.since = p.t;
    if (c.far_wait.empty()) delay_waits.emplace_back(p.t, c.info.number);
    c.far_wait.push_back(std::move(e));
    c.far_wait_place.push_back(p);
  }
  if (to == State::TimeWait) set_timer(c, side, TimerKind::TimeWait, s.since + opt.time_wait);
}

// Far-side events held until the handshake's RTT gives the delay.
void Inference::Impl::release_far(Conn& c) {
  for (std::size_t k = 0; k < c.far_wait.size(); ++k) {
    TraceEvent& e = c.far_wait[k];
    const Place& p = c.far_wait_place[k];
    if (delay_now(c) >= 0) {
      e.t_ns = p.t + p.dir * delay_now(c);
      e.cause = cause_prefix(c, e.host == c.s[0].host && e.conn == c.info.side_label[0] ? 0 : 1, p) +
                e.cause.substr(e.cause.find("): ") + 3);
    }
    push(std::move(e), p.key);
  }
  c.far_wait.clear();
  c.far_wait_place.clear();
}

void Inference::Impl::resolve_delays(Instant t) {
  while (!delay_waits.empty() && (t == std::numeric_limits<Instant>::max() || delay_waits.front().first < t - opt.horizon / 2)) {
    auto it = conns.find(delay_waits.front().second);
    delay_waits.pop_front();
    if (it != conns.end() && !it->second.far_wait.empty()) release_far(it->second);
  }
}

void Inference::Impl::set_timer(Conn& c, int side, TimerKind k, Instant at) {
  Side& s = c.side(side);
  timers.push(PendingTimer{at, c.info.number, side, k, ++s.timer_gen});
}

void Inference::Impl::fire_timers(Instant upto) {
  while (!timers.empty() && timers.top().at <= upto) {
    const PendingTimer pt = timers.top();
    timers.pop();
    auto it = conns.find(pt.conn);
    if (it == conns.end()) continue;
    Conn& c = it->second;
    if (c.side(pt.side).timer_gen != pt.gen) continue;
    timer_fired(c, pt.side, pt.kind, pt.at);
    if (c.s[0].state == State::Closed && c.s[1].state == State::Closed) conn_over(c, pt.at);
  }
}

}  // namespace tcplab::capture
