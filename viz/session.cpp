#include "viz/session.hpp"

#include <algorithm>
#include <filesystem>

#include "labs/runner.hpp"
#include "viz/lab_edit.hpp"
#include "viz/panel_export.hpp"

namespace tcplab::viz {

Session::Session(const std::string& lab_arg, const LoadOptions& opt) : lab_arg_(lab_arg), opt_(opt) {
  lab_ = load_lab(lab_arg, opt);
  run_original();
}

Session::Session(const std::string& lab_arg, const cli::LabOptionArgs& args) : lab_arg_(lab_arg), args_(args) {
  lab_ = cli::load_common(lab_arg, args);
  opt_.seed = args.seed;
  run_original();
}

Session::Session(std::shared_ptr<const CaptureModel> capture) : lab_arg_(capture->path), capture_(std::move(capture)) {
  lab_.name = capture_->name;
  lab_.path = capture_->path;
  lab_.seed = 0;
  lab_.title = "capture " + capture_->name;
  for (std::size_t h = 0; h < capture_->hosts.names.size(); ++h) {
    HostSpec hs;
    hs.name = capture_->hosts.names[h];
    hs.ip = capture_->hosts.ips[h];
    lab_.hosts.push_back(std::move(hs));
  }
  TimelineSlot s;
  s.name = "capture";
  s.index = std::make_unique<TraceIndex>(capture_->trace, capture_->hosts);
  slots_.push_back(std::move(s));
  set_cursor(0, 0);
}

Session Session::open(const std::string& arg, const LoadOptions& opt) {
  if (is_capture_file(arg)) return Session(load_capture(arg));
  return Session(arg, opt);
}

const std::vector<CaptureSocketRow>& Session::capture_sockets() const {
  if (capture_sockets_for_ != cursor_) {
    capture_sockets_ = capture_ ? capture_->sockets_at(cursor_) : std::vector<CaptureSocketRow>{};
    capture_sockets_for_ = cursor_;
  }
  return capture_sockets_;
}

std::string Session::title_words() const {
  if (capture_) return "capture=" + lab_.name;
  return "lab=" + lab_.name + " seed=" + std::to_string(lab_.seed);
}

void Session::run_original() {
  TimelineSlot s;
  s.name = "original";
  run_slot(s, build_world(lab_));
  slots_.push_back(std::move(s));
  set_cursor(0, 0);
}

std::string Session::export_file(const std::string& what, UiState& ui) const {
  if (capture_ && (what == "trace" || what == "pcap" || what == "lab"))
    return "a capture exports its ladder as a picture; for its trace run `tcplab import " + capture_->path +
           " --trace FILE`, for a lab `--to-lab FILE --conn N`";
  const TimelineSlot& shown = slot(active_);
  const std::string stem = shown.rules.empty() ? lab_.name : fork_stem(lab_.name, shown.rules);
  std::string path, err;
  if (what == "trace") {
    path = fresh_path(".", stem, ".jsonl");
    err = write_jsonl(shown.tl->trace(), shown.tl->final_world().host_names(), path);
  } else if (what == "pcap") {
    path = fresh_path(".", stem, ".pcap");
    err = write_pcap(shown.tl->trace(), shown.tl->final_world().hosts().size(), path);
  } else if (what == "lab") {
    path = fresh_path(".", stem);
    if (shown.rules.empty()) {
      std::error_code ec;
      std::filesystem::copy_file(lab_.path, path, ec);
      if (ec) err = "cannot copy " + lab_.path + ": " + ec.message();
    } else {
      const SaveResult r = save_lab_with_faults(lab_.path, shown.rules, path, false);
      if (r.outcome != SaveResult::Outcome::Written) err = r.message;
    }
  } else if (const auto dot = what.find('.'); dot != std::string::npos && draw::parse_what(what.substr(0, dot))) {
    // A panel as a picture: "ladder.svg", "diagram.png", "endpoint.svg" (viz/panel_export.hpp).
    path = fresh_path(".", stem + "-" + what.substr(0, dot), what.substr(dot));
    err = export_panel(*this, ui, *draw::parse_what(what.substr(0, dot)), path);
  } else {
    return "unknown export '" + what + "' (trace, pcap or lab)";
  }
  if (!err.empty()) return err;
  ui.written_file = path;
  ui.status = "wrote " + std::filesystem::absolute(path).lexically_normal().string();
  ui.status_error = false;
  return "";
}

void Session::run_slot(TimelineSlot& s, World start) {
  s.tl = std::make_unique<Timeline>(std::move(start));
  s.tl->run(lab_.until);
  s.index = std::make_unique<TraceIndex>(*s.tl, s.tl->final_world());
  s.checks = run_checks(lab_, s.tl->final_world(), s.tl->trace());
}

const World& Session::world() const {
  if (capture_) {  // its hosts, and no stack state: the panels read a capture's sockets from the model
    if (!snapshot_) {
      snapshot_.emplace();
      for (const HostSpec& h : lab_.hosts) snapshot_->add_host(h.name, h.ip, TcpConfig{});
    }
    return *snapshot_;
  }
  const std::uint64_t key = cursor_ * 2 + static_cast<std::uint64_t>(active_);
  if (!snapshot_ || snapshot_for_ != key) {
    const Timeline& tl = timeline();
    if (tl.size() == 0) snapshot_ = tl.final_world();
    else if (cursor_ == 0) snapshot_ = tl.world_before(0);
    else snapshot_ = tl.world_after(cursor_ - 1);
    snapshot_for_ = key;
  }
  return *snapshot_;
}

ConnId Session::conn_at_cursor(int host, const std::string& label) const {
  const World& w = world();
  if (conn_ids_for_ != snapshot_for_) {
    conn_ids_.clear();
    for (std::size_t h = 0; h < w.hosts().size(); ++h)
      for (ConnId c = 0; c < w.stack(static_cast<int>(h)).conn_count(); ++c)
        conn_ids_[{static_cast<int>(h), w.conn_label(static_cast<int>(h), c)}] = c;  // later ones win
    conn_ids_for_ = snapshot_for_;
  }
  auto it = conn_ids_.find({host, label});
  return it == conn_ids_.end() ? kNoConn : it->second;
}

void Session::set_cursor(std::uint64_t p, Instant shown) {
  cursor_ = std::min<std::uint64_t>(p, index().size());
  display_t_ = shown;
}

void Session::seek(std::uint64_t p) {
  const TraceIndex& ix = index();
  if (p > ix.size()) p = ix.size();
  if (p > 0) p = ix.group_end_of(p - 1);
  set_cursor(p, p == 0 ? 0 : ix.trace()[p - 1].t_ns);
}

void Session::seek_time(Instant t) { set_cursor(index().cursor_at_time(t), t); }

bool Session::step(int dir) {
  const TraceIndex& ix = index();
  const std::uint64_t p = dir > 0 ? ix.next_stop(cursor_) : ix.prev_stop(cursor_);
  if (p == cursor_) return false;
  seek(p);
  return true;
}

bool Session::step_state(int dir, const std::vector<std::uint32_t>& eps) {
  const TraceIndex& ix = index();
  const std::uint64_t p = dir > 0 ? ix.next_state_stop(cursor_, eps) : ix.prev_state_stop(cursor_, eps);
  if (p == cursor_) return false;
  seek(p);
  return true;
}

void Session::run_to_end() { seek(index().size()); }

void Session::restart() { seek(0); }

void Session::tick(double real_dt_s, UiState& ui, const std::vector<std::uint32_t>& eps) {
  if (!ui.playing) {
    play_accum_s_ = 0;
    return;
  }
  constexpr double kTick = 1.0 / 60.0;  // fixed-rate accumulator: the pace ignores the frame rate
  play_accum_s_ = std::min(play_accum_s_ + real_dt_s, 0.25);
  const TraceIndex& ix = index();
  while (play_accum_s_ >= kTick && ui.playing) {
    play_accum_s_ -= kTick;
    Instant target = display_t_ + std::max<Duration>(1, ui.speed_per_s / 60);
    for (;;) {
      const std::uint64_t next = ix.next_stop(cursor_);
      if (next == cursor_) {  // the end: stop on the last event
        ui.playing = false;
        target = cursor_ ? ix.trace()[cursor_ - 1].t_ns : 0;
        break;
      }
      const Instant t_next = ix.trace()[next - 1].t_ns;
      if (ui.skip_gaps && t_next - target > ui.speed_per_s) target = t_next;  // an idle stretch
      if (t_next > target) break;
      if (ui.predict) {
        predictor_.prepare(ix, cursor_, eps);
        if (!predictor_.ready()) {
          ui.playing = false;
          ui.status = "predict: answer the question to go on";
          break;
        }
      }
      cursor_ = next;
    }
    display_t_ = std::max(target, cursor_ ? ix.trace()[cursor_ - 1].t_ns : 0);
  }
}

std::string Session::rule_for_segment(std::uint64_t send_k, FaultAction a, Duration d) const {
  const TraceIndex& ix = index();
  if (send_k >= ix.size() || ix.trace()[send_k].type != TraceType::Send) return "";
  const TraceEvent& e = ix.trace()[send_k];
  std::string verb;
  switch (a) {
    case FaultAction::Drop: verb = "drop"; break;
    case FaultAction::Delay: verb = "delay"; break;
    case FaultAction::Duplicate: verb = "duplicate"; break;
    case FaultAction::Corrupt: verb = "corrupt"; break;
    case FaultAction::Discard: verb = "discard"; break;
  }
  std::string rule = verb + " " + e.id;
  if (a == FaultAction::Delay) rule += " by " + format_duration(d);
  // Ids are per connection: with several connections between the same hosts, pin the time.
  int same = 0;
  for (const auto& s : ix.segments())
    if (ix.trace()[s.send_k].id == e.id && ++same > 1) break;
  if (same > 1) rule += " from " + format_duration(e.t_ns) + " to " + format_duration(e.t_ns + 1);
  return rule;
}

std::string Session::fork_segment(std::uint64_t send_k, FaultAction a, Duration d) {
  const std::string rule = rule_for_segment(send_k, a, d);
  if (rule.empty()) return "that event is not a segment being sent";
  return fork_rule(rule, send_k);
}

std::string Session::fork_rule(const std::string& rule_text, std::uint64_t k) {
  if (capture_)
    return "a capture cannot be forked: make a lab of it first (tcplab import " + capture_->path +
           " --to-lab lab.toml --conn N), then fork the lab";
  std::string err;
  auto rule = parse_fault(rule_text, &err);
  if (!rule) return "fault rule '" + rule_text + "': " + err;
  const TimelineSlot& from = slots_[static_cast<std::size_t>(active_)];
  if (k > from.tl->size()) k = from.tl->size();
  TimelineSlot s;
  s.rules = from.rules;
  s.rules.push_back(rule_text);
  for (const auto& r : s.rules) s.name += (s.name.empty() ? "" : " + ") + r;
  const FaultRule fr = *rule;
  // Timeline::fork wants an existing event; at the very end, fork "after" everything.
  const std::uint64_t at = std::min<std::uint64_t>(k, from.tl->size() ? from.tl->size() - 1 : 0);
  if (from.tl->size() == 0) {  // nothing ran: start again with every rule of this timeline
    World w = build_world(lab_);
    for (const auto& r : s.rules)
      if (auto f = parse_fault(r, &err)) w.add_fault(*f);
    s.tl = std::make_unique<Timeline>(std::move(w));
    s.tl->run(lab_.until);
  } else {
    s.tl = std::make_unique<Timeline>(from.tl->fork(at, [&](World& w) { w.add_fault(fr); }, lab_.until));
  }
  s.index = std::make_unique<TraceIndex>(*s.tl, s.tl->final_world());
  s.checks = run_checks(lab_, s.tl->final_world(), s.tl->trace());
  if (slots_.size() > 1) slots_.resize(1);
  slots_.push_back(std::move(s));
  active_ = 1;
  diff_ = Timeline::first_difference(*slots_[0].tl, *slots_[1].tl);
  fork_k_ = at;
  forget_series();
  predictor_.reset();
  const TraceIndex& ix = index();
  seek(ix.size() ? ix.group_end_of(std::min<std::uint64_t>(k, ix.size() - 1)) : 0);
  return "";
}

void Session::show(int slot) {
  if (slot < 0 || slot >= static_cast<int>(slots_.size()) || slot == active_) return;
  active_ = slot;
  forget_series();
  predictor_.reset();
  seek(cursor_);
}

void Session::discard_fork() {
  if (slots_.size() > 1) slots_.resize(1);
  active_ = 0;
  diff_.reset();
  forget_series();
  seek(cursor_);
}

void Session::forget_series() {
  cwnd_cache_.clear();
  congestion_.reset();
  congestion_for_ = -1;
  cc_predictor_.reset();
  observer_cache_.clear();
}

const std::vector<ObservedFrame>& Session::observer(int capture) const {
  auto it = observer_cache_.find(capture);
  if (it == observer_cache_.end()) {
    if (capture_) {
      it = observer_cache_.emplace(capture, observe(capture_->trace, capture_->hosts.names.size(), capture)).first;
    } else {
      const Timeline& tl = timeline();
      it = observer_cache_.emplace(capture, observe(tl.trace(), tl.final_world().hosts().size(), capture)).first;
    }
  }
  return it->second;
}

const CongestionData& Session::congestion() {
  if (!congestion_ || congestion_for_ != active_) {
    const TimelineSlot& s = slot(active_);
    if (capture_) {
      congestion_ = std::make_shared<CongestionData>();
      congestion_->error = "a capture shows no congestion window (no host reports it on the wire): "
                           "the Plots tab shows the flight size and the peer's window the capture implies";
      congestion_for_ = active_;
      return *congestion_;
    }
    congestion_ = compute_congestion(lab_, s.rules, *s.index);
    congestion_for_ = active_;
  }
  return *congestion_;
}

const std::vector<CwndSample>& Session::cwnd(int host, const std::string& label) {
  auto key = std::make_tuple(active_, host, label);
  auto it = cwnd_cache_.find(key);
  if (it == cwnd_cache_.end())
    it = cwnd_cache_.emplace(key, capture_ ? capture_->flight_series(host, label) : cwnd_series(timeline(), host, label)).first;
  return it->second;
}

std::vector<std::uint32_t> Session::followed(const UiState& ui) const {
  std::vector<std::uint32_t> v;
  for (const auto& k : ui.selected)
    if (auto ep = index().endpoint(k.host, k.label); ep != kNone) v.push_back(ep);
  if (v.empty()) v = index().default_pair();
  return v;
}

void Session::apply(const Command& c, UiState& ui) {
  using K = Command::Kind;
  auto gate = [&]() {  // predict-then-step: the next step waits for the answers
    if (!ui.predict) return true;
    predictor_.prepare(index(), cursor_, followed(ui));
    if (predictor_.ready()) return true;
    ui.status = "predict: answer the question first";
    ui.status_error = false;
    return false;
  };
  switch (c.kind) {
    case K::Seek: seek(static_cast<std::uint64_t>(std::max<std::int64_t>(0, c.n))); break;
    case K::Step:
      ui.playing = false;
      if (c.n < 0 || gate()) step(c.n > 0 ? 1 : -1);
      break;
    case K::StepState:
      ui.playing = false;
      if (c.n < 0) step_state(-1, followed(ui));
      else if (gate()) {
        if (ui.predict) step(1);  // in predict mode every step is asked about
        else step_state(1, followed(ui));
      }
      break;
    case K::RunToEnd:
      ui.playing = false;
      run_to_end();
      break;
    case K::Restart:
      ui.playing = false;
      restart();
      break;
    case K::LoadLab: {
      try {
        // The same lab again keeps its --seed / --var / --student; another starts afresh.
        Session fresh = c.text != lab_arg_ || capture_ ? Session::open(c.text, LoadOptions{})
                        : args_ ? Session(c.text, *args_) : Session(c.text, opt_);
        *this = std::move(fresh);
        ui.selected.clear();
        ui.picked_segment.reset();
        ui.playing = false;
        ui.confirm_overwrite = false;
        ui.save_path.clear();
        ui.status = (capture_ ? "opened the capture " : "loaded ") + lab_.name + " (" + lab_.path + ")";
        ui.status_error = false;
      } catch (const std::exception& e) {
        ui.status = e.what();
        ui.status_error = true;
      }
      break;
    }
    case K::Fork: {
      const std::string err = fork_segment(c.k, c.action, c.delay);
      ui.status = err.empty() ? "forked: " + slot(active_).name + " (the original is kept; compare in the Fork tab)" : err;
      ui.status_error = !err.empty();
      ui.picked_segment.reset();
      ui.confirm_overwrite = false;
      ui.save_path.clear();
      break;
    }
    case K::ShowTimeline: show(static_cast<int>(c.n)); break;
    case K::DiscardFork:
      discard_fork();
      ui.status = "fork discarded";
      ui.status_error = false;
      break;
    case K::SaveFaults: {
      const SaveResult r = save_lab_with_faults(lab_.path, slot(active_).rules, c.text, c.flag);
      ui.status = r.message;
      ui.status_error = r.outcome == SaveResult::Outcome::Failed;
      ui.confirm_overwrite = r.outcome == SaveResult::Outcome::Exists;
      if (r.outcome == SaveResult::Outcome::Written) ui.written_file = c.text;
      break;
    }
    case K::Export: {
      const std::string err = export_file(c.text, ui);
      if (!err.empty()) {
        ui.status = "export " + c.text + ": " + err;
        ui.status_error = true;
      }
      break;
    }
    case K::Answer:
      predictor_.prepare(index(), cursor_, followed(ui));
      predictor_.answer(c.text);
      break;
    case K::AnswerCc:
      cc_predictor_.answer(c.text);
      break;
    case K::SeekPick:
      ui.playing = false;
      seek(static_cast<std::uint64_t>(std::max<std::int64_t>(0, c.n)) + 1);
      if (c.flag) ui.picked_segment = c.k;
      else ui.picked_segment.reset();
      ui.ladder_scrolled_for = UINT64_MAX;
      break;
  }
}

}  // namespace tcplab::viz
