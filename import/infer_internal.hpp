#pragma once
// The importer's bookkeeping behind import/infer.hpp: one Conn per connection incarnation,
// two Sides each. Shared by the files that implement the inference (infer.cpp: grouping,
// ordering, timers; infer_rules.cpp: the RFC 9293 transitions; infer_tcb.cpp: the TCB
// estimate, retransmissions and their causes).
#include <array>
#include <deque>
#include <optional>
#include <tuple>
#include <limits>
#include <map>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "import/infer.hpp"

namespace tcplab::capture {

// Where an inferred event goes in time: `t` is the capture time of the segment that shows it;
// dir -1: the side sent that segment (it happened one delay earlier), +1: the side received
// ours (one delay later), 0: exactly at t. `key` orders events at one instant: frame*4 + slot
// (0 the sender's change before its segment, 1 the segment, 2 the receiver's change after it,
// 3 timers).
struct Place {
  Instant t = 0;
  int dir = 0;
  std::uint64_t key = 0;
};

// A SYN, SYN,ACK or FIN this side sent: the far side's answer says which one it took in.
struct CtlTx {
  Instant t = 0;
  std::uint64_t key = 0;
  std::uint8_t flags = 0;
  bool has_ts = false;
  std::uint32_t tsval = 0;
};

struct Side : SideTcb {
  bool opened = false;          // left CLOSED at least once
  std::uint32_t ordinal = 0;    // segments sent (ids)
  int syn_tx = 0;               // SYN or SYN,ACK transmissions (SYN,ACKs only, from the first one)
  bool sent_synack = false;
  Instant last_syn = -1, syn_gap = 0;
  bool fin_acked = false, fin_rcvd = false;
  bool acked_any = false;
  bool sack_seen = false;       // it has sent SACK blocks (RFC 2018): its peer recovers by them
  std::uint32_t last_ack = 0;   // the last ACK it sent
  std::uint16_t last_wnd_raw = 0;
  int dup_run = 0;              // duplicate ACKs it has received in a row
  bool in_recovery = false;
  std::uint32_t recover = 0;
  bool rcv_known = false;
  std::uint32_t rcv_contig = 0; // what has reached it in order (near side: exact)
  Place syn_arrival{-1, 0, 0};  // the peer's SYN reaching it (passive open, or in SYN-SENT at this host)
  Place last_arrival{-1, 0, 0}; // the last segment of the peer's that reached it
  std::deque<std::pair<std::uint32_t, Instant>> rtt_wait;  // new data's end and send time
  // The last kRecentRtts RTT samples (a ring): their minimum is the round trip the far side's
  // changes are placed by. One sample stretched by a delayed ACK (up to 40 ms on Linux, and
  // the ACK of a FIN is often delayed) does not move it; a queue that fills moves them all.
  static constexpr std::size_t kRecentRtts = 8;
  std::array<Duration, kRecentRtts> rtt_recent{};
  Duration recent_rtt_min() const {
    const std::size_t n = std::min<std::uint64_t>(rtt_samples, kRecentRtts);
    Duration m = -1;
    for (std::size_t k = 0; k < n; ++k) m = m < 0 ? rtt_recent[k] : std::min(m, rtt_recent[k]);
    return m;
  }
  Instant last_tx_una = -1;     // when SND.UNA's segment was last sent
  std::uint64_t timer_gen = 0;  // invalidates queued timers
  std::vector<CtlTx> ctl_tx;    // its last SYNs / SYN,ACKs / FINs (a few)
  bool awaiting_synack_answer = false;  // far side: ESTABLISHED once its ACK of our SYN,ACK shows
  // Far side: the last change our pure ACK caused (it cannot be acknowledged, so nothing
  // confirms it); taken back if the side then repeats what that ACK acknowledged.
  struct Tentative {
    std::tuple<Instant, std::uint64_t, std::uint64_t> key;
    State from = State::Closed;
    Instant t = 0;
  };
  std::optional<Tentative> tentative;
};

struct Conn {
  ConnInfo info;
  std::array<Side, 2> s;
  std::array<std::string, 2> id_prefix;  // "10.0.0.1>10.0.0.2" (+ ".2" for the pair's 2nd)
  bool link_mode = false;                // no side is the capture host
  bool over = false;
  Instant syn_sent_at = -1;              // the near opener's last SYN (for the handshake RTT)
  Instant synack_sent_at = -1;           // the near responder's last SYN,ACK
  std::vector<TraceEvent> far_wait;      // far-side events waiting for the delay
  std::vector<Place> far_wait_place;
  Side& side(int i) { return s[static_cast<std::size_t>(i)]; }
};

struct TupleKey {
  Endpoint a, b;
  friend bool operator==(const TupleKey&, const TupleKey&) = default;
};
struct TupleHash {
  std::size_t operator()(const TupleKey& k) const noexcept {
    std::uint64_t h = (static_cast<std::uint64_t>(k.a.ip) << 16 | k.a.port) * 0x9e3779b97f4a7c15ULL;
    h ^= (static_cast<std::uint64_t>(k.b.ip) << 16 | k.b.port) + 0x7f4a7c159e3779b9ULL + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h);
  }
};

