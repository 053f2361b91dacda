// RST in every state. RFC 9293 3.10.7 with RFC 5961 3.2: in a synchronized state an RST
// resets only when SEG.SEQ = RCV.NXT exactly; in the window otherwise → challenge ACK
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; outside the window → dropped silently. In SYN-SENT
// it must acknowledge our SYN (ECONNREFUSED). The application learns ECONNRESET later.
#include <functional>

#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

struct RstCase {
  const char* name;
  std::function<Ep()> fixture;
  std::uint32_t rcv_nxt, snd_nxt;
  State after_exact;   // the state an exact RST leads to
  Errno err;           // what the application is told
};

// The three RFC 5961 cases on a fresh fixture each.
void rst_trio(const RstCase& c) {
  const std::string fixture = c.name;
  CAPTURE(fixture);
  {  // exact: SEG.SEQ = RCV.NXT
    Ep ep = c.fixture();
    const State before = ep.state();
    feed(ep, sec(1), Seg{.seq = c.rcv_nxt, .ack = 0, .flags = kRst});
    expect_silent(ep);
    CHECK(state_name(ep.state()) == state_name(c.after_exact));
    CHECK(ep.c.error() == c.err);
    if (c.after_exact != before) {
      const auto st = states_of(ep.out);
      REQUIRE(st.size() == 1);
      CHECK(st[0].cause.find("RST") != std::string::npos);
    }
    if (c.after_exact == State::Closed) CHECK(ep.c.next_deadline() == kNever);
  }
  {  // in the window, not exact → challenge ACK
    Ep ep = c.fixture();
    const State before = ep.state();
    feed(ep, sec(1), Seg{.seq = c.rcv_nxt + 100, .ack = 0, .flags = kRst});
    expect_sends(ep, {{.seq = c.snd_nxt, .ack = c.rcv_nxt}});
    CHECK(ep.state() == before);
    CHECK(ep.c.error() == Errno::Ok);
  }
  {  // outside the window (beyond the right edge, and just left of RCV.NXT) → ignored
    Ep ep = c.fixture();
    const State before = ep.state();
    feed(ep, sec(1), Seg{.seq = c.rcv_nxt + kWnd, .ack = 0, .flags = kRst});
    expect_silent(ep);
    feed(ep, sec(1), Seg{.seq = c.rcv_nxt - 1, .ack = 0, .flags = kRst});
    expect_silent(ep);
    CHECK(ep.state() == before);
    CHECK(ep.c.error() == Errno::Ok);
  }
}

}  // namespace

TEST_SUITE("RST") {

TEST_CASE("CLOSED: RST is ignored") {
  Ep ep = closed();
  feed(ep, 0, Seg{.flags = kRst});
  expect_silent(ep);
  CHECK(ep.state() == State::Closed);
}

TEST_CASE("LISTEN: RST is ignored in any position") {
  for (std::uint32_t seq : {0U, R, R + 1, 0xFFFFFFFFU}) {
    Ep ep = listen();
    feed(ep, 0, Seg{.seq = seq, .ack = 0, .flags = kRst});
    expect_silent(ep);
    CHECK(ep.state() == State::Listen);
  }
}

TEST_CASE("SYN-SENT: RST → CLOSED and ECONNREFUSED only with an acceptable ACK") {
  Ep ok = syn_sent();
  feed(ok, ms(1), Seg{.seq = 0, .ack = L + 1, .flags = kRst | kAck});
  CHECK(ok.state() == State::Closed);
  CHECK(ok.c.error() == Errno::ConnRefused);
  for (const Seg& bad : {Seg{.seq = 0, .ack = 0, .flags = kRst}, Seg{.seq = 0, .ack = L, .flags = kRst | kAck},
                         Seg{.seq = 0, .ack = L + 2, .flags = kRst | kAck}}) {
    Ep ep = syn_sent();
    feed(ep, ms(1), bad);
    expect_silent(ep);
    CHECK(ep.state() == State::SynSent);
    CHECK(ep.c.error() == Errno::Ok);
  }
}

TEST_CASE("SYN-RECEIVED: RST exact → LISTEN, in window → challenge ACK, outside → ignored") {
  rst_trio({"SYN_RECEIVED", [] { return syn_received(); }, R + 1, L + 1, State::Listen, Errno::Ok});
}

TEST_CASE("ESTABLISHED: RST exact → CLOSED with ECONNRESET, in window → challenge ACK, outside → ignored") {
  rst_trio({"ESTABLISHED", [] { return established(); }, R + 1, L + 1, State::Closed, Errno::ConnReset});
}

TEST_CASE("ESTABLISHED: after a RST the application sees ECONNRESET") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.flags = kRst});
  const auto notes = notices_of(ep.out);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].what == Notice::Error);
  CHECK(notes[0].err == Errno::ConnReset);
  std::string data;
  CHECK(recv(ep, ms(2), &data) == Errno::ConnReset);
  CHECK(send(ep, ms(2), "x") == Errno::ConnReset);
}

