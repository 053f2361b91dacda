#pragma once
// A finished trace, indexed once for everything that reads it afterwards: the checks
// (labs/check_eval_*), the visualizer's panels, and tests. Read-only after build.
//   - each segment with its fate (delivered, lost on the way, dropped on arrival), its
//     sequence numbers as tcpdump shows them (sim/relative_seq) and the drop that matched it;
//   - the endpoints (host + connection label) with their state changes, sends and timer
//     settings, and each host's connections as the checks count them (a reused 4-tuple is a
//     new connection once the old one reached CLOSED);
//   - given the Timeline, also the world steps that produced events (the ladder's rows and
//     the cursor's stops), the tcpdump-style lines and the connections per state over time.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/timeline.hpp"

namespace tcplab {

constexpr std::uint32_t kNone = UINT32_MAX;

// One world step that produced trace events [begin, end). Only steps with something a
// student sees (segments, state changes, drops, app calls, timer expiries) become rows.
struct Group {
  std::uint64_t begin = 0, end = 0;
  Instant t_ns = 0;
  int host = -1;        // the host that acted (of its first visible event)
  bool has_state = false;
};

enum class SegFate : std::uint8_t { InFlight, Delivered, LostOnWay, DroppedOnArrival };

struct SegInfo {
  std::uint64_t send_k = 0;          // trace index of the send event
  int src_host = -1, dst_host = -1;
  std::uint32_t src_ep = kNone;      // endpoint that sent it
  std::uint32_t row_send = 0;        // ladder row of the send
  SegFate fate = SegFate::InFlight;
  std::uint64_t fate_k = UINT64_MAX;  // the deliver or drop event
  std::uint32_t row_fate = kNone;
  std::uint32_t duplicates = 0;      // further deliveries of the same segment
  std::uint32_t rel_seq = 0;         // as tcpdump prints: relative after the SYN
  std::optional<std::uint32_t> rel_ack;
  std::string label;                 // "[S.] seq 494211253, ack 3654526671"
  // The first drop event of this very send, matched by connection and id (ids restart on
  // each connection, so concurrent connections between two hosts share them). This is
  // what the checks call "dropped"; `fate` pairs copies in flight by id alone.
  std::uint64_t drop_k = UINT64_MAX;
};

// A connection as seen from one host ("10.0.0.1:39870>10.0.0.2:9502" on client).
struct EndpointInfo {
  int host = -1;
  std::string label;
  bool listener = false;             // remote 0.0.0.0:0
  std::uint32_t listener_ep = kNone; // for a child of a listener: the listening endpoint
  std::uint32_t peer = kNone;        // the other side's endpoint (reverse label, other host)
  std::uint64_t first_k = 0;
  std::vector<std::uint64_t> state_events;  // trace indices
  std::vector<std::uint64_t> sends;         // trace indices
  std::array<std::vector<std::uint64_t>, kTimerKinds> timer_sets;  // trace indices of `set`
};

// One connection of a host as the checks count them: its state events from its first state
// change until it reaches CLOSED (a 4-tuple reused after that is the next connection).
struct ConnTrack {
  std::string label;                        // "10.0.0.1:39870>10.0.0.2:9502"
  bool listener = false;                    // remote 0.0.0.0:0
  std::vector<std::uint64_t> state_events;  // trace indices
};

// Connections per state (as netstat counts them: CLOSED is not listed) after a step.
struct StateCounts {
  std::uint64_t end_k = 0;  // counts hold once events [0, end_k) happened
  Instant t_ns = 0;
  std::array<std::uint32_t, kStateCount> count{};
};

struct TextLine {
  std::uint64_t k = 0;
  std::string text;
};

class TraceIndex {
 public:
  TraceIndex() = default;
  // What the checks need, quickly: each host's connections, and the segments with their
  // relative numbers and drops. No steps, so no rows, endpoints, labels, fates (all
  // InFlight), lines or state counts.
  TraceIndex(const TraceEvents& trace, const World& any_world);
  // Everything, for the visualizer.
  TraceIndex(const Timeline& tl, const World& any_world);
  // Everything, for a trace no simulation made (a capture's, `tcplab import`): each instant
  // is a step (the frame's send and the state changes the inference placed at that time).
  // Hosts by index as the trace numbers them, with the address each is keyed by.
  struct HostTable {
    std::vector<std::string> names, tags;
    std::vector<Ipv4> ips;
  };
  TraceIndex(const TraceEvents& trace, const HostTable& hosts);

  const TraceEvents& trace() const { return *trace_; }
  std::uint64_t size() const { return trace_->size(); }
  const std::vector<std::string>& host_names() const { return host_names_; }
  const std::vector<std::string>& host_tags() const { return host_tags_; }

