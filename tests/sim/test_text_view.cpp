// The tcpdump-style text of the handshake lab, line by line against a golden file
// (tests/sim/golden/handshake.txt, made once from `tcplab run handshake` and checked by eye
// against the reference article's capture).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "sim/text_view.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::vector<std::string> packet_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> v;
  for (const auto& l : lines)
    if (l.find(" IP ") != std::string::npos) v.push_back(l.substr(l.find(" IP ") + 1));
  return v;
}
}  // namespace

TEST_CASE("the handshake lab's text matches the golden file line by line") {
  const LabRun r = run_lab(load_lab("handshake"), std::nullopt, false);
  TextView tv(r.world.host_names());
  const auto got = lines_of(tv.render(r.sink->events));
  const std::string path = std::string(TCPLAB_SOURCE_DIR) + "/tests/sim/golden/handshake.txt";
  const auto want = lines_of(read_file(path));
  REQUIRE_MESSAGE(!want.empty(), "cannot read " << path);
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    INFO(path, ":", i + 1);
    REQUIRE(got[i] == want[i]);
  }
  CHECK(got.size() == want.size());
}

TEST_CASE("the packets read the way the reference article's tcpdump capture does") {
  const LabRun r = run_lab(load_lab("handshake"), std::nullopt, false);
  TextView tv(r.world.host_names());
  const auto p = packet_lines(lines_of(tv.render(r.sink->events)));
  REQUIRE(p.size() == 10);  // the close in three segments: the server's FIN ACKs the client's
  // SYN: absolute sequence number, the SYN options in Linux's order.
  CHECK(p[0].rfind("IP 10.0.0.1.39870 > 10.0.0.2.9502: Flags [S], seq ", 0) == 0);
  CHECK(p[0].find(", win 64240, options [mss 1460,sackOK,TS val ") != std::string::npos);
  CHECK(p[0].find(" ecr 0,nop,wscale 10], length 0") != std::string::npos);  // Linux: for tcp_rmem max 32 MiB
  // SYN-ACK: absolute seq and ack (= client ISN + 1).
  CHECK(p[1].rfind("IP 10.0.0.2.9502 > 10.0.0.1.39870: Flags [S.], seq ", 0) == 0);
  const auto isn = std::stoull(p[0].substr(p[0].find("seq ") + 4));
  CHECK(p[1].find(", ack " + std::to_string(isn + 1) + ", win") != std::string::npos);
  // From the third segment on: relative numbers.
  CHECK(p[2].rfind("IP 10.0.0.1.39870 > 10.0.0.2.9502: Flags [.], ack 1, win ", 0) == 0);
  CHECK(p[2].find("options [nop,nop,TS val ") != std::string::npos);
  CHECK(p[3].find("Flags [P.], seq 1:8, ack 1, win ") != std::string::npos);
  CHECK(p[3].find("length 7") != std::string::npos);
  CHECK(p[4].find("Flags [.], ack 8, win ") != std::string::npos);
  CHECK(p[5].find("Flags [P.], seq 1:19, ack 8, win ") != std::string::npos);
  CHECK(p[5].find("length 18") != std::string::npos);
  CHECK(p[6].find("Flags [.], ack 19, win ") != std::string::npos);
  CHECK(p[7].find("Flags [F.], seq 8, ack 19, win ") != std::string::npos);
}

namespace {
// A sent segment as the trace holds it.
TraceEvent sent(const std::string& src, const std::string& dst, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                std::uint32_t len = 0) {
  auto ep = [](const std::string& t) {
    const auto colon = t.find(':');
    return Endpoint{*parse_ipv4(t.substr(0, colon)), static_cast<std::uint16_t>(std::stoi(t.substr(colon + 1)))};
  };
  TraceEvent e;
  e.type = TraceType::Send;
  e.seg.src = ep(src);
  e.seg.dst = ep(dst);
  e.seg.flags = flags;
  e.seg.seq = Seq32(seq);
  e.seg.ack = Seq32(ack);
  e.len = len;
  return e;
}
// "Flags [..], seq .., ack .." of a packet line: what the relative numbers change.
std::string numbers(const std::string& line) {
  const auto from = line.find("Flags ");
  return line.substr(from, line.find(", win") - from);
}
}  // namespace