enum class TimerKind : std::uint8_t { TimeWait, SynGiveUp };
struct PendingTimer {
  Instant at = 0;
  std::uint64_t conn = 0;
  int side = 0;
  TimerKind kind = TimerKind::TimeWait;
  std::uint64_t gen = 0;
  bool operator>(const PendingTimer& o) const {
    return at != o.at ? at > o.at : conn != o.conn ? conn > o.conn : side > o.side;
  }
};

struct Inference::Impl {
  InferOptions opt;
  EventFn on_event;
  ConnFn on_end;
  ConnFn on_frame;
  AddressBook book;

  // The capture point.
  bool decided = false;
  std::optional<Ipv4> near_key;
  std::string point_note;
  std::vector<std::tuple<Instant, std::uint64_t, DecodedFrame>> early;  // frames read before deciding

  std::unordered_map<TupleKey, std::uint64_t, TupleHash> by_tuple;  // lookup only, never iterated
  std::map<std::uint64_t, Conn> conns;                              // live connections by number
  std::map<std::pair<std::string, std::string>, std::uint32_t> pair_conns;
  std::uint64_t next_conn = 1;
  std::priority_queue<PendingTimer, std::vector<PendingTimer>, std::greater<>> timers;
  std::deque<std::pair<Instant, std::uint64_t>> delay_waits;  // (first time, conn) with far events waiting

  // Events in time order: (t, key, arrival count) -> event; flushed once older than the horizon.
  std::map<std::tuple<Instant, std::uint64_t, std::uint64_t>, TraceEvent> pending;
  std::uint64_t arrivals = 0, out_seq = 0;
  Instant flushed_to = std::numeric_limits<Instant>::min();
  Instant now = 0;
  bool any_frame = false;

  // infer.cpp
  void decide(const DecodedFrame* sample);
  std::optional<Ipv4> quick_responder(Ipv4 a, Ipv4 b);
  void process(Instant t, std::uint64_t number, const DecodedFrame& f);
  Conn& open_conn(const Endpoint& opener, const Endpoint& other, Instant t);
  void end_conn(std::uint64_t number);
  void conn_over(Conn& c, Instant t);
  void evict(Instant t);
  static constexpr Duration kKeepOver = sec(120);  // 2*MSL and then some: how long late segments still belong
  std::deque<std::pair<Instant, std::uint64_t>> over_queue;
  std::tuple<Instant, std::uint64_t, std::uint64_t> push(TraceEvent e, std::uint64_t key);
  void retract(Conn& c, int side, Instant sent_at);
  void flush(Instant upto);
  void fire_timers(Instant upto);
  void resolve_delays(Instant now);
  void release_far(Conn& c);
  std::string cause_prefix(const Conn& c, int side, const Place& p) const;
  void transition(Conn& c, int side, State to, const Place& p, const std::string& rule);
  void set_timer(Conn& c, int side, TimerKind k, Instant at);

  // infer_rules.cpp
  void send_rules(Conn& c, int i, const Place& p, const DecodedFrame& f);
  void recv_rules(Conn& c, int j, const Place& p, const DecodedFrame& f);
  void fin_reached(Conn& c, int j, const Place& p, std::uint32_t fin_at);
  void fin_evidence(Conn& c, int i, Instant t, std::uint64_t key, const DecodedFrame& f);
  void synack_evidence(Conn& c, int i, Instant t, std::uint64_t key, const DecodedFrame& f);
  Place far_receipt(const Conn& c, const Side& sender, std::uint8_t flag, Instant t_answer, std::uint64_t key,
                    const DecodedFrame& answer) const;
  Duration delay_now(const Conn& c) const;
  ConnInfo info_of(const Conn& c) const;  // for the callbacks: the info and both sides now
  void timer_fired(Conn& c, int side, TimerKind k, Instant at);
  void learn_delay(Conn& c, Duration rtt);

  // infer_tcb.cpp
  RetxCause analyse_send(Conn& c, int i, Instant t, const DecodedFrame& f, bool& retx);
  void analyse_receive(Conn& c, int j, Instant t, const DecodedFrame& f);
};

// The segment's kind label (sim/segment_kind.hpp's, from the length: no payload is kept).
std::string_view kind_of(const DecodedFrame& f);

}  // namespace tcplab::capture
