#pragma once
// The world: hosts running the stack, links between them, applications, fault rules, and a
// deterministic event queue under a virtual clock. It is a value (DESIGN rule 3): copying a
// World is a checkpoint, and the same seed gives the same trace byte for byte. The trace is
// not part of the value: whoever runs the world lends a TraceSink to `step`/`run`/`run_until`
// for that call only, so a copy can never write into another world's trace.
#include <cstdint>
#include <deque>
#include <map>
#include <tuple>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

#include "pkt/peer_script.hpp"
#include "sim/app.hpp"
#include "sim/bottleneck.hpp"
#include "sim/event_queue.hpp"
#include "sim/fault.hpp"
#include "sim/flat_map.hpp"
#include "sim/label_cache.hpp"
#include "sim/link.hpp"
#include "sim/rng.hpp"
#include "sim/segment_kind.hpp"
#include "sim/series.hpp"
#include "sim/slot_pool.hpp"
#include "sim/trace.hpp"
#include "stack/boxed.hpp"
#include "stack/isn.hpp"
#include "stack/tcp_host.hpp"

namespace tcplab {

// Where a run's trace goes. The world writes into it only during a call that was given it.
struct TraceSink {
  TraceEvents events;
  // Congestion series (sim/series.hpp): recorded only when asked for.
  bool series_on = false;
  Series series;
  // Which FlowSeries a connection's samples go to: (host, host epoch, connection) -> index.
  std::map<std::tuple<int, std::uint32_t, ConnId>, std::size_t> flow_index;
};

struct HostInfo {
  std::string name;  // "client"
  std::string tag;   // "A": used in segment ids
  Ipv4 ip = 0;
  TcpConfig cfg;
  bool up = true;
  std::uint32_t epoch = 0;  // bumped by each crash: timers and tasks of older epochs are void
  std::uint64_t secret = 0;
};

struct Link {
  int a = -1, b = -1;
  LinkDir ab, ba;  // a->b and b->a
};

// Per-connection segment counters that give ids (A>B#n) and kind ordinals (FIN #k).
struct SegOrdinals {
  std::uint32_t total = 0;
  std::array<std::uint32_t, kSegKindCount> per_kind{};
  std::uint32_t pair_conn = 0;  // which connection of its host pair (1, 2, ...); 0: not yet known
};

// One incarnation of a 4-tuple between two hosts: the connection number of its host pair
// (`B>A.2#4` is the pair's 2nd connection) and whether a connection of each side took it
// (a side's next connection on the tuple opens the next incarnation). 8 bytes: the table
// holds one per 4-tuple ever used, a million in a run of a million connections.
struct TupleConn {
  std::uint32_t pair_conn = 0;
  std::array<bool, 2> joined{};  // the lower / upper endpoint's side
};

// The key of a 4-tuple (lower endpoint first) and its hash, for World's tuple table.
using TupleKey = std::pair<Endpoint, Endpoint>;
struct TupleKeyHash {
  std::size_t operator()(const TupleKey& k) const {
    return static_cast<std::size_t>(mix64((static_cast<std::uint64_t>(k.first.ip) << 16 | k.first.port) ^
                                          mix64(static_cast<std::uint64_t>(k.second.ip) << 16 | k.second.port)));
  }
};

struct WorldCounters {
  // retx: retransmissions (the RTO, fast retransmit); loss_probes: tail loss probes (RFC 8985
  // 7.3), counted apart as Linux does (TCPLossProbes; `ss` retrans_out leaves them out).
  std::uint64_t events = 0, link_pkts = 0, data_pkts = 0, ack_pkts = 0, retx = 0, loss_probes = 0;
  // q_drops: drop-tail on a link, and every drop of a bottleneck's queue discipline.
  std::uint64_t err_drops = 0, q_drops = 0, fault_drops = 0, checksum_drops = 0, no_route = 0;
  std::uint64_t ping_pkts = 0;  // echo requests and replies sent (not in link_pkts: not TCP)
  std::uint64_t bytes_delivered_to_apps = 0;
  std::uint64_t stream_mismatches = 0;  // bytes read that differ from what `send N` generated
};

class World {
 public:
  explicit World(std::uint64_t seed = 1);

