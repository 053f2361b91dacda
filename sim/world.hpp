#pragma once
// The world: hosts running the stack, links between them, applications, fault rules, and a
// deterministic event queue under a virtual clock. It is a value (DESIGN rule 3): copying a
// World is a checkpoint, and the same seed gives the same trace byte for byte. The trace is
// appended to a TraceSink the world does not own, so checkpoints stay small.
#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "sim/app.hpp"
#include "sim/fault.hpp"
#include "sim/link.hpp"
#include "sim/rng.hpp"
#include "sim/trace.hpp"
#include "stack/tcp_host.hpp"

namespace tcplab {

struct TraceSink {
  TraceEvents events;
  bool enabled = true;
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
  std::array<std::uint32_t, 6> per_kind{};
};

struct WorldCounters {
  std::uint64_t events = 0, link_pkts = 0, data_pkts = 0, ack_pkts = 0, retx = 0;
  std::uint64_t err_drops = 0, q_drops = 0, fault_drops = 0, checksum_drops = 0, no_route = 0;
  std::uint64_t bytes_delivered_to_apps = 0;
  std::uint64_t stream_mismatches = 0;  // bytes read that differ from what `send N` generated
};

class World {
 public:
  explicit World(std::uint64_t seed = 1);

  // --- building ---
  int add_host(const std::string& name, Ipv4 ip, const TcpConfig& cfg);
  int add_link(int a, int b, const LinkParams& ab, const LinkParams& ba);
  void add_fault(const FaultRule& r) { faults_.push_back(r); }
  void remove_fault(std::size_t i) { if (i < faults_.size()) faults_.erase(faults_.begin() + static_cast<std::ptrdiff_t>(i)); }
  const std::vector<FaultRule>& faults() const { return faults_; }
  void add_app(const AppSpec& app);  // app.host must name a host
  void set_sink(TraceSink* sink) { sink_ = sink; }
  void set_ephemeral_range(int host, std::uint16_t lo, std::uint16_t hi);
  void set_host_config(int host, const TcpConfig& cfg);

  // --- running ---
  bool step();                             // one event; false when nothing is pending
  void run_until(Instant t);               // every event with time <= t
  std::uint64_t run(std::uint64_t max_events = 50'000'000, Instant limit = sec(3600));
  Instant now() const { return now_; }
  bool idle() const { return queue_.empty(); }
  Instant next_event_time() const { return queue_.empty() ? kNever : queue_.top().t; }
  std::uint64_t events_processed() const { return counters_.events; }
  std::uint64_t trace_count() const { return trace_seq_; }

  // --- looking ---
  const std::vector<HostInfo>& hosts() const { return hosts_; }
  const TcpHost& stack(int host) const { return stacks_[host]; }
  const std::vector<Link>& links() const { return links_; }
  int host_index(const std::string& name_tag_or_ip) const;
  const WorldCounters& counters() const { return counters_; }
  std::vector<std::string> host_names() const;
  std::string conn_label(int host, ConnId c) const;
  std::uint64_t seed() const { return seed_; }

  // --- changing a running world (fork) ---
  void fire_timer_now(int host, ConnId c);
  void crash_host(int host);
  void restart_host(int host);

 private:
  enum class EvKind : std::uint8_t { Arrive, Timer, Task, AppStart, GenTick, Crash, Restart };
  struct QEvent {
    Instant t;
    std::uint64_t order;  // insertion order: ties at equal times are broken by it, never by pointers
    EvKind kind;
    int a;
    std::uint32_t b;
    std::uint32_t c;
    bool operator>(const QEvent& o) const { return t != o.t ? t > o.t : order > o.order; }
  };
  struct Packet {
    Segment seg;
    std::string id, kind;
    int src_host = -1, dst_host = -1;
    bool corrupted = false;
    bool retx = false;
  };
  struct Gen {
    int host = -1;
    AppSpec spec;
    std::uint64_t started = 0;
    std::uint32_t running = 0;
  };

  void push(Instant t, EvKind k, int a, std::uint32_t b = 0, std::uint32_t c = 0);
  void dispatch(const QEvent& e);
  // Turns what a host's stack reported into trace lines, packets, timers and task wake-ups.
  void absorb(int host, Output& out);
  void transmit(int host, Segment&& seg, ConnId c, bool retx);
  void arrive(const QEvent& e);
  void schedule_timer(int host, ConnId c);
  int route(int src_host, Ipv4 dst) const;
  Link* link_between(int a, int b, bool* a_to_b);
  const FaultRule* match_fault(const Packet& p, std::uint32_t ordinal, std::uint32_t kind_ordinal) const;

  // Tasks.
  int spawn(int host, std::shared_ptr<const Script> script, ConnId conn, int gen);
  void run_task(int id);
  void run_task_once(int id);
  void task_done(int id);
  void gen_tick(int gen);
  void app_event(int host, ConnId c, const std::string& call, const std::string& result, std::uint64_t bytes = 0);
  void record(TraceEvent&& e);
  bool tracing() const { return sink_ && sink_->enabled; }

  std::uint64_t seed_;
  Rng rng_;
  Instant now_ = 0;
  std::uint64_t order_ = 0;
  std::uint64_t trace_seq_ = 0;
  std::priority_queue<QEvent, std::vector<QEvent>, std::greater<>> queue_;
  std::vector<HostInfo> hosts_;
  std::vector<TcpHost> stacks_;
  std::vector<std::vector<Instant>> timer_at_;        // per host, per conn: the queued timer event
  std::vector<std::vector<SegOrdinals>> ordinals_;    // per host, per conn
  std::vector<std::vector<int>> conn_task_;           // per host, per conn: the task blocked on it
  std::map<std::string, SegOrdinals> stray_ordinals_;  // RSTs for no connection, by 4-tuple
  std::vector<Link> links_;
  std::map<std::pair<int, int>, int> link_index_;
  std::vector<FaultRule> faults_;
  std::vector<Packet> packets_;
  std::vector<std::uint32_t> free_packets_;
  std::vector<Task> tasks_;
  std::vector<Gen> gens_;
  WorldCounters counters_;
  Output out_;  // reused between calls
  TraceSink* sink_ = nullptr;
};

// Segment kind label (DESIGN rule 4): SYN, SYN-ACK, ACK, DATA, FIN, RST.
std::string_view segment_kind(const Segment& s);
int segment_kind_index(const Segment& s);

}  // namespace tcplab
