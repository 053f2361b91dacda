#pragma once
// The two things besides the world that a frame's draw() touches (STYLE 11):
//   UiState   view toggles and what the student is pointing at, like imgui_demo's
//             ImGuiDemoWindowData. No copy of world state lives here.
//   Commands  what the student asked for this frame (step, seek, drop A>B#3, ...). The
//             session carries them out after the frame; draw() never changes the world.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/fault.hpp"
#include "stack/time.hpp"

namespace tcplab::viz {

enum class Tab : std::uint8_t { Text, Netstat, Plots, Fork, Lab, Congestion, Observer };

// Projector zoom: ImGui units per window pixel (Ctrl+= / Ctrl+- / Ctrl+0, --scale).
constexpr float kMinScale = 0.75F, kMaxScale = 3.0F;
// The next zoom step up (dir > 0) or down from `z`: 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3.
float zoom_step(float z, int dir);
// Below this height (ImGui units) the window is laid out tighter: the control bar in two rows.
constexpr float kShortWindow = 700.0F;

// An endpoint as the student picked it: stable across timelines (indices are not).
struct EndpointKey {
  int host = -1;
  std::string label;
  friend bool operator==(const EndpointKey&, const EndpointKey&) = default;
};

struct UiState {
  // Playback: virtual time per real second, advanced by a fixed-rate accumulator.
  bool playing = false;
  Duration speed_per_s = ms(1);
  bool skip_gaps = true;          // jump over idle stretches longer than one real second

  // What is shown.
  bool predict = false;           // predict-then-step
  bool predict_cc = false;        // the congestion pane hides cwnd and queues after the cursor until a guess
  bool show_future = false;       // ghost arrows after the cursor
  bool ladder_labels = true;
  bool follow_cursor = true;      // scroll the ladder and the text to the cursor
  bool show_help = false;
  float zoom = 1.0F;              // projector mode: everything drawn this many times larger
  Tab tab = Tab::Text;
  bool tab_requested = false;     // select `tab` on the next frame
  std::vector<EndpointKey> selected;  // endpoint panels; empty = the lab's main pair
  std::optional<std::uint64_t> picked_segment;  // send event of the segment clicked in the ladder
  int delay_ms = 200;             // for "delay this segment"

  // Saving a fork's fault rules into a lab file.
  std::string save_path;
  bool confirm_overwrite = false;

  // One line of feedback under the controls.
  std::string status;
  bool status_error = false;

  // Scrolling bookkeeping: the cursor each pane last scrolled to.
  std::uint64_t ladder_scrolled_for = UINT64_MAX;
  std::uint64_t text_scrolled_for = UINT64_MAX;
  std::uint64_t netstat_scrolled_for = UINT64_MAX;
  std::uint64_t observer_scrolled_for = UINT64_MAX;
  // The observer pane's capture point: -2 the client (as `tcplab run --pcap`), -1 the link, or a host.
  int observer_at = -2;
  bool observer_only_flagged = false;  // list only the frames Wireshark labels or the truth explains

  std::string lab_path_input;     // the "open a .toml file" box
  bool screenshot_requested = false;  // F12: save this frame as a PNG
  bool show_picker = false;       // the lab picker window (the web page opens on it)

  // In a browser, files do not go to a path the student chose: a lab comes from a file
  // picker or a drop, and what is saved or exported is offered as a download.
  bool web = false;
  bool pick_file_requested = false;  // "open a lab from your disk": the page shows its file picker
  std::string written_file;          // the file the last command wrote (the page downloads it)
};

struct Command {
  enum class Kind : std::uint8_t {
    Seek,         // n = cursor (events applied; snapped to a step's end)
    Step,         // n = +1 / -1 visible step
    StepState,    // n = +1 / -1 to the next / previous state change
    RunToEnd,
    Restart,      // back to the start of the timeline, paused
    LoadLab,      // text = catalogue name or path
    Fork,         // k = send event; action, delay
    ShowTimeline, // n = 0 original, 1 fork
    DiscardFork,
    SaveFaults,   // text = path; flag = overwrite
    Answer,       // text = the student's prediction
    AnswerCc,     // text = the student's guess in the congestion pane (cc_predict.hpp)
    SeekPick,     // n = cursor, k = send event to select (UiState::picked_segment), flag = whether one
    Export,       // text = "trace" (JSON Lines), "pcap" or "lab" (with the shown timeline's faults)
  };
  Kind kind = Kind::Seek;
  std::int64_t n = 0;
  std::uint64_t k = 0;
  FaultAction action = FaultAction::Drop;
  Duration delay = 0;
  std::string text;
  bool flag = false;
};

struct Commands {
  std::vector<Command> queue;
  Command& add(Command::Kind k) {
    queue.emplace_back();
    queue.back().kind = k;
    return queue.back();
  }
  void seek(std::uint64_t p) { add(Command::Kind::Seek).n = static_cast<std::int64_t>(p); }
  void step(int dir) { add(Command::Kind::Step).n = dir; }
  void step_state(int dir) { add(Command::Kind::StepState).n = dir; }
  void run_to_end() { add(Command::Kind::RunToEnd); }
  void restart() { add(Command::Kind::Restart); }
  void load_lab(const std::string& lab) { add(Command::Kind::LoadLab).text = lab; }
  void fork(std::uint64_t send_k, FaultAction a, Duration d) {
    Command& c = add(Command::Kind::Fork);
    c.k = send_k;
    c.action = a;
    c.delay = d;
  }
  void show_timeline(int i) { add(Command::Kind::ShowTimeline).n = i; }
  void discard_fork() { add(Command::Kind::DiscardFork); }
  void save_faults(const std::string& path, bool overwrite) {
    Command& c = add(Command::Kind::SaveFaults);
    c.text = path;
    c.flag = overwrite;
  }
  void answer(const std::string& choice) { add(Command::Kind::Answer).text = choice; }
  void answer_cc(const std::string& choice) { add(Command::Kind::AnswerCc).text = choice; }
  // Moves the cursor to event p's step and selects a segment (as a click on its arrow does).
  void seek_pick(std::uint64_t p, std::optional<std::uint64_t> send_k) {
    Command& c = add(Command::Kind::SeekPick);
    c.n = static_cast<std::int64_t>(p);
    c.flag = send_k.has_value();
    c.k = send_k.value_or(0);
  }
  void export_file(const std::string& what) { add(Command::Kind::Export).text = what; }
};

}  // namespace tcplab::viz
