// How a receiver's reads and arrivals are batched decides how many ACKs it sends.
// An app's `wakeup`: a blocked call returns that long after its socket became ready (a
// process's scheduling latency), so a reader that wakes late reads what arrived meanwhile too,
// and the receiver sends one window update per read (Linux's tcp_cleanup_rbuf; the pattern of
// tests/pkt/scripts/b-window-update-per-read.pkt, checked against the kernel).
// A host's tcp.gro: back-to-back segments are merged before TCP takes them (Linux's GRO and
// socket backlog), so TCP sees one segment per pair and ACKs it once (sim/world_gro.cpp).
#include <doctest/doctest.h>

#include "labs/lab.hpp"
#include "labs/runner.hpp"

#include <stdexcept>
#include <string>
#include <vector>

using namespace tcplab;

namespace receive_batching_test {

// The server's window is two segments (2896 bytes); the client writes ten segments' worth,
// two at a time as the window allows, both arriving at the same instant.
std::string reader_lab(const std::string& wakeup_line, const std::string& server_tcp = "") {
  return "title = \"wakeup\"\nseed = 1\nuntil = \"5s\"\n"
         "[[host]]\nname = \"client\"\n\n[[host]]\nname = \"server\"\ntcp = { rcv_buf = 8192" + server_tcp + " }\n\n"
         "[link]\ndelay = \"1ms\"\n\n"
         "[[app]]\nhost = \"server\"\n" + wakeup_line +
         "script = [\"listen 80\", \"accept\", \"recv all\", \"close\"]\n\n"
         "[[app]]\nhost = \"client\"\nstart = \"1ms\"\nscript = [\"connect server 80\", \"send 14480\", \"close\"]\n";
}

struct ServerAck {
  std::uint32_t ack = 0;  // relative to the client's ISN
  Instant t = 0;
};

// The server's segments after its SYN,ACK that carry no FIN: its ACKs of the client's data.
std::vector<ServerAck> server_acks(const LabRun& r) {
  std::vector<ServerAck> v;
  std::uint32_t irs = 0;
  for (const auto& e : r.sink->events) {
    if (e.type != TraceType::Send || e.host != 1) continue;
    if (e.seg.has(kSyn)) {
      irs = e.seg.ack.raw() - 1;
      continue;
    }
    if (e.seg.has(kFin) || !e.seg.payload.empty()) continue;
    v.push_back({e.seg.ack.raw() - irs, e.t_ns});
  }
  return v;
}

std::vector<std::uint32_t> ack_numbers(const std::vector<ServerAck>& acks) {
  std::vector<std::uint32_t> v;
  for (const ServerAck& a : acks) v.push_back(a.ack);
  return v;
}

}  // namespace receive_batching_test

using namespace receive_batching_test;

TEST_CASE("without wakeup the reader takes each segment as it arrives: an ACK per segment") {
  LabRun r = run_lab(parse_lab(reader_lab(""), "wakeup.toml"));
  CHECK(ack_numbers(server_acks(r)) ==
        std::vector<std::uint32_t>{1449, 2897, 4345, 5793, 7241, 8689, 10137, 11585, 13033, 14482});
}

TEST_CASE("with wakeup the reader wakes later and reads both segments: one window update per read") {
  LabRun r = run_lab(parse_lab(reader_lab("wakeup = \"50us\"\n"), "wakeup.toml"));
  const std::vector<ServerAck> acks = server_acks(r);
  // The first segment earns the one quick ACK; after it, each read takes the two segments
  // that arrived together and reopens the window: one ACK each.
  CHECK(ack_numbers(acks) == std::vector<std::uint32_t>{1449, 2897, 5793, 8689, 11585, 14482});
  REQUIRE(acks.size() == 6);
  // The first pair arrives at 4 ms (SYN at 1 ms, 1 ms each way); the quick ACK leaves then,
  // the read's window update 50 us later.
  CHECK(acks[0].t == 4'000'000);
  CHECK(acks[1].t == 4'050'000);
}

TEST_CASE("wakeup is a script's: a generator of packets has no blocked calls to delay") {
  const std::string lab = "title = \"w\"\nseed = 1\nuntil = \"1s\"\n[[host]]\nname = \"a\"\n[[host]]\nname = \"b\"\n"
                          "[link]\ndelay = \"1ms\"\n[[app]]\nhost = \"a\"\nwakeup = \"1ms\"\n"
                          "flood = { target = \"b\", port = 80, count = 2, every = \"1ms\" }\n";
  try {
    parse_lab(lab, "w.toml");
    FAIL("a flood with wakeup was accepted");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find("app.wakeup") != std::string::npos);
    CHECK(std::string(e.what()).find("w.toml:") != std::string::npos);
  }
}

TEST_CASE("with tcp.gro the server's TCP takes each pair of back-to-back segments as one: one ACK per pair") {
  LabRun r = run_lab(parse_lab(reader_lab("", ", gro = \"10us\""), "gro.toml"));
  const std::vector<ServerAck> acks = server_acks(r);
  CHECK(ack_numbers(acks) == std::vector<std::uint32_t>{2897, 5793, 8689, 11585, 14482});
  REQUIRE(acks.size() == 5);
  // The first pair arrives at 4 ms and waits the 10 us for a follower before TCP takes it.
  CHECK(acks[0].t == 4'010'000);
  // The last pair ends with FIN and PSH: the batch ends at once, on the link's 1 ms, no wait.
  Instant fin_sent = 0;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::Send && e.host == 0 && e.seg.has(kFin)) fin_sent = e.t_ns;
  CHECK(acks[4].t == fin_sent + 1'000'000);
}

TEST_CASE("tcp.gro longer than a receive batch is refused with where and why") {
  try {
    parse_lab(reader_lab("", ", gro = \"1s\""), "gro.toml");
    FAIL("gro = 1s was accepted");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find("gro.toml:") != std::string::npos);
    CHECK(std::string(e.what()).find("must be at most 10ms") != std::string::npos);
  }
}
