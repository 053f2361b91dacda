#include "sim/timeline.hpp"

#include <algorithm>

namespace tcplab {

Timeline::Timeline(World start, std::uint64_t checkpoint_every)
    : every_(std::max<std::uint64_t>(1, checkpoint_every)), live_(std::make_unique<World>(std::move(start))) {
  checkpoints_.emplace_back(0, *live_);
}

void Timeline::run(Instant limit, std::uint64_t max_steps) {
  for (std::uint64_t n = 0; n < max_steps; ++n) {
    if (live_->idle() || live_->next_event_time() > limit) break;
    live_->step(&sink_);
    step_end_.push_back(sink_.events.size());
    if (step_end_.size() % every_ == 0) checkpoints_.emplace_back(step_end_.size(), *live_);
  }
}

std::uint64_t Timeline::step_of(std::uint64_t k) const {
  // The first step whose trace end is past k produced it.
  auto it = std::upper_bound(step_end_.begin(), step_end_.end(), k);
  return static_cast<std::uint64_t>(it - step_end_.begin());
}

std::uint64_t Timeline::step_start(std::uint64_t k) const {
  const std::uint64_t s = step_of(k);
  return s == 0 ? 0 : step_end_[s - 1];
}

World Timeline::replay_to_step(std::uint64_t steps_done) const {
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), steps_done,
                             [](std::uint64_t v, const auto& c) { return v < c.first; });
  const auto& cp = *std::prev(it);
  World w = cp.second;  // replayed without a sink: records nothing, seq_no stays in step
  for (std::uint64_t s = cp.first; s < steps_done && w.step(); ++s) {
  }
  return w;
}

World Timeline::world_after(std::uint64_t k) const { return replay_to_step(step_of(k) + 1); }
World Timeline::world_before(std::uint64_t k) const { return replay_to_step(step_of(k)); }

World Timeline::world_at_time(Instant t) const {
  // The last event at or before t, then everything up to t.
  auto it = std::upper_bound(sink_.events.begin(), sink_.events.end(), t,
                             [](Instant v, const TraceEvent& e) { return v < e.t_ns; });
  World w = it == sink_.events.begin() ? replay_to_step(0) : world_after(static_cast<std::uint64_t>(it - sink_.events.begin()) - 1);
  w.run_until(t);
  return w;
}

Timeline Timeline::fork(std::uint64_t k, const std::function<void(World&)>& change, Instant limit) const {
  const std::uint64_t s = step_of(k);
  World start = replay_to_step(s);
  Timeline t(replay_to_step(0), every_);
  // Share the history: same checkpoints and trace up to the fork point.
  t.checkpoints_.clear();
  for (const auto& c : checkpoints_)
    if (c.first < s) t.checkpoints_.push_back(c);
  t.step_end_.assign(step_end_.begin(), step_end_.begin() + static_cast<std::ptrdiff_t>(s));
  const std::uint64_t keep = s == 0 ? 0 : step_end_[s - 1];
  t.sink_.events.assign(sink_.events.begin(), sink_.events.begin() + static_cast<std::ptrdiff_t>(keep));
  t.live_ = std::make_unique<World>(std::move(start));
  change(*t.live_);
  // The changed world is the fork's checkpoint at step s: a seek in the fork to any later
  // event must replay from it, not from a shared checkpoint that lacks the change.
  t.checkpoints_.emplace_back(s, *t.live_);
  t.run(limit);
  return t;
}

std::optional<std::uint64_t> Timeline::first_difference(const Timeline& a, const Timeline& b) {
  const std::uint64_t n = std::min(a.size(), b.size());
  for (std::uint64_t i = 0; i < n; ++i)
    if (!(a.trace()[i] == b.trace()[i])) return i;
  if (a.size() != b.size()) return n;
  return std::nullopt;
}

}  // namespace tcplab