TEST_CASE("relative numbers follow tcpdump's rule, as tcpdump 4.99.3 printed the kernel's segments") {
  // Issue 18: a RST,ACK answering a SYN printed "ack 1"; a challenge ACK of the old connection
  // after a new SYN on the same port pair printed a wrapped ack; a bare RST a relative seq.
  // Each segment below is one of a capture on Linux 6.18 (the sequence numbers are the
  // kernel's), with what tcpdump printed for it.
  TextView tv({});
  const std::vector<std::pair<TraceEvent, std::string>> capture = {
      // A SYN to a closed port: the RST,ACK is the conversation's first ACK: absolute.
      {sent("127.0.0.1:57396", "127.0.0.1:9999", kSyn, 610129726, 0), "Flags [S], seq 610129726"},
      {sent("127.0.0.1:9999", "127.0.0.1:57396", kRst | kAck, 0, 610129727), "Flags [R.], seq 0, ack 610129727"},
      // A handshake, then a new SYN from the same port: the ESTABLISHED side's challenge ACK
      // stays relative to the old connection (a bare SYN resets nothing).
      {sent("10.0.0.2:5555", "10.0.0.1:80", kSyn, 1000, 0), "Flags [S], seq 1000"},
      {sent("10.0.0.1:80", "10.0.0.2:5555", kSyn | kAck, 2588386087, 1001), "Flags [S.], seq 2588386087, ack 1001"},
      {sent("10.0.0.2:5555", "10.0.0.1:80", kAck, 1001, 2588386088), "Flags [.], ack 1"},
      {sent("10.0.0.2:5555", "10.0.0.1:80", kSyn, 900000, 0), "Flags [S], seq 900000"},
      {sent("10.0.0.1:80", "10.0.0.2:5555", kAck, 2588386088, 1001), "Flags [.], ack 1"},
      // An abort (RST,ACK: relative), then data answered by a bare RST: absolute.
      {sent("10.0.0.1:40766", "10.0.0.2:9506", kSyn, 1043765915, 0), "Flags [S], seq 1043765915"},
      {sent("10.0.0.2:9506", "10.0.0.1:40766", kSyn | kAck, 7000, 1043765916), "Flags [S.], seq 7000, ack 1043765916"},
      {sent("10.0.0.1:40766", "10.0.0.2:9506", kAck, 1043765916, 7001), "Flags [.], ack 1"},
      {sent("10.0.0.1:40766", "10.0.0.2:9506", kRst | kAck, 1043765916, 7001), "Flags [R.], seq 1, ack 1"},
      {sent("10.0.0.2:9506", "10.0.0.1:40766", kPsh | kAck, 7001, 1043765916, 2), "Flags [P.], seq 1:3, ack 1"},
      {sent("10.0.0.1:40766", "10.0.0.2:9506", kRst, 1043765916, 0), "Flags [R], seq 1043765916"},
  };
  for (std::size_t i = 0; i < capture.size(); ++i) {
    INFO("segment ", i + 1);
    CHECK(numbers(tv.line(capture[i].first)) == capture[i].second);
  }
  // tcpdump -S: every number absolute.
  TextView abs({}, TextViewOptions{.absolute = true});
  for (std::size_t i = 0; i < 5; ++i) abs.line(capture[i].first);
  CHECK(numbers(abs.line(capture[6].first)) == "Flags [.], ack 1001");
}

TEST_CASE("parse_flag_letters reads back the letters the text view prints") {
  CHECK(parse_flag_letters("S") == std::uint8_t{kSyn});
  CHECK(parse_flag_letters("S.") == std::uint8_t{kSyn | kAck});
  CHECK(parse_flag_letters("[FP.]") == std::uint8_t{kFin | kPsh | kAck});
  CHECK(parse_flag_letters("none") == std::uint8_t{0});
  CHECK_FALSE(parse_flag_letters("SS"));
  CHECK_FALSE(parse_flag_letters("X"));
  CHECK_FALSE(parse_flag_letters(""));
  for (std::uint8_t f : {std::uint8_t{kSyn}, std::uint8_t{kSyn | kAck}, std::uint8_t{kFin | kAck}, std::uint8_t{kRst}})
    CHECK(parse_flag_letters(flag_letters(f)) == f);
}
