#pragma once
// Predict-then-step: before the next step is shown, the student says what the followed
// endpoints will do (which flags a segment will carry, which state comes next), is scored,
// and is told the right answer and the rule. The questions come from the trace.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace_index.hpp"
#include "viz/time_text.hpp"

namespace tcplab::viz {

struct Question {
  enum class Kind : std::uint8_t { Flags, State, Window };  // Window: the congestion pane's (cc_predict.hpp)
  Kind kind = Kind::Flags;
  std::uint64_t k = 0;               // the event it is about
  std::string prompt;                // "What will client send?"
  std::vector<std::string> choices;  // flag letters ("S", "S.", ...) or state names
  std::string answer;                // the right choice
  std::string rule;                  // why (RFC rule with numbers)
};

struct Answered {
  Question q;
  std::string given;
  bool correct = false;
};

class Predictor {
 public:
  static constexpr std::size_t kMaxQuestionsPerStep = 2;

  // Questions about the step after cursor p, for endpoints `eps` (all when empty).
  // Does nothing when they are already prepared for that step.
  void prepare(const TraceIndex& ix, std::uint64_t p, const std::vector<std::uint32_t>& eps);
  // The next question to answer, or nullptr when the step may be shown.
  const Question* current() const { return next_ < questions_.size() ? &questions_[next_] : nullptr; }
  bool ready() const { return current() == nullptr; }
  // Scores a choice for the current question; returns whether it was right.
  bool answer(const std::string& choice);
  // The answers given for the prepared step (what to show after answering).
  const std::vector<Answered>& answered() const { return answered_; }
  // The answers for the step before, kept once the cursor has moved on.
  const std::vector<Answered>& previous() const { return previous_; }
  int right() const { return right_; }
  int asked() const { return asked_; }
  void reset();

 private:
  std::uint64_t prepared_for_ = UINT64_MAX;  // the cursor the questions were made at
  std::vector<Question> questions_;
  std::size_t next_ = 0;
  std::vector<Answered> answered_, previous_;
  int right_ = 0, asked_ = 0;
};

// The flag choices offered (tcpdump letters), always containing `right`.
std::vector<std::string> flag_choices(const std::string& right);

}  // namespace tcplab::viz