  // Ladder rows (visible groups) and the row of each trace event (kNone if not visible).
  const std::vector<Group>& rows() const { return rows_; }
  std::uint32_t row_of_event(std::uint64_t k) const { return k < row_of_event_.size() ? row_of_event_[k] : kNone; }
  // The last row whose events all happened by cursor p (events [0, p)), or kNone.
  std::uint32_t row_at_cursor(std::uint64_t p) const;
  // The end of the group holding event k (a cursor stop).
  std::uint64_t group_end_of(std::uint64_t k) const;
  // Cursor stops: ends of visible rows. Next/previous stop from p; p itself if none.
  std::uint64_t next_stop(std::uint64_t p) const;
  std::uint64_t prev_stop(std::uint64_t p) const;
  // Next/previous stop whose row has a state change (of any endpoint, or only of `eps`).
  std::uint64_t next_state_stop(std::uint64_t p, const std::vector<std::uint32_t>& eps) const;
  std::uint64_t prev_state_stop(std::uint64_t p, const std::vector<std::uint32_t>& eps) const;
  // The cursor after every event with t_ns <= t.
  std::uint64_t cursor_at_time(Instant t) const;

  // Every sent segment, in trace order.
  const std::vector<SegInfo>& segments() const { return segs_; }
  std::uint32_t seg_of_event(std::uint64_t k) const;  // for send/deliver/drop events
  // Segments whose arrow crosses rows [r0, r1]: candidates, possibly with extras.
  void segments_near_rows(std::uint32_t r0, std::uint32_t r1, std::vector<std::uint32_t>* out) const;
  std::uint32_t max_row_span() const { return max_span_; }
  // The median time between consecutive rows that are apart at all (a link's usual pace).
  Duration typical_gap() const { return typical_gap_; }

  const std::vector<EndpointInfo>& endpoints() const { return eps_; }
  std::uint32_t endpoint(int host, const std::string& label) const;
  std::uint32_t endpoint_of_event(std::uint64_t k) const { return k < ep_of_event_.size() ? ep_of_event_[k] : kNone; }
  // Host h's connections in order of their first state change (checks: `conn = 1`, ...).
  const std::vector<ConnTrack>& conn_tracks(int host) const;
  // The first active (non-listener) endpoint and its peer: the pair a lab is about.
  std::vector<std::uint32_t> default_pair() const;
  // The last state event of endpoint ep before cursor p, or nullopt.
  std::optional<std::uint64_t> last_state_event(std::uint32_t ep, std::uint64_t p) const;
  // The last `set` of timer kind for ep before cursor p.
  std::optional<std::uint64_t> last_timer_set(std::uint32_t ep, TimerKind kind, std::uint64_t p) const;

  // tcpdump-style lines (TextView), and the first line at or after event k.
  const std::vector<TextLine>& lines() const { return lines_; }
  std::uint32_t first_line_at_or_after(std::uint64_t k) const;

  const std::vector<StateCounts>& state_counts() const { return counts_; }
  // Counts in effect at cursor p.
  const StateCounts* counts_at(std::uint64_t p) const;
  std::uint32_t max_state_count() const { return max_count_; }

 private:
  using StepStart = std::function<std::uint64_t(std::uint64_t)>;  // the first event of event k's step
  static HostTable hosts_of(const World& w);
  void build(const StepStart* steps, const HostTable& hosts);
  void build_groups(const StepStart& step_start);
  void build_conn_tracks();
  void build_endpoints();
  void build_segments(bool labels);
  void build_fates();
  void build_lines();
  void build_counts();

  const TraceEvents* trace_ = nullptr;
  std::vector<std::string> host_names_, host_tags_;
  std::vector<Ipv4> host_ips_;
  std::vector<Group> rows_;
  std::vector<std::uint32_t> row_of_event_;
  std::vector<std::uint64_t> group_end_;   // per event: end of its group
  std::vector<SegInfo> segs_;
  std::vector<std::uint32_t> seg_of_event_;
  std::vector<std::vector<std::uint32_t>> bucket_segs_;  // per kBucketRows rows: segments crossing
  std::uint32_t max_span_ = 0;
  Duration typical_gap_ = 0;
  std::vector<EndpointInfo> eps_;
  std::vector<std::vector<ConnTrack>> conn_tracks_;  // per host
  std::map<std::pair<int, std::string>, std::uint32_t> ep_by_key_;
  std::vector<std::uint32_t> ep_of_event_;
  std::vector<TextLine> lines_;
  std::vector<StateCounts> counts_;
  std::uint32_t max_count_ = 0;
};

}  // namespace tcplab
