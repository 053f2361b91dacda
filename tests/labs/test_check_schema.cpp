// A [[check]] is validated once, at load time, and read into a typed Check: the evaluators
// never see the strings the lab file wrote.
#include <doctest/doctest.h>

#include "labs/check_schema.hpp"

using namespace tcplab;

namespace {

CheckSpec spec(const std::string& kind, std::map<std::string, std::string> args, std::vector<std::string> list = {}) {
  CheckSpec c;
  c.kind = kind;
  c.args = std::move(args);
  c.list = std::move(list);
  if (!c.list.empty()) c.args["expect"] = "[list]";
  return c;
}

Check parsed(const CheckSpec& c) {
  std::string err, key;
  const auto typed = parse_check(c, &err, &key);
  INFO(err);
  REQUIRE(typed);
  return *typed;
}

}  // namespace

TEST_SUITE("check schema") {
  TEST_CASE("states: the list read as states, Linux spellings included; the listening socket selected") {
    const Check c = parsed(spec("states", {{"host", "server"}, {"conn", "listen"}, {"mode", "ordered"}},
                                {"LISTEN", "SYN_RECV", "CLOSE"}));
    CHECK(c.kind == CheckKind::States);
    CHECK(c.host == "server");
    CHECK(c.conn.listener);
    CHECK(c.ordered);
    CHECK(c.states == std::vector<State>{State::Listen, State::SynReceived, State::Closed});
  }

  TEST_CASE("time_in_state and intervals: durations with their units") {
    const Check t = parsed(spec("time_in_state", {{"host", "client"}, {"conn", "2"}, {"state", "TIME_WAIT"}, {"min", "59s"}, {"max", "61s"}}));
    CHECK(t.kind == CheckKind::TimeInState);
    CHECK(t.conn.nth == 2);
    CHECK(t.state == State::TimeWait);
    CHECK(t.duration.min == sec(59));
    CHECK(t.duration.max == sec(61));
    CHECK_FALSE(t.duration.exact);
    const Check i = parsed(spec("intervals", {{"segment", "SYN"}, {"within", "10ms"}}, {"1s", "2s"}));
    CHECK(i.intervals == std::vector<Duration>{sec(1), sec(2)});
    CHECK(i.within == ms(10));
    CHECK(i.segment_kind == SegKind::Syn);
  }

  TEST_CASE("segment: flags as bits, numbers as numbers, the id split") {
    const Check c = parsed(spec("segment", {{"id", "B>A#2"}, {"flags", "S."}, {"seq", "0"}, {"ack", "1"}, {"len", "0"},
                                            {"retx", "false"}, {"at", "1ms"}, {"within", "50us"}}));
    CHECK(c.kind == CheckKind::Segment);
    REQUIRE(c.id);
    CHECK(c.id->text == "B>A#2");
    CHECK(c.id->direction == "B>A");
    CHECK(c.id->n == 2);
    CHECK(c.flags == std::uint8_t{kSyn | kAck});
    CHECK(c.seq == 0u);
    CHECK(c.ack == 1u);
    CHECK(c.len == 0);
    CHECK(c.retx == false);
    CHECK(c.at == ms(1));
    CHECK(c.within == us(50));
    CHECK_FALSE(c.absolute);
  }

  TEST_CASE("counts, netstat's \"any\", app results") {
    const Check n = parsed(spec("netstat", {{"host", "server"}, {"at", "2s"}, {"state", "any"}, {"expect", "3"}}));
    CHECK_FALSE(n.state);
    CHECK(n.count.exact == 3);
    const Check a = parsed(spec("app_result", {{"host", "client"}, {"call", "connect"}, {"expect", "ECONNREFUSED"}, {"min", "2"}}));
    CHECK(a.kind == CheckKind::AppResult);
    CHECK(a.call == "connect");
    CHECK(a.result == "ECONNREFUSED");
    CHECK(a.count.min == 2);
    CHECK_FALSE(a.count.exact);
  }

  TEST_CASE("a bad check: no value, the message, and the key to point at") {
    std::string err, key;
    CHECK_FALSE(parse_check(spec("segments", {{"segmnt", "SYN"}, {"expect", "1"}}), &err, &key));
    CHECK(err == "check kind 'segments' has no key 'segmnt'; did you mean 'segment'?");
    CHECK(key == "segmnt");
    CHECK_FALSE(parse_check(spec("segments", {{"min", "3"}, {"max", "2"}}), &err, &key));
    CHECK(err == "check.max is smaller than check.min");
    CHECK(key == "max");
    CHECK_FALSE(parse_check(spec("final_stat", {}), &err, &key));
    CHECK(err == "unknown check kind 'final_stat'; did you mean 'final_state'?");
    CHECK(key == "kind");
  }
}
