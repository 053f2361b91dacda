#pragma once
// What the window looks at: a lab, its recorded timeline (and at most one fork of it), a
// cursor, and the world snapshot at the cursor. The session owns no TCP logic: it runs
// the simulator's Timeline, seeks it (world_after), forks it with a fault rule, and carries
// out the Commands a frame queued. The snapshot is recomputed only when the cursor moves.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "labs/check_result.hpp"
#include "labs/lab.hpp"
#include "labs/options.hpp"
#include "viz/app_state.hpp"
#include "viz/capture_model.hpp"
#include "viz/cc_predict.hpp"
#include "viz/congestion.hpp"
#include "viz/cwnd_series.hpp"
#include "viz/predict.hpp"
#include "sim/observer.hpp"
#include "sim/trace_index.hpp"
#include "viz/time_text.hpp"

namespace tcplab::viz {

struct TimelineSlot {
  std::string name;                 // "original" or "drop A>B#3"
  std::vector<std::string> rules;   // fault rules this timeline adds to the lab
  std::unique_ptr<Timeline> tl;
  std::unique_ptr<TraceIndex> index;
  std::vector<CheckResult> checks;  // the lab's checks over this timeline
};

class Session {
 public:
  // Loads LAB (a catalogue name or a .toml path) and runs it to the lab's end.
  // Throws LabError (bad lab) or std::runtime_error.
  explicit Session(const std::string& lab_arg, const LoadOptions& opt = {});
  // With the options of `tcplab run` (--seed, --var NAME=VALUE, --student ID), loaded and
  // checked as it does (cli::load_common); throws cli::BadInput with its one-line message.
  Session(const std::string& lab_arg, const cli::LabOptionArgs& args);
  // A capture (issue 21): its inferred trace stepped like a lab's timeline. lab() is a stand-in
  // (the file's stem and path, its hosts); there is no timeline to fork, no cwnd, no checks.
  explicit Session(std::shared_ptr<const CaptureModel> capture);
  // A lab, or a capture when ARG is a pcap/pcapng file (the page's drop, the open command).
  static Session open(const std::string& arg, const LoadOptions& opt = {});

  // The capture shown, or null for a lab.
  const CaptureModel* capture() const { return capture_.get(); }
  // A capture's sockets at the cursor (rebuilt from the trace only when the cursor moved: the
  // netstat tab asks every frame).
  const std::vector<CaptureSocketRow>& capture_sockets() const;
  // What the status line and the model call it: "lab=NAME seed=N" or "capture=NAME".
  std::string title_words() const;

  const Lab& lab() const { return lab_; }
  const std::string& lab_arg() const { return lab_arg_; }
  const LoadOptions& load_options() const { return opt_; }

  // Timelines: 0 is the lab as written, 1 the fork (if any). One of them is shown.
  bool has_fork() const { return slots_.size() > 1; }
  int active() const { return active_; }
  const TimelineSlot& slot(int i) const { return slots_[static_cast<std::size_t>(i)]; }
  const Timeline& timeline() const { return *slots_[static_cast<std::size_t>(active_)].tl; }
  const TraceIndex& index() const { return *slots_[static_cast<std::size_t>(active_)].index; }
  // First trace index where the fork differs from the original.
  std::optional<std::uint64_t> first_difference() const { return diff_; }
  std::uint64_t fork_event() const { return fork_k_; }

  // Cursor: the number of trace events applied (always the end of a world step).
  std::uint64_t cursor() const { return cursor_; }
  // The virtual time shown: the cursor's time, or the play clock between events.
  Instant display_time() const { return display_t_; }
  // The world right after the cursor's step (recomputed when the cursor moves).
  const World& world() const;
  // The connection `label` on `host` in that world (its latest incarnation), or kNoConn.
  ConnId conn_at_cursor(int host, const std::string& label) const;

