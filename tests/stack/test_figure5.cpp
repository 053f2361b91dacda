// RFC 9293 Figure 5 (TCP connection state diagram) plus the transitions the RFC's text adds
// (RST, timeouts, ABORT, a host's crash): the table of stack/transitions.cpp. Each scenario
// drives a connection along some rows; every state change names the row it took
// (StateEvent::rule), and the test fails, naming them, if a row of the table was never taken.
#include <functional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <tuple>

#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

using Edges = std::vector<StateEvent>;

// ------------------------------------------------------------------ scenarios

Edges passive_open_and_passive_close() {  // CLOSED→LISTEN ... ESTABLISHED→CLOSE_WAIT→LAST_ACK→CLOSED
  Ep ep = listen();
  feed(ep, 0, peer_syn());
  feed(ep, ms(1), Seg{.ack = ep.tcb().iss.raw() + 1});
  feed(ep, ms(2), Seg{.ack = ep.tcb().iss.raw() + 1, .flags = kFin | kAck});
  close(ep, ms(3));
  feed(ep, ms(4), Seg{.seq = R + 2, .ack = ep.tcb().iss.raw() + 2});
  return ep.edges;
}

Edges active_open_and_active_close() {  // CLOSED→SYN_SENT→ESTABLISHED→FIN_WAIT_1→FIN_WAIT_2→TIME_WAIT→CLOSED
  Ep ep = syn_sent();
  feed(ep, ms(1), Seg{.seq = R, .ack = L + 1, .flags = kSyn | kAck, .mss = kMss});
  close(ep, ms(2));
  feed(ep, ms(3), Seg{.ack = L + 2});
  feed(ep, ms(4), Seg{.ack = L + 2, .flags = kFin | kAck});
  fire(ep, ms(4) + sec(60));
  return ep.edges;
}

Edges listen_send() {  // LISTEN→SYN_SENT
  Ep ep = listen();
  call(ep, 0, [](Connection& c, Output& o) { return c.connect_from_listen(0, kRemote, Seq32(L), o); });
  return ep.edges;
}

Edges listen_close() {  // LISTEN→CLOSED
  Ep ep = listen();
  close(ep, 0);
  return ep.edges;
}

Edges syn_sent_close() {  // SYN_SENT→CLOSED (CLOSE)
  Ep ep = syn_sent();
  close(ep, ms(1));
  return ep.edges;
}

Edges syn_sent_timeout() {  // SYN_SENT→CLOSED (timeout)
  Ep ep = syn_sent();
  while (ep.state() == State::SynSent) fire(ep, ep.c.next_deadline());
  return ep.edges;
}

Edges syn_sent_rst() {  // SYN_SENT→CLOSED (RST)
  Ep ep = syn_sent();
  feed(ep, ms(1), Seg{.seq = 0, .ack = L + 1, .flags = kRst | kAck});
  return ep.edges;
}

Edges simultaneous_open() {  // SYN_SENT→SYN_RECEIVED→ESTABLISHED
  Pair p = pair();
  call(p.a, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(R), o); return Errno::Ok; });
  call(p.b, 0, [](Connection& c, Output& o) { c.open_active(0, Seq32(L), o); return Errno::Ok; });
  p.settle();
  Edges e = p.a.edges;
  e.insert(e.end(), p.b.edges.begin(), p.b.edges.end());
  return e;
}

Edges syn_received_rst_passive() {  // SYN_RECEIVED→LISTEN (RST)
  Ep ep = syn_received();
  feed(ep, ms(1), Seg{.ack = 0, .flags = kRst});
  return ep.edges;
}

Edges syn_received_syn_passive() {  // SYN_RECEIVED→LISTEN (SYN)
  Ep ep = syn_received();
  feed(ep, ms(1), Seg{.seq = R + 10, .ack = 0, .flags = kSyn});
  return ep.edges;
}

Edges syn_received_rst_active() {  // SYN_RECEIVED→CLOSED (RST on an active open)
  Ep ep = syn_sent();
  feed(ep, 0, Seg{.seq = R, .ack = 0, .flags = kSyn});
  feed(ep, ms(1), Seg{.ack = 0, .flags = kRst});
  return ep.edges;
}

Edges syn_received_timeout() {  // SYN_RECEIVED→CLOSED (SYN,ACK retries exhausted)
  Ep ep = syn_received();
  while (ep.state() == State::SynReceived) fire(ep, ep.c.next_deadline());
  return ep.edges;
}

