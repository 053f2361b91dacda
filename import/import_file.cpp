#include "import/import_file.hpp"

#include <cstring>
#include <fstream>
#include <limits>

#include <fmt/format.h>

namespace tcplab::capture {
namespace {

// Natively libpcap reads the file (and compiles the filter); the browser build has no libpcap
// and reads it with our own reader (import/capture_reader.hpp), without filters.
bool read_source(const ImportRequest& req, const FrameFn& frame, SourceReport& source) {
#ifdef __EMSCRIPTEN__
  if (!req.filter.empty()) {
    source.error = "--filter needs libpcap, which the browser build does not have";
    return false;
  }
  std::ifstream in(req.path, std::ios::binary);
  if (!in) {
    source.error = fmt::format("cannot open '{}'", req.path);
    return false;
  }
  return read_capture_stream(in, req.path, frame, source);
#else
  return read_capture_file(req.path, req.filter, frame, source);
#endif
}

}  // namespace

bool looks_like_capture(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char m[4] = {};
  if (!in.read(reinterpret_cast<char*>(m), 4)) return false;
  std::uint32_t le;
  std::memcpy(&le, m, 4);
  switch (le) {
    case 0xa1b2c3d4: case 0xd4c3b2a1:  // pcap, microseconds (either byte order)
    case 0xa1b23c4d: case 0x4d3cb2a1:  // pcap, nanoseconds
    case 0x0a0d0d0a:                   // pcapng section header block
      return true;
    default: return false;
  }
}

Instant resolve_moment(const ImportRequest& req, Instant first) {
  if (req.stop_at) return *req.stop_at;
  if (req.stop_after_first) return first + *req.stop_after_first;
  if (req.stop_at_time_of_day) {
    const Instant day = sec(86400);
    Instant t = first - first % day + *req.stop_at_time_of_day;
    if (t < first - first % day) t += day;
    if (t + day <= first) t += day;
    return t;
  }
  return std::numeric_limits<Instant>::max();
}

ImportSummary import_capture(const ImportRequest& req, const Inference::EventFn& on_event, const Inference::ConnFn& on_end,
                             const AddressBook** live_book, const Inference::ConnFn& on_frame) {
  ImportSummary out;
  Inference inf(req.infer, on_event, on_end);
  if (on_frame) inf.on_frame(on_frame);
  if (live_book) *live_book = &inf.addresses();
  const bool stops = req.stop_at || req.stop_after_first || req.stop_at_time_of_day;
  const auto frame = [&](Instant t, std::uint64_t n, const DecodedFrame& f) {
    if (out.first < 0) {
      out.first = t;
      if (stops) out.stop_at = resolve_moment(req, t);
    }
    // Past the moment asked for by more than the horizon nothing placed before it can change.
    if (out.stop_at && t > *out.stop_at + req.infer.horizon) return false;
    out.last = std::max(out.last, t);
    inf.frame(t, n, f);
    return true;
  };
  out.ok = read_source(req, frame, out.source);
  out.error = out.source.error;
  if (!out.ok) return out;
  inf.finish(out.stop_at);
  out.notes = report_lines(out.source);
  if (out.source.tcp == 0)
    out.notes.push_back(fmt::format("note: no TCP segment in {} frame{}{}", out.source.frames, out.source.frames == 1 ? "" : "s",
                                    req.filter.empty() ? "" : " that pass the filter"));
  else
    out.notes.push_back("note: " + inf.capture_point_note());
  out.host_names = inf.addresses().host_names();
  out.capture_host = inf.capture_host();
  out.live = inf.live();
  if (live_book) *live_book = nullptr;
  return out;
}

}  // namespace tcplab::capture
