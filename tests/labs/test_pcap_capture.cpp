// Issue 18 item 15: a pcap captured at a host is what tcpdump on that host would see.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include <doctest/doctest.h>

#include "labs/lab.hpp"
#include "labs/runner.hpp"
#include "stack/wire/pcap.hpp"

using namespace tcplab;

namespace {

std::vector<PcapPacket> capture(const LabRun& r, int at, const std::string& name) {
  const auto path = (std::filesystem::temp_directory_path() / ("tcplab-capture-" + name + ".pcap")).string();
  REQUIRE(write_pcap(r, path, at) == "");
  PcapReadResult rd = read_pcap_file(path);
  std::filesystem::remove(path);
  REQUIRE(rd.ok);
  CHECK(rd.malformed == 0);
  return rd.packets;
}

std::int64_t usec(std::int64_t t_ns) { return t_ns / 1000; }

}  // namespace

TEST_CASE("lossy-transfer: the pcap at a host has what reached it, at its arrival time") {
  LabRun r = run_lab(load_lab("lossy-transfer"));
  const int client = client_host(r.lab), server = 1;
  REQUIRE(client == 0);
  CHECK(capture_point(r.lab, "client") == 0);
  CHECK(capture_point(r.lab, "server") == 1);
  CHECK(capture_point(r.lab, "B") == 1);
  CHECK(capture_point(r.lab, "10.0.0.2") == 1);
  CHECK(capture_point(r.lab, "link") == kCaptureLink);
  CHECK_FALSE(capture_point(r.lab, "nobody"));
  const Ipv4 client_ip = r.world.hosts()[0].ip;

  std::size_t sends = 0;
  std::map<int, std::multiset<std::int64_t>> sent_at, delivered_at;
  for (const auto& e : r.sink->events) {
    if (e.type == TraceType::Send) ++sends, sent_at[e.host].insert(usec(e.t_ns));
    if (e.type == TraceType::Deliver) delivered_at[e.host].insert(usec(e.t_ns));
  }
  for (int h : {client, server}) {
    CAPTURE(h);
    const auto pk = capture(r, h, std::to_string(h));
    CHECK(pk.size() == sent_at[h].size() + delivered_at[h].size());
    // Timestamps never go back (no Wireshark "out of order" that no host saw).
    for (std::size_t i = 1; i < pk.size(); ++i) CHECK(pk[i - 1].t_ns <= pk[i].t_ns);
    // The host's own sends at their send time, the others' at their arrival time here.
    std::multiset<std::int64_t> own, in;
    const Ipv4 ip = r.world.hosts()[static_cast<std::size_t>(h)].ip;
    for (const auto& p : pk) (p.seg.src.ip == ip ? own : in).insert(p.t_ns / 1000);
    CHECK(own == sent_at[h]);
    CHECK(in == delivered_at[h]);
  }
  // The link capture is every send at its send time (what it always was).
  CHECK(capture(r, kCaptureLink, "link").size() == sends);

  // The client's 10th segment, dropped on purpose: in the client's capture, not the server's.
  const TraceEvent* dropped = nullptr;
  for (const auto& e : r.sink->events)
    if (e.type == TraceType::Send && e.id == "A>B#10") dropped = &e;
  REQUIRE(dropped);
  auto at_time = [&](const std::vector<PcapPacket>& pk) {
    return std::count_if(pk.begin(), pk.end(), [&](const PcapPacket& p) {
      return p.seg.src.ip == client_ip && p.seg.seq == dropped->seg.seq && usec(p.t_ns) <= usec(dropped->t_ns);
    });
  };
  CHECK(at_time(capture(r, client, "c")) == 1);
  CHECK(at_time(capture(r, server, "s")) == 0);
}

TEST_CASE("--pcap-at names a host by its name before the 'client' rule (syn-cookies: the attacker connects first)") {
  const Lab lab = load_lab("syn-cookies");
  REQUIRE(lab.hosts[0].name == "client");
  REQUIRE(client_host(lab) != 0);                 // the first host that connects is the attacker
  CHECK(capture_point(lab, "client") == 0);       // the host named client
  CHECK(capture_point(lab, "attacker") == 2);
}
