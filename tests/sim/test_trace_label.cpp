// The compact trace (issue 20, sim/trace_label.hpp): interned labels, owned text, segment
// ids split into a label and a number, and a JSON line that is byte for byte what the
// string fields wrote.
#include <doctest/doctest.h>

#include <map>
#include <type_traits>

#include <fmt/format.h>

#include "sim/label_cache.hpp"
#include "sim/trace.hpp"

using namespace tcplab;

TEST_CASE("trace labels: the same string is the same id, another string another id") {
  const Label a("10.0.0.1:39870>10.0.0.2:9502");
  const Label b(std::string("10.0.0.1:39870") + ">10.0.0.2:9502");
  const Label c("10.0.0.2:9502>10.0.0.1:39870");
  CHECK(a.id() == b.id());
  CHECK(a == b);
  CHECK(a.id() != c.id());
  CHECK(a != c);
  CHECK(Label().id() == 0);
  CHECK(Label("").id() == 0);
  CHECK(Label().empty());
  const std::size_t n = Label::interned_count();
  const Label again("10.0.0.2:9502>10.0.0.1:39870");
  CHECK(Label::interned_count() == n);  // interned once
  CHECK(again.id() == c.id());
  CHECK(a.str() == "10.0.0.1:39870>10.0.0.2:9502");
  CHECK(&a.str() == &b.str());  // one stored string
}

TEST_CASE("trace labels read like strings: compare, order by text, find, concatenate, format") {
  const Label conn("10.0.0.1:39870>10.0.0.2:9502");
  CHECK(conn == "10.0.0.1:39870>10.0.0.2:9502");
  CHECK(conn == std::string("10.0.0.1:39870>10.0.0.2:9502"));
  CHECK(std::string("10.0.0.1:39870>10.0.0.2:9502") == conn);
  CHECK(conn != "10.0.0.1:39870>10.0.0.2:9503");
  CHECK(conn.starts_with("10.0.0.1:"));
  CHECK(conn.find('>') == 14);
  CHECK(conn.substr(0, 8) == "10.0.0.1");
  CHECK(conn + "|x" == "10.0.0.1:39870>10.0.0.2:9502|x");
  CHECK(fmt::format("[{}]", conn) == "[10.0.0.1:39870>10.0.0.2:9502]");
  // Order is the strings' order, whatever order they were interned in: no id reaches an output.
  const Label z("zz-interned-first"), y("aa-interned-second");
  CHECK(y < z);
  std::map<Label, int> m{{z, 1}, {y, 2}};
  CHECK(m.begin()->first == "aa-interned-second");

  const Text t("3.10.7.2 LISTEN: SYN with SEG.SEQ=863129444");
  CHECK(t == "3.10.7.2 LISTEN: SYN with SEG.SEQ=863129444");
  CHECK(t.compare(0, 8, "3.10.7.2") == 0);
  const Text copy = t;
  CHECK(copy == t);
  CHECK(Text().empty());
  CHECK(Text() == "");
  CHECK(sizeof(Text) == sizeof(void*));  // empty text: no allocation, one pointer
}

TEST_CASE("segment ids: the label and the number give back the string exactly") {
  for (const char* s : {"A>B#3", "A>B.2#17", "198.18.0.7>B#1", "ping:a>b#0", "A>B#4294967294", "", "A>B", "A>B#",
                        "A>B#03", "A>B#-1", "A>B#4294967295", "A#1#2", "#5", "x#y"}) {
    CAPTURE(s);
    const SegId id(s);
    CHECK(id.str() == s);
    CHECK(id == s);
    CHECK(id == SegId(std::string(s)));
  }
  CHECK(SegId("A>B#3") != SegId("A>B#03"));
  CHECK(SegId("A>B#3") != SegId("A>B#30"));
  CHECK(SegId("A>B#3") != "A>B#30");
  CHECK(SegId("A>B#12") < SegId("A>B#3"));  // string order, as before
  CHECK(sizeof(SegId) == 8);
}

TEST_CASE("segment ids from their parts equal the ones split from the string") {
  CHECK(SegId(Label("A>B"), 3) == SegId("A>B#3"));
  CHECK(SegId(Label("A>B.2"), 17).str() == "A>B.2#17");
  CHECK(SegId(Label("198.18.0.7>B"), 1) == "198.18.0.7>B#1");
  CHECK(SegId(Label("A>B"), 3) != SegId("A>B#30"));
}

TEST_CASE("the label cache gives the label a fresh string would, hit or miss, and builds only on a miss") {
  struct Hash {
    std::size_t operator()(int k) const { return static_cast<std::size_t>(k); }
  };
  LabelCache<int, Hash, 4> cache;  // 1 and 5 share a slot
  int built = 0;
  const auto make = [&](int k) {
    return [&built, k] {
      ++built;
      return fmt::format("conn-{}", k);
    };
  };
  CHECK(cache.get(1, make(1)) == Label("conn-1"));
  CHECK(cache.get(1, make(1)) == Label("conn-1"));
  CHECK(built == 1);
  CHECK(cache.get(5, make(5)) == Label("conn-5"));  // evicts 1
  CHECK(cache.get(2, make(2)) == Label("conn-2"));
  CHECK(built == 3);
  CHECK(cache.get(1, make(1)) == Label("conn-1"));  // built again, the same label
  CHECK(built == 4);
  CHECK(cache.get(0, make(0)) == "conn-0");  // the key-initialized slot 0 is not a hit before first use
  CHECK(built == 5);
}

