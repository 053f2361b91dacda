// The session without a window: stepping, seeking, playing, forking, as the panels see it.
#include <doctest/doctest.h>

#include "viz/session.hpp"

using namespace tcplab;
using namespace tcplab::viz;

namespace {

std::string session_lab(const char* f) { return std::string(VIZ_TEST_LABS) + "/" + f; }

State state_of(const Session& s, const std::string& host_name) {
  const auto& ix = s.index();
  for (auto ep : ix.default_pair()) {
    const auto& e = ix.endpoints()[ep];
    if (ix.host_names()[static_cast<std::size_t>(e.host)] != host_name) continue;
    const ConnId c = s.conn_at_cursor(e.host, e.label);
    if (c != kNoConn) return s.world().stack(e.host).conn(c).state();
    if (e.listener_ep != kNone) {
      const auto& l = ix.endpoints()[e.listener_ep];
      const ConnId lc = s.conn_at_cursor(l.host, l.label);
      if (lc != kNoConn) return s.world().stack(l.host).conn(lc).state();
    }
  }
  return State::Closed;
}

}  // namespace

TEST_SUITE("session") {
  TEST_CASE("the handshake's main pair is the client's connection and the server's child") {
    Session s("handshake");
    const auto pair = s.index().default_pair();
    REQUIRE(pair.size() == 2);
    const auto& a = s.index().endpoints()[pair[0]];
    const auto& b = s.index().endpoints()[pair[1]];
    CHECK(s.index().host_names()[static_cast<std::size_t>(a.host)] == "client");
    CHECK(a.label == "10.0.0.1:39870>10.0.0.2:9502");
    CHECK(b.label == "10.0.0.2:9502>10.0.0.1:39870");
    CHECK(b.listener_ep != kNone);
    CHECK(s.index().endpoints()[b.listener_ep].listener);
  }

  TEST_CASE("a step stops at the end of a world step that shows something") {
    Session s("handshake");
    CHECK(s.cursor() == 0);
    REQUIRE(s.step(1));  // the server listens
    CHECK(state_of(s, "server") == State::Listen);
    CHECK(state_of(s, "client") == State::Closed);
    REQUIRE(s.step(1));  // the client connects: SYN_SENT and the SYN, in one step
    CHECK(state_of(s, "client") == State::SynSent);
    CHECK(s.display_time() == ms(1));
    const auto& tr = s.index().trace();
    CHECK(tr[s.cursor() - 1].type == TraceType::Timer);  // the RTO set in the same step is included
    REQUIRE(s.step(1));
    CHECK(state_of(s, "server") == State::SynReceived);
    REQUIRE(s.step(-1));
    CHECK(state_of(s, "server") == State::Listen);
  }

  TEST_CASE("step to the next state change skips the steps without one") {
    Session s("handshake");
    const auto eps = s.index().default_pair();
    s.seek(s.index().cursor_at_time(ms(2)));  // established on both sides
    CHECK(state_of(s, "client") == State::Established);
    REQUIRE(s.step_state(1, eps));  // over the data exchange, to the FIN
    CHECK(state_of(s, "client") == State::FinWait1);
    CHECK(s.display_time() == us(101200));
    REQUIRE(s.step_state(-1, eps));
    CHECK(state_of(s, "server") == State::Established);
  }

  TEST_CASE("seek snaps to a step's end and the snapshot follows") {
    Session s("handshake");
    const std::uint64_t n = s.index().size();
    s.seek(n);
    CHECK(s.cursor() == n);
    CHECK(state_of(s, "client") == State::Closed);
    s.seek(5);  // inside the client's connect step
    CHECK(s.cursor() == s.index().group_end_of(4));
    s.seek_time(sec(30));
    CHECK(state_of(s, "client") == State::TimeWait);
    CHECK(s.display_time() == sec(30));
    s.restart();
    CHECK(s.cursor() == 0);
  }

  TEST_CASE("segments are matched with their fate, lost ones included") {
    Session s(session_lab("lost-fin.toml"));
    int lost = 0, retx = 0;
    for (const auto& g : s.index().segments()) {
      const auto& e = s.index().trace()[g.send_k];
      if (g.fate == SegFate::LostOnWay) {
        ++lost;
        CHECK(e.id == "A>B#5");
        CHECK(g.label == "[F.] seq 8, ack 19");
      } else {
        CHECK(g.fate == SegFate::Delivered);
      }
      retx += e.retx ? 1 : 0;
    }
    CHECK(lost == 1);
    CHECK(retx == 1);
  }

  TEST_CASE("play moves the cursor by virtual time, at a fixed rate, and jumps idle stretches") {
    Session s("handshake");
    UiState ui;
    ui.playing = true;
    ui.speed_per_s = ms(1);
    ui.skip_gaps = false;
    for (int i = 0; i < 66; ++i) s.tick(1.0 / 60.0, ui, {});  // 1.1 s of real time
    CHECK(s.display_time() >= us(1095));
    CHECK(s.display_time() <= us(1110));
    // The same real time in one big frame gives the same virtual time (at most 0.25 s per frame).
    Session t("handshake");
    UiState u2 = ui;
    for (int i = 0; i < 5; ++i) t.tick(0.22, u2, {});
    CHECK(std::abs(t.display_time() - s.display_time()) <= us(20));
    // Skipping idle time: the 100 ms pause before the request takes one tick.
    ui.skip_gaps = true;
    s.seek_time(ms(2));
    ui.playing = true;
    s.tick(1.0 / 60.0, ui, {});
    CHECK(s.display_time() >= us(101100));
  }

  TEST_CASE("play stops at the end") {
    Session s("handshake");
    UiState ui;
    ui.playing = true;
    ui.speed_per_s = sec(60);
    for (int i = 0; i < 600 && ui.playing; ++i) s.tick(1.0 / 60.0, ui, {});
    CHECK_FALSE(ui.playing);
    CHECK(s.cursor() == s.index().size());
  }

  TEST_CASE("forking with a dropped segment keeps the original and finds the first difference") {
    Session s("handshake");
    // The server's reply, B>A#3.
    std::uint64_t k = 0;
    for (const auto& g : s.index().segments())
      if (s.index().trace()[g.send_k].id == "B>A#3") k = g.send_k;
    REQUIRE(k > 0);
    CHECK(s.rule_for_segment(k, FaultAction::Drop, 0) == "drop B>A#3");
    CHECK(s.rule_for_segment(k, FaultAction::Delay, ms(200)) == "delay B>A#3 by 200ms");
    REQUIRE(s.fork_segment(k, FaultAction::Drop, 0) == "");
    CHECK(s.has_fork());
    CHECK(s.active() == 1);
    CHECK(s.slot(1).name == "drop B>A#3");
    REQUIRE(s.first_difference());
    const auto d = *s.first_difference();
    CHECK(d > k);  // the send is the same; the drop that follows it is the difference
    CHECK(s.index().trace()[d].type == TraceType::Drop);
    CHECK(s.slot(0).index->trace()[d].type != TraceType::Drop);
    // The cursor shows the dropped segment.
    CHECK(s.cursor() == s.index().group_end_of(k));
    // The server retransmits its reply in the fork.
    int retx = 0;
    for (const auto& e : s.index().trace()) retx += e.type == TraceType::Send && e.retx ? 1 : 0;
    CHECK(retx >= 1);
    s.show(0);
    CHECK(s.active() == 0);
    s.discard_fork();
    CHECK_FALSE(s.has_fork());
  }

  TEST_CASE("a fork of a fork keeps both rules") {
    Session s("handshake");
    REQUIRE(s.fork_rule("drop B>A#3", 0) == "");
    REQUIRE(s.fork_rule("delay A>B#2 by 5ms", 0) == "");
    CHECK(s.slot(1).rules == std::vector<std::string>{"drop B>A#3", "delay A>B#2 by 5ms"});
    CHECK(s.slot(1).name == "drop B>A#3 + delay A>B#2 by 5ms");
    CHECK(s.fork_rule("explode A>B#1", 0).find("unknown fault action") != std::string::npos);
  }

  TEST_CASE("commands are carried out between frames") {
    Session s("handshake");
    UiState ui;
    Commands c;
    c.step(1);
    c.step(1);
    for (const auto& x : c.queue) s.apply(x, ui);
    CHECK(state_of(s, "client") == State::SynSent);
    Commands bad;
    bad.load_lab("no-such-lab");
    s.apply(bad.queue[0], ui);
    CHECK(ui.status_error);
    CHECK(s.lab().name == "handshake");  // a bad lab leaves the session as it was
  }

  TEST_CASE("predict mode holds the step until the questions are answered") {
    Session s("handshake");
    UiState ui;
    ui.predict = true;
    Commands c;
    c.step(1);  // the server's listen: a state question
    s.apply(c.queue[0], ui);
    CHECK(s.cursor() == 0);
    const Question* q = s.predictor().current();
    REQUIRE(q);
    CHECK(q->kind == Question::Kind::State);
    CHECK(q->answer == "LISTEN");
    Commands a;
    a.answer("SYN_SENT");
    s.apply(a.queue[0], ui);
    CHECK(s.predictor().asked() == 1);
    CHECK(s.predictor().right() == 0);
    CHECK(s.predictor().ready());
    s.apply(c.queue[0], ui);
    CHECK(s.cursor() > 0);
  }
}

