#pragma once
// What a frame is drawn from (STYLE 11): `WorldView` is read-only, built each frame from the
// session (the world snapshot at the cursor, the trace index, the fork); `DrawRecord` is
// what the panels report they drew, for --dump-model and the GUI tests.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "viz/app_state.hpp"
#include "viz/session.hpp"

namespace tcplab::viz {

struct WorldView {
  const Session& session;
  const TraceIndex& index;
  const World& world;                   // right after the cursor's step
  std::uint64_t cursor = 0;             // events applied
  Instant now = 0;                      // virtual time shown (timers count down to it)
  std::vector<std::uint32_t> followed;  // endpoints with a panel, in panel order
  const std::vector<CwndSample>* cwnd = nullptr;  // of the plotted sender, when plots are shown
  std::uint32_t cwnd_ep = kNone;
  const CongestionData* congestion = nullptr;  // when the congestion pane is shown
  const CcPredictor* cc_predictor = nullptr;
  const std::vector<std::string>* catalogue = nullptr;
};

// An endpoint as it stands at the cursor: its connection in the snapshot, or (for a
// child that does not exist yet) its listener, or nothing yet.
struct EndpointNow {
  const Connection* conn = nullptr;
  bool via_listener = false;  // showing the listening socket the child will come from
  State state = State::Closed;
  std::uint32_t shown_ep = kNone;  // the endpoint whose history applies (child or listener)
  bool inferred = false;  // a capture's side: `state` is the inference's, and there is no TCB (conn is null)
};
EndpointNow endpoint_now(const WorldView& v, std::uint32_t ep);

struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

struct DrawRecord {
  struct Endpoint {
    std::string host, conn, state;
    std::string title;  // the panel's title bar (when it is the only endpoint in its tile)
    Rect badge;
    std::map<std::string, std::string> tcb;
    std::vector<std::string> tcb_clipped;  // values wider than their column (cut off on screen)
    std::map<std::string, Rect> tcb_rects;  // where each TCB value (or its dash) was drawn, by field name
    Rect window;                            // the part of the panel shown on screen (its clip rectangle)
    struct Timer {
      std::string kind;
      Instant deadline = 0;
      float left_fraction = 0;  // of the time it was set for
      Rect bar;
    };
    std::vector<Timer> timers;
  };
  struct Diagram {
    std::string host, highlight, taken_from, taken_to, cause;
    bool taken_in_figure5 = false;
    std::map<std::string, Rect> boxes;  // by state name
    Rect plate;  // the edge just taken's event / action (empty when none)
    Rect why;    // the why box (empty when no state change yet)
    bool why_scrolls = false;  // the why box has a scroll bar: its text is taller than the box
    std::string figure;        // "inline", or "hover" when the panel has no room for Figure 5 (no boxes then)
    Rect panel;  // the part of the panel shown on screen (its window's clip rectangle)
  };
  struct Arrow {
    std::string id, label, from, to, kind, fate;
    std::string shown;  // the label as drawn: "" when left out (crowded), "[S.] ×12" for a group
    Rect label_rect;
    bool retx = false, current = false, in_flight = false;
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    std::optional<std::array<float, 2>> cross;
  };