  // --- building ---
  int add_host(const std::string& name, Ipv4 ip, const TcpConfig& cfg);
  int add_link(int a, int b, const LinkParams& ab, const LinkParams& ba);
  // A shared bottleneck (sim/bottleneck.hpp) between hosts already added: packets between
  // its left and right hosts cross it instead of their link. Returns its index, or -1 when
  // a host is unknown or already behind a bottleneck (labs/ report those before).
  int add_bottleneck(const BottleneckSpec& b);
  // A lab's fault rules: at most kMaxFaults (labs/lab.cpp refuses more).
  static constexpr std::size_t kMaxFaults = 32767;
  void add_fault(const FaultRule& r) {
    if (faults_.size() >= kMaxFaults) throw std::length_error("more than 32767 fault rules");
    faults_.push_back(r);
  }
  void add_app(const AppSpec& app);  // app.host must name a host
  void set_ephemeral_range(int host, std::uint16_t lo, std::uint16_t hi);

  // --- running ---
  // Each takes the sink that records what happens during this call (nullptr: record
  // nothing; the world behaves the same, only the trace is not kept).
  bool step(TraceSink* sink = nullptr);                   // one event; false when nothing is pending
  void run_until(Instant t, TraceSink* sink = nullptr);   // every event with time <= t
  std::uint64_t run(std::uint64_t max_events, Instant limit, TraceSink* sink = nullptr);
  Instant now() const { return now_; }
  bool idle() const { return queue_.empty(); }
  Instant next_event_time() const { return queue_.empty() ? kNever : queue_.top().t; }
  std::size_t queued_events() const { return queue_.size(); }  // superseded timer entries included
  // Trace events so far, recorded or not: seq_no of the next one.
  std::uint64_t trace_count() const { return trace_seq_; }

  // --- looking ---
  const std::vector<HostInfo>& hosts() const { return hosts_; }
  const TcpHost& stack(int host) const { return stacks_[host]; }
  const std::vector<Link>& links() const { return links_; }
  // Bottleneck b's directions: [2b] left to right ("NAME s>r"), [2b+1] right to left.
  const std::vector<BottleneckDir>& bottleneck_dirs() const { return bn_dirs_; }
  // How long a ping probe waits for its reply before it counts as lost (as `ping -W 1`).
  static constexpr Duration kPingTimeout = sec(1);
  int host_index(const std::string& name_tag_or_ip) const;
  const WorldCounters& counters() const { return counters_; }
  std::vector<std::string> host_names() const;
  std::string conn_label(int host, ConnId c) const;
  // A send or recv step that has moved bytes but not ended (a `recv all` still waiting for
  // EOF when the run stopped): the trace reports a step's bytes only when it ends.
  struct UnfinishedIo {
    int host;
    std::string conn;  // as in the trace, "local>remote"
    bool recv;
    std::uint64_t bytes;
  };
  std::vector<UnfinishedIo> unfinished_io() const;

  // --- changing a running world (fork) ---
  void crash_host(int host);

