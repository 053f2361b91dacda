// Why each segment is sent again (issue 19): the cause the stack attaches to a retransmission
// or probe, which the trace writes as retx_cause. Every other segment carries None.
#include "harness.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
RetxCause only_cause(const Ep& ep) {
  const auto s = sends_of(ep.out);
  REQUIRE(s.size() == 1);
  return s[0].cause;
}
}  // namespace

TEST_SUITE("Retransmission cause") {

TEST_CASE("cause: new data and ACKs carry none; the RTO's resend is rto, also in go-back-N") {
  Ep ep = established();
  send(ep, 0, "abc");
  CHECK(only_cause(ep) == RetxCause::None);
  fire(ep, ep.deadline(TimerKind::Rto));
  expect_sends(ep, {{.flags = kPsh | kAck, .len = 3, .retx = true}});
  CHECK(only_cause(ep) == RetxCause::Rto);
}

TEST_CASE("cause: the third duplicate ACK's resend is fast; a NewReno partial ACK's is recovery") {
  TcpConfig cfg = plain();
  cfg.cc = CcKind::NewReno;
  Ep ep = established(cfg);
  send(ep, 0, std::string(5000, 'n'));
  for (const auto& s : sends_of(ep.out)) CHECK(s.cause == RetxCause::None);
  feed(ep, ms(10), Seg{.ack = L + 1});
  feed(ep, ms(11), Seg{.ack = L + 1});
  feed(ep, ms(12), Seg{.ack = L + 1});
  expect_sends(ep, {{.flags = kAck, .seq = L + 1, .len = 1000, .retx = true}});
  CHECK(only_cause(ep) == RetxCause::Fast);
  feed(ep, ms(30), Seg{.ack = L + 2001});  // partial ACK (RFC 6582 3.2 step 5)
  const auto sent = sends_of(ep.out);
  REQUIRE_FALSE(sent.empty());
  CHECK(sent[0].seg.seq.raw() == L + 2001);
  CHECK(sent[0].cause == RetxCause::Recovery);
}

TEST_CASE("cause: keepalive and zero-window probes, the SYN and SYN,ACK timers") {
  TcpConfig ka = plain();
  ka.keepalive = true;
  Ep k = established(ka);
  fire(k, sec(7200));
  expect_sends(k, {{.seq = L}});
  CHECK(only_cause(k) == RetxCause::Keepalive);

  Ep z = established();
  feed(z, ms(1), Seg{.wnd = 0});
  send(z, ms(2), "hello");
  expect_silent(z);
  fire(z, z.deadline(TimerKind::Persist));
  expect_sends(z, {{.seq = L}});  // linux: SND.UNA-1, no data
  CHECK(only_cause(z) == RetxCause::Probe);

  Ep s = syn_sent();
  fire(s, s.deadline(TimerKind::Rto));
  expect_sends(s, {{.flags = kSyn, .seq = L, .ack = 0, .retx = true}});
  CHECK(only_cause(s) == RetxCause::Syn);

  Ep r = syn_received();
  fire(r, r.deadline(TimerKind::Rto));
  CHECK(only_cause(r) == RetxCause::SynAck);
}

}  // TEST_SUITE
