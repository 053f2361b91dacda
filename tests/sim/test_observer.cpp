// The observer view (issue 19 item 3): our Wireshark-style analyzer on hand-made captures,
// one rule at a time, and the truth it is set beside on catalogue labs. (The analyzer is
// compared with tshark itself on every catalogue lab in tests/cli/observer_tshark.sh.)
#include <doctest/doctest.h>

#include <algorithm>

#include "labs/lab.hpp"
#include "labs/runner.hpp"
#include "sim/fault.hpp"
#include "sim/observer.hpp"

using namespace tcplab;

namespace {

constexpr Endpoint kObsA{0x0a000001, 40000}, kObsB{0x0a000002, 80};
constexpr std::uint32_t kIssA = 1000, kIssB = 5000;
constexpr Instant kMs = 1'000'000;

// A capture built frame by frame. Times in milliseconds; seq/ack relative to the ISNs.
struct Capture {
  std::vector<ObservedSegment> frames;
  ObservedSegment& add(Instant t_ms, bool from_a, std::uint8_t flags, std::uint32_t rel_seq, std::uint32_t rel_ack,
                       std::uint32_t len, std::uint16_t wnd = 1000) {
    ObservedSegment o;
    o.t_ns = t_ms * kMs;
    o.seg.src = from_a ? kObsA : kObsB;
    o.seg.dst = from_a ? kObsB : kObsA;
    o.seg.seq = Seq32((from_a ? kIssA : kIssB) + rel_seq);
    o.seg.ack = Seq32((from_a ? kIssB : kIssA) + rel_ack);
    o.seg.flags = flags;
    o.seg.wnd = wnd;
    o.len = len;
    frames.push_back(o);
    return frames.back();
  }
  // SYN, SYN-ACK, ACK: an initial RTT of 40 ms seen from A's side.
  void handshake() {
    add(0, true, kSyn, 0, 0, 0, 64240);
    add(40, false, kSyn | kAck, 0, 1, 0, 64240);
    add(40, true, kAck, 1, 1, 0);
  }
  std::vector<WsAnalysis> run() const { return analyze_capture(frames); }
};

// The flags of one frame as tshark's field names, comma separated.
std::string flags_of(const WsAnalysis& a) {
  std::string s;
  for (int i = 0; i < kWsFlags; ++i)
    if (a.has(static_cast<WsFlag>(i))) s += (s.empty() ? "" : ",") + std::string(ws_field(static_cast<WsFlag>(i)));
  return s.empty() ? "-" : s;
}

}  // namespace

