#pragma once
// Reads a capture file (pcap or pcapng, through libpcap as libtins opens it) frame by frame
// and hands each TCP segment to a callback: the file is streamed, never held in memory.
// Frames that are not TCP, or that do not decode, are counted by reason (source_report lines).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "import/frame.hpp"

namespace tcplab::capture {

struct SourceReport {
  std::string error;         // the file could not be read at all (nothing was)
  std::string stopped;       // reading stopped early (a truncated file): what was read is kept
  int link = -1;             // the link type of the (first) interface
  std::uint64_t frames = 0;  // records read
  std::uint64_t tcp = 0;     // TCP segments handed on
  std::array<std::uint64_t, kSkipKinds> skipped{};       // by Skip
  std::array<std::uint64_t, kSkipKinds> skipped_first{}; // the first frame number of each
  std::array<std::uint64_t, kNoteKinds> noted{};         // by Note bit (bit i -> index i)
  std::array<std::uint64_t, kNoteKinds> noted_first{};
};

// One line per kind of problem seen, e.g. "note: 12 frames not TCP (UDP, ICMP, ...), skipped (first: frame 3)".
std::vector<std::string> report_lines(const SourceReport& r);

// Returns false to stop reading (netstat --at has what it needs).
using FrameFn = std::function<bool(Instant t_ns, std::uint64_t frame_number, const DecodedFrame&)>;

// One record of a capture to the callback: decoded, counted in the report by what was skipped
// or noticed. The timestamp is kept to the microsecond, as libpcap hands it on, so that every
// reader gives the same trace. Returns fn's answer (false: stop reading).
bool deliver_frame(int link, std::int64_t sec, std::uint32_t nsec, const std::uint8_t* data, std::uint32_t caplen,
                   std::uint32_t len, const FrameFn& fn, SourceReport& report);

// Reads a capture from a stream with our own reader (import/capture_reader.hpp): no libpcap,
// no filter. What the browser build reads a dropped file with. `name` is for messages.
bool read_capture_stream(std::istream& in, const std::string& name, const FrameFn& fn, SourceReport& report);

// Reads `path` (filter: a BPF expression as tcpdump takes it, "" for none). Returns false
// when nothing could be read (report.error says why). Never throws.
bool read_capture_file(const std::string& path, const std::string& filter, const FrameFn& fn, SourceReport& report);
// The same over bytes in memory (the fuzzer's entry point).
bool read_capture_bytes(const std::uint8_t* data, std::size_t size, const FrameFn& fn, SourceReport& report);

}  // namespace tcplab::capture
