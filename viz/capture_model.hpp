#pragma once
// A capture opened in the visualizer (issue 21): `tcplab import`'s inference (import/) made
// something the panels can step through like a lab's timeline.
//
// The import's trace records each segment when the capture saw it. The ladder shows two
// hosts' lifelines, so here each segment is drawn from when its sender sent it to when its
// receiver got it: the capture host's own segments leave at the capture time and reach the
// far side one one-way delay later; the far side's were sent one delay before they were
// captured and arrive at the capture time (the delay the inference used then: half the
// smallest recent RTT). On the path (no capture host) there is no delay to either side.
// What a capture cannot show (cwnd, timers, the application's reads) is not invented: the
// endpoint panel shows the inference's TCB estimates, marked as such.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "import/infer.hpp"
#include "sim/trace_index.hpp"
#include "sim/views.hpp"
#include "viz/cwnd_series.hpp"

namespace tcplab::viz {

// One side's TCB estimate right after a captured segment of its connection.
struct CaptureTcbAt {
  Instant t = 0;
  capture::SideTcb side;
  std::uint64_t peer_wnd = 0;                 // the window the peer last advertised (SND.WND)
  std::optional<std::uint32_t> peer_iss;      // IRS
  Duration delay = -1;                        // the one-way delay used for the far side then
  std::uint64_t conn = 0;                     // the connection's number (1, 2, ...)
};

// A netstat row of a capture at a moment, with the trace's label of its connection.
struct CaptureSocketRow {
  SocketRow row;
  std::string label;  // "" for a listener
};

struct CaptureModel {
  std::string path, name;            // name: the file's stem
  TraceEvents trace;                 // the import's records, segments placed as above, a deliver each
  TraceIndex::HostTable hosts;
  std::string capture_host;          // its address; "" when the capture was taken on the path
  std::string capture_note;          // how the capture point was chosen
  std::vector<std::string> notes;    // the reader's notes (skipped frames, checksums)
  std::vector<capture::ConnInfo> conns;  // every connection, as it stood at its end
  std::map<Ipv4, std::string> v6_text;   // IPv6 addresses by their stand-in key
  std::uint64_t frames = 0, segments = 0;
  Instant origin = 0;                // the first frame's capture time: every time here counts from it
  bool tcb_truncated = false;        // too many segments: TCB estimates kept for the first kMaxTcbSamples

  static constexpr std::size_t kMaxTcbSamples = 400'000;

  // The estimate for the connection `label` on `host` at time t (its latest incarnation by
  // then), or null before its first segment.
  const CaptureTcbAt* tcb_at(int host, const std::string& label, Instant t) const;
  // Every estimate of that side, in time order.
  const std::vector<CaptureTcbAt>* tcb_series(int host, const std::string& label) const;
  // The plots' series for that side: flight size (SND.NXT - SND.UNA) and the peer's window
  // over time; cwnd and ssthresh are unknown (0).
  std::vector<CwndSample> flight_series(int host, const std::string& label) const;
  // netstat -nat on every host after the first `cursor` trace events.
  std::vector<CaptureSocketRow> sockets_at(std::uint64_t cursor) const;
  // An address as the capture wrote it (IPv6 in its own text).
  std::string address_text(Ipv4 key) const;
  std::string endpoint_text(const Endpoint& e) const;

  std::map<std::pair<int, std::string>, std::vector<CaptureTcbAt>> tcb;  // by (host, side label)
};

// Reads and infers a capture file. Throws std::runtime_error with one line ("FILE: what")
// when nothing can be read or it holds no TCP segment.
std::shared_ptr<const CaptureModel> load_capture(const std::string& path);

// True when PATH starts like a pcap or pcapng file (the visualizer then opens it as a capture).
bool is_capture_file(const std::string& path);

}  // namespace tcplab::viz
