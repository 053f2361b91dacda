// Links to a lab and a moment (the web page's #lab=...&step=...): parsing, errors, and the
// round trip from what is shown to a link and back to the same moment.
#include <doctest/doctest.h>

#include "viz/link.hpp"
#include "viz/start.hpp"

using namespace tcplab;
using namespace tcplab::viz;

TEST_SUITE("link") {
  TEST_CASE("a link is the command line in another spelling") {
    std::string err;
    const auto a = link_to_args("#lab=lost-fin&step=12&seed=3", &err);
    REQUIRE(a);
    CHECK(*a == std::vector<std::string>{"lost-fin", "--step", "12", "--seed", "3"});
    const auto b = link_to_args("lab=handshake&fork=drop%20A%3EB%231&tab=netstat&predict=1&play", &err);
    REQUIRE(b);
    CHECK(*b == std::vector<std::string>{"handshake", "--fork", "drop A>B#1", "--tab", "netstat", "--predict", "--play"});
    const auto c = link_to_args("", &err);
    REQUIRE(c);
    CHECK(c->empty());
    const auto o = parse_link("#lab=lost-fin&step=12&seed=3&at=", &err);
    CHECK_FALSE(o);  // --at with an empty duration is the command line's error
    CHECK(err.rfind("link: --at", 0) == 0);
  }

  TEST_CASE("a bad link is one line naming the part") {
    std::string err;
    CHECK_FALSE(link_to_args("#lab=x&stp=3", &err));
    CHECK(err == "link: unknown key 'stp' (lab, seed, step, at, fork, tab, speed, predict, play)");
    CHECK_FALSE(link_to_args("#lab=a%2", &err));
    CHECK(err == "link: bad %-escape in 'lab=a%2'");
    CHECK_FALSE(link_to_args("#lab=a%zz", &err));
    CHECK_FALSE(link_to_args("#predict=yes", &err));
    CHECK(err == "link: predict takes 1 or 0, not 'yes'");
    CHECK_FALSE(parse_link("#step=-1", &err));
    CHECK(err == "link: --step: '-1' is not a non-negative integer");
  }

  TEST_CASE("the link to what is shown opens the same moment") {
    std::string err;
    const auto opt = parse_link("#lab=lost-fin&step=12&seed=3", &err);
    REQUIRE_MESSAGE(opt, err);
    Started st = start_session(*opt);
    REQUIRE_MESSAGE(st.session, st.error);
    CHECK(st.session->lab().seed == 3);
    CHECK(st.session->index().row_at_cursor(st.session->cursor()) == 11);
    CHECK(link_for(*st.session, st.ui) == "#lab=lost-fin&seed=3&step=12");

    // One more step, then the link of that moment opens at the same cursor.
    REQUIRE(st.session->step(1));
    const std::string link = link_for(*st.session, st.ui);
    CHECK(link == "#lab=lost-fin&seed=3&step=13");
    Started again = start_session(*parse_link(link, &err));
    REQUIRE(again.session);
    CHECK(again.session->cursor() == st.session->cursor());
    CHECK(again.session->display_time() == st.session->display_time());
  }

  TEST_CASE("a fork and the tab are part of the link") {
    std::string err;
    Started st = start_session(*parse_link("#lab=handshake", &err));
    REQUIRE(st.session);
    const auto& ix = st.session->index();
    REQUIRE_FALSE(ix.endpoints().empty());
    const std::uint64_t first_send = ix.endpoints()[ix.default_pair()[0]].sends.at(0);
    REQUIRE(st.session->fork_segment(first_send, FaultAction::Drop, 0) == "");
    REQUIRE(st.session->active() == 1);
    st.ui.tab = Tab::Netstat;
    for (int i = 0; i < 5; ++i) st.session->step(1);
    const std::string link = link_for(*st.session, st.ui);
    CHECK(link.find("&fork=drop%20") != std::string::npos);
    CHECK(link.find("&tab=netstat") != std::string::npos);
    Started again = start_session(*parse_link(link, &err));
    REQUIRE_MESSAGE(again.session, again.error);
    CHECK(again.session->active() == 1);
    CHECK(again.session->slot(1).rules == st.session->slot(1).rules);
    CHECK(again.session->cursor() == st.session->cursor());
    CHECK(again.ui.tab == Tab::Netstat);
    CHECK(link_for(*again.session, again.ui) == link);
  }
}
