#include "stack/tcp_host.hpp"

#include <array>
#include <cstring>
#include <string>
#include <type_traits>

#include "stack/isn.hpp"
#include "stack/syn_cookie.hpp"
#include "stack/text.hpp"

namespace tcplab {

namespace {
// Field by field: a byte compare (memcmp) also compared the padding, which copies of one
// config need not share, and so gave every connection of the conns benchmark its own copy
// (280 bytes each).
bool same_config(const TcpConfig& a, const TcpConfig& b) { return a == b; }
}  // namespace

TcpHost::TcpHost(Ipv4 ip, TcpConfig cfg, std::uint64_t secret)
    : ip_(ip), cfg_(std::make_shared<const TcpConfig>(cfg)), secret_(secret) {
  set_ephemeral_range(32768, 60999);
}

void TcpHost::set_ephemeral_range(std::uint16_t lo, std::uint16_t hi) {
  port_lo_ = lo;
  port_hi_ = hi < lo ? lo : hi;
  // Linux starts its search at a keyed offset too; ours comes from the host's secret.
  next_port_ = static_cast<std::uint16_t>(port_lo_ + mix64(secret_ ^ 0x5eed) % (port_hi_ - port_lo_ + 1U));
}

ConnId TcpHost::add_conn(Connection c) {
  const auto id = static_cast<ConnId>(where_.size());
  const std::uint32_t slot = take_slot();
  pool_[slot] = std::move(c);
  where_.push_back(slot);
  parent_port_.push_back(0);
  registered_.push_back(0);
  return id;
}

std::uint32_t TcpHost::take_slot() const {
  if (free_.empty()) {
    pool_.emplace_back();
    return static_cast<std::uint32_t>(pool_.size() - 1);
  }
  const std::uint32_t slot = free_.back();
  free_.pop_back();
  return slot;
}

Connection& TcpHost::live(ConnId c) const {
  const std::uint32_t w = where_[c];
  if (!(w & kRecord)) return pool_[w];
  const std::uint32_t off = w & ~kRecord;
  const std::uint32_t slot = take_slot();
  pool_[slot].unpack(&records_[off + 1], cfgs_);
  garbage_ += 1U + records_[off];
  --packed_;
  where_[c] = slot;
  return pool_[slot];
}

ConnRecordHead TcpHost::head(ConnId c) const {
  const std::uint32_t w = where_[c];
  if (w & kRecord) return ConnRecordHead::read(&records_[(w & ~kRecord) + 1]);
  const Connection& k = pool_[w];
  return ConnRecordHead{k.next_deadline(), armed_timers(k.timers()), k.state(), k.passive(), k.app_closed(), k.local(), k.remote()};
}

namespace {
// Appends one record (its length byte and bytes, n in all) to the arena, never across a
// 64 KiB chunk (so that a record is read from one pointer): the chunk's rest is skipped and
// counted in *waste. Returns where it starts.
std::size_t append_record(Chunked<std::uint8_t, 16>& arena, const std::uint8_t* rec, std::size_t n, std::size_t* waste) {
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  if (arena.size() / kChunk != (arena.size() + n - 1) / kChunk) {
    *waste += kChunk - arena.size() % kChunk;
    arena.extend(kChunk - arena.size() % kChunk);
  }
  const std::size_t at = arena.size();
  std::memcpy(arena.extend(n), rec, n);
  return at;
}
}  // namespace

void TcpHost::settle(ConnId c) {
  const std::uint32_t slot = where_[c];
  if (slot & kRecord) return;
  Connection& k = pool_[slot];
  if (k.state() != State::TimeWait && k.state() != State::Closed) return;
  scratch_.assign(1, '\0');  // the length byte, then the record
  if (!k.compact() || !k.pack(scratch_, cfgs_)) return;
  const std::size_t len = scratch_.size() - 1;
  // At most 255 bytes (one length byte) and 2 GiB of records: the rest stay as they are.
  if (len > 255 || records_.size() + (std::size_t{1} << 16) >= kRecord) return;
  scratch_[0] = static_cast<char>(len);
  const std::size_t at =
      append_record(records_, reinterpret_cast<const std::uint8_t*>(scratch_.data()), scratch_.size(), &garbage_);
  where_[c] = kRecord | static_cast<std::uint32_t>(at);
  ++packed_;
  k = Connection();
  free_.push_back(slot);
  if (garbage_ >= gc_floor_ && garbage_ > records_.size() / 2) rebuild_records();
}

void TcpHost::rebuild_records() {
  // The records still packed, in ConnId order, into a fresh arena.
  Chunked<std::uint8_t, 16> fresh;
  std::size_t waste = 0;
  for (std::uint32_t& w : where_) {
    if (!(w & kRecord)) continue;
    const std::uint8_t* rec = &records_[w & ~kRecord];
    w = kRecord | static_cast<std::uint32_t>(append_record(fresh, rec, 1U + rec[0], &waste));
  }
  records_ = std::move(fresh);
  garbage_ = waste;
  ++rebuilds_;
}

Errno TcpHost::bind_check(std::uint16_t port, bool reuse_addr) const {
  if (listeners_.count(port)) return Errno::AddrInUse;
  const PortRefs r = port_refs_.get(port);
  if (r.all == 0) return Errno::Ok;
  return reuse_addr && r.no_reuse == 0 ? Errno::Ok : Errno::AddrInUse;
}

void TcpHost::hold_port(ConnId c) {
  registered_[c] = 1;
  PortRefs& r = port_refs_.at(live(c).local().port);
  ++r.all;
  if (!live(c).config().reuse_addr) ++r.no_reuse;
}

void TcpHost::release_port(ConnId c) {
  registered_[c] = 0;
  PortRefs& r = port_refs_.at(live(c).local().port);
  if (r.all == 0) return;  // (never held: nothing to give back)
  --r.all;
  if (!live(c).config().reuse_addr) --r.no_reuse;
  if (r.all == 0) r = PortRefs{};  // as a port never used
}

const ListenSocket* TcpHost::listener_of(ConnId child) const {
  if (!valid(child) || parent_port_[child] == 0) return nullptr;
  auto it = listeners_.find(parent_port_[child]);
  return it == listeners_.end() ? nullptr : &it->second;
}

Errno TcpHost::listen(Instant now, std::uint16_t port, int backlog, ConnId* id, Output& out) {
  *id = kNoConn;
  if (port == 0 || backlog < 0) return Errno::Inval;
  if (const Errno e = bind_check(port, cfg_->reuse_addr); e != Errno::Ok) return e;
  const ConnId c = add_conn(Connection(static_cast<ConnId>(where_.size()), cfg_, Endpoint{ip_, port}, Endpoint{0, 0}));
  live(c).open_passive(now, out);
  ListenSocket ls;
  ls.id = c;
  ls.backlog = backlog == 0 ? 1 : backlog;
  listeners_[port] = ls;
  *id = c;
  return Errno::Ok;
}

Errno TcpHost::connect(Instant now, Endpoint remote, std::uint16_t local_port, ConnId* id, Output& out,
                       const TcpConfig* cfg) {
  *id = kNoConn;
  if (remote.port == 0 || remote.ip == 0) return Errno::Inval;
  const TcpConfig& want = cfg ? *cfg : *cfg_;
  std::optional<Seq32> iss;  // set when this connect() takes over a TIME-WAIT pair
  if (local_port != 0) {
    if (const Errno e = bind_check(local_port, want.reuse_addr); e != Errno::Ok) return e;
    if (const ConnId* old = demux_.find(key(local_port, remote))) {
      // The 4-tuple is taken. Linux (tcp_twsk_unique, for an explicitly bound port) takes it
      // over from a TIME-WAIT that used timestamps: their PAWS check keeps the old
      // connection's segments out, and the new ISS starts above its sequence space.
      // Otherwise connect() fails with EADDRNOTAVAIL, as there.
      Connection& tw = live(*old);
      if (!tw.may_yield_to_connect()) return Errno::AddrNotAvail;
      iss = tw.reincarnation_iss(isn_rfc6528(secret_, Endpoint{ip_, local_port}, remote, now));
      const std::size_t first = out.events.size();
      tw.yield_to_connect(now, out);
      bookkeep(first, out);
    }
  } else {
    const std::uint32_t range = port_hi_ - port_lo_ + 1U;
    for (std::uint32_t i = 0; i < range; ++i) {
      const std::uint16_t p = next_port_;
      next_port_ = next_port_ >= port_hi_ ? port_lo_ : static_cast<std::uint16_t>(next_port_ + 1);
      if (!listeners_.count(p) && !demux_.contains(key(p, remote))) {
        local_port = p;
        break;
      }
    }
    if (local_port == 0) return Errno::AddrNotAvail;  // every ephemeral port toward remote is taken
  }
  // A per-call config that equals the host's shares the host's copy (the world passes one
  // on every connect): 160 bytes less per connection, which counts at a million of them.
  auto conf = cfg && !same_config(*cfg, *cfg_) ? std::make_shared<const TcpConfig>(*cfg) : cfg_;
  const Endpoint local{ip_, local_port};
  const ConnId c = add_conn(Connection(static_cast<ConnId>(where_.size()), conf, local, remote));
  demux_.set(key(local_port, remote), c);
  hold_port(c);
  ++counters_.active_opens;
  const std::size_t first = out.events.size();
  live(c).open_active(now, iss ? *iss : isn_rfc6528(secret_, local, remote, now), out);
  bookkeep(first, out);
  *id = c;
  return Errno::Ok;
}

ConnId TcpHost::accept(ConnId listener) {
  if (!valid(listener)) return kNoConn;
  auto it = listeners_.find(live(listener).local().port);
  if (it == listeners_.end() || it->second.id != listener || it->second.accept_queue.empty()) return kNoConn;
  const ConnId c = it->second.accept_queue.front();
  it->second.accept_queue.pop_front();
  parent_port_[c] = 0;  // accepted: no longer counted against the backlog
  return c;
}

namespace {
}  // namespace

template <typename F>
Errno TcpHost::with_conn(ConnId c, F&& f) {
  if (!valid(c)) return Errno::Inval;
  const Errno e = f(live(c));
  return e;
}

Errno TcpHost::send(Instant now, ConnId c, std::string_view data, std::uint32_t* taken, Output& out) {
  const std::size_t first = out.events.size();
  *taken = 0;
  const Errno e = with_conn(c, [&](Connection& k) { return k.send(now, data, taken, out); });
  bookkeep(first, out);
  return e;
}

Errno TcpHost::send_fill(Instant now, ConnId c, std::uint32_t n, std::uint32_t* taken, Output& out) {
  const std::size_t first = out.events.size();
  *taken = 0;
  const Errno e = with_conn(c, [&](Connection& k) { return k.send_fill(now, n, taken, out); });
  bookkeep(first, out);
  return e;
}

Errno TcpHost::recv(Instant now, ConnId c, std::uint32_t max, std::vector<Payload>* data, Output& out) {
  const std::size_t first = out.events.size();
  const Errno e = with_conn(c, [&](Connection& k) { return k.recv(now, max, data, out); });
  bookkeep(first, out);
  return e;
}

Errno TcpHost::shutdown(Instant now, ConnId c, Output& out) {
  const std::size_t first = out.events.size();
  const Errno e = with_conn(c, [&](Connection& k) { return k.shutdown_write(now, out); });
  bookkeep(first, out);
  return e;
}

Errno TcpHost::close(Instant now, ConnId c, Output& out) {
  const std::size_t first = out.events.size();
  Errno e = Errno::Inval;
  if (valid(c)) {
    // Closing a listener also resets the children nobody accepted (Linux inet_csk_listen_stop).
    auto it = listeners_.find(live(c).local().port);
    if (it != listeners_.end() && it->second.id == c) {
      for (ConnId k = 0; k < where_.size(); ++k)
        if (parent_port_[k] == it->first && state(k) != State::Closed) live(k).abort(now, out);
    }
    e = live(c).close(now, out);
  }
  bookkeep(first, out);
  return e;
}

Errno TcpHost::abort(Instant now, ConnId c, Output& out) {
  const std::size_t first = out.events.size();
  const Errno e = with_conn(c, [&](Connection& k) { return k.abort(now, out); });
  bookkeep(first, out);
  return e;
}

void TcpHost::on_timer(Instant now, ConnId c, Output& out) {
  if (!valid(c)) return;
  const std::size_t first = out.events.size();
  live(c).on_timer(now, out);
  bookkeep(first, out);
  settle(c);  // TIME_WAIT, CLOSED: the body a timer may have borrowed goes back, the record stays
}

void TcpHost::crash(Instant now, std::string_view host, Output& out) {
  const std::size_t first = out.events.size();
  for (ConnId c = 0; c < where_.size(); ++c)
    if (state(c) != State::Closed) live(c).crash(now, str("host ", host, " crashed: all TCP state lost, nothing sent"), out);
  bookkeep(first, out);
}

void TcpHost::on_segment(Instant now, const Segment& seg, Output& out) {
  ++counters_.segs_in;
  const std::size_t first = out.events.size();
  // A SYN that ends a TIME-WAIT opens the new connection with an ISS the old one decides.
  std::optional<Seq32> reopen_iss;
  if (const ConnId* found = demux_.find(key(seg.dst.port, seg.src))) {
    const ConnId id = *found;
    Connection& c = live(id);
    if (c.state() == State::TimeWait)
      reopen_iss = c.reincarnation_iss(isn_rfc6528(secret_, Endpoint{ip_, seg.dst.port}, seg.src, now));
    if (reopen_iss && c.yield_to_new_syn(now, seg, out)) {
      bookkeep(first, out);  // the old incarnation is gone; the listener takes the SYN below
    } else {
      c.on_segment(now, seg, out);
      bookkeep(first, out);
      settle(id);  // a connection that just entered (or is in) TIME_WAIT keeps only its record
      return;
    }
  }
  auto lit = listeners_.find(seg.dst.port);
  if (lit != listeners_.end() && live(lit->second.id).state() == State::Listen) {
    on_listen_segment(now, lit->second, seg, out, reopen_iss);
    bookkeep(first, out);
    return;
  }
  ++counters_.no_listener;
  reply_no_connection(seg, out);
}

void TcpHost::on_listen_segment(Instant now, ListenSocket& ls, const Segment& seg, Output& out,
                                std::optional<Seq32> iss) {
  // 3.10.7.2 LISTEN: RST ignored, ACK answered by RST (unless it carries a SYN cookie), SYN
  // creates a child.
  if (seg.has(kRst)) return;
  if (seg.has(kAck) || !seg.has(kSyn)) {
    if (seg.has(kAck) && (seg.has(kSyn) || !take_cookie_ack(now, ls, seg, out))) reply_no_connection(seg, out);
    return;
  }
  // The listen queues are bounded by the backlog (Linux: sk_max_ack_backlog). A full accept
  // queue drops the SYN without a reply (the client retransmits it); a full SYN queue does
  // too, unless SYN cookies answer for it (tcp_syncookies = 1; 2 answers every SYN so).
  const int cookies = live(ls.id).config().syn_cookies;
  const bool accept_full = ls.accept_queue.size() >= static_cast<std::size_t>(ls.backlog);
  const bool syn_full = ls.syn_queue >= static_cast<std::uint32_t>(ls.backlog);
  if (!accept_full && (cookies == 2 || (syn_full && cookies == 1))) {
    send_cookie_synack(now, ls, seg, out);
    return;
  }
  if (accept_full || syn_full) {
    ++ls.overflows;
    ++counters_.listen_drops;
    out.events.push_back({ls.id, NoticeEvent{Notice::Dropped, Errno::NoBufs}});
    return;
  }
  const ConnId c = add_child(ls, seg);
  ++ls.syn_queue;
  ++counters_.passive_opens;
  live(c).accept_syn(now, seg, iss ? *iss : isn_rfc6528(secret_, Endpoint{ip_, seg.dst.port}, seg.src, now), out);
}

ConnId TcpHost::add_child(ListenSocket& ls, const Segment& seg) {
  const Endpoint local{ip_, seg.dst.port};
  const ConnId c = add_conn(Connection(static_cast<ConnId>(where_.size()), live(ls.id).config_ptr(), local,
                                       seg.src, State::Listen));
  demux_.set(key(local.port, seg.src), c);
  hold_port(c);
  parent_port_[c] = local.port;
  return c;
}

void TcpHost::send_cookie_synack(Instant now, const ListenSocket& ls, const Segment& syn, Output& out) {
  // The SYN,ACK a child would send (same window and MSS), from no state at all: what the
  // cookie cannot carry is missing (stack/syn_cookie.hpp).
  const TcpConfig& cfg = live(ls.id).config();
  Segment s;
  s.src = syn.dst;
  s.dst = syn.src;
  s.seq = syn_cookie_iss(secret_, syn.dst, syn.src, syn, now);
  s.ack = syn.seq + 1;
  s.flags = kSyn | kAck;
  // Options as the cookie can keep them: with timestamps SACK-permitted and window scale.
  const bool keep = cfg.timestamps && syn.ts;
  Segment as_kept = syn;
  if (!keep) as_kept.wscale.reset(), as_kept.sack_permitted = false;
  const Connection::SynAckOffer offer = live(ls.id).synack_offer(as_kept);
  s.wnd = offer.wnd;
  s.mss = cfg.mss;
  if (keep) {
    const bool sack = cfg.sack && syn.sack_permitted;
    const bool scaling = cfg.window_scaling && syn.wscale;
    // The cookie keeps the client's shift (and SACK) in our TSval; the SYN,ACK offers ours.
    s.ts = Timestamps{syn_cookie_tsval(ts_clock(now), scaling ? syn.wscale : std::nullopt, sack), syn.ts->val};
    s.sack_permitted = sack;
    if (scaling) s.wscale = offer.wscale;
  }
  ++counters_.syncookies_sent;
  ++counters_.segs_out;
  out.events.push_back({kNoConn, SendEvent{std::move(s), false}});
}

bool TcpHost::take_cookie_ack(Instant now, ListenSocket& ls, const Segment& ack, Output& out) {
  if (live(ls.id).config().syn_cookies == 0) return false;
  const std::optional<Segment> syn = syn_cookie_check(secret_, ack, now);
  if (!syn) {
    ++counters_.syncookies_failed;
    return false;
  }
  ++counters_.syncookies_recv;
  if (ls.accept_queue.size() >= static_cast<std::size_t>(ls.backlog)) {  // Linux drops it too
    ++ls.overflows;
    ++counters_.listen_drops;
    out.events.push_back({ls.id, NoticeEvent{Notice::Dropped, Errno::NoBufs}});
    return true;
  }
  const ConnId c = add_child(ls, ack);
  ++counters_.passive_opens;
  // Counted in the SYN queue for the instant it takes: reaching ESTABLISHED moves it to the
  // accept queue (bookkeep), which takes it off the SYN queue again.
  ++ls.syn_queue;
  live(c).accept_cookie(now, *syn, ack.ack - 1, ack, out);
  return true;
}

void TcpHost::reply_no_connection(const Segment& seg, Output& out) {
  // 3.10.7.1 CLOSED: "An incoming segment containing a RST is discarded. An incoming
  // segment not containing a RST causes a RST to be sent in response."
  if (seg.has(kRst)) return;
  Segment r;
  r.src = seg.dst;
  r.dst = seg.src;
  if (seg.has(kAck)) {
    r.seq = seg.ack;  // <SEQ=SEG.ACK><CTL=RST>
    r.flags = kRst;
  } else {
    r.seq = Seq32(0);  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    r.ack = seg.seq + seg.seg_len();
    r.flags = kRst | kAck;
  }
  ++counters_.rst_out;
  out.events.push_back({kNoConn, SendEvent{std::move(r), false}});
}

void TcpHost::bookkeep(std::size_t first, Output& out) {
  for (std::size_t i = first; i < out.events.size(); ++i) {
    const ConnEvent& ev = out.events[i];
    if (ev.conn == kNoConn || !valid(ev.conn)) continue;
    const ConnId c = ev.conn;
    if (const auto* se = std::get_if<SendEvent>(&ev.body)) {
      ++counters_.segs_out;
      if (se->seg.has(kRst)) ++counters_.rst_out;
      continue;
    }
    if (const auto* ne = std::get_if<NoticeEvent>(&ev.body)) {
      if (ne->what == Notice::Acceptable && parent_port_[c] != 0) {
        auto it = listeners_.find(parent_port_[c]);
        if (it != listeners_.end()) {
          if (it->second.syn_queue > 0) --it->second.syn_queue;
          it->second.accept_queue.push_back(c);
        }
      }
      continue;
    }
    const auto* st = std::get_if<StateEvent>(&ev.body);
    if (!st) continue;
    const bool gone = st->to == State::Closed || (st->to == State::Listen && st->from == State::SynReceived);
    if (!gone) continue;
    if (st->from == State::Listen && st->to == State::Closed) {  // a listener closed
      auto it = listeners_.find(live(c).local().port);
      if (it != listeners_.end() && it->second.id == c) listeners_.erase(it);
      continue;
    }
    if (registered_[c]) {
      demux_.erase_if(key(live(c).local().port, live(c).remote()), c);
      release_port(c);
    }
    if (parent_port_[c] != 0) {
      auto it = listeners_.find(parent_port_[c]);
      if (it != listeners_.end()) {
        auto& q = it->second.accept_queue;
        bool queued = false;
        for (auto qi = q.begin(); qi != q.end(); ++qi)
          if (*qi == c) { q.erase(qi); queued = true; break; }
        if (!queued && st->from == State::SynReceived && it->second.syn_queue > 0) --it->second.syn_queue;
      }
      parent_port_[c] = 0;
    }
    live(c).release_buffers();
    settle(c);
  }
}

}  // namespace tcplab