Edges syn_received_close() {  // SYN_RECEIVED→FIN_WAIT_1
  Ep ep = syn_received();
  close(ep, ms(1));
  return ep.edges;
}

Edges syn_received_close_with_data() {  // SYN_RECEIVED→ESTABLISHED→FIN_WAIT_1 (CLOSE queued, 3.10.4)
  Ep ep = syn_received();
  send(ep, ms(1), "queued");
  close(ep, ms(2));
  feed(ep, ms(3), Seg{});
  return ep.edges;
}

Edges simultaneous_close() {  // FIN_WAIT_1→CLOSING→TIME_WAIT
  Ep ep = closing();
  feed(ep, ms(1), Seg{.seq = R + 2, .ack = L + 2});
  return ep.edges;
}

Edges fin_wait_1_fin_ack() {  // FIN_WAIT_1→TIME_WAIT
  Ep ep = fin_wait_1();
  feed(ep, ms(1), Seg{.ack = L + 2, .flags = kFin | kAck});
  return ep.edges;
}

Edges data_after_close() {  // FIN_WAIT_1/2→CLOSED: new data after close() gets RST (3.6.1)
  Edges e;
  Ep fw1 = fin_wait_1();
  feed(fw1, sec(1), Seg{.ack = L + 1, .payload = "late"});
  e.push_back(fw1.edges.back());
  Ep fw2 = fin_wait_2();
  feed(fw2, sec(1), Seg{.ack = L + 2, .payload = "late"});
  e.push_back(fw2.edges.back());
  return e;
}

Edges fin_wait_2_timeout() {  // FIN_WAIT_2→CLOSED (linux tcp_fin_timeout)
  Ep ep = fin_wait_2();
  fire(ep, ep.deadline(TimerKind::FinWait2));
  return ep.edges;
}

Edges rst_everywhere() {  // X→CLOSED on an exact RST
  Edges e;
  auto take = [&](Ep ep, std::uint32_t rcv_nxt) {
    feed(ep, sec(1), Seg{.seq = rcv_nxt, .ack = 0, .flags = kRst});
    e.insert(e.end(), ep.edges.end() - 1, ep.edges.end());
  };
  take(established(), R + 1);
  take(fin_wait_1(), R + 1);
  take(fin_wait_2(), R + 1);
  take(close_wait(), R + 2);
  take(closing(), R + 2);
  take(last_ack(), R + 2);
  take(time_wait(rfc()), R + 2);
  return e;
}

Edges aborts() {  // ABORT (3.10.5) in the synchronized states (RST sent, or not from CLOSING on)
  Edges e;
  for (Ep ep : {established(), fin_wait_1(), fin_wait_2(), close_wait(), syn_received(), closing(), last_ack(),
                time_wait()}) {
    abort(ep, sec(1));
    e.push_back(ep.edges.back());
  }
  return e;
}

Edges data_timeout() {  // ESTABLISHED→CLOSED after the retransmission limit
  Ep ep = established();
  send(ep, ms(1), "lost");
  while (ep.state() == State::Established) fire(ep, ep.c.next_deadline());
  return ep.edges;
}

Edges keepalive_timeout() {  // ESTABLISHED→CLOSED after unanswered keepalive probes
  TcpConfig cfg = plain();
  cfg.keepalive = true;
  Ep ep = established(cfg);
  while (ep.state() == State::Established) fire(ep, ep.c.next_deadline());
  return ep.edges;
}

Edges linux_close_with_unread_data() {  // ESTABLISHED→CLOSED with RST (tcp_close)
  Ep ep = established();
  feed(ep, ms(1), Seg{.payload = "unread"});
  close(ep, ms(2));
  return ep.edges;
}

Edges aborts_unsynchronized() {  // ABORT in LISTEN and SYN-SENT: delete the TCB, no RST
  Edges e;
  for (Ep ep : {listen(), syn_sent()}) {
    abort(ep, sec(1));
    e.push_back(ep.edges.back());
  }
  return e;
}

Edges retransmission_timeouts() {  // R2 in every state that has something outstanding
  Edges e;
  auto until_closed = [&](Ep ep) {
    const State from = ep.state();
    while (ep.state() == from) fire(ep, ep.c.next_deadline());
    e.push_back(ep.edges.back());
  };
  Ep cw = close_wait();
  send(cw, ms(1), "lost");
  until_closed(cw);
  until_closed(fin_wait_1());
  until_closed(closing());
  until_closed(last_ack());
  return e;
}

