#pragma once
// pcap files of simulated traffic: LINKTYPE_RAW (101, raw IPv4, what tcpdump shows as
// "RAW (Raw IP)"), one IPv4/TCP datagram per record, microsecond timestamps taken from
// virtual time. Written with libtins; libtins stays out of this header.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stack/segment.hpp"

namespace tcplab {

class PcapWriter {
 public:
  // Opens (creates or truncates) path. Never throws: on failure ok() is false, error()
  // says why ("cannot open pcap file 'x/y.pcap' for writing: No such file or directory"),
  // and write() does nothing.
  explicit PcapWriter(const std::string& path);
  ~PcapWriter();
  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // True while nothing has gone wrong (opening, or a later write).
  bool ok() const { return error_.empty(); }
  std::string error() const { return error_; }
  // Appends one record: encode_ipv4(seg, ip_id) stamped with t_ns (virtual time,
  // truncated to microseconds; negative times are written as 0).
  void write(const Segment& seg, std::int64_t t_ns, std::uint16_t ip_id);
  // Flushes and closes the file (also done by the destructor). write() after close() is ignored.
  void close();
  std::size_t packets_written() const { return written_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
  std::size_t written_ = 0;
};

struct PcapPacket {
  std::int64_t t_ns = 0;  // the record's timestamp (µs or ns resolution, as stored)
  Segment seg;
};

struct PcapReadResult {
  bool ok = false;                     // false if the file could not be read as pcap at all
  std::string error;                   // why not ok, or why reading stopped early (truncated file)
  std::vector<PcapPacket> packets;     // the frames that decoded as IPv4/TCP
  std::size_t frames = 0;              // records seen
  std::size_t malformed = 0;           // records skipped: not IPv4/TCP, bad checksum, bad options...
  std::vector<std::string> problems;   // "frame 3: bad TCP checksum 0x1234 (should be 0x4321)"
};

// Reads a classic pcap file (either byte order, µs or ns timestamps) with link type
// RAW (101), IPV4 (228), EN10MB (1) or LINUX_SLL (113). Bad packets are counted and
// skipped, never thrown. Never throws.
PcapReadResult read_pcap_file(const std::string& path);

// Convenience form: the segments only. *error (if given) is set when the file could not be
// read or was cut short, else cleared; *malformed (if given) gets the skipped-record count.
std::vector<Segment> read_pcap(const std::string& path, std::string* error,
                               std::size_t* malformed = nullptr);

}  // namespace tcplab
