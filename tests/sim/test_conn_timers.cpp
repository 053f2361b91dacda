// The world keeps one timer entry queued per connection (World::ConnTimer): a deadline that
// moves later is queued when the earlier entry pops. Request/response over a 2 ms path re-arms
// the client's retransmission timer (at least 200 ms ahead) on every exchange, a hundred times
// per RTO; queuing every move kept each superseded entry until its time.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

std::string chatty_lab(int exchanges, const std::string& loss, const std::string& client_tcp = "") {
  std::string client = "\"connect server 80\"", server = "\"listen 80\", \"accept\"";
  for (int i = 0; i < exchanges; ++i) {
    client += ", \"send 100\", \"recv 100\"";
    server += ", \"recv 100\", \"send 100\"";
  }
  client += ", \"close\"";
  server += ", \"recv all\", \"close\"";
  return "title = \"chatty\"\nseed = 3\nuntil = \"60s\"\n[[host]]\nname = \"client\"\n" + client_tcp +
         "[[host]]\nname = \"server\"\n"
         "[link]\ndelay = \"1ms\"\nrate = \"100Mbps\"\nloss = \"" +
         loss + "\"\n[[app]]\nhost = \"server\"\nscript = [" + server + "]\n[[app]]\nhost = \"client\"\nscript = [" + client +
         "]\n";
}

}  // namespace

TEST_CASE("one queued timer entry per connection however often its deadline moves later") {
  const Lab lab = lab_text(chatty_lab(300, "0"));
  World w = build_world(lab);
  std::size_t most = 0;
  TraceSink sink;
  while (w.now() <= lab.until && w.step(&sink)) most = std::max(most, w.queued_events());
  // 300 exchanges of 2 ms each (600 ms, three RTOs' worth) set the retransmission timer on
  // every request and response, each time ~200 ms ahead: an entry kept per setting would
  // be over a hundred at once. Kept: each side's entry, an earlier one a delayed ACK set
  // (popping at its time, it queues the RTO again), the packet on the wire, a wake-up.
  int rto_set = 0, time_wait_fired = 0, rto_fired = 0;
  for (const auto& e : sink.events) {
    if (e.type != TraceType::Timer) continue;
    rto_set += e.timer == TimerKind::Rto && e.action == TimerAction::Set;
    time_wait_fired += e.timer == TimerKind::TimeWait && e.action == TimerAction::Fire;
    rto_fired += e.timer == TimerKind::Rto && e.action == TimerAction::Fire;
  }
  MESSAGE("RTO set " << rto_set << " times; at most " << most << " events queued");
  CHECK(rto_set >= 600);
  CHECK(most <= 20);
  CHECK(w.counters().bytes_delivered_to_apps == 2 * 300 * 100);
  CHECK(time_wait_fired == 1);  // the client's 2MSL ran out: the timer still fires
  CHECK(rto_fired == 0);  // nothing was lost: no retransmission timer may go off
}

TEST_CASE("a retransmission timer re-armed later still fires at its deadline when a segment is lost") {
  // No tail loss probe: a lost request or response is the client's RTO's to resend.
  const Lab lab = lab_text(chatty_lab(300, "3%", "tcp = { tail_loss_probe = false }\n"));
  TraceSink sink;
  World w = build_world(lab);
  w.run(UINT64_MAX, lab.until, &sink);
  CHECK(w.counters().bytes_delivered_to_apps == 2 * 300 * 100);  // every exchange completed
  // Each RTO that fired did so at the deadline its last arming set: the timer event's
  // deadline is the instant it fired.
  int rto_fired = 0;
  for (const auto& e : sink.events)
    if (e.type == TraceType::Timer && e.action == TimerAction::Fire && e.timer == TimerKind::Rto) {
      ++rto_fired;
      CHECK(e.deadline_ns == e.t_ns);
    }
  MESSAGE(rto_fired << " RTOs fired");
  CHECK(rto_fired >= 5);  // 3 % loss each way over ~1,200 segments, each recovered by an RTO
}
