#pragma once
// Predict-then-step: the moments of a lab's run a student can predict (each sent segment and
// each state change, in trace order, plus the lab's [[question]]s), and how an answer to
// each is scored. `tcplab step` asks them on a terminal; `tcplab grade` scores a list.
//
// Answers: a segment as "FLAGS SEQ ACK LEN" with tcpdump flag letters and sequence numbers
// relative to each side's ISN (the SYN is 0), e.g. "S. 0 1 0" or ". 1 1 0"; "-" skips a field
// (it scores nothing, except "-" or "0" is right for the ack of a segment without ACK);
// SEQ may be written "1:8" as tcpdump does, which also answers LEN. A state change is
// answered with the state's name, RFC or Linux spelling ("ESTABLISHED", "SYN_RECV").
// A question's `at` is a segment id ("A>B#3": asked just before that segment) or the number
// shown in a prompt ("12"); a question whose `at` never comes is asked at the end.
// Items are numbered 1, 2, 3, ... in trace order. At one instant the trace keeps the stack's
// order, cause first: a state change comes before the segment it sends (SYN_SENT, then the
// SYN; CLOSING, then its ACK), which is the order students must predict.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "labs/runner.hpp"

namespace tcplab {

struct StepItem {
  enum class What : std::uint8_t { Segment, State, Question };
  What what = What::Segment;
  std::uint64_t seq_no = 0;          // the trace event
  std::size_t number = 0;            // shown as [number]: 1, 2, 3, ... (0 for a question)
  std::vector<std::string> context;  // what happened since the previous item, as `tcplab run` prints it
  std::string prompt;                // "[12] next: client 10.0.0.1:39870 — predict ..."; a multiple-choice
                                     // question's prompt lists its choices on the lines after it
  std::optional<QuestionSpec> question;  // a question's spec, for scoring
  std::string line;                  // the event itself, as `tcplab run` prints it
  std::string answer;                // the right answer, in the answer notation
  std::string why;                   // the RFC rule behind it
  int points = 1;                    // what a fully right answer scores
  // The right answer, field by field.
  std::uint8_t flags = 0;
  std::uint32_t seq = 0, len = 0;
  std::optional<std::uint32_t> ack;  // none without the ACK flag
  State state = State::Closed;
};

// Said when the order matters: in the session's instructions and when a segment is answered
// where the state change comes.
inline constexpr const char* kSameInstantRule = "(at the same instant a state change comes before the segment it sends)";

struct StepScore {
  int points = 0, max_points = 0;
  std::string verdict;  // "flags S. right, seq 0 right, ack 1 wrong (you said 0), len 0 right"
};

// Every item of a finished run, in order; `trailing` gets the lines after the last item.
std::vector<StepItem> step_items(const LabRun& run, std::vector<std::string>* trailing = nullptr);
// Scores one answer line against an item.
StepScore score_answer(const StepItem& item, const std::string& answer);
// What the student is told after answering: the verdict, the right answer, the trace line, why.
std::string step_feedback(const StepItem& item, const StepScore& s, bool color);

}  // namespace tcplab