 private:
  // What a queued event is about; its fields mean different things per kind.
  enum class EvKind : std::uint8_t {
    Arrive,    // packet `slot` arrives at host `target`
    Timer,     // host `target`, connection `slot`, for the host's `epoch`
    Task,      // task `target` wakes (a `wait` ended), if its slot's generation is still `slot`
    AppStart,  // generator `target` starts
    GenTick,   // generator `target` starts its next client, SYN or probe
    Crash,     // host `target` crashes
    Restart,   // host `target` comes back
    Hop,       // packet `slot` reaches the queue of bottleneck direction `target`
    TxDone,    // bottleneck direction `target` has finished sending its packet
    AppStop,   // generator `target` reaches its `stop` time
    PingLate,  // ping generator `target`'s probe number `slot` has waited kPingTimeout
    GroFlush,  // host `target` hands its held segment number `slot` to its TCP (tcp.gro)
  };
  struct QEvent {
    Instant t;
    std::uint64_t order;  // insertion order: ties at equal times are broken by it, never by pointers
    EvKind kind;
    int target;           // a host, a task or a generator (see EvKind)
    std::uint32_t slot;   // Arrive: the packet's slot; Timer: the connection
    std::uint32_t epoch;  // Timer: the host epoch it was set in (a crash voids it)
    // At one instant, packet arrivals come before everything else, then the rest in insertion
    // order. A kernel in effect does the same: its timers fire late (the timer wheel) while a
    // packet is processed as it comes, so a SYN arriving "at" the SYN-ACK timer's deadline is
    // answered first and the timer, pushed back, sends nothing (tests/pkt/scripts/
    // b-synack-retries-count-timeouts.pkt). Never by pointers.
    // A packet moving through a bottleneck (Hop, TxDone) is a packet event too.
    int rank() const {
      return kind == EvKind::Arrive || kind == EvKind::Hop || kind == EvKind::TxDone || kind == EvKind::GroFlush ? 0 : 1;
    }
    bool operator>(const QEvent& o) const {
      if (t != o.t) return t > o.t;
      if (rank() != o.rank()) return rank() > o.rank();
      return order > o.order;
    }
  };
  struct Packet {
    Segment seg;
    // Its id ("A>B.2#3", DESIGN rule 4) as parts: the string is built only when a trace line
    // or a view reads it (packet_id), not for every packet of an untraced run. A ping's id
    // is its text (ping: ...), set when it is made; a TCP segment's stays empty.
    std::string id;
    std::uint32_t ordinal = 0;    // the sender's n-th segment on its connection
    std::uint32_t pair_conn = 0;  // the connection's number within its host pair
    SegKind kind = SegKind::Ack;
    int src_host = -1, dst_host = -1;
    bool corrupted = false;
    bool retx = false;
    bool loss_probe = false;
    RetxCause retx_cause = RetxCause::None;
    // A ping probe (not TCP; `seg` holds only its addresses): ping generator ping_gen's
    // echo request number ping_seq, or the reply to it.
    bool ping = false, ping_reply = false;
    // A `discard` rule matched it (its index in faults_, below kMaxFaults): the receiver throws
    // it away on arrival. Two bytes, in what was padding: a packet is copied on every hop.
    std::int16_t discard_rule = -1;
    int ping_gen = -1;
    std::uint32_t ping_seq = 0;
    std::uint32_t wire_bytes = 0;  // its size on the wire, IP header and up
  };
  struct Gen {
    int host = -1;
    AppSpec spec;
    std::uint64_t started = 0;
    std::uint32_t running = 0;
    // A scripted peer (spec.peer): its script's progress, a value like the rest of the world.
    pkt::PeerScript peer;
    bool peer_started = false, peer_ended = false;
    Instant peer_tick = kNever;  // the GenTick already queued for it (no duplicates)
    bool stopped = false;        // its `stop` time has come
    // A ping (spec.ping): probes sent so far, and those still waiting for a reply (by
    // number, with when each was sent).
    std::uint32_t ping_sent = 0;
    std::map<std::uint32_t, Instant> ping_waiting;
  };
  // The sink lent to the running call. It is not part of the world's value: a copy of a
  // world starts with none, whatever the original was doing.
  class LentSink {
   public:
    LentSink() = default;
    LentSink(const LentSink&) {}
    LentSink& operator=(const LentSink&) { return *this; }
    TraceSink* get() const { return p_; }
    void set(TraceSink* p) { p_ = p; }

