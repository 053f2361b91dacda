#pragma once
// The layout of the visualizer's ladder, RFC 9293 Figure 5 and endpoint panels, apart from
// what paints them: one layout, two painters. The ImGui panels (viz/panel_*.cpp) and the
// headless pictures of `tcplab draw`, `tcplab report` and the visualizer's export
// (labs/panel_draw.cpp) call the same functions, so a slide shows what the window shows.
// Coordinates are in the caller's units (ImGui units, or SVG/PNG pixels).
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace_index.hpp"

namespace tcplab::layout {

struct Pt {
  float x = 0, y = 0;
};
// The width of a text as the painter will draw it.
using TextWidth = std::function<float(const std::string&)>;

// ---------------------------------------------------------------- the ladder
// One column per host: the followed endpoints' hosts first, then the others in host order,
// then "elsewhere" for addresses no host owns (a flood's spoofed sources).
struct LadderColumns {
  std::vector<int> of_host;  // host -> column (-1: none)
  std::vector<std::string> names, ips;
  int other = -1;            // the "elsewhere" column, or -1
  std::vector<float> x;      // each column's lifeline, from the `left` given
  // The lifeline of host h (a negative h: the "elsewhere" column).
  float x_of_host(int h) const;
};
// The lifelines spread evenly over [lanes_left, lanes_right].
LadderColumns ladder_columns(const TraceIndex& ix, const World& w, const std::vector<std::uint32_t>& followed,
                             float lanes_left, float lanes_right);
// Where the arrow of a segment lost on the way ends (its cross): halfway from `from_x` to its
// destination's lifeline `to_x`, or to the first lifeline in between, so that the cross never
// sits on a host that has nothing to do with it; just before the lane of an address no host
// owns. `lane_offset` is added to each column's x (the panel's left edge on screen).
float lost_end_x(const LadderColumns& c, float lane_offset, float from_x, float to_x, bool to_nowhere);
// Where a segment's arrow runs, from its send row to its arrival row: a lost one ends in its
// cross on its own row band; one on its way at the cursor ends where it is (`partial`, no
// head); `ghost` (sent after the cursor, drawn faintly) runs whole. `y_of_row` is a row's
// centre, `row_h` the row pitch.
struct ArrowGeom {
  Pt a, b;
  bool head = true, lost = false, partial = false;
};
ArrowGeom arrow_geometry(const TraceIndex& ix, const LadderColumns& c, std::uint32_t seg, float lane_offset,
                         const std::function<float(std::uint32_t)>& y_of_row, float row_h, std::uint64_t cursor,
                         Instant now, bool ghost);
// An arrow `thick` wide from a to b: where its line stops and its head's triangle.
struct ArrowShape {
  Pt line_end;
  std::array<Pt, 3> head;
};
ArrowShape arrow_shape(Pt a, Pt b, float thick, bool head);
// The label's flags part: "[S.]" of "[S.] seq 0, ack 1".
std::string label_flags(const std::string& label);
// The whole label as the ladder writes it: "[F.] seq 1, ack 1  retx  LOST"; `times` is the
// repeat sign of a group ("[S.] ×12" when `group` > 0).
std::string ladder_label(const TraceEvent& e, const SegInfo& s, int group, const std::string& times);
// The short one for a tight spot: the flags (and LOST), or the group.
std::string ladder_short_label(const SegInfo& s, bool lost, int group, const std::string& times);
// A rectangle (x0, y0) - (x1, y1): labels, pills and crosses, which labels keep clear of.
struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
bool overlaps(const Rect& a, const Rect& b);
// Where a segment's label may go, best first: beside its cross, or above it (a lost one),
// then along the arrow from `a` to `end` at its middle, a third, two thirds, ...
std::vector<Rect> label_spots(Pt a, Pt end, Pt cross, bool lost, bool rightward, float text_w, float text_h);
// The first spot inside `bounds` that covers nothing `taken` and (unless `over_lanes`) no lane.
std::optional<Rect> first_free(const std::vector<Rect>& spots, const Rect& bounds, const std::vector<Rect>& taken,
                               const std::vector<Rect>& lanes, bool over_lanes);

// Identical segments sent one after another between the same two hosts (a SYN-ACK
// retransmitted 12 times, a SYN flood) share one label, "[S.] ×12": for each arrow drawn (in
// segment order, `lost` each), its group's size (0: not grouped), the index of the group's
// first member, and whether it is the member whose label is tried first (the middle one of
// those whose send row is inside (r0, r1)).
struct Grouping {
  std::vector<int> size;
  std::vector<std::size_t> first;
  std::vector<bool> head;
};
Grouping group_repeats(const TraceIndex& ix, const std::vector<std::uint32_t>& segs, const std::vector<bool>& lost,
                       std::uint32_t r0, std::uint32_t r1);

// One arrow's label to place: the whole label, else the short one between close lifelines.
struct LabelAsk {
  Pt a, end, cross;          // the arrow from a along to `end`; a lost one's cross
  bool lost = false, rightward = true, current = false;
  std::string full, flags;
  int group = 0;             // Grouping: size, first member, head
  std::size_t group_first = 0;
  bool group_head = false;
};
struct LabelPlaced {
  std::string shown;  // "" when no spot was free (hover shows it)
  Rect rect;
};
// Places the labels where they cover no other label, nothing `taken` (crosses, pills) and no
// lane (a lifeline), inside `bounds`. The cursor's segments choose first, so that theirs are
// never the ones left out (and may cross a lifeline where nothing else fits); then each
// group's head; the others of a group only if that one found no room. Returns them in the
// order placed, with the index of the arrow each is for.
std::vector<std::pair<std::size_t, LabelPlaced>> place_labels(const std::vector<LabelAsk>& asks, const TextWidth& width,
                                                              float text_h, const Rect& bounds, std::vector<Rect> taken,
                                                              const std::vector<Rect>& lanes);

// A state change on a lifeline: a pill with the new state's name, left or right of it.
struct Pill {
  float x = 0, y = 0;
  bool left = true;
  State state = State::Closed;
};
// Which side of its lifeline a column's pills go: outward at the edges.
bool pill_left(int column, std::size_t columns);
// The pills' rectangles: several changes in one row line up outward from the lifeline; a pill
// that would run past `right_edge` goes left of it. `width` measures a state's name.
std::vector<Rect> place_pills(const std::vector<Pill>& pills, const std::function<float(const std::string&)>& width,
                              float text_h, float right_edge);

// An endpoint's state changes, its listener's first (for a child accepted from one), before
// cursor p (all with UINT64_MAX).
std::vector<std::uint64_t> state_history(const TraceIndex& ix, std::uint32_t ep, std::uint64_t p = UINT64_MAX);

// ---------------------------------------------------------------- RFC 9293 Figure 5
// The name in the Figure 5 box: "SYN-RCVD", "ESTAB", "FIN-WAIT-1", ...
std::string_view fig5_name(State s);
// The edge from -> to if Figure 5 draws it (a row of the stack's transition table), else nullptr.
const Transition* figure5_edge(State from, State to);

struct Box {
  Pt min, max;
  Pt center() const { return {(min.x + max.x) * 0.5F, (min.y + max.y) * 0.5F}; }
};
struct Fig5Geometry {
  std::array<Box, kStateCount> box;
  Pt origin;
  float width = 0, lane = 0, colw = 0, pitch = 0;
  float lane_left = 0, lane_right = 0;  // where LAST-ACK and TIME-WAIT go round to CLOSED
  // The centre of a cell of the figure's grid (columns 0..2, rows 0..6).
  Pt cell_center(float col, float row) const;
};
// The boxes in the figure's places within W x H at `origin`: boxes `box_w` x `box_h`, rows at
// least `min_pitch` apart (at most 50), `lane` kept free left and right.
Fig5Geometry fig5_geometry(Pt origin, float W, float H, float box_w, float box_h, float min_pitch, float lane);
// The edge from -> to as a polyline from one box's border to the other's (two-way pairs side
// by side; LAST-ACK and TIME-WAIT to CLOSED round the outside lanes).
std::vector<Pt> fig5_edge_path(const Fig5Geometry& g, State from, State to);
// The point a fraction t of the way along a polyline; the distance from m to it.
Pt path_at(const std::vector<Pt>& pts, float t);
float dist_to_path(const std::vector<Pt>& pts, Pt m);

// The edge just taken's event / action on a plate by the edge: on one line, or on two (event
// over action, as in the figure) when one would cover a box; the first spot that covers none,
// else the nearest empty cell of the grid with a leader line to the edge.
struct Plate {
  Pt a, b;                     // its rectangle
  std::vector<std::string> lines;
  std::optional<Pt> leader;    // where the leader line meets the edge, when away from it
};
Plate place_plate(const Fig5Geometry& g, const std::vector<Pt>& edge, State from, State to, const TextWidth& width,
                  float line_h);

// ---------------------------------------------------------------- the endpoint panel
enum class TcbField : std::uint8_t {
  Iss, Irs, SndUna, SndNxt, SndWnd, RcvNxt, RcvWnd, Cwnd, Ssthresh, SndBuf, RcvBuf, Srtt, Rto,
};
const char* tcb_name(TcbField f);  // "SND.UNA"
// The TCB table's two name columns (SEND, RECEIVE).
constexpr std::array<TcbField, 7> kSendFields = {TcbField::Iss,  TcbField::SndUna,   TcbField::SndNxt, TcbField::SndWnd,
                                                 TcbField::Cwnd, TcbField::Ssthresh, TcbField::SndBuf};
constexpr std::array<TcbField, 6> kRecvFields = {TcbField::Irs,    TcbField::RcvNxt, TcbField::RcvWnd,
                                                 TcbField::RcvBuf, TcbField::Srtt,   TcbField::Rto};

struct TcbCell {
  TcbField field = TcbField::Iss;
  std::string value;                  // as shown (sequence numbers relative to ISS / IRS)
  bool known = true;                  // false: not known yet, shown as a dash
  std::optional<std::uint32_t> abs;   // a sequence number's absolute value
};
// The table row by row (SEND cell, RECEIVE cell; the last row has no RECEIVE cell), ISS and IRS
// first. `unicode`: an unbounded window is "∞" (else "inf").
struct TcbTable {
  bool synced = false;  // else the values are of a connection not (or no longer) synchronised: dimmed
  std::vector<std::pair<TcbCell, std::optional<TcbCell>>> rows;
};
TcbTable tcb_table(const Connection& c, bool unicode);
// "14480 (10 MSS)", "4344 (3.0 MSS)".
std::string bytes_mss(std::uint32_t b, std::uint32_t mss, bool unicode);

// A running timer as the panel shows it: Linux's one transmit timer shows the loss probe
// alone while one is pending (the RTO behind it restarts from the probe).
struct TimerRow {
  TimerKind kind = TimerKind::Rto;
  Instant due = 0;
  Duration left = 0;
  float left_fraction = 0;  // of the time it was set for
};
std::vector<TimerRow> timer_rows(const TraceIndex& ix, std::uint32_t ep, const Connection& c, std::uint64_t cursor,
                                 Instant now);

// An endpoint at the cursor: its connection in the world then, or (a child that does not
// exist yet) its listener, or nothing. `lookup` finds a connection by host and label.
struct EndpointAt {
  const Connection* conn = nullptr;
  bool via_listener = false;
  State state = State::Closed;
  std::uint32_t shown_ep = kNone;
};
using ConnLookup = std::function<ConnId(int host, const std::string& label)>;
EndpointAt endpoint_at(const TraceIndex& ix, const World& w, std::uint32_t ep, const ConnLookup& lookup);
// The lookup by a scan of the world (the latest incarnation of a label wins).
ConnId find_conn(const World& w, int host, const std::string& label);

// "1.050 ms", "101.300 ms", "60.101 s": short virtual times for labels.
std::string short_time(Instant t);
// "59.99 s", "200 ms", "50 us": a duration for countdowns.
std::string short_duration(Duration d);

}  // namespace tcplab::layout