TEST_CASE("ESTABLISHED: RST with the ACK bit is judged by its sequence number alone") {
  Ep ep = established();
  feed(ep, ms(1), Seg{.ack = L + 1, .flags = kRst | kAck});
  CHECK(ep.state() == State::Closed);
  CHECK(ep.c.error() == Errno::ConnReset);
}

TEST_CASE("FIN-WAIT-1: RST exact → CLOSED with ECONNRESET, in window → challenge ACK, outside → ignored") {
  rst_trio({"FIN_WAIT_1", [] { return fin_wait_1(); }, R + 1, L + 2, State::Closed, Errno::ConnReset});
}

TEST_CASE("FIN-WAIT-2: RST exact → CLOSED with ECONNRESET, in window → challenge ACK, outside → ignored") {
  rst_trio({"FIN_WAIT_2", [] { return fin_wait_2(); }, R + 1, L + 2, State::Closed, Errno::ConnReset});
}

TEST_CASE("CLOSE-WAIT: RST exact → CLOSED with ECONNRESET, in window → challenge ACK, outside → ignored") {
  rst_trio({"CLOSE_WAIT", [] { return close_wait(); }, R + 2, L + 1, State::Closed, Errno::ConnReset});
}

TEST_CASE("CLOSING: RST exact → CLOSED, in window → challenge ACK, outside → ignored") {
  rst_trio({"CLOSING", [] { return closing(); }, R + 2, L + 2, State::Closed, Errno::Ok});
}

TEST_CASE("LAST-ACK: RST exact → CLOSED, in window → challenge ACK, outside → ignored") {
  rst_trio({"LAST_ACK", [] { return last_ack(); }, R + 2, L + 2, State::Closed, Errno::Ok});
}

TEST_CASE("TIME-WAIT: RST exact → CLOSED (linux, tcp_rfc1337=0), in window → challenge ACK, outside → ignored") {
  rst_trio({"TIME_WAIT linux", [] { return time_wait(); }, R + 2, L + 2, State::Closed, Errno::Ok});
}

TEST_CASE("TIME-WAIT: RST exact is ignored (time_wait_rst_closes=false, RFC 1337), in window → challenge ACK") {
  rst_trio({"TIME_WAIT rfc1337", [] {
              TcpConfig c = plain();
              c.time_wait_rst_closes = false;
              return time_wait(c);
            },
            R + 2, L + 2, State::TimeWait, Errno::Ok});
}

TEST_CASE("TIME-WAIT: RST exact → CLOSED (rfc9293), in window → challenge ACK, outside → ignored") {
  rst_trio({"TIME_WAIT rfc9293", [] { return time_wait(rfc()); }, R + 2, L + 2, State::Closed, Errno::Ok});
}

TEST_CASE("ESTABLISHED: with a zero receive window only an exact RST is acceptable") {
  Ep ep = established();
  const std::string full(kWnd, 'z');
  for (std::uint32_t off = 0; off < kWnd; off += kMss)
    feed(ep, ms(1), Seg{.seq = R + 1 + off, .payload = full.substr(off, kMss)});
  fire(ep, ms(41));  // the delayed ACK announces the zero window
  REQUIRE(ep.tcb().rcv_wnd == 0);
  feed(ep, ms(42), Seg{.seq = R + 2 + kWnd, .ack = 0, .flags = kRst});
  expect_silent(ep);
  CHECK(ep.state() == State::Established);
  feed(ep, ms(42), Seg{.seq = R + 1 + kWnd, .ack = 0, .flags = kRst});
  CHECK(ep.state() == State::Closed);
  CHECK(ep.c.error() == Errno::ConnReset);
}

}  // TEST_SUITE
