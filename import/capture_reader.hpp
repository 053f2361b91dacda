#pragma once
// Our own reader of capture files, record by record, for where libpcap is not (the browser
// build: libtins and libpcap do not exist for WebAssembly). It reads classic pcap (either
// byte order, micro- or nanosecond timestamps) and pcapng (SHB, IDB with if_tsresol and
// if_tsoffset, EPB, SPB and the obsolete PB; other blocks are skipped, as the format asks),
// streamed from an istream: one record's bytes are held at a time. Anything else is refused
// with a message naming what the file starts with. No BPF filter (that needs libpcap).
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace tcplab::capture {

struct CaptureRecord {
  int link = -1;                 // LINKTYPE of the record's interface (as stored in the file)
  std::int64_t sec = 0;          // timestamp: seconds since the epoch ...
  std::uint32_t nsec = 0;        // ... and nanoseconds
  std::uint32_t caplen = 0;      // bytes captured (data holds them)
  std::uint32_t len = 0;         // bytes on the wire
  const std::uint8_t* data = nullptr;  // valid until the next call of next()
};

class CaptureReader {
 public:
  // Reads the file header; error() says why when it is not a capture we read.
  explicit CaptureReader(std::istream& in);
  // The next record; false at the end of the file, or when the rest cannot be read
  // (stopped() says why: a truncated file, a damaged block).
  bool next(CaptureRecord& r);
  const std::string& error() const { return error_; }
  const std::string& stopped() const { return stopped_; }
  bool pcapng() const { return ng_; }
  int first_link() const { return first_link_; }

 private:
  struct Interface {
    int link = -1;
    std::uint32_t snaplen = 0;
    std::uint64_t units_per_s = 1'000'000;  // if_tsresol
    std::int64_t offset_s = 0;              // if_tsoffset
  };
  bool read_exact(void* p, std::size_t n);
  std::uint16_t u16(const std::uint8_t* p) const;
  std::uint32_t u32(const std::uint8_t* p) const;
  bool open_pcap(const std::uint8_t head[4]);
  bool open_ng();
  bool next_pcap(CaptureRecord& r);
  bool next_ng(CaptureRecord& r);
  bool read_section_header(std::uint32_t total);  // the SHB after its type and length
  void read_interface();                          // body_ holds an IDB's body
  bool packet_from_ng(std::uint32_t type, CaptureRecord& r);
  void set_time(const Interface& ifc, std::uint64_t ts, CaptureRecord& r) const;

  std::istream& in_;
  std::string error_, stopped_;
  bool ng_ = false;
  bool big_ = false;         // the file (or pcapng section) is big-endian
  bool nano_ = false;        // classic pcap with nanosecond timestamps
  int first_link_ = -1;
  std::uint32_t snaplen_ = 0;
  std::vector<Interface> interfaces_;  // of the current pcapng section
  std::vector<std::uint8_t> body_;     // the current record or block
};

}  // namespace tcplab::capture