   private:
    TraceSink* p_ = nullptr;
  };
  class SinkLoan;  // sets sink_ for one call (world.cpp)
  // What a task does after one step of its script.
  enum class Flow : std::uint8_t {
    Again,   // look at the (next) step now
    Block,   // wait: the socket, a timer or a child will wake it
    Finish,  // the task is over
    Gone,    // the task was ended by what it did (a crash of its own host)
  };

  void push(Instant t, EvKind k, int target, std::uint32_t slot = 0, std::uint32_t epoch = 0);
  void step_one();
  void dispatch(const QEvent& e);
  // Turns what a host's stack reported into trace lines, packets, timers and task wake-ups.
  void absorb(int host, Output& out);
  // Packets (world_packets.cpp).
  void transmit(int host, Segment&& seg, ConnId c, bool retx, bool loss_probe = false,
                RetxCause cause = RetxCause::None);
  // Puts a packet (after the fault rules) on its way: through a bottleneck if it crosses one,
  // else on its link; `extra` delays it, `dup` sends a second copy.
  void send_on_path(int host, Packet& p, Duration extra, bool dup);
  std::uint32_t store_packet(Packet& p, bool last);
  void free_packet(std::uint32_t slot);
  void arrive(const QEvent& e);
  // A segment that reached its host goes to the host's TCP (or, held by tcp.gro, later).
  void to_stack(int host, const Packet& p);
  // Receive coalescing (tcp.gro, world_gro.cpp): true when the packet was held, merged into the
  // held segment it continues or held for a follower; a held segment it cannot join goes to
  // TCP first.
  bool gro_hold(int host, Packet& p);
  void gro_flush(int host, std::uint32_t serial);
  std::string segment_id(int host, const Packet& p, std::uint32_t ordinal, std::uint32_t pair_conn) const;
  std::string segment_id_prefix(int host, const Packet& p, std::uint32_t pair_conn) const;  // "A>B" or "A>B.2"
  std::string packet_id(const Packet& p) const;  // p's id, built from its parts
  // The same for the trace, as labels: remembered (sim/label_cache.hpp), not built per event.
  SegId packet_seg_id(const Packet& p) const;
  Label pair_label_of(const Endpoint& a, const Endpoint& b) const;
  Label conn_label_of(int host, ConnId c) const;
  std::uint32_t pair_conn_of(int host, const Packet& p, SegOrdinals* ord);
  SegOrdinals& ordinals_of(int host, ConnId c);
  void enqueue_arrival(Packet& p, Instant at, bool last);
  // Bottlenecks (world_bottleneck.cpp).
  int bottleneck_dir(int src, int dst) const;  // the direction src->dst crosses, or -1
  void bn_enter(int dir, Packet& p, Duration extra, bool dup);
  void bn_hop(int dir, std::uint32_t slot);
  void bn_tx_done(int dir);
  void bn_start(int dir);
  void bn_drops(int dir);
  void bn_sample(int dir);
  void link_samples(int src, int dst, const std::vector<QueueSample>& trail);
  LinkSeries& series_link(const std::string& name);
  // Ping (world_ping.cpp).
  void gen_ping(int gen);
  void ping_arrived(Packet& p);
  void ping_late(int gen, std::uint32_t seq);
  void ping_result(int gen, std::uint32_t seq, Instant sent, Duration rtt);
  void app_stop(int gen);
  void trace_send(int host, Packet& p);
  void trace_drop(int host, const Packet& p, const std::string& where, const std::string& reason);
  void schedule_timer(int host, ConnId c);
  int route(int src_host, Ipv4 dst) const;
  Link* link_between(int a, int b, bool* a_to_b);
  const FaultRule* match_fault(const Packet& p, std::uint32_t ordinal, std::uint32_t kind_ordinal,
                               std::uint32_t pair_conn) const;
  void restart_host(int host);