TEST_SUITE("observer") {

TEST_CASE("a gap is 'previous segment not captured'; its late fill within the initial RTT is out-of-order, after it a retransmission") {
  Capture c;
  c.handshake();
  c.add(50, true, kAck, 1, 1, 100);      // 4: 1..101
  c.add(51, true, kAck, 201, 1, 100);    // 5: 201..301, 101..201 missing
  c.add(60, true, kAck, 101, 1, 100);    // 6: the gap, 9 ms after the highest (< 40 ms iRTT)
  c.add(70, true, kAck, 301, 1, 100);    // 7: new
  c.add(200, true, kAck, 101, 1, 100);   // 8: 130 ms after the highest: a retransmission
  const auto a = c.run();
  CHECK(flags_of(a[3]) == "-");
  CHECK(flags_of(a[4]) == "lost_segment");
  CHECK(flags_of(a[5]) == "out_of_order");
  CHECK(a[5].after_highest == 9 * kMs);
  CHECK(a[5].ooo_threshold == 40 * kMs);
  CHECK(flags_of(a[6]) == "-");
  CHECK(flags_of(a[7]) == "retransmission");
  CHECK(a[7].labels() == "[TCP Retransmission]");
}

TEST_CASE("without a handshake the out-of-order threshold is 3 ms") {
  Capture c;
  c.add(0, true, kAck, 1, 1, 100);
  c.add(1, true, kAck, 101, 1, 100);
  c.add(3, true, kAck, 1, 1, 100);   // 2 ms after the highest
  c.add(10, true, kAck, 1, 1, 100);  // 9 ms after it
  const auto a = c.run();
  CHECK(flags_of(a[2]) == "out_of_order");
  CHECK(a[2].ooo_threshold == 3 * kMs);
  CHECK(flags_of(a[3]) == "retransmission");
}

TEST_CASE("duplicate ACKs count from the last new ACK; two of them and a retransmission of their SEQ within 20 ms is a fast retransmission") {
  Capture c;
  c.handshake();
  c.add(50, true, kAck, 1, 1, 100);
  c.add(50, true, kAck, 101, 1, 100);
  c.add(50, true, kAck, 201, 1, 100);
  c.add(90, false, kAck, 1, 101, 0);  // 7: a new ACK
  c.add(91, false, kAck, 1, 101, 0);  // 8: dup #1 of 7
  c.add(92, false, kAck, 1, 101, 0);  // 9: dup #2
  c.add(95, true, kAck, 101, 1, 100);  // 10: 3 ms after the last dup ACK
  c.add(96, false, kAck, 1, 101, 0);  // 11: dup #3
  c.add(150, true, kAck, 101, 1, 100);  // 12: 54 ms after the last dup ACK
  const auto a = c.run();
  CHECK(flags_of(a[6]) == "-");
  CHECK(flags_of(a[7]) == "duplicate_ack");
  CHECK(a[7].dup_ack_num == 1);
  CHECK(a[7].dup_ack_frame == 7);
  CHECK(a[8].dup_ack_num == 2);
  CHECK(a[8].labels() == "[TCP Dup ACK 7#2]");
  // tshark reports a fast retransmission as a retransmission too; the Info column says it once.
  CHECK(flags_of(a[9]) == "retransmission,fast_retransmission");
  CHECK(a[9].labels() == "[TCP Fast Retransmission]");
  CHECK(a[10].dup_ack_num == 3);
  CHECK(flags_of(a[11]) == "retransmission");
}

TEST_CASE("data the other side has ACKed already is a spurious retransmission") {
  Capture c;
  c.handshake();
  c.add(50, true, kAck, 1, 1, 100);
  c.add(90, false, kAck, 1, 101, 0);
  c.add(300, true, kAck, 1, 1, 100);
  const auto a = c.run();
  CHECK(flags_of(a[5]) == "retransmission,spurious_retransmission");
  CHECK(a[5].labels() == "[TCP Spurious Retransmission]");
}

TEST_CASE("a window update, a zero window, a zero-window probe and its answer") {
  Capture c;
  c.handshake();
  c.add(50, true, kAck, 1, 1, 100);
  c.add(90, false, kAck, 1, 101, 0, 0);        // 5: zero window
  c.add(300, true, kAck, 101, 1, 1);           // 6: one byte at the next SEQ into a shut window
  c.add(340, false, kAck, 1, 101, 0, 0);       // 7: its answer, still shut
  c.add(900, false, kAck, 1, 101, 0, 500);     // 8: the window opens
  const auto a = c.run();
  CHECK(flags_of(a[4]) == "zero_window");
  CHECK(flags_of(a[5]) == "zero_window_probe");
  CHECK(flags_of(a[6]) == "zero_window,zero_window_probe_ack");
  CHECK(flags_of(a[7]) == "window_update");
}

TEST_CASE("Linux's zero-window probe (SEQ=SND.UNA-1, no data) is a keep-alive to Wireshark, and its answer a keep-alive ACK") {
  Capture c;
  c.handshake();
  c.add(50, true, kAck, 1, 1, 100);
  c.add(90, false, kAck, 1, 101, 0, 0);
  c.add(300, true, kAck, 100, 1, 0);     // 6: SEQ one below the next
  c.add(300, true, kAck, 100, 1, 0);     // 7: again
  c.add(340, false, kAck, 1, 101, 0, 700);  // 8: the answer, window open
  c.add(400, true, kAck, 100, 1, 0);     // 9: a keep-alive
  c.add(440, false, kAck, 1, 101, 0, 700);  // 10: its answer, same window
  const auto a = c.run();
  CHECK(flags_of(a[5]) == "keep_alive");
  CHECK(flags_of(a[6]) == "keep_alive");
  CHECK(flags_of(a[7]) == "window_update");
  CHECK(flags_of(a[8]) == "keep_alive");
  CHECK(flags_of(a[9]) == "keep_alive_ack");
  CHECK(a[9].labels() == "[TCP Keep-Alive ACK]");
}

TEST_CASE("an ACK of data never captured, once; a new SYN with another ISN on the same ports") {
  Capture c;
  c.handshake();
  c.add(50, false, kAck, 1, 501, 0);  // 4: ACKs 500 bytes from A the capture never held
  c.add(60, false, kAck, 1, 501, 0);  // 5: the same ACK again: a duplicate, not said twice
  c.add(70, true, kFin | kAck, 501, 1, 0);
  c.add(80, false, kFin | kAck, 1, 502, 0);
  c.add(80, true, kAck, 502, 2, 0);
  ObservedSegment& syn = c.add(5000, true, kSyn, 0, 0, 0, 64240);
  syn.seg.seq = Seq32(kIssA + 100000);
  const auto a = c.run();
  CHECK(flags_of(a[3]) == "ack_lost_segment");
  CHECK(flags_of(a[4]) == "duplicate_ack");
  CHECK(flags_of(a[5]) == "lost_segment");
  CHECK(flags_of(a[8]) == "reused_ports");
  CHECK(a[8].labels() == "[TCP Port numbers reused]");
}

TEST_CASE("window full: data up to the right edge of the other side's window") {
  Capture c;
  c.add(0, true, kSyn, 0, 0, 0, 64240).seg.wscale = 0;
  c.add(40, false, kSyn | kAck, 0, 1, 0, 64240).seg.wscale = 0;
  c.add(40, true, kAck, 1, 1, 0);
  c.add(41, false, kAck, 1, 1, 0, 200);   // B's window: 200 bytes
  c.add(50, true, kAck, 1, 1, 100);
  c.add(50, true, kAck, 101, 1, 100);     // reaches 1 + 200
  const auto a = c.run();
  CHECK(flags_of(a[4]) == "-");
  CHECK(flags_of(a[5]) == "window_full");
}

TEST_CASE("zero-window lab at the client: Linux's zero-window probes look like keep-alives, and the view says why") {
  LabRun r = run_lab(load_lab("zero-window"));
  const auto frames = observe(r.sink->events, r.world.hosts().size(), client_host(r.lab));
  std::size_t probes = 0;
  for (const auto& f : frames) {
    if (f.truth.trigger != "PERSIST") continue;
    ++probes;
    CHECK(f.ws.has(WsFlag::KeepAlive));
    CHECK_FALSE(f.ws.has(WsFlag::ZeroWindowProbe));
    CHECK(f.truth.what.find("zero-window probe") != std::string::npos);
    CHECK(f.truth.why.find("keep-alive") != std::string::npos);
  }
  CHECK(probes == 4);
  CHECK(observer_disagreements(frames) == probes);
  // The receiver's zero windows are what Wireshark says they are.
  const auto zero = std::count_if(frames.begin(), frames.end(), [](const ObservedFrame& f) { return f.ws.has(WsFlag::ZeroWindow); });
  CHECK(zero == 4);
}

TEST_CASE("lossy-transfer at the client: every frame Wireshark calls out-of-order was a retransmission, and the view says so") {
  LabRun r = run_lab(load_lab("lossy-transfer"));
  const auto frames = observe(r.sink->events, r.world.hosts().size(), client_host(r.lab));
  std::size_t ooo = 0, retx_flags = 0, retx_truth = 0;
  for (const auto& f : frames) {
    retx_truth += f.truth.retx ? 1 : 0;
    retx_flags += f.ws.has(WsFlag::Retransmission) ? 1 : 0;
    if (!f.ws.has(WsFlag::OutOfOrder)) continue;
    ++ooo;
    CHECK(f.truth.retx);
    CHECK(f.truth.why.find("out-of-order") != std::string::npos);
    CHECK(f.frame.send == f.frame.event);  // the client's own send
  }
  CHECK(ooo == 4);  // RACK's reordering timer resends the first hole before a third duplicate ACK
  // At the sender every retransmission is in the capture: labelled one way or another.
  CHECK(retx_flags + ooo == retx_truth);
}

TEST_CASE("a duplicate made by the link is a retransmission to Wireshark, and a copy in truth") {
  Lab lab = load_lab("handshake");
  std::string err;
  const auto rule = parse_fault("duplicate A>B DATA #1", &err);
  REQUIRE_MESSAGE(rule, err);
  lab.faults.push_back(*rule);
  LabRun r = run_lab(std::move(lab));
  const auto frames = observe(r.sink->events, r.world.hosts().size(), 1);  // at the server
  const auto copy = std::find_if(frames.begin(), frames.end(), [](const ObservedFrame& f) { return f.truth.copy; });
  REQUIRE(copy != frames.end());
  CHECK(copy->ws.has(WsFlag::Retransmission));
  CHECK_FALSE(copy->truth.retx);
  CHECK(copy->truth.why.find("duplicated") != std::string::npos);
}

}

TEST_CASE("a segment a firewall discarded on arrival: in the capture there, and the view says its TCP never saw it") {
  Lab lab = load_lab("handshake");
  std::string err;
  const auto rule = parse_fault("discard B>A#1", &err);  // the server's SYN,ACK, at the client
  REQUIRE_MESSAGE(rule, err);
  lab.faults.push_back(*rule);
  LabRun r = run_lab(std::move(lab));
  const auto frames = observe(r.sink->events, r.world.hosts().size(), 0);  // at the client
  const auto synack = std::find_if(frames.begin(), frames.end(), [](const ObservedFrame& f) { return f.truth.id == "B>A#1"; });
  REQUIRE(synack != frames.end());
  CHECK(synack->frame.arrival);
  CHECK(synack->truth.what.find("thrown away on arrival, before the receiver's TCP (firewall: discard B>A#1)") != std::string::npos);
  // Its copy sent again is a plain retransmission that got through.
  const auto again = std::find_if(frames.begin(), frames.end(), [](const ObservedFrame& f) { return f.truth.id == "B>A#2"; });
  REQUIRE(again != frames.end());
  CHECK(again->truth.what.find("thrown away") == std::string::npos);
}