  void seek(std::uint64_t p);
  void seek_time(Instant t);
  // One visible step forward (dir > 0) or back; false at either end.
  bool step(int dir);
  // To the next/previous step with a state change of `eps` (any endpoint when empty).
  bool step_state(int dir, const std::vector<std::uint32_t>& eps);
  void run_to_end();
  void restart();
  // Play: advance virtual time by real_dt * speed in fixed 1/60 s ticks.
  void tick(double real_dt_s, UiState& ui, const std::vector<std::uint32_t>& eps);

  // Forks the shown timeline just before send event k with a rule on that segment
  // (drop / delay by d / duplicate), shows the fork and returns "" (or an error).
  std::string fork_segment(std::uint64_t send_k, FaultAction a, Duration d);
  // Forks with a rule given as text (as in a lab's faults array) at event k.
  std::string fork_rule(const std::string& rule_text, std::uint64_t k);
  void show(int slot);
  void discard_fork();

  // The rule text `fork_segment` would use for that segment.
  std::string rule_for_segment(std::uint64_t send_k, FaultAction a, Duration d) const;

  Predictor& predictor() { return predictor_; }
  const Predictor& predictor() const { return predictor_; }

  // The congestion pane's series and figure for the shown timeline: the lab run once more
  // with series on, the first time it is asked for (then cached until the timeline changes).
  const CongestionData& congestion();
  CcPredictor& cc_predictor() { return cc_predictor_; }
  // The observer view of the shown timeline at a capture point (kCaptureLink or a host):
  // computed the first time it is asked for, then cached until the timeline changes.
  const std::vector<ObservedFrame>& observer(int capture) const;
  const CcPredictor& cc_predictor() const { return cc_predictor_; }

  // cwnd over time for an endpoint of the shown timeline (computed once, then cached).
  const std::vector<CwndSample>& cwnd(int host, const std::string& label);

  // Endpoints the panels follow: the keys resolved in the shown timeline, or its main pair.
  std::vector<std::uint32_t> followed(const UiState& ui) const;

  // Carries out one command; reports problems in ui.status.
  void apply(const Command& c, UiState& ui);

  // Writes the shown timeline's trace (JSON Lines), its pcap, or the lab with this
  // timeline's fault rules to a new file in the working directory; sets ui.written_file.
  // Returns "" or an error.
  std::string export_file(const std::string& what, UiState& ui) const;

 private:
  void run_original();  // runs the lab as written and puts the cursor at its start
  void run_slot(TimelineSlot& s, World start);
  void set_cursor(std::uint64_t p, Instant shown);

  std::string lab_arg_;
  std::shared_ptr<const CaptureModel> capture_;
  mutable std::vector<CaptureSocketRow> capture_sockets_;
  mutable std::uint64_t capture_sockets_for_ = UINT64_MAX;
  LoadOptions opt_;
  std::optional<cli::LabOptionArgs> args_;  // when loaded with the command line's options
  Lab lab_;
  std::vector<TimelineSlot> slots_;
  int active_ = 0;
  std::optional<std::uint64_t> diff_;
  std::uint64_t fork_k_ = 0;
  std::uint64_t cursor_ = 0;
  Instant display_t_ = 0;
  double play_accum_s_ = 0;
  mutable std::optional<World> snapshot_;
  mutable std::uint64_t snapshot_for_ = UINT64_MAX;
  mutable std::map<std::pair<int, std::string>, ConnId> conn_ids_;  // of the snapshot
  mutable std::uint64_t conn_ids_for_ = UINT64_MAX;
  Predictor predictor_;
  std::map<std::tuple<int, int, std::string>, std::vector<CwndSample>> cwnd_cache_;
  void forget_series();  // the shown timeline changed: drop what was computed from it
  std::shared_ptr<CongestionData> congestion_;  // of slot congestion_for_ (shared: Session is copied by move only)
  int congestion_for_ = -1;
  CcPredictor cc_predictor_;
  mutable std::map<int, std::vector<ObservedFrame>> observer_cache_;  // by capture point, of the shown timeline
};

}  // namespace tcplab::viz
