#pragma once
// A capture file through the inference: read (import/pcap_source.hpp), infer
// (import/infer.hpp), hand the trace records on. The one place `tcplab import`, `tcplab
// netstat CAPTURE` and the tests drive the importer from.
#include <optional>
#include <string>
#include <vector>

#include "import/infer.hpp"
#include "import/pcap_source.hpp"

namespace tcplab::capture {

struct ImportRequest {
  std::string path;
  std::string filter;               // BPF, as tcpdump takes it
  InferOptions infer;
  std::optional<Instant> stop_at;   // read only what shows the capture up to this time (netstat --at)
  // Or the moment given relative to the capture: a duration after its first segment, or a
  // time of day (the clock tcpdump prints); stop_at is set from it at the first segment.
  std::optional<Duration> stop_after_first, stop_at_time_of_day;
};

// When a request's moment falls, given the capture's first segment's time.
Instant resolve_moment(const ImportRequest& req, Instant first);

struct ImportSummary {
  bool ok = false;                  // false: nothing could be read (error says why)
  std::string error;
  SourceReport source;
  std::vector<std::string> notes;   // one line each: skipped frames, checksums, the capture point
  std::vector<std::string> host_names;
  std::string capture_host;
  Instant first = -1, last = -1;
  std::optional<Instant> stop_at;   // the moment, resolved
  std::vector<ConnInfo> live;       // connections not over at the end (or at stop_at)
};

// Runs the whole import; on_event and on_end as for Inference. `live_book` (optional) is set
// to the importer's address table before the first event, so a callback can name hosts and
// print IPv6 addresses while it runs (valid until import_capture returns). `on_frame`: as
// Inference::on_frame (each frame's connection with its TCB estimates then).
ImportSummary import_capture(const ImportRequest& req, const Inference::EventFn& on_event,
                             const Inference::ConnFn& on_end = {}, const AddressBook** live_book = nullptr,
                             const Inference::ConnFn& on_frame = {});

// True when the file starts like a pcap or pcapng capture (its magic number).
bool looks_like_capture(const std::string& path);

}  // namespace tcplab::capture