TEST_SUITE("trace index") {
  TEST_CASE("rows hold one visible world step each and arrows are found by row") {
    Session s("handshake");
    const auto& ix = s.index();
    CHECK(ix.rows().size() == 14);
    CHECK(ix.segments().size() == 10);  // a three-segment close
    std::vector<std::uint32_t> near;
    ix.segments_near_rows(0, static_cast<std::uint32_t>(ix.rows().size() - 1), &near);
    CHECK(near.size() == 10);  // each segment once
    // Every arrow that crosses a row is among the candidates for it.
    for (std::uint32_t r = 0; r < ix.rows().size(); ++r) {
      ix.segments_near_rows(r, r, &near);
      for (std::uint32_t i = 0; i < ix.segments().size(); ++i) {
        const auto& g = ix.segments()[i];
        if (g.row_send <= r && g.row_fate >= r) CHECK(std::find(near.begin(), near.end(), i) != near.end());
      }
    }
  }

  TEST_CASE("relative numbers as tcpdump prints them") {
    Session s("handshake");
    std::vector<std::string> l;
    for (const auto& g : s.index().segments()) l.push_back(g.label);
    CHECK(l == std::vector<std::string>{"[S] seq 3654526670", "[S.] seq 494211253, ack 3654526671", "[.] ack 1",
                                        "[P.] seq 1:8, ack 1", "[.] ack 8", "[P.] seq 1:19, ack 8", "[.] ack 19",
                                        "[F.] seq 8, ack 19", "[F.] seq 19, ack 9", "[.] ack 20"});
  }

  TEST_CASE("connections per state over time") {
    Session s("handshake");
    const auto& ix = s.index();
    const StateCounts* c = ix.counts_at(ix.cursor_at_time(ms(2)));
    REQUIRE(c);
    CHECK(c->count[static_cast<int>(State::Established)] == 2);
    CHECK(c->count[static_cast<int>(State::Listen)] == 1);
    c = ix.counts_at(ix.cursor_at_time(sec(30)));
    REQUIRE(c);
    CHECK(c->count[static_cast<int>(State::TimeWait)] == 1);
    CHECK(c->count[static_cast<int>(State::Established)] == 0);
  }
}
