#include <doctest/doctest.h>

#include "viz/predict.hpp"
#include "viz/rfc.hpp"
#include "viz/session.hpp"

using namespace tcplab;
using namespace tcplab::viz;

TEST_SUITE("predict") {
  TEST_CASE("the server's SYN_RECEIVED step asks for the state, then the SYN-ACK's flags") {
    Session s("handshake");
    s.step(1);
    s.step(1);  // the SYN is on its way
    Predictor p;
    p.prepare(s.index(), s.cursor(), s.index().default_pair());
    const Question* q = p.current();
    REQUIRE(q);
    CHECK(q->kind == Question::Kind::State);
    CHECK(q->prompt == "server is in LISTEN. Which state next?");
    CHECK(q->answer == "SYN_RECEIVED");
    CHECK(q->rule.find("3.10.7.2 LISTEN") == 0);
    CHECK(p.answer("SYN_RECEIVED"));
    q = p.current();
    REQUIRE(q);
    CHECK(q->kind == Question::Kind::Flags);
    CHECK(q->answer == "S.");
    CHECK(q->rule.find("3.10.7.2") != std::string::npos);
    CHECK_FALSE(p.answer("S"));
    CHECK(p.ready());
    CHECK(p.right() == 1);
    CHECK(p.asked() == 2);
    CHECK(p.answered().size() == 2);
    // Preparing the same step again changes nothing; the next step moves the answers to previous().
    p.prepare(s.index(), s.cursor(), s.index().default_pair());
    CHECK(p.answered().size() == 2);
    s.step(1);
    p.prepare(s.index(), s.cursor(), s.index().default_pair());
    CHECK(p.previous().size() == 2);
    CHECK(p.answered().empty());
  }

  TEST_CASE("flag choices always contain the answer") {
    CHECK(flag_choices("S.").size() == 8);
    const auto v = flag_choices("FP.U");
    CHECK(v.back() == "FP.U");
  }

  TEST_CASE("Figure 5 has its twenty edges and nothing else") {
    CHECK(figure5_edges().size() == 20);
    CHECK(figure5_edge(State::SynSent, State::SynReceived) != nullptr);
    CHECK(figure5_edge(State::TimeWait, State::Closed) != nullptr);
    CHECK(figure5_edge(State::Established, State::Closed) == nullptr);  // a RST does it, not the figure
    CHECK(fig5_name(State::SynReceived) == "SYN-RCVD");
  }
}

TEST_SUITE("predict") {
  TEST_CASE("the congestion pane's series run links each loss to the ladder and asks what it does to cwnd") {
    Session s(std::string(VIZ_TEST_LABS) + "/two-flows.toml");
    const CongestionData& d = s.congestion();
    REQUIRE(d.error.empty());
    CHECK(d.same_trace);  // the series run is the timeline's run: trace_seq indexes the ladder's trace
    REQUIRE(d.flows.size() == 2);
    REQUIRE(d.figure.panels.size() == 4);
    const auto& tr = s.index().trace();
    std::size_t linked = 0;
    for (std::size_t p = 0; p < d.figure.panels.size(); ++p)
      for (std::size_t m = 0; m < d.figure.panels[p].marks.size(); ++m) {
        const auto& mark = d.figure.panels[p].marks[m];
        const auto& link = d.links[p][m];
        if (mark.series != "loss" && mark.series != "drop") continue;
        REQUIRE(link);
        CHECK(tr[link->event].t_ns == mark.t);  // the event happened at the mark's instant
        if (mark.series == "drop") {
          CHECK(tr[link->event].type == TraceType::Drop);
          CHECK(tr[link->event].where == "queue");
        }
        if (link->send_k) {
          CHECK(tr[*link->send_k].type == TraceType::Send);
          ++linked;
        }
      }
    CHECK(linked >= 4);
    // Predict: the first loss after 1 s, asked once; answering opens the curves.
    CcPredictor p;
    p.prepare(d, ms(1000));
    const Question* q = p.current();
    REQUIRE(q);
    CHECK(q->kind == Question::Kind::Window);
    CHECK(q->choices == window_choices());
    CHECK(p.hiding());
    const std::string right = q->answer;
    CHECK(p.answer(right));
    CHECK_FALSE(p.hiding());
    p.prepare(d, ms(1000));  // the same episode: still answered
    CHECK_FALSE(p.hiding());
    p.prepare(d, p.episode()->second);  // at the loss itself: the next one is asked about
    CHECK(p.hiding());
    CHECK(p.right() == 1);
  }

  TEST_CASE("what a loss does to the window: a timeout is one segment, NewReno halves, CUBIC keeps 70 %") {
    FlowSeries f;
    f.cc = "newreno";
    f.samples.push_back({0, 100000, kSsthreshInfinite, 0, 0, 0, 0, "congestion avoidance", 0});
    f.samples.push_back({ms(10), 90000, 50000, 0, 0, 0, 0, "recovery", 0});
    LossEpisode e{1, ms(10), ms(20), "recovery", 100000};
    CHECK(window_outcome(f, e).answer == "halve");
    f.cc = "cubic";
    f.samples[1].ssthresh = 70000;
    CHECK(window_outcome(f, e).answer == "to 70 %");
    e.kind = "loss";
    f.samples[1].cwnd = 1448;
    CHECK(window_outcome(f, e).answer == "to one segment");
  }
}
