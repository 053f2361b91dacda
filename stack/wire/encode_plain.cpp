#include "stack/wire/encode_plain.hpp"

#include <algorithm>
#include <cstddef>

#include "stack/wire/codec.hpp"  // encodable_sack_blocks' declaration; codec.hpp has no libtins

namespace tcplab {
namespace {

constexpr std::size_t kIpHeader = 20;  // no IP options
constexpr std::size_t kTcpMinHeader = 20;
constexpr std::size_t kTcpMaxOptions = 40;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint16_t kDontFragment = 0x4000;  // flags/fragment offset word, DF bit

// TCP option kinds (IANA).
constexpr std::uint8_t kOptEol = 0, kOptNop = 1, kOptMss = 2, kOptWscale = 3, kOptSackPerm = 4,
                       kOptSack = 5, kOptTs = 8;

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
void set16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

// RFC 1071 one's-complement sum, not folded yet.
std::uint64_t sum16(const std::uint8_t* p, std::size_t n, std::uint64_t acc = 0) {
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) acc += (std::uint32_t{p[i]} << 8) | p[i + 1];
  if (i < n) acc += std::uint32_t{p[i]} << 8;  // odd length: pad with a zero byte
  return acc;
}
// The checksum field: the folded sum, complemented. A computed 0 stays 0 (TCP, unlike
// UDP, does not write 0xffff for it, and neither does libtins).
std::uint16_t checksum(std::uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

// Option space used by everything but the SACK blocks, in the layout the encoders write.
std::size_t base_option_bytes(const Segment& s) {
  std::size_t n = 0;
  if (s.mss) n += 4;
  if (s.ts) n += 12;                              // SACK_PERM+TS or NOP,NOP,TS
  if (s.wscale) n += 4;                           // NOP,WSCALE
  if (s.sack_permitted && !s.ts) n += 4;          // NOP,NOP,SACK_PERM
  return n;
}

}  // namespace

std::uint8_t encodable_sack_blocks(const Segment& s) {
  const std::size_t want = std::min<std::size_t>(s.sack_count, s.sack.size());
  const std::size_t used = base_option_bytes(s);
  if (want == 0 || used + 4 + 8 > kTcpMaxOptions) return 0;
  return static_cast<std::uint8_t>(std::min(want, (kTcpMaxOptions - used - 4) / 8));
}

std::vector<std::uint8_t> encode_ipv4_plain(const Segment& s, std::uint16_t ip_id, std::uint8_t ttl) {
  // The refusals of encode_ipv4, same tests in the same terms.
  if (kIpHeader + kTcpMinHeader + kTcpMaxOptions + s.payload.size() > 0xffff) return {};
  if (s.src.ip == 0 || s.dst.ip == 0) return {};

  // TCP options, in Linux's tcp_options_write() order (see codec.hpp).
  Bytes opt;
  if (s.mss) {
    opt.insert(opt.end(), {kOptMss, 4});
    put16(opt, *s.mss);
  }
  if (s.ts) {
    if (s.sack_permitted) {
      opt.insert(opt.end(), {kOptSackPerm, 2});
    } else {
      opt.insert(opt.end(), {kOptNop, kOptNop});
    }
    opt.insert(opt.end(), {kOptTs, 10});
    put32(opt, s.ts->val);
    put32(opt, s.ts->ecr);
  }
  if (s.wscale) opt.insert(opt.end(), {kOptNop, kOptWscale, 3, *s.wscale});
  if (s.sack_permitted && !s.ts) opt.insert(opt.end(), {kOptNop, kOptNop, kOptSackPerm, 2});
  if (const std::uint8_t n = encodable_sack_blocks(s); n > 0) {
    opt.insert(opt.end(), {kOptNop, kOptNop, kOptSack, static_cast<std::uint8_t>(2 + 8 * n)});
    for (std::uint8_t i = 0; i < n; ++i) {
      put32(opt, s.sack[i].left.raw());
      put32(opt, s.sack[i].right.raw());
    }
  }
  // The layout above is always whole 32-bit words; libtins pads with EOL if not.
  while (opt.size() % 4 != 0) opt.push_back(kOptEol);

  const std::size_t data_offset = kTcpMinHeader + opt.size();  // bytes
  const std::size_t tcp_length = data_offset + s.payload.size();
  const std::size_t total_length = kIpHeader + tcp_length;

  Bytes b;
  b.reserve(total_length);
  // ---- IPv4 header (RFC 791 3.1) ----
  b.push_back(0x45);  // version 4, IHL 5 words
  b.push_back(0);     // type of service
  put16(b, static_cast<std::uint16_t>(total_length));
  put16(b, ip_id);    // identification
  put16(b, kDontFragment);  // flags DF, fragment offset 0 (as Linux sends TCP)
  b.push_back(ttl);
  b.push_back(kProtoTcp);
  put16(b, 0);        // header checksum, filled in below
  put32(b, s.src.ip);
  put32(b, s.dst.ip);
  // ---- TCP header (RFC 9293 3.1) ----
  put16(b, s.src.port);
  put16(b, s.dst.port);
  put32(b, s.seq.raw());
  put32(b, s.ack.raw());
  b.push_back(static_cast<std::uint8_t>((data_offset / 4) << 4));  // data offset, reserved 0
  b.push_back(s.flags);  // control bits CWR..FIN
  put16(b, s.wnd);
  put16(b, 0);  // checksum, filled in below
  put16(b, 0);  // urgent pointer
  b.insert(b.end(), opt.begin(), opt.end());
  const std::size_t at = b.size();
  b.resize(at + s.payload.size());
  s.payload.copy_to(reinterpret_cast<char*>(b.data() + at));  // generated bytes are made here

  set16(b, 10, checksum(sum16(b.data(), kIpHeader)));
  // TCP pseudo-header (RFC 9293 3.1): source, destination, zero, PTCL, TCP length.
  const std::uint64_t pseudo = sum16(b.data() + 12, 8) + kProtoTcp + tcp_length;
  set16(b, kIpHeader + 16, checksum(sum16(b.data() + kIpHeader, tcp_length, pseudo)));
  return b;
}

namespace {
void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
}  // namespace

std::string pcap_file_header_raw() {
  std::string h;
  put_le32(h, 0xa1b2c3d4);    // magic, µs timestamps; libpcap writes host order, x86 and wasm are little-endian
  h += std::string("\x02\x00\x04\x00", 4);  // version_major 2, version_minor 4
  put_le32(h, 0);             // thiszone
  put_le32(h, 0);             // sigfigs
  put_le32(h, 65535);         // snaplen: libtins opens pcap_open_dead(..., 65535)
  put_le32(h, 101);           // network: LINKTYPE_RAW (libpcap maps DLT_RAW to it)
  return h;
}

void append_pcap_record(std::string& out, const std::vector<std::uint8_t>& frame, std::int64_t t_ns) {
  if (frame.empty()) return;
  const std::int64_t us = t_ns > 0 ? t_ns / 1000 : 0;
  put_le32(out, static_cast<std::uint32_t>(us / 1'000'000));  // ts_sec, low 32 bits
  put_le32(out, static_cast<std::uint32_t>(us % 1'000'000));  // ts_usec
  put_le32(out, static_cast<std::uint32_t>(frame.size()));    // incl_len
  put_le32(out, static_cast<std::uint32_t>(frame.size()));    // orig_len
  out.append(frame.begin(), frame.end());
}

}  // namespace tcplab
