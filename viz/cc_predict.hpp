#pragma once
// Predict-then-reveal for the congestion pane: while it is on, the window and queue curves
// right of the cursor are hidden until the student says what the next loss will do to a
// flow's window (halve, to 70 %, to one segment, keep); then they are shown, with whether the
// guess was right and the rule with the numbers. The same Question / Answered as predict.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viz/congestion.hpp"
#include "viz/predict.hpp"

namespace tcplab::viz {

// The choices, in the order shown.
const std::vector<std::string>& window_choices();

// What a loss episode does to the window, as one of window_choices(), with the rule behind it.
struct WindowOutcome {
  std::string answer, rule;
};
WindowOutcome window_outcome(const FlowSeries& f, const LossEpisode& e);

class CcPredictor {
 public:
  // The question about the first loss episode of a shown flow after time `now` (nothing to ask
  // when there is none). Does nothing when it is already prepared for that episode.
  void prepare(const CongestionData& d, Instant now);
  const Question* current() const { return open_ ? &q_ : nullptr; }
  // Whether curves are hidden right of the cursor: a question is waiting for its answer.
  bool hiding() const { return open_; }
  // The flow (index into CongestionData::flows) and start of the episode asked about.
  std::optional<std::pair<std::size_t, Instant>> episode() const { return episode_; }
  // Scores a choice for the open question; returns whether it was right.
  bool answer(const std::string& choice);
  // The answer given for the prepared episode (empty until answered), or for the one before.
  const std::vector<Answered>& answered() const { return answered_; }
  const std::vector<Answered>& previous() const { return previous_; }
  int right() const { return right_; }
  int asked() const { return asked_; }
  void reset();

 private:
  std::optional<std::pair<std::size_t, Instant>> episode_;
  bool prepared_ = false;
  Question q_;
  bool open_ = false;
  std::vector<Answered> answered_, previous_;
  int right_ = 0, asked_ = 0;
};

}  // namespace tcplab::viz
