#pragma once
// A recorded run that can be rewound and forked (DESIGN rule 3). It keeps the full trace
// and a copy of the world every `checkpoint_every` steps; the world at any trace event is
// the nearest earlier checkpoint replayed forward (seek), so memory stays bounded without
// keeping a copy per event. A fork restores the world just before an event, changes one
// thing, and runs a new timeline that is identical up to that point.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "sim/world.hpp"

namespace tcplab {

class Timeline {
 public:
  static constexpr std::uint64_t kDefaultCheckpointEvery = 512;

  // Takes a world that has not run yet (or has: it is the start of this timeline).
  explicit Timeline(World start, std::uint64_t checkpoint_every = kDefaultCheckpointEvery);
  Timeline(Timeline&&) = default;
  Timeline& operator=(Timeline&&) = default;

  // Runs until nothing is pending, `limit` virtual time, or `max_steps` world steps.
  void run(Instant limit, std::uint64_t max_steps = UINT64_MAX);

  const TraceEvents& trace() const { return sink_.events; }
  std::uint64_t size() const { return sink_.events.size(); }
  std::uint64_t steps() const { return step_end_.size(); }
  const World& final_world() const { return *live_; }

  // The world right after trace event k happened (k < size()): seek, forwards or backwards.
  World world_after(std::uint64_t k) const;
  // The world just before the step that produced trace event k.
  World world_before(std::uint64_t k) const;
  // The world at virtual time t (every event with t_ns <= t applied).
  World world_at_time(Instant t) const;
  // Index of the first trace event of the step that produced event k.
  std::uint64_t step_start(std::uint64_t k) const;

  // A new timeline: the same up to (not including) the step that produced event k, then
  // `change` is applied to the world there, then it runs to `limit`.
  Timeline fork(std::uint64_t k, const std::function<void(World&)>& change, Instant limit) const;

  // The first trace index where the two differ (nullopt if identical).
  static std::optional<std::uint64_t> first_difference(const Timeline& a, const Timeline& b);

 private:
  std::uint64_t step_of(std::uint64_t k) const;  // the world step that produced event k
  World replay_to_step(std::uint64_t steps_done) const;  // the world after `steps_done` steps

  std::uint64_t every_;
  TraceSink sink_;  // the timeline's trace; lent to the live world for each step
  std::unique_ptr<World> live_;
  std::vector<std::uint64_t> step_end_;            // trace size after each step
  std::vector<std::pair<std::uint64_t, World>> checkpoints_;  // (steps done, world then)
};

}  // namespace tcplab