Edges keepalive_timeouts() {  // unanswered keep-alive probes in CLOSE-WAIT and FIN-WAIT-2
  TcpConfig cfg = plain();
  cfg.keepalive = true;
  Edges e;
  auto until_closed = [&](Ep ep) {
    const State from = ep.state();
    while (ep.state() == from) fire(ep, ep.c.next_deadline());
    e.push_back(ep.edges.back());
  };
  until_closed(close_wait(cfg));
  // Half-closed, not closed: no FIN-WAIT-2 timer, the keep-alive timer ends it.
  Ep fw2 = established(cfg);
  shutdown(fw2, 0);
  feed(fw2, 0, Seg{.ack = L + 2});
  REQUIRE(fw2.state() == State::FinWait2);
  until_closed(fw2);
  return e;
}

Edges linux_close_wait_with_unread_data() {  // CLOSE_WAIT→CLOSED with RST (tcp_close)
  Ep ep = established();
  feed(ep, ms(1), Seg{.payload = "unread"});
  feed(ep, ms(2), Seg{.seq = R + 7, .flags = kFin | kAck});
  REQUIRE(ep.state() == State::CloseWait);
  close(ep, ms(3));
  return ep.edges;
}

Edges time_wait_new_syn() {  // TIME_WAIT→CLOSED: a new SYN above RCV.NXT reopens the pair
  Ep ep = time_wait();
  call(ep, sec(1), [](Connection& c, Output& o) {
    const bool yielded = c.yield_to_new_syn(sec(1), to_segment(Seg{.seq = R + 100, .ack = 0, .flags = kSyn}), o);
    return yielded ? Errno::Ok : Errno::Inval;
  });
  return ep.edges;
}

Edges crashes() {  // every state but CLOSED → CLOSED when the host crashes
  Edges e;
  for (Ep ep : {listen(), syn_sent(), syn_received(), established(), fin_wait_1(), fin_wait_2(), close_wait(),
                closing(), last_ack(), time_wait()}) {
    call(ep, sec(1), [](Connection& c, Output& o) { c.crash(sec(1), "host test crashed", o); return Errno::Ok; });
    CHECK(timers_of(ep.out).empty());  // a crash cancels nothing visibly: the timers are gone with the host
    CHECK(sends_of(ep.out).empty());
    e.push_back(ep.edges.back());
  }
  return e;
}

// ------------------------------------------------------------------ matching

std::string name(const Transition& t) {
  return std::string(state_name(t.from)) + "→" + std::string(state_name(t.to)) + " on " + t.event + " (" +
         std::string(tcp_event_name(t.on)) + ", RFC 9293 " + t.section + ")";
}

bool seen(const Edges& observed, const Transition& t) {
  return std::any_of(observed.begin(), observed.end(), [&](const StateEvent& s) { return s.rule == &t; });
}

}  // namespace

