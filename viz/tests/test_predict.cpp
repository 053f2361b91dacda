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