  // Tasks (world_tasks.cpp): one function per script step.
  // `app`: the [[app]] (generator) the task belongs to, whose `stop` ends its sends.
  int spawn(int host, std::shared_ptr<const Script> script, ConnId conn, int gen, int app = -1);
  void run_task(int id);
  // Its socket reported something: runs the task now, or its app's `wakeup` later.
  void wake_task(int id);
  void run_task_once(int id);
  void task_done(int id);
  void task_release(int id);  // an ended task not on the call stack gives its slot back
  void task_bind(int id, ConnId c);
  static void task_next(Task& t);
  Flow task_listen(int id, Task& t, const Step& s);
  Flow task_accept(int id, Task& t, const Step& s);
  Flow task_connect(int id, Task& t, const Step& s);
  Flow task_send(int id, Task& t, const Step& s);
  Flow task_recv(int id, Task& t, const Step& s);
  Flow task_wait_eof(Task& t);
  Flow task_wait(int id, Task& t, const Step& s);
  Flow task_close(Task& t, const Step& s);
  Flow task_crash(Task& t, const Step& s);
  // The task's connection, if it still exists in this incarnation of its host.
  const Connection* task_conn(const Task& t, ConnId c) const;
  void gen_tick(int gen);
  void gen_clients(int gen);
  void gen_flood(int gen);
  void gen_scan(int gen);
  void gen_peer(int gen);
  // The running scripted peer on `host` that owns `dst`, or -1 (arrive() hands it the segment).
  int peer_at(int host, const Endpoint& dst) const;
  void peer_arrived(int gen, const Segment& seg);

  // `label` names a socket that never existed (a failed bind()); otherwise c's label is used.
  void app_event(int host, ConnId c, const std::string& call, const std::string& result, std::uint64_t bytes = 0,
                 const std::string& label = "");
  // A trace event with its type, host and connection label; record() adds time and seq_no.
  static TraceEvent trace_event(TraceType type, int host, Label conn);
  void trace_state(int host, ConnId c, const StateEvent& b);
  // Series (world_series.cpp): a connection's congestion state after an event, when asked for.
  void sample_flow(int host, ConnId c);
  void record(TraceEvent&& e);
  bool tracing() const { return sink_.get() != nullptr; }
  // Counts a trace event that is not recorded (no sink): seq_no stays the same either way.
  void skip_record() { ++trace_seq_; }