TEST_SUITE("Figure 5") {

TEST_CASE("Figure 5: every row of the transition table is exercised") {
  const std::vector<std::function<Edges()>> scenarios = {
      passive_open_and_passive_close, active_open_and_active_close, listen_send, listen_close,
      syn_sent_close, syn_sent_timeout, syn_sent_rst, simultaneous_open, syn_received_rst_passive,
      syn_received_syn_passive, syn_received_rst_active, syn_received_timeout, syn_received_close,
      syn_received_close_with_data, simultaneous_close, fin_wait_1_fin_ack, fin_wait_2_timeout, rst_everywhere, aborts,
      data_timeout, keepalive_timeout, linux_close_with_unread_data, aborts_unsynchronized, retransmission_timeouts,
      keepalive_timeouts, linux_close_wait_with_unread_data, time_wait_new_syn, crashes, data_after_close};
  Edges observed;
  for (const auto& s : scenarios) {
    const Edges e = s();
    observed.insert(observed.end(), e.begin(), e.end());
  }

  std::string missing;
  for (const Transition& t : transitions())
    if (!seen(observed, t)) missing += "\n  " + name(t);
  // set_state() attaches the row it checked; a change without one, or with a row for other
  // states, would mean the check was bypassed.
  std::string unchecked;
  for (const StateEvent& s : observed) {
    if (!s.rule || s.rule->from != s.from || s.rule->to != s.to)
      unchecked += "\n  " + std::string(state_name(s.from)) + "→" + std::string(state_name(s.to)) + ": " + s.cause;
  }
  INFO(observed.size() << " transitions observed in " << scenarios.size() << " scenarios");
  if (!missing.empty()) FAIL_CHECK("rows of stack/transitions.cpp never exercised:" << missing);
  if (!unchecked.empty()) FAIL_CHECK("transitions without their table row:" << unchecked);
  CHECK(missing.empty());
  CHECK(unchecked.empty());
}

TEST_CASE("Figure 5: the check can fail (a row no scenario drives is reported)") {
  const Edges observed = active_open_and_active_close();
  const Transition* drawn = find_transition(State::SynSent, State::Established, TcpEvent::RcvSynAck);
  const Transition* rst = find_transition(State::SynSent, State::Closed, TcpEvent::RcvRst);
  REQUIRE(drawn);
  REQUIRE(rst);
  CHECK(seen(observed, *drawn));
  CHECK_FALSE(seen(observed, *rst));
}

TEST_CASE("transition table: Figure 5's 20 arrows, no duplicates, nothing to the same state") {
  const auto all = transitions();
  const auto fig = figure5_transitions();
  CHECK(fig.size() == 20);
  CHECK(fig.data() == all.data());  // the drawn arrows come first
  std::set<std::pair<State, State>> drawn;
  std::set<std::tuple<State, State, TcpEvent>> keys;
  for (const Transition& t : all) {
    CAPTURE(name(t));
    CHECK(t.from != t.to);
    CHECK(keys.insert({t.from, t.to, t.on}).second);  // no duplicate edge
    CHECK(std::string_view(t.section).rfind("3.", 0) == 0);
    CHECK(std::string_view(t.event) != "");
    if (t.figure5) CHECK(drawn.insert({t.from, t.to}).second);
  }
  CHECK(drawn.size() == 20);
  for (const Transition& t : fig) CHECK(t.figure5);
  // RFC 9293 Figure 5, arrow by arrow (its captions are the diagram's).
  const std::vector<std::pair<State, State>> figure = {
      {State::Closed, State::Listen},         {State::Closed, State::SynSent},       {State::Listen, State::Closed},
      {State::Listen, State::SynReceived},    {State::Listen, State::SynSent},       {State::SynSent, State::Closed},
      {State::SynSent, State::SynReceived},   {State::SynSent, State::Established},  {State::SynReceived, State::Listen},
      {State::SynReceived, State::Established}, {State::SynReceived, State::FinWait1}, {State::Established, State::FinWait1},
      {State::Established, State::CloseWait}, {State::FinWait1, State::FinWait2},    {State::FinWait1, State::Closing},
      {State::FinWait2, State::TimeWait},     {State::Closing, State::TimeWait},     {State::CloseWait, State::LastAck},
      {State::LastAck, State::Closed},        {State::TimeWait, State::Closed}};
  for (const auto& arrow : figure) {
    const std::string label = std::string(state_name(arrow.first)) + "→" + std::string(state_name(arrow.second));
    CAPTURE(label);
    const Transition* t = find_transition(arrow.first, arrow.second);
    REQUIRE(t);
    CHECK(t->figure5);
  }
  CHECK(find_transition(State::TimeWait, State::Closed)->on == TcpEvent::Timeout2Msl);  // the drawn row wins
}

TEST_CASE("transition table: an illegal transition is rejected, loudly") {
  // SYN-RECEIVED → CLOSE-WAIT: a FIN must carry an ACK, and the ACK takes SYN-RECEIVED to
  // ESTABLISHED first, so the stack never makes this step (nor CLOSED → ESTABLISHED).
  CHECK(find_transition(State::SynReceived, State::CloseWait) == nullptr);
  CHECK(find_transition(State::Closed, State::Established) == nullptr);
  // A legal pair on the wrong event is illegal too.
  CHECK(find_transition(State::Established, State::Closed, TcpEvent::Timeout2Msl) == nullptr);
  CHECK(find_transition(State::Established, State::Closed, TcpEvent::RcvRst) != nullptr);
  CHECK_THROWS_AS(require_transition(State::SynReceived, State::CloseWait, TcpEvent::RcvFin, "a test"),
                  std::logic_error);
  try {
    require_transition(State::Established, State::Closed, TcpEvent::Timeout2Msl, "the cause in question");
    FAIL("no exception");
  } catch (const std::logic_error& e) {
    const std::string what = e.what();
    CHECK(what.find("ESTABLISHED") != std::string::npos);
    CHECK(what.find("CLOSED") != std::string::npos);
    CHECK(what.find("Timeout2Msl") != std::string::npos);
    CHECK(what.find("the cause in question") != std::string::npos);
  }
  CHECK(&require_transition(State::Established, State::CloseWait, TcpEvent::RcvFin, "") ==
        find_transition(State::Established, State::CloseWait));
}

}  // TEST_SUITE
