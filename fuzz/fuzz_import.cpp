// libFuzzer target: a capture file's bytes (pcap, pcapng) -> `tcplab import`'s whole pipeline:
// frames decoded, connections inferred, the findings, the sockets and the tcpdump text made.
// Both readers read it: libpcap's (native) and ours (the browser's).
// Input that does not start like a capture is one frame for the decoder, its first byte
// choosing the link type. Nothing may crash, hang or grow without bound.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "import/findings.hpp"
#include "import/infer.hpp"
#include "import/pcap_source.hpp"
#include "import/sockets.hpp"
#include "sim/text_view.hpp"

namespace {

constexpr int kLinks[] = {0, 1, 12, 101, 108, 113, 228, 229, 276, 147};

void pipeline(const std::uint8_t* data, std::size_t size) {
  using namespace tcplab;
  capture::Findings findings;
  capture::CaptureSockets sockets;
  TextView view({});
  capture::InferOptions opt;
  opt.guess_frames = 8;
  capture::Inference inf(
      opt,
      [&](const TraceEvent& e) {
        findings.event(e);
        sockets.event(e);
        (void)view.line(e);
      },
      [&](const capture::ConnInfo& c) { findings.conn_end(c); });
  capture::SourceReport report;
  capture::read_capture_bytes(
      data, size,
      [&](Instant t, std::uint64_t n, const capture::DecodedFrame& f) {
        inf.frame(t, n, f);
        return true;
      },
      report);
  inf.finish();
  (void)capture::report_lines(report);
  // Our own reader (the browser build's, import/capture_reader.hpp) on the same bytes.
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  capture::SourceReport ours;
  (void)capture::read_capture_stream(
      in, "input", [](Instant, std::uint64_t, const capture::DecodedFrame&) { return true; }, ours);
  (void)capture::report_lines(ours);
  (void)findings.report(inf.live(), inf.last_time(), inf.addresses().host_names());
  for (int h : sockets.hosts()) (void)netstat_table(sockets.rows(h));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size >= 4 && ((data[0] == 0xd4 && data[1] == 0xc3) || (data[0] == 0xa1 && data[1] == 0xb2) ||
                    (data[0] == 0x4d && data[1] == 0x3c) || (data[0] == 0x0a && data[1] == 0x0d))) {
    pipeline(data, size);
    return 0;
  }
  if (size < 1) return 0;
  tcplab::capture::DecodedFrame f;
  const int link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
  (void)tcplab::capture::decode_frame(link, data + 1, size - 1, f);
  return 0;
}
