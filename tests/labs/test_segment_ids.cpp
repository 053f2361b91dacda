// Issue 18 item 18: segment ids name the connection when a host pair has several.
#include <doctest/doctest.h>

#include "labs/lab.hpp"
#include "labs/runner.hpp"
#include "sim/fault.hpp"

#include <algorithm>
#include <set>

using namespace tcplab;

namespace {

// Two connections from client to server, one after the other, then one back from server.
std::string two_conns(const std::string& top, const std::string& checks = "") {
  return "title = \"ids\"\nseed = 1\nuntil = \"30s\"\n" + top +
         "\n[[host]]\nname = \"client\"\n\n[[host]]\nname = \"server\"\n\n[link]\ndelay = \"1ms\"\n"
         "\n[[app]]\nhost = \"server\"\nscript = [\"listen 80\", \"accept\", \"recv all\", \"close\", \"accept\", \"recv all\", \"close\"]\n"
         "\n[[app]]\nhost = \"client\"\nstart = \"1ms\"\n"
         "script = [\"connect server 80\", \"send 10\", \"close\", \"wait 1s\", \"connect server 80\", \"send 10\", \"close\"]\n" +
         checks;
}

std::vector<std::string> sent_ids(const LabRun& r) {
  std::vector<std::string> v;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::Send) v.push_back(e.id);
  return v;
}

std::vector<std::string> dropped_ids(const LabRun& r) {
  std::vector<std::string> v;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::Drop) v.push_back(e.id);
  return v;
}

bool has_id(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("the first connection of a host pair keeps A>B#n, the k-th is A>B.k#n, both ways") {
  LabRun r = run_lab(parse_lab(two_conns(""), "ids.toml"));
  const auto ids = sent_ids(r);
  CHECK(has_id(ids, "A>B#1"));
  CHECK(has_id(ids, "B>A#1"));
  CHECK(has_id(ids, "A>B.2#1"));
  CHECK(has_id(ids, "B>A.2#1"));
  CHECK_FALSE(has_id(ids, "A>B.1#1"));
  // No id repeats: each names one segment.
  std::set<std::string> unique(ids.begin(), ids.end());
  CHECK(unique.size() == ids.size());
}

TEST_CASE("a fault A>B#n matches only the pair's first connection; A>B.k#n the k-th; a kind ordinal every one") {
  {
    LabRun r = run_lab(parse_lab(two_conns("faults = [\"drop A>B#1\"]\n"), "ids.toml"));
    CHECK(dropped_ids(r) == std::vector<std::string>{"A>B#1"});
  }
  {
    LabRun r = run_lab(parse_lab(two_conns("faults = [\"drop client>server.2#1\"]\n"), "ids.toml"));
    CHECK(dropped_ids(r) == std::vector<std::string>{"A>B.2#1"});
  }
  {
    LabRun r = run_lab(parse_lab(two_conns("faults = [\"drop A>B SYN #1\"]\n"), "ids.toml"));
    CHECK(dropped_ids(r) == std::vector<std::string>{"A>B#1", "A>B.2#1"});
  }
  {
    LabRun r = run_lab(parse_lab(two_conns("faults = [\"drop A>B.2 SYN #1\"]\n"), "ids.toml"));
    CHECK(dropped_ids(r) == std::vector<std::string>{"A>B.2#1"});
  }
}

TEST_CASE("fault rules read the connection number; an address keeps its four numbers") {
  std::string err;
  auto r = parse_fault("drop A>B.3#2", &err);
  REQUIRE(r);
  CHECK(r->dst == "B");
  CHECK(r->pair_conn == 3u);
  r = parse_fault("drop A>B#2", &err);
  REQUIRE(r);
  CHECK(r->pair_conn == 1u);
  r = parse_fault("drop A>B FIN #1", &err);
  REQUIRE(r);
  CHECK_FALSE(r->pair_conn);
  r = parse_fault("drop 10.0.0.1>10.0.0.2#2", &err);
  REQUIRE(r);
  CHECK(r->dst == "10.0.0.2");
  CHECK(r->pair_conn == 1u);
  r = parse_fault("drop 10.0.0.1>10.0.0.2.4#2", &err);
  REQUIRE(r);
  CHECK(r->dst == "10.0.0.2");
  CHECK(r->pair_conn == 4u);
  CHECK_FALSE(parse_fault("drop A>B.0#2", &err));
  CHECK(err.find("connection number") != std::string::npos);
}

TEST_CASE("a segment check names a later connection's segment by A>B.k#n; A>B.1#n is A>B#n") {
  const std::string checks =
      "\n[[check]]\nkind = \"segment\"\nid = \"A>B.2#1\"\nflags = \"S\"\nat = \"1s\"\nwithin = \"100ms\"\n"
      "\n[[check]]\nkind = \"segment\"\nid = \"A>B.1#1\"\nflags = \"S\"\nat = \"1ms\"\nwithin = \"1ms\"\n";
  LabRun r = run_lab(parse_lab(two_conns("", checks), "ids.toml"));
  REQUIRE(r.results.size() == 2);
  CHECK_MESSAGE(r.results[0].pass, r.results[0].actual);
  CHECK_MESSAGE(r.results[1].pass, r.results[1].actual);
}
