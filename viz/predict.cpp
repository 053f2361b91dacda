#include "viz/predict.hpp"

#include <algorithm>

#include "viz/rfc.hpp"

namespace tcplab::viz {

std::vector<std::string> flag_choices(const std::string& right) {
  std::vector<std::string> v = {"S", "S.", ".", "P.", "F.", "FP.", "R", "R."};
  if (std::find(v.begin(), v.end(), right) == v.end()) v.push_back(right);
  return v;
}

void Predictor::reset() {
  prepared_for_ = UINT64_MAX;
  questions_.clear();
  answered_.clear();
  previous_.clear();
  next_ = 0;
  right_ = asked_ = 0;
}

void Predictor::prepare(const TraceIndex& ix, std::uint64_t p, const std::vector<std::uint32_t>& eps) {
  if (p == prepared_for_) return;
  previous_ = std::move(answered_);
  answered_.clear();
  questions_.clear();
  next_ = 0;
  prepared_for_ = p;
  const std::uint32_t r = ix.row_at_cursor(p);
  const std::uint32_t nr = r == kNone ? 0 : r + 1;
  if (nr >= ix.rows().size()) return;
  const Group& g = ix.rows()[nr];
  const auto& tr = ix.trace();
  // The followed endpoints, and the listeners their children come from.
  std::vector<std::uint32_t> watch = eps;
  for (auto ep : eps)
    if (ep < ix.endpoints().size() && ix.endpoints()[ep].listener_ep != kNone) watch.push_back(ix.endpoints()[ep].listener_ep);
  auto followed = [&](std::uint64_t k) {
    const std::uint32_t ep = ix.endpoint_of_event(k);
    if (ep == kNone) return false;
    return eps.empty() || std::find(watch.begin(), watch.end(), ep) != watch.end();
  };
  bool asked_state = false, asked_flags = false;
  for (std::uint64_t k = g.begin; k < g.end && questions_.size() < kMaxQuestionsPerStep; ++k) {
    const TraceEvent& e = tr[k];
    if (!followed(k)) continue;
    const std::string& host = ix.host_names()[static_cast<std::size_t>(e.host)];
    if (e.type == TraceType::State && !asked_state) {
      asked_state = true;
      Question q;
      q.kind = Question::Kind::State;
      q.k = k;
      q.prompt = host + " is in " + std::string(state_name(e.from)) + ". Which state next?";
      for (int s = 0; s < kStateCount; ++s) q.choices.emplace_back(state_name(static_cast<State>(s)));
      q.answer = state_name(e.to);
      q.rule = e.cause;
      questions_.push_back(std::move(q));
    } else if (e.type == TraceType::Send && !asked_flags) {
      asked_flags = true;
      Question q;
      q.kind = Question::Kind::Flags;
      q.k = k;
      q.prompt = "Which flags will " + host + "'s next segment carry?";
      q.answer = flag_letters(e.seg.flags);
      q.choices = flag_choices(q.answer);
      q.rule = segment_rule(tr, g.begin, g.end, k);
      questions_.push_back(std::move(q));
    }
  }
}

bool Predictor::answer(const std::string& choice) {
  const Question* q = current();
  if (!q) return false;
  Answered a{*q, choice, choice == q->answer};
  ++asked_;
  if (a.correct) ++right_;
  answered_.push_back(std::move(a));
  ++next_;
  return answered_.back().correct;
}

}  // namespace tcplab::viz
