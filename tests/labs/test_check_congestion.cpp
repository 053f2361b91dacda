// The "congestion" check kind: statistics of the congestion series (cwnd, throughput, queue,
// drops, fairness, ping RTT, phase) over a span, against bounds in the measure's unit.
#include <doctest/doctest.h>

#include "labs/checks.hpp"
#include "tests/labs/lab_fixture.hpp"

using namespace tcplab;

namespace {

// One bulk flow through a 10 Mbit/s, 40 ms RTT drop-tail bottleneck of 30 packets, a ping.
std::string bulk_lab(const std::string& checks) {
  return R"(title = "bulk through a bottleneck"
seed = 1
until = "10s"
[[host]]
name = "client"
tcp = { snd_buf = 4194304, rcv_buf = 8388608 }
[[host]]
name = "server"
tcp = { rcv_buf = 8388608 }
[[host]]
name = "pinger"
[[bottleneck]]
name = "bn"
left = ["client", "pinger"]
right = ["server"]
rate = "10Mbps"
delay = "20ms"
buffer = 30
[[app]]
host = "server"
script = ["listen 5001", "accept", "recv all", "close"]
[[app]]
host = "client"
script = ["connect server 5001", "send 100000000", "close"]
[[app]]
host = "pinger"
start = "2s"
ping = { to = "server", interval = "100ms" }
)" + checks;
}

CheckResult one(const std::string& check) {
  const LabRun r = run_lab(parse_lab(bulk_lab(check), "test.toml"));
  REQUIRE(r.results.size() == 1);
  return r.results[0];
}

}  // namespace

TEST_CASE("congestion: the flow's mean throughput is near the bottleneck rate, and not above it") {
  const auto r = one(R"([[check]]
kind = "congestion"
measure = "throughput"
from = "client"
start = "2s"
end = "10s"
min = "9Mbps"
max = "10Mbps"
)");
  CHECK_MESSAGE(r.pass, r.actual);
  CHECK(r.expected.find("mean throughput of client") != std::string::npos);
  CHECK(r.actual.find("Mb/s") != std::string::npos);
  // The same bound the other way fails, with the measured value in words.
  const auto f = one(R"([[check]]
kind = "congestion"
measure = "throughput"
from = "client"
start = "2s"
end = "10s"
min = "11Mbps"
)");
  CHECK_FALSE(f.pass);
  CHECK(f.actual == r.actual);
}

TEST_CASE("congestion: slow start first, a loss, and the queue that caused it") {
  CHECK(one("[[check]]\nkind = \"congestion\"\nmeasure = \"phase\"\nfrom = \"client\"\nphase = \"slow start\"\nend = \"100ms\"\n").pass);
  CHECK(one("[[check]]\nkind = \"congestion\"\nmeasure = \"phase\"\nfrom = \"client\"\nphase = \"recovery\"\n").pass);
  const auto bbr = one("[[check]]\nkind = \"congestion\"\nmeasure = \"phase\"\nfrom = \"client\"\nphase = \"probe_rtt\"\n");
  CHECK_FALSE(bbr.pass);
  CHECK(bbr.actual.find("\"slow start\"") != std::string::npos);
  // The drop-tail queue of 30 packets fills: its maximum is 30 and it dropped.
  CHECK(one("[[check]]\nkind = \"congestion\"\nmeasure = \"queue\"\nlink = \"bn s>r\"\nstat = \"max\"\nexpect = \"30\"\n").pass);
  CHECK(one("[[check]]\nkind = \"congestion\"\nmeasure = \"drops\"\nlink = \"bn s>r\"\nmin = \"1\"\n").pass);
  const auto nolink = one("[[check]]\nkind = \"congestion\"\nmeasure = \"drops\"\nlink = \"bn x\"\nmin = \"1\"\n");
  CHECK_FALSE(nolink.pass);
  CHECK(nolink.actual.find("\"bn s>r\"") != std::string::npos);
}

TEST_CASE("congestion: cwnd starts at 10 segments; the ping waits behind the queue") {
  const auto iw = one("[[check]]\nkind = \"congestion\"\nmeasure = \"cwnd\"\nfrom = \"client\"\nat = \"50ms\"\nexpect = \"14480\"\n");
  CHECK_MESSAGE(iw.pass, iw.actual);
  // 40 ms of path RTT plus up to 30 packets x 1.2 ms of queue: between 40 and 80 ms.
  const auto ping = one("[[check]]\nkind = \"congestion\"\nmeasure = \"ping_rtt\"\nfrom = \"pinger\"\nmin = \"40ms\"\nmax = \"80ms\"\n");
  CHECK_MESSAGE(ping.pass, ping.actual);
  const auto rtt = one("[[check]]\nkind = \"congestion\"\nmeasure = \"ping_rtt\"\nfrom = \"pinger\"\nmax = \"41ms\"\n");
  CHECK_FALSE(rtt.pass);  // the queue adds delay: the mean is above the bare path's 40 ms
}

TEST_CASE("congestion: bad checks are refused at load time with the key and what is wrong") {
  auto refused = [](const std::string& check) -> std::string {
    try {
      (void)parse_lab(bulk_lab(check), "test.toml");
    } catch (const LabError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(refused("[[check]]\nkind = \"congestion\"\nmeasure = \"cwind\"\nfrom = \"client\"\nmin = \"1\"\n")
            .find("did you mean 'cwnd'") != std::string::npos);
  CHECK(refused("[[check]]\nkind = \"congestion\"\nmeasure = \"throughput\"\nfrom = \"client\"\nmin = \"fast\"\n")
            .find("is not a rate") != std::string::npos);
  CHECK(refused("[[check]]\nkind = \"congestion\"\nmeasure = \"queue\"\nmax = \"5\"\n").find("needs link") !=
        std::string::npos);
  CHECK(refused("[[check]]\nkind = \"congestion\"\nmeasure = \"cwnd\"\nfrom = \"client\"\n").find("needs expect, min or max") !=
        std::string::npos);
  CHECK(refused("[[check]]\nkind = \"congestion\"\nmeasure = \"fairness\"\nmin = \"1.5\"\n").find("fairness index") !=
        std::string::npos);
  CHECK(refused("[[check]]\nkind = \"congestion\"\nmeasure = \"cwnd\"\nfrom = \"client\"\nmin = \"2KB\"\nmax = \"1KB\"\n")
            .find("max is smaller than") != std::string::npos);
}

TEST_CASE("congestion: run_checks without series runs the lab again with them (the same run)") {
  const Lab lab = parse_lab(bulk_lab("[[check]]\nkind = \"congestion\"\nmeasure = \"drops\"\nlink = \"bn s>r\"\nmin = \"1\"\n"), "t.toml");
  const LabRun r = run_lab(lab);
  REQUIRE(r.results.size() == 1);
  const auto again = run_checks(lab, r.world, r.sink->events, nullptr);
  REQUIRE(again.size() == 1);
  CHECK(again[0].pass == r.results[0].pass);
  CHECK(again[0].actual == r.results[0].actual);
}
