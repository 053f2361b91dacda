#include "labs/capture_lab.hpp"

#include "labs/capture_losses.hpp"
#include "labs/capture_peer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

namespace tcplab {
namespace {

// What a side whose capture was cut while it was sending writes beyond the captured bytes.
constexpr std::uint64_t kMoreThanCaptured = 1 << 20;

// Why a far side replays as captured (in.far_scripted).
constexpr const char* kFarScriptedWhy =
    "Its segments and their timing followed more than this one connection (a queue that other flows filled)";
// Why the capture host replays as captured (in.near_scripted).
constexpr const char* kNearScriptedWhy =
    "No application's calls made the lab's stack send its segments as captured (a kernel's write path: "
    "Linux's PSH inside a long write; an order within microseconds that the capture cannot resolve)";

std::string port_of(const std::string& endpoint) { return endpoint.substr(endpoint.rfind(':') + 1); }

std::string us_text(Duration d) { return fmt::format("{}us", std::max<Duration>(d, 0) / 1000); }

// One side's application, step by step.
struct SideScript {
  std::vector<std::string> steps;
  Instant last = 0;             // when its last step happened
  std::uint64_t pending = 0;    // bytes arrived from the peer, not yet read
  Instant arrived = 0;          // when the last of them (or the peer's FIN) was seen
  bool peer_fin = false, closed = false;
  bool eof_read = false;        // a `recv all` is in the script: it read up to the peer's FIN
  std::optional<std::uint32_t> fin_next;  // the sequence number after its FIN, once it sent one
  std::size_t fin_step = 0;     // where its FIN's step is: a shutdown if data came in after it
  bool read_after_fin = false;
  bool reset_after_close = false;  // it answered data that came after its FIN with a RST
  void pause_until(Instant t, Duration think) {
    if (t - last > think) steps.push_back("wait " + us_text(t - last));
  }
  // A recv returns when what it waits for has arrived: the pause after it counts from then.
  void read_pending(bool all) {
    all = all && !eof_read;
    if (all) steps.push_back("recv all");
    else if (pending) steps.push_back(fmt::format("recv {}", pending));
    if (all || pending) last = std::max(last, arrived);
    eof_read = eof_read || all;
    pending = 0;
  }
};

// Bytes on the wire as tcplab's links count them (sim/world_packets.cpp): IP and TCP headers,
// the timestamp option, the payload.
std::uint32_t wire_bytes(const TraceEvent& e) {
  return 40 + e.len + (e.seg.ts ? 12U : 0U) + (e.seg.has(kSyn) ? 8U : 0U);
}

// The path's rate, when the capture shows one. Behind a bottleneck, what reaches the capture host
// comes spaced by the time the bottleneck took to send it: data (at the receiver) one segment
// apart, ACKs (at the sender) the data they acknowledge apart. Each pair of arrivals from the far
// side gives a time per wire byte; the path has a rate when the smallest of them (the 10th
// percentile: a sample or two can come closer) is also what many pairs show (a bottleneck
// spaces them alike); arrivals spaced by the far side's sending alone show no such mode.
std::optional<std::uint64_t> path_rate_bps(const std::vector<TraceEvent>& sends, const std::string& near_endpoint) {
  std::vector<double> per_byte;  // ns per wire byte
  std::map<std::uint32_t, std::uint32_t> mine;  // the capture host's data: end -> wire bytes
  const TraceEvent* prev = nullptr;
  for (const TraceEvent& e : sends) {
    const bool near = capture_endpoint(e.conn) == near_endpoint;
    if (near) {
      if (e.len > 0) mine[e.seg.seq.raw() + e.len] = wire_bytes(e);
      continue;
    }
    if (prev && e.t_ns > prev->t_ns) {
      const Duration dt = e.t_ns - prev->t_ns;
      if (e.len > 0 && prev->len > 0) {
        per_byte.push_back(static_cast<double>(dt) / wire_bytes(e));
      } else if (e.len == 0 && prev->len == 0 && e.seg.has(kAck) && seq_gt(e.seg.ack, prev->seg.ack)) {
        // One or two segments acknowledged (an ACK that fills a hole acknowledges what came long before).
        std::uint64_t bytes = 0;
        int segments = 0;
        for (auto it = mine.upper_bound(prev->seg.ack.raw()); it != mine.end() && seq_le(Seq32{it->first}, e.seg.ack); ++it) {
          bytes += it->second;
          ++segments;
        }
        if (segments == 1 || segments == 2) per_byte.push_back(static_cast<double>(dt) / static_cast<double>(bytes));
      }
    }
    prev = &e;
  }
  if (per_byte.size() < 16) return std::nullopt;
  std::sort(per_byte.begin(), per_byte.end());
  const double tau = per_byte[per_byte.size() / 10];
  const auto alike = std::count_if(per_byte.begin(), per_byte.end(), [&](double v) { return v <= tau * 1.05; });
  if (tau <= 0 || static_cast<std::size_t>(alike) * 3 < per_byte.size()) return std::nullopt;
  // Three significant digits: "10.0Mbps" rather than a rate only the capture's rounding chose.
  double bps = 8e9 / tau;
  double unit = 1;
  while (bps / unit >= 1000) unit *= 10;
  return static_cast<std::uint64_t>(std::llround(bps / unit) * unit);
}

// The far side went silent: after its last segment the capture host went on sending what needs
// an answer (data, a FIN, a SYN, again and again) and nothing came back for more than a round
// trip until the capture ended. Returns the capture time of the far side's last segment then.
// Its host is then gone (crashed, unplugged, a spoofed source): a peer gone without a FIN, the
// reference article's half-open connections and FIN_WAIT_1 / LAST_ACK piles.
std::optional<Instant> far_silent_since(const std::vector<TraceEvent>& sends, const std::string& near_endpoint,
                                        Duration rtt) {
  const TraceEvent* last_far = nullptr;
  for (const TraceEvent& e : sends)
    if (capture_endpoint(e.conn) != near_endpoint) last_far = &e;
  // A far side that never sent anything is a dead host from the start (the lab's faults say it);
  // one whose last word was a RST had closed, and its host answers what comes after.
  if (!last_far || last_far->seg.has(kRst) || sends.empty()) return std::nullopt;
  for (const TraceEvent& e : sends) {
    if (e.t_ns <= last_far->t_ns || capture_endpoint(e.conn) != near_endpoint) continue;
    const bool needs_answer = e.len > 0 || e.seg.has(kSyn) || e.seg.has(kFin);
    if (needs_answer) return sends.back().t_ns - e.t_ns > rtt ? std::optional<Instant>(last_far->t_ns) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string capture_conn_key(const TraceEvent& e) {
  const std::string prefix = e.id.substr(0, e.id.rfind('#'));
  const auto gt = prefix.find('>');
  if (gt == std::string::npos) return prefix;
  std::string a = prefix.substr(0, gt), b = prefix.substr(gt + 1), suffix;
  // ".2" (the pair's 2nd connection) ends the second address; an IPv4 address has 3 dots.
  if (std::count(b.begin(), b.end(), '.') > 3 || (b.find(':') != std::string::npos && b.rfind('.') != std::string::npos)) {
    suffix = b.substr(b.rfind('.'));
    b = b.substr(0, b.rfind('.'));
  }
  return (a < b ? a + ">" + b : b + ">" + a) + suffix;
}

std::string capture_lab_toml(const CaptureLabInput& in) {
  if (in.sends.empty()) throw std::runtime_error("the connection has no segments");
  const TraceEvent* syn = nullptr;
  for (const TraceEvent& e : in.sends)
    if (e.seg.has(kSyn) && !e.seg.has(kAck)) {
      syn = &e;
      break;
    }
  if (!syn) throw std::runtime_error("the connection's SYN is not in the capture: a lab needs its handshake");
  const std::string opener = capture_endpoint(syn->conn);
  const std::string other = capture_endpoint(syn->conn.substr(syn->conn.find('>') + 1));
  const Instant t0 = syn->t_ns;
  const Duration rtt = in.rtt > 0 ? in.rtt : ms(1);
  // Each side's own clock. The capture host's segments left when they were captured and what it
  // received arrived then; the far side sent its segments one one-way delay before they were
  // captured and receives the capture host's one delay after. A capture on the path is half a
  // delay from each side.
  const auto lag = [&](int x) -> Duration { return in.near < 0 ? rtt / 4 : x == in.near ? 0 : rtt / 2; };
  // An opener that sent what no stack sends is replayed as a scripted peer (labs/capture_peer.hpp).
  const std::optional<std::string> unlike = opener_unlike_a_stack(in.sends, opener, lag(0));
  // A side replayed as captured: an opener unlike a stack, or the far side when asked.
  const int far = in.near < 0 ? -1 : 1 - in.near;
  // The side replayed as captured, if any: the far side (a queue other flows filled) or the
  // capture host (what no application's calls make its stack send); the other keeps its stack.
  const int script_side = in.far_scripted && far >= 0 ? far : in.near_scripted && in.near >= 0 ? in.near : -1;
  const char* script_why = script_side == far ? kFarScriptedWhy : kNearScriptedWhy;
  const std::optional<std::string> scripted =
      unlike ? unlike : script_side == 0 ? std::optional<std::string>(script_why) : std::nullopt;
  const bool server_scripted = script_side == 1;
  const bool near_checked = script_side >= 0 && script_side == in.near;
  const Duration think = std::max<Duration>(rtt, ms(10));  // a pause shorter than this is the network's
  // The path's rate, if the capture shows one; the handshake's RTT then also holds the SYN's and
  // the SYN,ACK's transmission times (60 wire bytes each), which the link's delay must not.
  const std::optional<std::uint64_t> rate =
      in.near >= 0 ? path_rate_bps(in.sends, in.near == 0 ? opener : other) : std::nullopt;
  const Duration delay =
      (rtt - (rate ? static_cast<Duration>(2 * 60 * 8 * 1'000'000'000ULL / *rate) : 0)) / 2;

  std::array<SideScript, 2> app;
  app[0].steps.push_back(fmt::format("connect server {} from {}", port_of(other), port_of(opener)));
  app[1].steps = {"listen " + port_of(other), "accept"};
  app[0].last = app[1].last = 0;
  std::array<std::uint32_t, 2> high{};
  std::array<bool, 2> started{};
  bool accepted = false;
  bool refused = false;
  // The windows each side offered, to tell the application's pauses from the peer's: a sender
  // whose data reached the edge of the peer's window (blocked) goes on with the same send() when
  // the window opens; a receiver whose window opens from zero read then.
  std::array<std::optional<std::uint8_t>, 2> wscale;
  std::array<std::uint16_t, 2> syn_window{};
  std::array<std::uint32_t, 2> syn_mss{536, 536};  // RFC 9293 3.7.1: 536 without the option
  // What reached x from its peer, in order, on x's clock: when, and the right edge of the
  // window offered (for the far side, the capture's order is not the order it learnt things in).
  struct Heard {
    Instant at;
    std::optional<std::uint32_t> edge;
    std::optional<std::uint32_t> ack = std::nullopt;
  };
  std::array<std::vector<Heard>, 2> heard;
  // The last segment that had reached x by its time t, and the window edge it knew then.
  const auto known = [&](int x, Instant t) {
    std::pair<std::optional<Instant>, std::optional<std::uint32_t>> k;
    const auto& h = heard[static_cast<std::size_t>(x)];
    for (auto it = h.rbegin(); it != h.rend() && !k.second; ++it)
      if (it->at <= t) {
        if (!k.first) k.first = it->at;
        k.second = it->edge;
      }
    return k;
  };
  std::array<std::optional<std::uint32_t>, 2> offered;     // the window x offered last, scaled
  std::array<bool, 2> blocked{};
  // Keep-alive (RFC 9293 3.8.4, RFC 1122 4.2.3.6): an empty segment one below what it sent last,
  // with its data all acknowledged and the peer's window open (else a zero-window probe), after
  // an idle time since it last heard from the peer; the next ones an interval apart.
  std::array<std::optional<Duration>, 2> keepalive_idle, keepalive_interval;
  std::array<std::optional<Instant>, 2> last_probe;
  std::array<std::optional<std::uint32_t>, 2> acked_by_peer;  // the peer's last ACK number
  std::array<std::uint32_t, 2> max_flight{};                  // the most data x had unacknowledged
  // A host that lost the connection: a RST without ACK (the answer of a host with no socket for
  // the segment, RFC 9293 3.10.7.1) from a side that was open and had not closed. Its host went
  // down after its previous segment and came back before the RST (`crash for D`).
  struct Reboot {
    int side;
    Instant down, up;  // on that side's clock
  };
  std::optional<Reboot> reboot;
  std::optional<Instant> other_connects_at;  // on its clock
  std::array<std::vector<Instant>, 2> syns;  // each side's SYNs without ACK, when it sent them
  std::array<Instant, 2> last_sent{};
  Instant end = t0;
  for (const TraceEvent& e : in.sends) {
    const int x = capture_endpoint(e.conn) == opener ? 0 : 1;
    SideScript& me = app[static_cast<std::size_t>(x)];
    SideScript& peer = app[static_cast<std::size_t>(1 - x)];
    const Instant t = e.t_ns - t0 - lag(x);          // when x sent it
    const Instant there = e.t_ns - t0 + lag(1 - x);  // when it reached the peer
    end = std::max(end, e.t_ns);
    const Segment& s = e.seg;
    Heard& h = heard[static_cast<std::size_t>(1 - x)].emplace_back(
        Heard{there, std::nullopt, s.has(kAck) && !s.has(kRst) ? std::optional<std::uint32_t>(s.ack.raw()) : std::nullopt});
    if (s.has(kSyn)) {
      wscale[static_cast<std::size_t>(x)] = s.wscale;
      syn_window[static_cast<std::size_t>(x)] = s.wnd;
      if (s.mss) syn_mss[static_cast<std::size_t>(x)] = *s.mss;
      offered[static_cast<std::size_t>(x)] = s.wnd;
      if (s.has(kAck)) h.edge = s.ack.raw() + s.wnd;
    } else if (s.has(kAck) && !s.has(kRst)) {
      // RFC 7323 2.2: windows are scaled only when both SYNs carried the option, never in a SYN.
      const int shift = wscale[0] && wscale[1] ? *wscale[static_cast<std::size_t>(x)] : 0;
      const std::uint32_t wnd = static_cast<std::uint32_t>(s.wnd) << shift;
      const bool reopened = offered[static_cast<std::size_t>(x)] == 0U && wnd > 0 && e.len == 0 && !s.has(kFin);
      offered[static_cast<std::size_t>(x)] = wnd;
      h.edge = s.ack.raw() + wnd;
      if (reopened && me.pending) {
        // A window update after a zero window: its application read what had arrived.
        me.pause_until(t, think);
        me.steps.push_back(fmt::format("recv {}", me.pending));
        me.pending = 0;
        me.last = t;
      }
    }
    // connect() returns when the SYN,ACK arrives, accept() when the handshake's ACK does: a
    // pause of the application counts from then.
    if (s.has(kSyn) && s.has(kAck) && x == 1) app[0].last = std::max(app[0].last, there);
    if (!s.has(kSyn) && x == 0 && !accepted) {
      app[1].last = std::max(app[1].last, there);
      accepted = true;
    }
    if (s.has(kSyn)) {
      // The other side's own SYN (no ACK): it connected too, a simultaneous open (RFC 9293
      // 3.5 Figure 8), rather than listening.
      if (x == 1 && !s.has(kAck) && !started[1]) other_connects_at = t;
      if (!s.has(kAck)) syns[static_cast<std::size_t>(x)].push_back(t);
      if (!started[static_cast<std::size_t>(x)]) me.last = t;
      started[static_cast<std::size_t>(x)] = true;
      high[static_cast<std::size_t>(x)] = s.seq.raw() + 1;
      continue;
    }
    const Instant previous = last_sent[static_cast<std::size_t>(x)];
    last_sent[static_cast<std::size_t>(x)] = t;
    if (s.has(kAck) && !s.has(kRst)) acked_by_peer[static_cast<std::size_t>(1 - x)] = s.ack.raw();
    if (s.has(kRst)) {
      if (!started[static_cast<std::size_t>(x)]) {
        refused = true;  // it answered the SYN with RST: nothing listened on that port
      } else if (!s.has(kAck) && !me.closed && !reboot) {
        // Down after the last segment it sent or received before the one its RST answers.
        Instant down = previous;
        std::vector<Instant> arrived;
        for (const Heard& h : heard[static_cast<std::size_t>(x)])
          if (h.at <= t) arrived.push_back(h.at);
        std::sort(arrived.begin(), arrived.end());
        if (arrived.size() >= 2) down = std::max(down, arrived[arrived.size() - 2]);
        reboot = Reboot{x, down, t};
        me.closed = true;
      } else if (!me.closed) {
        // An RST from an open socket: the application aborted it (close() with SO_LINGER 0, or
        // with data it had not read: RFC 9293 3.10.4 ABORT, 3.6.1 / Linux tcp_close).
        me.read_pending(false);
        me.pause_until(t, think);
        me.steps.push_back("abort");
        me.closed = true;
        me.last = t;
      } else if (me.read_after_fin) {
        // Data after its FIN answered with a RST: its application had closed, not shut down
        // (RFC 9293 3.6.1: data for a closed socket; Linux's tcp_rcv_state_process "data after close").
        me.reset_after_close = true;
      }
      continue;
    }
    const std::uint32_t data_end = s.seq.raw() + e.len;
    const bool probe_like = e.len == 0 && !s.has(kFin) && s.seq.raw() + 1 == high[static_cast<std::size_t>(x)];
    if (probe_like && acked_by_peer[static_cast<std::size_t>(x)] == high[static_cast<std::size_t>(x)] &&
        offered[static_cast<std::size_t>(1 - x)] != 0U) {
      const auto [heard_at, edge] = known(x, t);
      auto& probe = last_probe[static_cast<std::size_t>(x)];
      if (probe && (!heard_at || *heard_at <= *probe)) {
        keepalive_interval[static_cast<std::size_t>(x)] = t - *probe;  // unanswered: the next one
      } else if (heard_at && !keepalive_idle[static_cast<std::size_t>(x)]) {
        keepalive_idle[static_cast<std::size_t>(x)] = t - *heard_at;
      }
      probe = t;
      continue;
    }
    if (e.len > 0 && seq_gt(Seq32{data_end}, Seq32{high[static_cast<std::size_t>(x)]})) {
      const std::uint32_t fresh = static_cast<std::uint32_t>(Seq32{data_end} - Seq32{high[static_cast<std::size_t>(x)]});
      high[static_cast<std::size_t>(x)] = data_end;
      // In flight then: what it had sent beyond the last ACK that had reached it (on its clock).
      const auto& h = heard[static_cast<std::size_t>(x)];
      for (auto it = h.rbegin(); it != h.rend(); ++it)
        if (it->at <= t && it->ack) {
          // (an ACK of data never sent, which a scripted peer may send, says nothing of it)
          if (seq_gt(Seq32{data_end}, Seq32{*it->ack}))
            max_flight[static_cast<std::size_t>(x)] = std::max(
                max_flight[static_cast<std::size_t>(x)],
                std::min(static_cast<std::uint32_t>(Seq32{data_end} - Seq32{*it->ack}), 1U << 30));
          break;
        }
      // A burst of new data right after the last send is the same send() call.
      const auto [heard_at, edge] = known(x, t);
      // The same send() going on when an ACK let it: right after an ACK (a pure ACK wakes no
      // application; a write blocked on a full send buffer, the congestion window or the peer's
      // window goes on), or soon after the window it had filled opened.
      const Duration gap = heard_at ? t - *heard_at : -1;
      const bool resumed = gap >= 0 && gap < (blocked[static_cast<std::size_t>(x)] ? think : std::min<Duration>(think, ms(1)));
      const bool same_call = !me.steps.empty() && me.steps.back().starts_with("send ") && me.pending == 0 &&
                             (t - me.last < think || resumed);
      // Its ACK covers the peer's FIN: the FIN had arrived, and what came before it had been read
      // to the end (a reader that answers after the peer's shutdown).
      const bool after_peer_fin = peer.fin_next && s.has(kAck) && seq_ge(s.ack, Seq32{*peer.fin_next});
      if (same_call) {
        const std::uint64_t before = std::stoull(me.steps.back().substr(5));
        me.steps.back() = fmt::format("send {}", before + fresh);
      } else {
        // What its ACK does not cover had not reached it yet (in a simultaneous open each side
        // sends before the other's data arrives): that stays to be read later.
        const std::uint32_t peer_end = high[static_cast<std::size_t>(1 - x)];
        const std::uint64_t unarrived =
            s.has(kAck) && seq_gt(Seq32{peer_end}, s.ack) ? static_cast<std::uint32_t>(Seq32{peer_end} - s.ack) : 0U;
        if (unarrived > 0 && unarrived <= me.pending && !after_peer_fin) {
          if (me.pending > unarrived) me.steps.push_back(fmt::format("recv {}", me.pending - unarrived));
          me.pending = unarrived;
        } else {
          me.read_pending(after_peer_fin);
        }
        me.pause_until(t, think);
        me.steps.push_back(fmt::format("send {}", fresh));
      }
      me.last = t;
      blocked[static_cast<std::size_t>(x)] = edge && seq_ge(Seq32{data_end}, Seq32{*edge});
      peer.pending += fresh;
      peer.arrived = there;
      if (peer.closed) peer.read_after_fin = true;
    }
    if (s.has(kFin)) peer.arrived = std::max(peer.arrived, there);  // its last copy is the one that got there
    if (s.has(kFin) && !me.closed) {
      // It read to the peer's FIN first only if that FIN had reached it: its own FIN acknowledges
      // it (in a simultaneous close each FIN leaves before the other arrives).
      me.read_pending(me.peer_fin && peer.fin_next && s.has(kAck) && seq_ge(s.ack, Seq32{*peer.fin_next}));
      // A FIN leaves when the application closes (Linux sends a FIN-only segment whatever the
      // congestion window: tcp_cwnd_test), so its pause is kept to the microsecond: it decides
      // whether the FIN goes before or after what the peer sends meanwhile.
      me.pause_until(t, 0);
      me.steps.push_back("close");
      me.fin_next = s.seq.raw() + e.len + 1;
      me.fin_step = me.steps.size() - 1;
      me.closed = true;
      me.last = t;
      peer.peer_fin = true;
    }
  }
  if (refused) app[1].steps.clear();  // no listener: its host answers the SYN with RST itself
  // A capture that ends in the middle of a transfer (no FIN, no RST, and a side's last data
  // segment did not push: more was queued behind it): that side had more to send than the
  // capture shows, and the lab stops where the capture does.
  bool cut = false;
  if (std::none_of(in.sends.begin(), in.sends.end(), [](const TraceEvent& e) { return e.seg.has(kFin) || e.seg.has(kRst); })) {
    for (int x = 0; x < 2; ++x) {
      const auto last = std::find_if(in.sends.rbegin(), in.sends.rend(), [&](const TraceEvent& e) {
        return e.len > 0 && (capture_endpoint(e.conn) == opener) == (x == 0);
      });
      if (last == in.sends.rend() || last->seg.has(kPsh)) continue;
      auto& steps = app[static_cast<std::size_t>(x)].steps;
      const auto send = std::find_if(steps.rbegin(), steps.rend(), [](const std::string& s) { return s.starts_with("send "); });
      if (send == steps.rend()) continue;
      *send = fmt::format("send {}", std::stoull(send->substr(5)) + kMoreThanCaptured);
      cut = true;
    }
  }
  for (SideScript& a : app) {
    if (a.steps.empty()) continue;
    if (!a.closed) {
      a.read_pending(false);  // it never closed: its socket stays open
    } else if (a.read_after_fin && !a.reset_after_close) {
      // Data came in after its FIN: it shut down its sending side and went on reading (3.10.4 half-close).
      a.steps[a.fin_step] = "shutdown";
      a.read_pending(a.peer_fin);
      a.steps.push_back("close");
    }
  }
  // A far side gone silent: the capture host's copies after its last segment reached no one
  // (its host is down in the lab), they were not lost on the link.
  const std::optional<Instant> silent =
      in.near >= 0 ? far_silent_since(in.sends, in.near == 0 ? opener : other, rtt) : std::nullopt;
  const CaptureLosses losses = capture_losses(in.sends, opener, in.near, rtt, silent);
  std::vector<std::string> faults = losses.faults;
  faults.insert(faults.end(), in.replay_faults.begin(), in.replay_faults.end());
  // A scripted far side sends only what the capture has: no rule drops its segments. (A scripted
  // capture host sends all it sent, each copy: the rules that drop its copies stay.)
  if (script_side >= 0 && script_side == far)
    std::erase_if(faults, [&](const std::string& f) { return f.starts_with(far == 0 ? "drop A>" : "drop B>"); });
  // The stack's segments that faults drop or discard, by its ordinals: a script expects none of
  // them. (A scripted far side keeps its discard rules: the capture shows those copies arriving.)
  const auto dropped_of = [&](const char* dir) {
    std::vector<std::uint32_t> dropped;
    for (const std::string& f : faults)
      for (const std::string& p : {std::string("drop ") + dir, std::string("discard ") + dir})
        if (f.starts_with(p)) dropped.push_back(static_cast<std::uint32_t>(std::stoul(f.substr(p.size()))));
    return dropped;
  };
  const bool unanswered = losses.unanswered;

  auto ip = [&](std::size_t i, const char* fallback) {
    const std::string& a = i < in.addresses.size() ? in.addresses[i] : std::string();
    return a.empty() || a.find(':') != std::string::npos ? std::string(fallback) : a;
  };
  auto quoted = [](const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
    return out + "]";
  };
  std::string toml;
  toml += fmt::format("title = \"Captured: {}>{} from {}\"\n", opener, other, in.capture);
  toml += "goal = \"\"\"\nThe connection as the capture showed it, replayed: step through it, fork it (what if a lost segment\n"
          "had arrived?), compare the states with the ones `tcplab import` inferred.\"\"\"\n";
  // What else the lab does to replay the capture, each in a sentence.
  std::string later_notes;
  if (std::any_of(losses.faults.begin(), losses.faults.end(), [](const std::string& f) { return f.starts_with("discard "); }))
    later_notes += "\nA copy of the far side's that the capture shows arriving and that was sent again is discarded on\n"
                   "arrival (`discard`): the capture saw it, its TCP did not (a firewall's DROP rule, as nftables').";
  if (in.other_syn_from_last)
    later_notes += "\nBoth ends connected and sent their SYNs again before they crossed: the server's connect() is\n"
                   "timed from its last SYN (the lab's SYN timers fire on time; Linux's fire late, in its timer wheel).";
  toml += fmt::format(
      "explanation = \"\"\"\nMade by `tcplab import --to-lab` from {}. The link's one-way delay is half the handshake's\n"
      "round trip at the capture point ({} us){}; each side's application calls follow its data's timing and sizes\n"
      "(a send per burst of new data, a recv for what arrived before it, a wait for each pause longer than {} us,\n"
      "and the exact pause before a close);\n"
      "the losses are the copies of a segment that the capture shows sent again ({} rule{}){}. What the capture\n"
      "could not show ({}queueing) is not in the lab.{}{}{}\"\"\"\n",
      in.capture, delay / 1000,
      rate ? ",\nless the SYNs' transmission; its rate, from the spacing of what reached the capture host, is the\n"
             "bottleneck's"
           : "",
      think / 1000, losses.faults.size(), losses.faults.size() == 1 ? "" : "s",
      in.replay_faults.empty()
          ? std::string()
          : fmt::format(",\nand the far side's segments lost before the capture point, found by replaying this lab:\n"
                        "where its capture first differed from the real one, it had a segment of the far side that\n"
                        "the real capture lacks ({} rule{}, the last ones)",
                        in.replay_faults.size(), in.replay_faults.size() == 1 ? "" : "s"),
      in.replay_faults.empty() ? "losses before the capture point on the far side, " : "other losses before the capture point, ",
      script_side >= 0 ? fmt::format("\nThe {} is a scripted peer that sends its captured segments at their times (the lab\n"
                                     "without it did not replay the capture: {}).{}",
                                     script_side == 0 ? "client" : "server", script_why,
                                     in.near_cc.empty() ? "" : fmt::format(" The {}'s congestion control, {}, is the one that\nreplays it.",
                                                                           script_side == 0 ? "server" : "client", in.near_cc))
                 : std::string(),
      in.far_gro > 0 && far >= 0
          ? fmt::format("\nThe {0} acknowledged the {1}'s back-to-back segments once each run: its kernel merged them before\n"
                        "its TCP took them (GRO, or its socket backlog while its application was in a socket call), which\n"
                        "the {0}'s tcp.gro ({2} us) does.",
                        far == 0 ? "client" : "server", far == 0 ? "server" : "client", in.far_gro / 1000)
          : std::string(),
      later_notes);
  toml += "seed = 1\n";
  // The client starts at 1 ms; an unanswered capture stops with its last segment.
  // (On the lab's clock the capture point saw the opener's SYN at 1 ms + the opener's lag; the
  // lag is the SYN's, and a full segment takes longer on a link with a rate: up to its
  // transmission time more.)
  const Duration full_segment = rate ? static_cast<Duration>(1500ULL * 8 * 1'000'000'000ULL / *rate) : 0;
  toml += cut ? fmt::format("until = \"{}\"\n", us_text(ms(1) + lag(0) + (end - t0) + full_segment + 1000))
          : unanswered || silent ? fmt::format("until = \"{}\"\n", us_text(end - t0 + ms(1) + std::min<Duration>(think, ms(100))))
                                 : fmt::format("until = \"{}ms\"\n", (end - t0) / ms(1) + 5000);
  toml += "faults = " + quoted(faults) + "\n\n";
  // A SYN offering a small window comes from a socket whose receive buffer was set small
  // (SO_RCVBUF, which Linux doubles): Linux then offers half of it rounded down to whole
  // segments, and tcplab's rcv_buf does the same (stack/config.hpp). Of the buffers that give
  // that window, the power of two (what programs ask for: 4096 doubled for 2896), else the
  // middle of the range; the buffer also decides when the receiver's memory runs out.
  auto tcp_line = [&](std::size_t i) {
    std::vector<std::string> keys;
    const std::uint32_t w = syn_window[i];
    if (w != 0 && w < 32768) {
      // The segment it counts in: the one its peer may send it (the peer's MSS option).
      const std::uint32_t seg = syn_mss[1 - i];
      std::uint32_t buf = 1;
      while (buf < 2 * w) buf <<= 1;
      if (buf >= 2 * (w + seg)) buf = 2 * w + seg;
      keys.push_back(fmt::format("rcv_buf = {}", buf));
    } else if (const auto s = wscale[i]; s && w == 65535 && *s <= 14) {
      // A full 65535 in the SYN: more than 64 KiB free at once, a buffer set large (SO_RCVBUF;
      // the default buffer's half, 64 KiB, offers whole segments: 64240). The scale is chosen for
      // the share of it the window may use, half (stack/rcv_memory.cpp): the power of two that
      // gives this scale.
      keys.push_back(fmt::format("rcv_buf = {}", 1U << (*s + 16)));
    } else if (s && w != 0 && *s >= 7 && *s != 10 && *s <= 14) {
      // The default buffer, but another largest one it may grow to (net.ipv4.tcp_rmem's max,
      // which the scale is chosen for; 10 is this kernel's 32 MiB): 6 MiB, most distributions'
      // default, gives 7.
      keys.push_back(fmt::format("tcp_rmem = [4096, 131072, {}]", 3U << (*s + 14)));
    }
    // More in flight than tcplab's fixed send buffer holds (64 KiB): Linux had grown its buffer
    // (tcp_wmem, up to 4 MiB by default); the lab's is that size (twice the flight beyond it),
    // so that the application's writes go in as they did, not in buffer-sized pieces.
    if (max_flight[i] > 65536)  // (a scaled window is at most 2^30: so is a lab's buffer)
      keys.push_back(fmt::format("snd_buf = {}", std::clamp(std::bit_ceil(2 * max_flight[i]), 4194304U, 1U << 30)));
    if (!in.near_cc.empty() && static_cast<int>(i) == in.near) keys.push_back(fmt::format("cc = \"{}\"", in.near_cc));
    // The far side acknowledged back-to-back segments once each pair (labs/capture_fit.cpp).
    if (in.far_gro > 0 && in.near >= 0 && static_cast<int>(i) == 1 - in.near) keys.push_back(fmt::format("gro = \"{}\"", us_text(in.far_gro)));
    if (keepalive_idle[i]) {
      keys.push_back(fmt::format("keepalive = true, keepalive_idle = \"{}\"", us_text(*keepalive_idle[i])));
      if (keepalive_interval[i]) keys.push_back(fmt::format("keepalive_interval = \"{}\"", us_text(*keepalive_interval[i])));
    }
    if (keys.empty()) return std::string();
    std::string line = "tcp = { ";
    for (std::size_t k = 0; k < keys.size(); ++k) line += (k ? ", " : "") + keys[k];
    return line + " }\n";
  };
  toml += fmt::format("[[host]]\nname = \"client\"\nip = \"{}\"\n{}\n", ip(0, "10.0.0.1"), tcp_line(0));
  toml += fmt::format("[[host]]\nname = \"server\"\nip = \"{}\"\n{}\n", ip(1, "10.0.0.2"), tcp_line(1));
  if (rate) {
    const std::uint64_t r = *rate;
    const std::string text = r % 1'000'000'000 == 0 ? fmt::format("{}Gbps", r / 1'000'000'000)
                             : r % 1'000'000 == 0   ? fmt::format("{}Mbps", r / 1'000'000)
                             : r % 1'000 == 0       ? fmt::format("{}kbps", r / 1'000)
                                                    : fmt::format("{}bps", r);
    toml += fmt::format("[link]\ndelay = \"{}\"\nrate = \"{}\"\n\n", us_text(delay), text);
  } else {
    toml += fmt::format("[link]\ndelay = \"{}\"\n\n", us_text(delay));
  }
  // A side as a scripted peer (labs/README.md "Scripted peers"): `why` heads its comment.
  const auto peer_app = [&](int x, const std::string& why, bool checked, const std::string& script) {
    const std::string self = x == 0 ? opener : other, them = x == 0 ? other : opener;
    toml += fmt::format("# {}: it replays the capture's segments as a scripted peer\n# ({}; labs/README.md).\n"
                        "[[app]]\nhost = \"{}\"\nstart = \"{}\"\n[app.peer]\ntarget = \"{}\"\nport = {}\n"
                        "own_port = {}\n{}script = \"\"\"\n{}\"\"\"\n\n",
                        why, checked ? "'<' what it sent, '>' what it must receive" : "'<' what it sent, at its times; what arrives is not checked",
                        x == 0 ? "client" : "server", us_text(ms(1)), x == 0 ? "server" : "client", port_of(them),
                        port_of(self), checked ? "" : "check_arrivals = false\n", script);
    toml += fmt::format("[[check]]\nname = \"the {}'s script ran to its end{}\"\nkind = \"peer\"\nhost = \"{}\"\n\n",
                        x == 0 ? "client" : "server",
                        checked ? " and every segment it expected came as the capture shows" : ": it sent every segment the capture shows",
                        x == 0 ? "client" : "server");
  };
  if (server_scripted) {
    // A scripted capture host waits for what the capture shows arriving before each of its
    // segments (the order there is the capture's): its script checks the far side's segments.
    peer_app(1, script_why, near_checked,
             side_peer_script(in.sends, other, lag(1), lag(0), near_checked ? dropped_of("A>B#") : std::vector<std::uint32_t>{},
                              near_checked));
  } else if (other_connects_at && app[1].steps.size() >= 2) {
    if (in.other_syn_from_last && syns[0].size() == syns[1].size() && syns[0].size() >= 2)
      other_connects_at = syns[0].front() + (syns[1].back() - syns[0].back());
    // Its connect() instead of listen() and accept(), when its SYN left (on the lab's clock).
    app[1].steps.erase(app[1].steps.begin(), app[1].steps.begin() + 2);
    app[1].steps.insert(app[1].steps.begin(), fmt::format("connect client {} from {}", port_of(opener), port_of(other)));
    toml += fmt::format("[[app]]\nhost = \"server\"\nstart = \"{}\"\nscript = {}\n\n",
                        us_text(ms(1) + *other_connects_at + lag(0)), quoted(app[1].steps));
  } else if (!app[1].steps.empty()) {
    toml += fmt::format("[[app]]\nhost = \"server\"\nscript = {}\n\n", quoted(app[1].steps));
  }
  if (scripted) {
    // The other side's segments that the faults drop never reach it: no '>' line for them.
    if (unlike) {
      peer_app(0, fmt::format("The client sent what no TCP stack sends ({})", *unlike), true,
               opener_peer_script(in.sends, opener, lag(0), dropped_of("B>A#")));
    } else {
      peer_app(0, script_why, near_checked,
               side_peer_script(in.sends, opener, lag(0), lag(0),
                                near_checked ? dropped_of("B>A#") : std::vector<std::uint32_t>{}, near_checked));
    }
  } else {
    toml += fmt::format("[[app]]\nhost = \"client\"\nstart = \"{}\"\nscript = {}\n", us_text(ms(1)), quoted(app[0].steps));
  }
  // A scripted client's segments are all in its script: its RSTs and its silence too.
  if (reboot && !(scripted && reboot->side == 0) && !(server_scripted && reboot->side == 1)) {
    // Down just after its previous segment, up again just before the RST (it answered a segment
    // that arrived then); on the lab's clock as below.
    const Instant down = ms(1) + reboot->down + lag(0) + 1000;
    const Instant up = ms(1) + reboot->up + lag(0) - std::min<Duration>(ms(1), (reboot->up - reboot->down) / 4);
    toml += fmt::format("\n# Its RST without ACK answered a segment of a connection it no longer had: its host had\n"
                        "# restarted (crashed and came back) since its previous segment.\n"
                        "[[app]]\nhost = \"{}\"\nstart = \"{}\"\nscript = [\"crash for {}\"]\n",
                        reboot->side == 0 ? "client" : "server", us_text(down), us_text(up - down));
  }
  if (silent && !(scripted && far == 0) && !(server_scripted && far == 1)) {
    // The far host goes down just after its last segment (on the lab's clock: the opener's SYN
    // left at 1 ms, each side's times shifted by its lag behind the capture).
    const Instant at = ms(1) + (*silent - t0 - lag(far)) + lag(0) + 1000;
    toml += fmt::format("\n# Nothing came back from it after {}: its host went down (crashed, unplugged).\n"
                        "[[app]]\nhost = \"{}\"\nstart = \"{}\"\nscript = [\"crash\"]\n",
                        far == 0 ? "the client's last segment" : "the server's last segment",
                        far == 0 ? "client" : "server", us_text(at));
  }
  return toml;
}

}  // namespace tcplab
