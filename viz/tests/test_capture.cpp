// A capture in the visualizer's core (viz/capture_model.hpp, Session's capture mode): the
// import's trace made drawable (each segment from its send to its arrival, placed by the
// capture point), the TCB estimates by time, netstat at the cursor, and what a capture
// refuses (a fork, a seed). tests/import/linux/linux-close.pcap: Linux 6.18's own TCP,
// captured at the client 10.77.0.1 (tests/kernel/record_captures.sh).
#include <doctest/doctest.h>

#include <string>

#include "viz/session.hpp"
#include "viz/start.hpp"

using namespace tcplab;
using namespace tcplab::viz;

namespace {

const std::string kCapture = std::string(VIZ_TEST_CAPTURES) + "/linux-close.pcap";

}  // namespace

TEST_SUITE("capture") {
  TEST_CASE("each segment runs from its sender's send to its receiver's arrival, placed by the capture point") {
    const auto m = load_capture(kCapture);
    REQUIRE(m->capture_host == "10.77.0.1");
    CHECK(m->name == "linux-close");
    CHECK(m->segments == 11);
    REQUIRE(m->conns.size() == 1);
    const Duration d = m->conns[0].delay;
    REQUIRE(d > 0);
    int sends = 0, delivers = 0;
    Instant prev = 0;
    for (std::size_t k = 0; k < m->trace.size(); ++k) {
      const TraceEvent& e = m->trace[k];
      CHECK(e.t_ns >= prev);  // in time order
      prev = e.t_ns;
      if (e.type != TraceType::Send) {
        delivers += e.type == TraceType::Deliver;
        continue;
      }
      ++sends;
      // Its arrival: the same id, at the other host, later in the trace.
      std::size_t j = k + 1;
      while (j < m->trace.size() && !(m->trace[j].type == TraceType::Deliver && m->trace[j].id == e.id)) ++j;
      REQUIRE(j < m->trace.size());
      const TraceEvent& a = m->trace[j];
      CHECK(a.host == 1 - e.host);
      CHECK(a.conn == std::string(e.conn.substr(e.conn.find('>') + 1)) + ">" + std::string(e.conn.substr(0, e.conn.find('>'))));
      // The capture host's segments reach the far side one delay after they were captured;
      // the far side's left one delay before (the delay then in use: at most the handshake's).
      INFO(e.id << " sent at " << e.t_ns << " arrives at " << a.t_ns);
      CHECK(a.t_ns - e.t_ns > 0);
      CHECK(a.t_ns - e.t_ns <= d);
    }
    CHECK(sends == 11);
    CHECK(delivers == 11);
    // Times count from the first frame.
    CHECK(m->trace[0].t_ns == 0);
  }

  TEST_CASE("TCB estimates by time and netstat at the cursor") {
    const auto m = load_capture(kCapture);
    const std::string client = "10.77.0.1:34710>10.77.0.2:9502";
    CHECK(m->tcb_at(0, client, -1) == nullptr);
    const CaptureTcbAt* first = m->tcb_at(0, client, 0);
    REQUIRE(first != nullptr);
    CHECK(first->side.near);
    CHECK(first->side.state == State::SynSent);
    REQUIRE(first->side.iss.has_value());
    const CaptureTcbAt* last = m->tcb_at(0, client, sec(10));
    REQUIRE(last != nullptr);
    CHECK(last->side.state == State::TimeWait);
    CHECK(last->side.snd_nxt - *last->side.iss == 9U);  // SYN, 7 bytes, FIN
    REQUIRE(last->peer_iss.has_value());
    CHECK(last->side.rcv_nxt - *last->peer_iss == 20U);  // SYN, 18 bytes, FIN
    // The plots' series: the flight size rises with the request and falls when it is acknowledged.
    const auto series = m->flight_series(0, client);
    REQUIRE(series.size() >= 3);
    bool seven_in_flight = false;
    for (const auto& s : series) seven_in_flight = seven_in_flight || s.flight == 7;
    CHECK(seven_in_flight);
    CHECK(series.back().flight == 0);
    // netstat: at the start nothing, at the end the client's TIME_WAIT and the server's listener.
    CHECK(m->sockets_at(0).empty());
    const auto rows = m->sockets_at(m->trace.size());
    REQUIRE(rows.size() == 2);
    int time_wait = 0, listen = 0;
    for (const auto& r : rows) {
      time_wait += r.row.state == State::TimeWait && r.label == client;
      listen += r.row.state == State::Listen && r.label.empty();
    }
    CHECK(time_wait == 1);
    CHECK(listen == 1);
  }

  TEST_CASE("a session over a capture steps like a lab and refuses a fork, an export of its trace and a seed") {
    Session s = Session::open(kCapture);
    REQUIRE(s.capture() != nullptr);
    CHECK(s.title_words() == "capture=linux-close");
    CHECK(s.lab().hosts.size() == 2);
    CHECK(s.world().hosts().size() == 2);
    const auto pair = s.index().default_pair();
    REQUIRE(pair.size() == 2);
    int steps = 0;
    while (s.step(1)) ++steps;
    CHECK(steps == 21);  // a row per instant with something on it
    CHECK(s.cursor() == s.index().size());
    const std::string err = s.fork_rule("drop 10.77.0.1>10.77.0.2#3", 0);
    CHECK(err.find("cannot be forked") != std::string::npos);
    CHECK_FALSE(s.has_fork());
    UiState ui;
    CHECK(s.export_file("trace", ui).find("tcplab import") != std::string::npos);
    // A lab is still a lab.
    CHECK(Session::open("handshake").capture() == nullptr);
    // The command line: a capture takes no seed.
    VizOptions opt;
    opt.lab = kCapture;
    opt.seed = 3;
    const Started st = start_session(opt);
    CHECK(st.session == nullptr);
    CHECK(st.error.find("--seed") == 0);
  }
}
