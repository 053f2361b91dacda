#include "stack/wire/pcap.hpp"

#include <tins/tins.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>
#include <utility>

#include "stack/wire/codec.hpp"
#include "stack/wire/wire_format.hpp"

// libtins 4.0 has no DataLinkType<IP>; this is the shim. libpcap maps DLT_RAW (12 on
// Linux) to LINKTYPE_RAW (101) in the file header, which tshark/tcpdump read as Raw IP.
namespace Tins {
template <>
struct DataLinkType<IP> {
  static const int type = DLT_RAW;
  int get_type() const { return type; }
};
}  // namespace Tins

namespace tcplab {

// ---------------------------------------------------------------- writer

struct PcapWriter::Impl {
  Tins::PacketWriter writer;
  explicit Impl(const std::string& path) : writer(path, Tins::DataLinkType<Tins::IP>()) {}
};

PcapWriter::PcapWriter(const std::string& path) {
  const std::string what = "cannot open pcap file '" + path + "' for writing";
  if (path.empty()) {
    error_ = what + ": empty path";
    return;
  }
  // Probe with the standard library first: libpcap's own message for a missing directory
  // varies between versions, this one is always "No such file or directory".
  {
    errno = 0;
    std::ofstream probe(path, std::ios::binary | std::ios::trunc);
    if (!probe) {
      const int e = errno;
      error_ = what + ": " + (e != 0 ? std::string(std::strerror(e)) : std::string("open failed"));
      return;
    }
  }
  try {
    impl_ = std::make_unique<Impl>(path);
  } catch (const std::exception& e) {
    error_ = what + ": " + e.what();
    impl_.reset();
  }
}

PcapWriter::~PcapWriter() = default;
PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;

void PcapWriter::close() { impl_.reset(); }

void PcapWriter::write(const Segment& seg, std::int64_t t_ns, std::uint16_t ip_id) {
  if (!impl_) return;
  const std::vector<std::uint8_t> bytes = encode_ipv4(seg, ip_id);
  if (bytes.empty()) return;
  try {
    const Tins::RawPDU raw(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
    const std::int64_t us = t_ns > 0 ? t_ns / 1000 : 0;
    Tins::Packet pkt(raw, Tins::Timestamp(std::chrono::microseconds(us)));
    impl_->writer.write(pkt);
    ++written_;
  } catch (const std::exception& e) {
    if (error_.empty()) error_ = std::string("pcap write failed: ") + e.what();
  }
}

// ---------------------------------------------------------------- reader

namespace {

constexpr std::uint32_t kMagicUs = 0xa1b2c3d4, kMagicNs = 0xa1b23c4d;
constexpr std::uint32_t kMagicUsSwapped = 0xd4c3b2a1, kMagicNsSwapped = 0x4d3cb2a1;
constexpr std::uint32_t kLinkEthernet = 1, kLinkRaw = 101, kLinkSll = 113, kLinkIpv4 = 228;
constexpr std::uint32_t kMaxRecord = 256 * 1024;  // larger than any sane snaplen

std::uint32_t le32(const unsigned char* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
         (std::uint32_t{p[3]} << 24);
}
std::uint32_t swap32(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}
using wire::be16;

// Where the IPv4 datagram starts inside a frame of the given link type, or an error.
std::optional<std::size_t> l3_offset(std::uint32_t link, const std::vector<std::uint8_t>& f,
                                     std::string* err) {
  switch (link) {
    case kLinkRaw:
    case kLinkIpv4:
      return 0;
    case kLinkEthernet: {
      std::size_t off = 12;
      if (f.size() < off + 2) break;
      std::uint16_t et = be16(f.data() + off);
      while ((et == 0x8100 || et == 0x88a8) && f.size() >= off + 6) {  // VLAN tags
        off += 4;
        et = be16(f.data() + off);
      }
      if (et != 0x0800) {
        *err = "not IPv4: ethertype 0x" + [&] {
          char b[8];
          std::snprintf(b, sizeof b, "%04x", static_cast<unsigned>(et));
          return std::string(b);
        }();
        return std::nullopt;
      }
      return off + 2;
    }
    case kLinkSll:
      if (f.size() < 16) break;
      if (be16(f.data() + 14) != 0x0800) {
        *err = "not IPv4 (Linux cooked capture protocol " + std::to_string(be16(f.data() + 14)) + ")";
        return std::nullopt;
      }
      return 16;
    default:
      break;
  }
  *err = "truncated link-layer header";
  return std::nullopt;
}

}  // namespace

PcapReadResult read_pcap_file(const std::string& path) {
  PcapReadResult r;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      r.error = "cannot open pcap file '" + path + "': " + std::strerror(errno);
      return r;
    }
    unsigned char gh[24];
    if (!in.read(reinterpret_cast<char*>(gh), sizeof gh)) {
      r.error = "'" + path + "' is not a pcap file: shorter than the 24-byte file header";
      return r;
    }
    const std::uint32_t magic = le32(gh);
    bool swapped = false, nanos = false;
    switch (magic) {
      case kMagicUs: break;
      case kMagicNs: nanos = true; break;
      case kMagicUsSwapped: swapped = true; break;
      case kMagicNsSwapped: swapped = nanos = true; break;
      default: {
        char b[16];
        std::snprintf(b, sizeof b, "0x%08x", static_cast<unsigned>(magic));
        r.error = "'" + path + "' is not a pcap file (magic " + b + ")";
        if (magic == 0x0a0d0d0a) r.error += ": pcapng is not supported";
        return r;
      }
    }
    auto u32 = [swapped](const unsigned char* p) { return swapped ? swap32(le32(p)) : le32(p); };
    const std::uint32_t link = u32(gh + 20);
    if (link != kLinkRaw && link != kLinkIpv4 && link != kLinkEthernet && link != kLinkSll) {
      r.error = "'" + path + "': unsupported link type " + std::to_string(link) +
                " (want RAW 101, IPV4 228, EN10MB 1 or LINUX_SLL 113)";
      return r;
    }
    r.ok = true;

    std::vector<std::uint8_t> frame;
    for (;;) {
      unsigned char rh[16];
      in.read(reinterpret_cast<char*>(rh), sizeof rh);
      if (in.gcount() == 0) break;  // clean end of file
      if (in.gcount() != static_cast<std::streamsize>(sizeof rh)) {
        r.error = "'" + path + "' is cut short inside the header of record " +
                  std::to_string(r.frames + 1);
        break;
      }
      ++r.frames;
      const std::uint32_t sec = u32(rh), frac = u32(rh + 4), incl = u32(rh + 8);
      if (incl > kMaxRecord) {
        r.error = "'" + path + "': record " + std::to_string(r.frames) + " claims " +
                  std::to_string(incl) + " bytes; file is corrupt, stopped reading";
        ++r.malformed;
        break;
      }
      frame.resize(incl);
      if (incl > 0 && !in.read(reinterpret_cast<char*>(frame.data()), incl)) {
        r.error = "'" + path + "' is cut short inside record " + std::to_string(r.frames);
        ++r.malformed;
        break;
      }
      std::string err;
      std::optional<std::size_t> off = l3_offset(link, frame, &err);
      DecodeResult d;
      if (off) d = decode_ipv4(frame.data() + *off, frame.size() - *off);
      if (!off || !d.seg) {
        ++r.malformed;
        r.problems.push_back("frame " + std::to_string(r.frames) + ": " + (off ? d.error : err));
        continue;
      }
      const std::int64_t t_ns = static_cast<std::int64_t>(sec) * 1'000'000'000 +
                                static_cast<std::int64_t>(frac) * (nanos ? 1 : 1000);
      r.packets.push_back(PcapPacket{t_ns, std::move(*d.seg)});
    }
  } catch (const std::exception& e) {
    r.error = "reading '" + path + "' failed: " + e.what();
  }
  return r;
}

std::vector<Segment> read_pcap(const std::string& path, std::string* error, std::size_t* malformed) {
  PcapReadResult r = read_pcap_file(path);
  if (error) *error = r.error;
  if (malformed) *malformed = r.malformed;
  std::vector<Segment> out;
  out.reserve(r.packets.size());
  for (auto& p : r.packets) out.push_back(std::move(p.seg));
  return out;
}

}  // namespace tcplab
