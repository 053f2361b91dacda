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
  REQUIRE(p.size() == 11);
  // SYN: absolute sequence number, the SYN options in Linux's order.
  CHECK(p[0].rfind("IP 10.0.0.1.39870 > 10.0.0.2.9502: Flags [S], seq ", 0) == 0);
  CHECK(p[0].find(", win 64240, options [mss 1460,sackOK,TS val ") != std::string::npos);
  CHECK(p[0].find(" ecr 0,nop,wscale 7], length 0") != std::string::npos);
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
