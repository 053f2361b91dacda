#include "import/capture_reader.hpp"

#include <fmt/format.h>

#include "stack/wire/wire_format.hpp"

namespace tcplab::capture {
namespace {

constexpr std::uint32_t kPcapMicro = 0xa1b2c3d4;  // classic pcap, microsecond timestamps
constexpr std::uint32_t kPcapNano = 0xa1b23c4d;   // classic pcap, nanosecond timestamps
constexpr std::uint32_t kNgSection = 0x0a0d0d0a;  // pcapng Section Header Block (a palindrome)
constexpr std::uint32_t kNgByteOrder = 0x1a2b3c4d;
constexpr std::uint32_t kNgInterface = 1, kNgPacketObsolete = 2, kNgSimple = 3, kNgEnhanced = 6;
// A record or block larger than this is damage, not a frame: refusing it keeps memory bounded.
constexpr std::uint32_t kMaxRecord = 16U << 20;

std::uint32_t le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
using wire::be32;
std::uint32_t pad4(std::uint32_t n) { return (n + 3U) & ~3U; }

}  // namespace

CaptureReader::CaptureReader(std::istream& in) : in_(in) {
  std::uint8_t head[4] = {};
  in_.read(reinterpret_cast<char*>(head), 4);
  const auto got = in_.gcount();
  if (got < 4) {
    error_ = fmt::format("not a capture: {} bytes, shorter than any pcap or pcapng header", got);
    return;
  }
  if (le32(head) == kNgSection) {
    open_ng();
  } else if (!open_pcap(head)) {
    error_ = fmt::format("not a pcap or pcapng capture: it starts with {:02x} {:02x} {:02x} {:02x} "
                         "(pcap: d4 c3 b2 a1 or 4d 3c b2 a1 either way round; pcapng: 0a 0d 0d 0a)",
                         head[0], head[1], head[2], head[3]);
  }
}

bool CaptureReader::read_exact(void* p, std::size_t n) {
  in_.read(static_cast<char*>(p), static_cast<std::streamsize>(n));
  return static_cast<std::size_t>(in_.gcount()) == n;
}

std::uint16_t CaptureReader::u16(const std::uint8_t* p) const {
  return static_cast<std::uint16_t>(big_ ? (p[0] << 8) | p[1] : p[0] | (p[1] << 8));
}
std::uint32_t CaptureReader::u32(const std::uint8_t* p) const { return big_ ? be32(p) : le32(p); }

// Classic pcap: the magic number in the file's byte order tells the order and the resolution.
bool CaptureReader::open_pcap(const std::uint8_t head[4]) {
  const std::uint32_t le = le32(head), be = be32(head);
  if (le == kPcapMicro || le == kPcapNano) {
    big_ = false;
    nano_ = le == kPcapNano;
  } else if (be == kPcapMicro || be == kPcapNano) {
    big_ = true;
    nano_ = be == kPcapNano;
  } else {
    return false;
  }
  std::uint8_t rest[20];
  if (!read_exact(rest, sizeof rest)) {
    error_ = "truncated pcap file header (24 bytes expected)";
    return true;
  }
  snaplen_ = u32(rest + 12);
  first_link_ = static_cast<int>(u32(rest + 16) & 0x0fffffffU);  // the top bits may carry the FCS length
  return true;
}

bool CaptureReader::open_ng() {
  ng_ = true;
  std::uint8_t len[4];
  if (!read_exact(len, 4)) {
    error_ = "truncated pcapng section header";
    return false;
  }
  // The byte order is not known until the byte-order magic: the length is read after it.
  return read_section_header(0);
}

// An SHB: its total length (either order), the byte-order magic, the version; options skipped.
bool CaptureReader::read_section_header(std::uint32_t) {
  in_.seekg(-4, std::ios::cur);
  std::uint8_t h[8];
  if (!read_exact(h, 8)) {
    (error_.empty() && first_link_ < 0 ? error_ : stopped_) = "truncated pcapng section header";
    return false;
  }
  if (le32(h + 4) == kNgByteOrder) big_ = false;
  else if (be32(h + 4) == kNgByteOrder) big_ = true;
  else {
    (first_link_ < 0 ? error_ : stopped_) = "pcapng section header without its byte-order magic 1a2b3c4d";
    return false;
  }
  const std::uint32_t total = u32(h);
  if (total < 28 || total % 4 != 0 || total > kMaxRecord) {
    (first_link_ < 0 ? error_ : stopped_) = fmt::format("pcapng section header of impossible length {}", total);
    return false;
  }
  body_.resize(total - 12);
  if (!read_exact(body_.data(), body_.size())) {
    (first_link_ < 0 ? error_ : stopped_) = "truncated pcapng section header";
    return false;
  }
  if (u16(body_.data()) != 1) {
    (first_link_ < 0 ? error_ : stopped_) = fmt::format("pcapng version {}.{} (1.0 is read)", u16(body_.data()), u16(body_.data() + 2));
    return false;
  }
  interfaces_.clear();  // interface ids are per section
  return true;
}

bool CaptureReader::next(CaptureRecord& r) {
  if (!error_.empty() || !stopped_.empty()) return false;
  return ng_ ? next_ng(r) : next_pcap(r);
}

void CaptureReader::set_time(const Interface& ifc, std::uint64_t ts, CaptureRecord& r) const {
  std::uint64_t u = ifc.units_per_s;
  r.sec = static_cast<std::int64_t>(ts / u) + ifc.offset_s;
  // The fraction in nanoseconds; for resolutions finer than about 10^-10 s, halved first
  // until the product fits in 64 bits (what is lost is well under a nanosecond).
  std::uint64_t frac = ts % u;
  while (frac > UINT64_MAX / 1'000'000'000U) {
    frac >>= 1;
    u >>= 1;
  }
  r.nsec = static_cast<std::uint32_t>(frac * 1'000'000'000U / u);
}

bool CaptureReader::next_pcap(CaptureRecord& r) {
  std::uint8_t h[16];
  in_.read(reinterpret_cast<char*>(h), 16);
  const auto got = in_.gcount();
  if (got == 0) return false;  // the end
  if (got < 16) {
    stopped_ = fmt::format("truncated file: a record header of {} bytes (16 expected)", got);
    return false;
  }
  const std::uint32_t caplen = u32(h + 8);
  if (caplen > kMaxRecord) {
    stopped_ = fmt::format("a record of {} bytes, more than any frame (a damaged file)", caplen);
    return false;
  }
  body_.resize(caplen);
  if (!read_exact(body_.data(), caplen)) {
    stopped_ = fmt::format("truncated file: a record of {} bytes, only {} there", caplen, in_.gcount());
    return false;
  }
  r.link = first_link_;
  r.sec = u32(h);
  const std::uint32_t frac = u32(h + 4);
  r.nsec = nano_ ? frac : frac * 1000U;
  r.caplen = caplen;
  r.len = u32(h + 12);
  r.data = body_.data();
  return true;
}

// pcapng: blocks until a packet; unknown blocks are skipped (pcapng 3.1 says a reader must).
bool CaptureReader::next_ng(CaptureRecord& r) {
  for (;;) {
    std::uint8_t h[8];
    in_.read(reinterpret_cast<char*>(h), 8);
    const auto got = in_.gcount();
    if (got == 0) return false;
    if (got < 8) {
      stopped_ = fmt::format("truncated file: a block header of {} bytes (8 expected)", got);
      return false;
    }
    if (le32(h) == kNgSection) {
      in_.seekg(-4, std::ios::cur);
      if (!read_section_header(0)) return false;
      continue;
    }
    const std::uint32_t type = u32(h), total = u32(h + 4);
    if (total < 12 || total % 4 != 0 || total > kMaxRecord) {
      stopped_ = fmt::format("a pcapng block (type {}) of impossible length {} (a damaged file)", type, total);
      return false;
    }
    body_.resize(total - 8);  // the body and the trailing length
    if (!read_exact(body_.data(), body_.size())) {
      stopped_ = fmt::format("truncated file: a pcapng block of {} bytes, only {} there", total, 8 + in_.gcount());
      return false;
    }
    body_.resize(total - 12);
    if (type == kNgInterface) {
      read_interface();
      if (!stopped_.empty()) return false;
    } else if (type == kNgEnhanced || type == kNgSimple || type == kNgPacketObsolete) {
      if (packet_from_ng(type, r)) return true;
      if (!stopped_.empty()) return false;
    }
  }
}

// An IDB: link type, snap length, and the options that change how its timestamps read.
void CaptureReader::read_interface() {
  if (body_.size() < 8) {
    stopped_ = "a pcapng interface block too short for its fields";
    return;
  }
  Interface ifc;
  ifc.link = u16(body_.data());
  ifc.snaplen = u32(body_.data() + 4);
  for (std::size_t at = 8; at + 4 <= body_.size();) {
    const std::uint16_t code = u16(body_.data() + at), len = u16(body_.data() + at + 2);
    const std::size_t value = at + 4;
    if (code == 0 || value + len > body_.size()) break;  // opt_endofopt, or a cut option
    if (code == 9 && len >= 1) {  // if_tsresol: 10^-v, or 2^-v with the top bit set
      const std::uint8_t v = body_[value];
      const unsigned p = v & 0x7fU;
      if ((v & 0x80U) ? p > 63 : p > 19) {
        stopped_ = fmt::format("pcapng if_tsresol {:#04x} finer than 64 bits can count", v);
        return;
      }
      ifc.units_per_s = 1;
      for (unsigned i = 0; i < p; ++i) ifc.units_per_s *= (v & 0x80U) ? 2 : 10;
    } else if (code == 14 && len >= 8) {  // if_tsoffset: seconds added to every timestamp
      const std::uint64_t lo = u32(body_.data() + value + (big_ ? 4 : 0)), hi = u32(body_.data() + value + (big_ ? 0 : 4));
      ifc.offset_s = static_cast<std::int64_t>((hi << 32) | lo);
    }
    at = value + pad4(len);
  }
  if (first_link_ < 0) first_link_ = ifc.link;
  interfaces_.push_back(ifc);
}

bool CaptureReader::packet_from_ng(std::uint32_t type, CaptureRecord& r) {
  const std::uint8_t* b = body_.data();
  std::uint32_t ifc_id = 0, caplen = 0, len = 0, data_at = 0;
  std::uint64_t ts = 0;
  if (type == kNgSimple) {  // SPB: interface 0, no timestamp, the captured length implied
    if (body_.size() < 4) return false;
    len = u32(b);
    data_at = 4;
    caplen = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(body_.size() - 4));
    if (!interfaces_.empty() && interfaces_[0].snaplen) caplen = std::min(caplen, interfaces_[0].snaplen);
  } else {  // EPB (32-bit interface id) or the obsolete PB (16-bit id, 16-bit drop count)
    if (body_.size() < 20) {
      stopped_ = "a pcapng packet block too short for its fields";
      return false;
    }
    ifc_id = type == kNgEnhanced ? u32(b) : u16(b);
    ts = (static_cast<std::uint64_t>(u32(b + 4)) << 32) | u32(b + 8);
    caplen = u32(b + 12);
    len = u32(b + 16);
    data_at = 20;
    if (caplen > body_.size() - 20) {
      stopped_ = fmt::format("a pcapng packet block whose captured length {} passes its end", caplen);
      return false;
    }
  }
  if (ifc_id >= interfaces_.size()) {
    stopped_ = fmt::format("a pcapng packet on interface {}, which no interface block described", ifc_id);
    return false;
  }
  const Interface& ifc = interfaces_[ifc_id];
  r.link = ifc.link;
  set_time(ifc, ts, r);
  r.caplen = caplen;
  r.len = len;
  r.data = b + data_at;
  return true;
}

}  // namespace tcplab::capture
