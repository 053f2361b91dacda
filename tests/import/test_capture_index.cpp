// A capture's trace indexed as the visualizer indexes a run (sim/trace_index.hpp's
// constructor for traces no simulation made): the ladder's rows, each segment between its
// two hosts, both sides as endpoints that know each other, their inferred state changes,
// the tcpdump lines and netstat's counts over time.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "import/import_file.hpp"
#include "sim/trace_index.hpp"

using namespace tcplab;
using namespace tcplab::capture;

namespace {

struct Imported {
  TraceEvents events;
  TraceIndex::HostTable hosts;
};

Imported import_sample(const std::string& rel) {
  Imported out;
  ImportRequest req;
  req.path = std::string(TCPLAB_SOURCE_DIR) + "/" + rel;
  const AddressBook* book = nullptr;
  const ImportSummary s = import_capture(req, [&](const TraceEvent& e) {
    out.events.push_back(e);
    // The book grows as hosts appear: take their keys while it is there.
    for (int h = static_cast<int>(out.hosts.ips.size()); h < static_cast<int>(book->host_names().size()); ++h) {
      out.hosts.names.push_back(book->host_names()[static_cast<std::size_t>(h)]);
      out.hosts.tags.push_back(std::string(1, static_cast<char>('A' + h)));
      out.hosts.ips.push_back(book->host_key(h).value_or(0));
    }
  }, {}, &book);
  REQUIRE_MESSAGE(s.ok, s.error);
  return out;
}

}  // namespace

TEST_SUITE("import") {
  TEST_CASE("a capture's trace indexed for the visualizer: rows, segments between hosts, both sides, counts") {
    const Imported cap = import_sample("fuzz/corpus/import/handshake.pcap");
    REQUIRE(cap.hosts.names.size() == 2);
    const TraceIndex ix(cap.events, cap.hosts);
    std::size_t sends = 0, states = 0;
    for (const auto& e : cap.events) {
      sends += e.type == TraceType::Send;
      states += e.type == TraceType::State;
    }
    REQUIRE(sends > 0);
    REQUIRE(states > 0);
    // One segment per captured send, each from one host to the other, on a ladder row.
    REQUIRE(ix.segments().size() == sends);
    for (const SegInfo& s : ix.segments()) {
      CHECK(s.src_host >= 0);
      CHECK(s.dst_host == 1 - s.src_host);
      CHECK(s.row_send != kNone);
      CHECK(s.src_ep != kNone);
    }
    CHECK(ix.segments().front().label.rfind("[S]", 0) == 0);
    // The two sides are endpoints that name each other, with every inferred state change.
    const auto pair = ix.default_pair();
    REQUIRE(pair.size() == 2);
    const EndpointInfo& a = ix.endpoints()[pair[0]];
    const EndpointInfo& b = ix.endpoints()[pair[1]];
    CHECK(a.peer == pair[1]);
    CHECK(b.peer == pair[0]);
    CHECK(a.host != b.host);
    CHECK(a.state_events.size() + b.state_events.size() == states);
    CHECK(cap.events[a.state_events.front()].to == State::SynSent);
    // Rows are instants: as many as the distinct times of visible events, in time order.
    REQUIRE(!ix.rows().empty());
    for (std::size_t r = 1; r < ix.rows().size(); ++r) CHECK(ix.rows()[r].t_ns > ix.rows()[r - 1].t_ns);
    // The stops step through it and back; the text has a line per segment at least.
    CHECK(ix.next_stop(0) > 0);
    CHECK(ix.prev_stop(ix.next_stop(0)) == 0);
    CHECK(ix.lines().size() >= sends);
    // netstat's counts: at the start the opener is in SYN_SENT, somewhere later both ESTABLISHED.
    REQUIRE(!ix.state_counts().empty());
    bool both_established = false;
    for (const StateCounts& c : ix.state_counts())
      both_established |= c.count[static_cast<std::size_t>(State::Established)] == 2;
    CHECK(both_established);
  }
}