TEST_CASE("a trace event is a small fixed-size record") {
  // 448 bytes with seven std::string fields (and a heap block for every connection label);
  // the segment (header, options, a payload slice) is now half of it.
  CHECK(sizeof(TraceEvent) <= sizeof(Segment) + 96);
  CHECK(sizeof(TraceEvent) <= 200);  // no padding between the fields (a traced bulk run holds 373,690)
  CHECK(sizeof(Segment) <= 104);     // the options' one-byte fields together
  CHECK(sizeof(Label) == 4);
}

namespace {
TraceEvent full_event(TraceType type) {
  TraceEvent e;
  e.t_ns = 1234567;
  e.seq_no = 42;
  e.type = type;
  e.host = 1;
  e.conn = "10.0.0.1:39870>10.0.0.2:9502";
  e.from = State::SynSent;
  e.to = State::Established;
  e.cause = "3.10.7.3 SYN-SENT: SEG.ACK=863129445 in (ISS=863129444, SND.NXT=863129445] and SYN set \u2192 ESTABLISHED";
  e.id = "A>B.2#17";
  e.kind = "DATA";
  e.retx = true;
  e.loss_probe = true;
  e.retx_cause = RetxCause::Rto;
  e.seg.flags = kAck | kPsh;
  e.seg.seq = Seq32(1000);
  e.seg.ack = Seq32(2000);
  e.seg.wnd = 501;
  e.len = 1448;
  e.where = "queue";
  e.reason = "drop-tail queue full (100 packets)";
  e.timer = TimerKind::Rto;
  e.action = TimerAction::Fire;
  e.deadline_ns = 99;
  e.call = "recv";
  e.result = "DATA_MISMATCH at byte 7";
  e.bytes = 7;
  return e;
}
}  // namespace

// The expected lines are what the std::string TraceEvent (7235364) wrote for these events.
TEST_CASE("the JSON line of an event with every field set is what the string fields wrote") {
  const std::vector<std::string> hosts{"client", "server"};
  CHECK(to_json_line(full_event(TraceType::State), hosts) ==
        R"j({"t_ns":1234567,"seq_no":42,"type":"state","host":"server","conn":"10.0.0.1:39870>10.0.0.2:9502",)j"
        R"j("from":"SYN_SENT","to":"ESTABLISHED","cause":"3.10.7.3 SYN-SENT: SEG.ACK=863129445 in (ISS=863129444, )j"
        "SND.NXT=863129445] and SYN set \u2192 ESTABLISHED\"}");
  CHECK(to_json_line(full_event(TraceType::Send), hosts) ==
        R"j({"t_ns":1234567,"seq_no":42,"type":"send","host":"server","conn":"10.0.0.1:39870>10.0.0.2:9502",)j"
        R"j("id":"A>B.2#17","kind":"DATA","flags":"P.","seq":1000,"ack":2000,"len":1448,"wnd":501,"retx":true,)j"
        R"j("loss_probe":true,"retx_cause":"rto"})j");
  CHECK(to_json_line(full_event(TraceType::Drop), hosts) ==
        R"j({"t_ns":1234567,"seq_no":42,"type":"drop","id":"A>B.2#17","where":"queue",)j"
        R"j("reason":"drop-tail queue full (100 packets)"})j");
  CHECK(to_json_line(full_event(TraceType::Deliver), hosts) ==
        R"j({"t_ns":1234567,"seq_no":42,"type":"deliver","host":"server","id":"A>B.2#17"})j");
  CHECK(to_json_line(full_event(TraceType::Timer), hosts) ==
        R"j({"t_ns":1234567,"seq_no":42,"type":"timer","host":"server","conn":"10.0.0.1:39870>10.0.0.2:9502",)j"
        R"j("timer":"RTO","action":"fire","deadline_ns":99})j");
  CHECK(to_json_line(full_event(TraceType::App), hosts) ==
        R"j({"t_ns":1234567,"seq_no":42,"type":"app","host":"server","conn":"10.0.0.1:39870>10.0.0.2:9502",)j"
        R"j("call":"recv","result":"DATA_MISMATCH at byte 7","bytes":7})j");
}

TEST_CASE("events compare field by field, labels by their strings, across copies") {
  const TraceEvent a = full_event(TraceType::Send);
  TraceEvent b = a;  // what a fork copies
  CHECK(a == b);
  b.conn = std::string("10.0.0.1:39870>10.0.0.2:9502");  // interned again: the same id
  CHECK(a == b);
  b.cause = std::string(a.cause.str());
  CHECK(a == b);
  b.id = "A>B.2#18";
  CHECK_FALSE(a == b);
  b = a;
  b.reason = "drop-tail queue full (101 packets)";
  CHECK_FALSE(a == b);
}
