#include "viz/cc_predict.hpp"

#include <cmath>

#include <fmt/format.h>

namespace tcplab::viz {
namespace {

std::string kb(double bytes) { return fmt::format("{:.1f} KB", bytes / 1e3); }

// Which multiplicative decrease the congestion control applies, and where it is written.
std::string decrease_rule(const std::string& cc) {
  if (cc == "cubic") return "CUBIC sets ssthresh = cwnd x 0.7 (beta_cubic, RFC 9438 4.6)";
  if (cc == "bbr") return "BBR (v1) applies no multiplicative decrease: its window follows its model of bandwidth and RTT";
  return "NewReno sets ssthresh = max(FlightSize / 2, 2 SMSS) (RFC 5681 3.1 eq. 4)";
}

}  // namespace

const std::vector<std::string>& window_choices() {
  static const std::vector<std::string> v = {"halve", "to 70 %", "to one segment", "keep"};
  return v;
}

WindowOutcome window_outcome(const FlowSeries& f, const LossEpisode& e) {
  const FlowSample& s = f.samples[e.sample];
  const double before = std::max<double>(1, e.cwnd_before);
  if (e.kind == "loss")
    return {"to one segment", fmt::format("the retransmission timer fired: cwnd {} -> {} (one segment, the loss window of "
                                          "RFC 5681 3.1), ssthresh {}; slow start again",
                                          kb(before), kb(s.cwnd), s.ssthresh < kSsthreshInfinite ? kb(s.ssthresh) : "unset")};
  // Fast recovery: the window goes down to ssthresh (PRR spreads the cut over the round trip).
  const double after = s.ssthresh < kSsthreshInfinite && e.kind == "recovery" ? double(s.ssthresh) : double(s.cwnd);
  const double r = after / before;
  const std::string answer = r < 0.3 ? "to one segment" : r < 0.6 ? "halve" : r < 0.85 ? "to 70 %" : "keep";
  return {answer, fmt::format("{}: cwnd {} -> {} ({:.0f} %)", decrease_rule(f.cc), kb(before), kb(after), 100 * r)};
}

void CcPredictor::reset() { *this = CcPredictor(); }

void CcPredictor::prepare(const CongestionData& d, Instant now) {
  std::optional<std::pair<std::size_t, Instant>> next;
  const FlowSeries* flow = nullptr;
  LossEpisode ep;
  for (std::size_t i = 0; i < d.flows.size(); ++i) {
    const FlowSeries& f = d.series.flows[d.flows[i]];
    for (const auto& e : loss_episodes(f)) {
      if (e.start <= now) continue;
      if (!next || e.start < next->second) {
        next = std::make_pair(i, e.start);
        flow = &f;
        ep = e;
      }
      break;
    }
  }
  if (prepared_ && next == episode_) return;
  prepared_ = true;
  previous_ = std::move(answered_);
  answered_.clear();
  episode_ = next;
  open_ = next.has_value();
  if (!open_) return;
  const WindowOutcome o = window_outcome(*flow, ep);
  q_ = Question{};
  q_.kind = Question::Kind::Window;
  q_.k = d.flows[next->first];
  q_.prompt = d.input.host_names.size() > static_cast<std::size_t>(flow->host) && flow->host >= 0
                  ? d.input.host_names[static_cast<std::size_t>(flow->host)] + " (" + flow->cc +
                        ") will lose a segment. What will its cwnd do?"
                  : "A flow will lose a segment. What will its cwnd do?";
  q_.choices = window_choices();
  q_.answer = o.answer;
  q_.rule = o.rule;
}

bool CcPredictor::answer(const std::string& choice) {
  if (!open_) return false;
  Answered a{q_, choice, choice == q_.answer};
  ++asked_;
  if (a.correct) ++right_;
  answered_.push_back(std::move(a));
  open_ = false;
  return answered_.back().correct;
}

}  // namespace tcplab::viz
