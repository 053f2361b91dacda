// Issue 21: which segment each retransmission in a capture says was lost, as the lab's fault
// rules (labs/capture_losses.hpp).
#include <doctest/doctest.h>

#include "labs/capture_losses.hpp"
#include "tests/labs/capture_events.hpp"

using namespace tcplab;
using labtest::captured;
using labtest::kClientIsn;
using labtest::kServerIsn;

namespace {

constexpr Duration kRtt = 20'000'000;

// At the server (capture host, side 1): the client closes first, the server's FIN answers it
// and is sent again 220 ms later; the client's ACK of it comes after the copy.
std::vector<TraceEvent> fin_sent_twice() {
  return {captured(true, 1, 10'000, kSyn, kClientIsn),
          captured(false, 1, 10'000, kSyn | kAck, kServerIsn, kClientIsn + 1),
          captured(true, 2, 30'000, kAck, kClientIsn + 1, kServerIsn + 1),
          captured(true, 3, 1'040'000, kFin | kAck, kClientIsn + 1, kServerIsn + 1),
          captured(false, 2, 1'040'000, kFin | kAck, kServerIsn + 1, kClientIsn + 2),
          captured(false, 3, 1'260'000, kFin | kAck, kServerIsn + 1, kClientIsn + 2),
          captured(true, 4, 1'280'000, kAck, kClientIsn + 2, kServerIsn + 2)};
}

}  // namespace

TEST_CASE("capture -> lab losses: a copy the peer acknowledged in between got there; its ACK was lost") {
  auto s = fin_sent_twice();
  s.insert(s.begin() + 5, captured(true, 4, 1'060'000, kAck, kClientIsn + 2, kServerIsn + 2));
  s.back().id = "A>B#5";
  const CaptureLosses l = capture_losses(s, "10.0.0.1:48001", 1, kRtt, std::nullopt);
  CHECK(l.faults == std::vector<std::string>{"drop A>B#4"});
  CHECK_FALSE(l.unanswered);
}

TEST_CASE("capture -> lab losses: the capture host's FIN that acknowledged the peer's, which the peer never sent again") {
  // The client had its FIN acknowledged (it did not send it again): the server's FIN got there,
  // and the client's ACK of it, its 4th segment, invisible at the server, was lost (lost-last-ack).
  CHECK(capture_losses(fin_sent_twice(), "10.0.0.1:48001", 1, kRtt, std::nullopt).faults ==
        std::vector<std::string>{"drop A>B#4"});
  // The client sent its FIN again before the copy reached it: the server's first FIN was lost
  // (and it was the ACK of the client's FIN: its copy is explained by the same loss).
  auto s = fin_sent_twice();
  s.insert(s.begin() + 6, captured(true, 4, 1'265'000, kFin | kAck, kClientIsn + 1, kServerIsn + 1));
  s.back().id = "A>B#5";
  CHECK(capture_losses(s, "10.0.0.1:48001", 1, kRtt, std::nullopt).faults == std::vector<std::string>{"drop B>A#2"});
  // Captured at the client, the same segments say the server's first FIN never reached the
  // client's TCP (its answer would be in the capture), though the capture saw it arrive: it was
  // thrown away after the capture point (a firewall), `discard`, not lost on the link.
  CHECK(capture_losses(fin_sent_twice(), "10.0.0.1:48001", 0, kRtt, std::nullopt).faults ==
        std::vector<std::string>{"discard B>A#2"});
}

TEST_CASE("capture -> lab losses: crossing SYNs, each sent twice, one D-SACK each: each side's first SYN was lost") {
  // At the client (the opener, side 0): both ends connect; each first SYN is lost; the copies
  // cross, each end answers the other's SYN with a SYN,ACK (the third copy of its SYN), and each
  // reports the SYN the SYN,ACK repeats as a D-SACK (Linux, Linux 6.18's simultaneous open).
  // Of three copies and one D-SACK, two arrived: the first was lost, not the last two.
  const auto dsack_ack = [](bool from_client, std::uint32_t n, Instant t, std::uint32_t seq, std::uint32_t ack) {
    TraceEvent e = captured(from_client, n, t, kAck, seq, ack);
    e.seg.sack_count = 1;
    e.seg.sack[0] = SackBlock{Seq32{ack - 1}, Seq32{ack}};
    return e;
  };
  const std::vector<TraceEvent> s = {
      captured(true, 1, 0, kSyn, kClientIsn),
      captured(false, 1, 100'000, kSyn, kServerIsn),
      captured(true, 2, 1'012'000, kSyn, kClientIsn),
      captured(false, 2, 1'012'020, kSyn, kServerIsn),
      captured(true, 3, 1'012'040, kSyn | kAck, kClientIsn, kServerIsn + 1),
      captured(false, 3, 1'012'060, kSyn | kAck, kServerIsn, kClientIsn + 1),
      dsack_ack(true, 4, 1'012'070, kClientIsn + 1, kServerIsn + 1),
      dsack_ack(false, 4, 1'012'080, kServerIsn + 1, kClientIsn + 1)};
  CHECK(capture_losses(s, "10.0.0.1:48001", 0, kRtt, std::nullopt).faults ==
        std::vector<std::string>{"discard B>A#1", "drop A>B#1"});
}

TEST_CASE("capture -> lab losses: a D-SACK says a copy came twice; nothing back means every copy was lost") {
  auto s = fin_sent_twice();
  TraceEvent ack = captured(true, 4, 1'280'000, kAck, kClientIsn + 2, kServerIsn + 2);
  ack.seg.sack_count = 1;
  ack.seg.sack[0] = SackBlock{Seq32{kServerIsn + 1}, Seq32{kServerIsn + 2}};
  s.back() = ack;
  CHECK(capture_losses(s, "10.0.0.1:48001", 1, kRtt, std::nullopt).faults.empty());

  const std::vector<TraceEvent> syns = {captured(true, 1, 0, kSyn, kClientIsn), captured(true, 2, 1'000'000, kSyn, kClientIsn),
                                        captured(true, 3, 3'000'000, kSyn, kClientIsn)};
  const CaptureLosses dead = capture_losses(syns, "10.0.0.1:48001", 0, kRtt, std::nullopt);
  CHECK(dead.unanswered);
  CHECK(dead.faults == std::vector<std::string>{"drop A>B#1", "drop A>B#2", "drop A>B#3"});
}