  std::uint64_t seed_;
  Rng rng_;
  Instant now_ = 0;
  std::uint64_t order_ = 0;
  std::uint64_t trace_seq_ = 0;
  EventQueue<QEvent> queue_;  // near events in a heap; far deadlines (RTO, TIME_WAIT) in sorted lanes
  std::vector<HostInfo> hosts_;
  std::vector<TcpHost> stacks_;
  // A connection's timer in the queue. Its deadline `at` has the insertion order it was set
  // with (`at_order`, taken from order_ as a push would), but is queued only when it comes
  // before the entry already queued for the connection (`queued`, `queued_order`): a
  // deadline that moves later (every ACK re-arms the RTO ~1 s ahead) is queued when that
  // earlier entry pops, at its own time and order, so it sorts where it would have. Queuing
  // every move left ~7 superseded entries per connection in the queue (256 bytes each
  // connection at 10^5 connections).
  struct ConnTimer {
    Instant at = kNever;
    std::uint64_t at_order = 0;
    Instant queued = kNever;
    std::uint64_t queued_order = 0;
  };
  std::vector<std::vector<ConnTimer>> conn_timers_;   // per host, per conn
  void queue_timer(int host, ConnId c, ConnTimer& k);  // k.at, at its order: the entry queued for c
  std::vector<std::vector<SegOrdinals>> ordinals_;    // per host, per conn
  // The task blocked on a connection, as a handle: the task may end and its slot go to another.
  struct TaskRef {
    int id = -1;
    std::uint32_t gen = 0;
  };
  std::vector<std::vector<TaskRef>> conn_task_;       // per host, per conn: the task blocked on it
  std::map<std::string, SegOrdinals> stray_ordinals_;  // RSTs for no connection, by 4-tuple
  // Connection numbers of host pairs (ids A>B.k#n): connections so far per pair of id tags,
  // and the current incarnation of each 4-tuple (lower endpoint first).
  // A pair's names as numbers: a host (kHostName | its index, standing for its tag) or an
  // address; lower one first.
  static constexpr std::uint64_t kHostName = std::uint64_t{1} << 32;
  using NamePair = std::pair<std::uint64_t, std::uint64_t>;
  struct NamePairHash {
    std::size_t operator()(const NamePair& k) const { return static_cast<std::size_t>(mix64(k.first ^ mix64(k.second))); }
  };
  FlatMap<NamePair, std::uint32_t, NamePairHash> pair_conns_;  // looked up, never iterated
  FlatMap<TupleKey, TupleConn, TupleKeyHash> tuple_conns_;  // looked up, never iterated
  // A segment id's "A>B" (or "198.18.0.7>B.2") by what names it: the sender's host and source
  // address, the receiver's host and address, the connection's number in its host pair.
  struct IdPrefixKey {
    int src_host = -1, dst_host = -1;
    std::uint32_t src_ip = 0, dst_ip = 0, pair_conn = 0;
    friend bool operator==(const IdPrefixKey&, const IdPrefixKey&) = default;
  };
  struct IdPrefixKeyHash {
    std::size_t operator()(const IdPrefixKey& k) const {
      return static_cast<std::size_t>(mix64((static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.src_host)) << 32 | k.src_ip) ^
                                            mix64((static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.dst_host)) << 32 | k.dst_ip) ^
                                                  mix64(k.pair_conn))));
    }
  };
  struct LabelCaches {
    LabelCache<TupleKey, TupleKeyHash> pairs;
    LabelCache<IdPrefixKey, IdPrefixKeyHash> id_prefixes;
  };
  // On the heap, made when a trace first asks: an untraced world (and each copy a seek or a
  // fork makes of it) does not carry their 13 KB.
  mutable Boxed<LabelCaches> label_caches_;
  LabelCaches& label_caches() const {
    if (!label_caches_) label_caches_.emplace(LabelCaches{});
    return *label_caches_;
  }
  std::vector<Link> links_;
  std::map<std::pair<int, int>, int> link_index_;
  std::vector<BottleneckDir> bn_dirs_;   // two per bottleneck
  std::vector<HostAccess> access_;       // per host (empty: no bottleneck at all)
  std::vector<QDrop> qdrops_;            // reused between calls
  std::vector<FaultRule> faults_;
  std::vector<Packet> packets_;
  std::vector<std::uint32_t> free_packets_;
  // Slots in a deque: a Task& stays valid while a step spawns more tasks. An ended task gives
  // its slot back once it is off the call stack (run_task), so the tasks held are those alive,
  // not every task the run ever started (two per connection).
  SlotPool<Task> tasks_;
  // Segments held by a host's receive coalescing (tcp.gro), at most one per host and 4-tuple,
  // in the order they were first held; each flushes at its first arrival + gro.
  struct GroHeld {
    int host = -1;
    std::uint32_t serial = 0;
    std::uint32_t epoch = 0;  // the host's: a crash before the flush loses the segment
    Packet pkt;               // the first packet, its segment grown by those merged into it
  };
  std::vector<GroHeld> gro_held_;
  std::uint32_t gro_serial_ = 0;
  std::uint64_t task_serial_ = 0;  // tasks started so far (Task::serial)
  std::vector<Gen> gens_;
  WorldCounters counters_;
  Output out_;  // reused between calls
  std::vector<Payload> recv_scratch_;  // task_recv's slices, reused between calls
  LentSink sink_;
};

}  // namespace tcplab