  std::string lab, timeline, tab;
  std::uint64_t cursor = 0, events = 0;
  Instant now = 0;
  std::optional<std::uint64_t> first_difference;
  std::vector<Endpoint> endpoints;
  std::vector<Diagram> diagrams;
  std::uint32_t ladder_rows = 0, ladder_rows_drawn = 0;
  std::int64_t ladder_current_row = -1;
  std::uint64_t segments_total = 0, segments_sent = 0;  // in the trace / by the cursor
  std::vector<Arrow> arrows;                            // drawn this frame
  std::vector<float> lifelines;                         // the ladder's lifelines (x, framebuffer pixels)
  std::uint32_t text_lines = 0;
  std::int64_t text_current_line = -1;
  std::string text_current;
  std::uint32_t netstat_rows = 0;
  std::vector<std::string> netstat_drawn;  // rows drawn: "RECVQ SENDQ LOCAL FOREIGN STATE"
  std::map<std::string, std::uint32_t> netstat_counts;
  // The congestion pane (when shown). Rectangles and positions in framebuffer pixels.
  struct Congestion {
    std::string error;
    struct Flow {
      std::string host, conn, cc, phase, label;  // phase at the cursor
      std::array<int, 3> color{};                // as drawn
      double cwnd = 0, mbps = 0, srtt_ms = 0;    // at the cursor
    };
    std::vector<Flow> flows;
    std::optional<double> jain, jain_now;  // over the run; at the cursor
    struct Panel {
      std::string kind, title;
      Rect plot;
      std::uint32_t lines_drawn = 0;
    };
    std::vector<Panel> panels;
    struct Mark {
      std::string series, flow, note;  // "loss" (note: recovery, loss, cut) or "drop"
      Instant t = 0;
      float x = 0, y = 0;
      std::optional<std::uint64_t> event, send_k;  // where a click leads
    };
    std::vector<Mark> marks;  // drawn (not hidden)
    std::uint32_t loss_marks = 0, drop_marks = 0, hidden_marks = 0;
    float cursor_x = -1;
    bool hiding = false;  // predict: cwnd and queue hidden right of the cursor
    std::string predict_prompt, predict_result;
    std::vector<std::string> predict_choices;
    int predict_right = 0, predict_asked = 0;
  };
  std::optional<Congestion> congestion;
  // The observer pane (when shown): the capture point and the rows drawn.
  struct Observer {
    std::string at;                   // "client (10.0.0.1)", "the link"
    std::uint32_t frames = 0, flagged = 0, differ = 0;
    struct Row {
      std::uint32_t frame = 0;
      std::string labels, knew, why;  // Wireshark's labels; the truth; why they differ ("" agree)
      std::uint64_t send = 0;         // the send event (the ladder's selection)
      bool selected = false;          // the segment picked in the ladder
    };
    std::vector<Row> rows;            // drawn this frame
  };
  std::optional<Observer> observer;
  std::optional<std::uint64_t> picked_segment;  // the segment selected (ladder click, congestion mark)
  std::string predict_prompt;
  std::vector<std::string> predict_choices;
  std::map<std::string, Rect> items;  // clickable items the tests use: "picker:LAB", "predict:STATE"
  bool picker_open = false;
  double draw_ms = 0;          // wall time: shown to people, never asserted on
  std::uint64_t vertices = 0;  // what the frame asked the GPU to draw (ImDrawData), after Render
  float scale = 1.0F;  // framebuffer pixels per ImGui unit
};
// Notes the last ImGui item's rectangle under `name` in rec.items.
void record_item(DrawRecord& rec, const std::string& name);
// The record as JSON (what --dump-model writes and the web page logs).
std::string draw_record_json(const DrawRecord& rec, int indent = -1);

// Panels: each reads the view, may queue commands and change UiState, records what it drew.
void draw_frame(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_controls(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
// The control bar's height in a window `width` wide: its buttons wrap to more rows when narrow.
float controls_height(const WorldView& v, UiState& ui, float width);
void draw_endpoint(const WorldView& v, std::uint32_t ep, DrawRecord& rec);
// The narrowest endpoint panel (ImGui units) whose TCB values all fit beside their names.
float endpoint_min_width();
void draw_diagram(const WorldView& v, std::uint32_t ep, const EndpointNow& now, ImVec2 size, DrawRecord& rec);
void draw_ladder(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_text(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_netstat(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_plots(const WorldView& v, UiState& ui, DrawRecord& rec);
void draw_congestion(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_observer(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_fork(const WorldView& v, UiState& ui, Commands& cmd);
void draw_lab_info(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_lab_picker(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_exports(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_predict(const WorldView& v, UiState& ui, Commands& cmd, DrawRecord& rec);
void draw_help(UiState& ui);
void handle_shortcuts(const WorldView& v, UiState& ui, Commands& cmd);
// Key presses noted by the GLFW callback, so that taps shorter than a frame count.
void note_key_press(int glfw_key);
void forget_key_presses();

// The endpoint among `followed` that sends the most data (what the plots show).
std::uint32_t plot_sender(const TraceIndex& ix, const std::vector<std::uint32_t>& followed);

// Writes the record as JSON; returns "" or an error.
std::string write_draw_record(const DrawRecord& rec, const std::string& path);

}  // namespace tcplab::viz
