// Link layer -> IP -> TCP, by hand over the captured bytes: libtins' PDU objects cost a heap
// allocation per layer, and the importer must keep up with a million packets a second.
#include "import/frame.hpp"

#include <cstring>

#include "stack/wire/wire_format.hpp"

namespace tcplab::capture {
namespace {

using wire::be16;
using wire::be32;

constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd;
constexpr std::uint8_t kProtoTcp = 6;

// The one's-complement sum of 16-bit words (RFC 1071), folded at the end by the caller.
std::uint64_t sum_words(const std::uint8_t* p, std::size_t n, std::uint64_t acc) {
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    // Byte order does not matter for a one's-complement sum as long as it is the same
    // throughout (RFC 1071 2(B)); fold the 64-bit word into 32-bit halves.
    acc += (w & 0xffffffffULL) + (w >> 32);
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    acc += w;
    p += 2;
    n -= 2;
  }
  if (n) {
    std::uint8_t last[2] = {*p, 0};
    std::uint16_t w;
    std::memcpy(&w, last, 2);
    acc += w;
  }
  return acc;
}
std::uint16_t fold(std::uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(acc);
}

// Where the network layer starts and which it is, after the link header.
struct NetStart {
  std::size_t offset = 0;
  int version = 0;  // 4, 6, or 0 from the first nibble
  Skip skip = Skip::None;
};

NetStart ethernet(const std::uint8_t* d, std::size_t n) {
  if (n < 14) return {0, 0, Skip::ShortLink};
  std::size_t off = 12;
  std::uint16_t type = be16(d + off);
  // 802.1Q / 802.1ad tags (QinQ: up to two here).
  for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); ++i) {
    off += 4;
    if (n < off + 2) return {0, 0, Skip::ShortLink};
    type = be16(d + off);
  }
  off += 2;
  if (type == kEtherIpv4) return {off, 4, Skip::None};
  if (type == kEtherIpv6) return {off, 6, Skip::None};
  return {0, 0, Skip::NotIp};
}

NetStart by_proto(std::uint16_t proto, std::size_t off) {
  if (proto == kEtherIpv4) return {off, 4, Skip::None};
  if (proto == kEtherIpv6) return {off, 6, Skip::None};
  return {0, 0, Skip::NotIp};
}

// BSD loopback: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
NetStart bsd_family(std::uint32_t af) {
  if (af == 2) return {4, 4, Skip::None};
  if (af == 24 || af == 28 || af == 30 || af == 10) return {4, 6, Skip::None};
  return {0, 0, Skip::NotIp};
}

NetStart link_header(int link, const std::uint8_t* d, std::size_t n) {
  switch (link) {
    case kLinkEthernet: return ethernet(d, n);
    case kLinkRaw:
    case kLinkRawBsd:
    case kLinkRawPcap:
      if (n < 1) return {0, 0, Skip::ShortLink};
      return {0, d[0] >> 4, Skip::None};
    case kLinkIpv4: return {0, 4, Skip::None};
    case kLinkIpv6: return {0, 6, Skip::None};
    case kLinkSll:  // 16 bytes; the protocol type is the last two
      if (n < 16) return {0, 0, Skip::ShortLink};
      return by_proto(be16(d + 14), 16);
    case kLinkSll2:  // 20 bytes; the protocol type is the first two
      if (n < 20) return {0, 0, Skip::ShortLink};
      return by_proto(be16(d), 20);
    case kLinkNull: {
      if (n < 4) return {0, 0, Skip::ShortLink};
      std::uint32_t af;
      std::memcpy(&af, d, 4);
      // Host byte order of the capturing machine: accept either.
      if (af > 0xffff) af = __builtin_bswap32(af);
      return bsd_family(af);
    }
    case kLinkLoop:
      if (n < 4) return {0, 0, Skip::ShortLink};
      return bsd_family(be32(d));
    default: return {0, 0, Skip::Unsupported};
  }
}

// The transport payload found inside the IP header(s).
struct Transport {
  std::size_t offset = 0;       // of the TCP header in the frame
  std::size_t ip_payload = 0;   // the TCP segment's length on the wire (header + data)
  std::uint64_t pseudo = 0;     // the pseudo-header's sum for the checksum
  Skip skip = Skip::None;
};

Transport ipv4(const std::uint8_t* d, std::size_t n, std::size_t off, DecodedFrame& out) {
  if (n < off + 20) return {0, 0, 0, Skip::BadIp};
  const std::uint8_t* ip = d + off;
  const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
  const std::size_t total = be16(ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || n < off + ihl) return {0, 0, 0, Skip::BadIp};
  if (ip[9] != kProtoTcp) return {0, 0, 0, Skip::NotTcp};
  if ((be16(ip + 6) & 0x1fff) != 0) return {0, 0, 0, Skip::Fragment};
  if (ihl > 20) out.notes |= kNoteIpOptions;
  if (fold(sum_words(ip, ihl, 0)) != 0xffff) out.notes |= kNoteBadIpChecksum;
  out.src_ip = {};
  out.dst_ip = {};
  std::memcpy(out.src_ip.bytes.data(), ip + 12, 4);
  std::memcpy(out.dst_ip.bytes.data(), ip + 16, 4);
  const std::size_t seg_len = total - ihl;
  // Pseudo-header (RFC 9293 3.1): addresses, zero + protocol, TCP length.
  std::uint64_t pseudo = sum_words(ip + 12, 8, 0);
  const std::uint8_t tail[4] = {0, kProtoTcp, static_cast<std::uint8_t>(seg_len >> 8), static_cast<std::uint8_t>(seg_len)};
  pseudo = sum_words(tail, 4, pseudo);
  return {off + ihl, seg_len, pseudo, Skip::None};
}

Transport ipv6(const std::uint8_t* d, std::size_t n, std::size_t off, DecodedFrame& out) {
  if (n < off + 40) return {0, 0, 0, Skip::BadIp};
  const std::uint8_t* ip = d + off;
  if ((ip[0] >> 4) != 6) return {0, 0, 0, Skip::BadIp};
  std::size_t payload = be16(ip + 4);
  std::uint8_t next = ip[6];
  out.src_ip = {};
  out.dst_ip = {};
  std::memcpy(out.src_ip.bytes.data(), ip + 8, 16);
  std::memcpy(out.dst_ip.bytes.data(), ip + 24, 16);
  out.src_ip.v6 = out.dst_ip.v6 = true;
  std::size_t at = off + 40;
  // Extension headers (RFC 8200 4): hop-by-hop 0, routing 43, destination options 60, fragment 44, AH 51.
  for (int hops = 0; hops < 8 && next != kProtoTcp; ++hops) {
    if (next == 0 || next == 43 || next == 60 || next == 51 || next == 44) {
      if (n < at + 8) return {0, 0, 0, Skip::BadIp};
      std::size_t len = next == 44 ? 8 : next == 51 ? (static_cast<std::size_t>(d[at + 1]) + 2) * 4 : (static_cast<std::size_t>(d[at + 1]) + 1) * 8;
      if (next == 44 && (be16(d + at + 2) & 0xfff8) != 0) return {0, 0, 0, Skip::Fragment};
      if (len > payload) return {0, 0, 0, Skip::BadIp};
      out.notes |= kNoteIpv6Ext;
      next = d[at];
      at += len;
      payload -= len;
      continue;
    }
    if (next == 50) return {0, 0, 0, Skip::Unsupported};  // ESP: encrypted
    return {0, 0, 0, Skip::NotTcp};
  }
  if (next != kProtoTcp) return {0, 0, 0, Skip::NotTcp};
  std::uint64_t pseudo = sum_words(ip + 8, 32, 0);
  const std::uint8_t tail[8] = {static_cast<std::uint8_t>(payload >> 24), static_cast<std::uint8_t>(payload >> 16),
                                static_cast<std::uint8_t>(payload >> 8), static_cast<std::uint8_t>(payload), 0, 0, 0, kProtoTcp};
  pseudo = sum_words(tail, 8, pseudo);
  return {at, payload, pseudo, Skip::None};
}

// RFC 9293 3.1 options; RFC 7323 window scale and timestamps; RFC 2018 SACK.
void tcp_options(const std::uint8_t* o, std::size_t n, DecodedFrame& out) {
  Segment& s = out.seg;
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t kind = o[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n) {
      out.notes |= kNoteBadTcpOption;
      return;
    }
    const std::size_t len = o[i + 1];
    const std::uint8_t* v = o + i + 2;
    switch (kind) {
      case 2: if (len == 4) s.mss = be16(v); break;
      case 3: if (len == 3) s.wscale = v[0]; break;
      case 4: if (len == 2) s.sack_permitted = true; break;
      case 5:
        for (std::size_t b = 0; b + 8 <= len - 2 && s.sack_count < s.sack.size(); b += 8)
          s.sack[s.sack_count++] = {Seq32{be32(v + b)}, Seq32{be32(v + b + 4)}};
        break;
      case 8: if (len == 10) s.ts = Timestamps{be32(v), be32(v + 4)}; break;
      default: break;
    }
    i += len;
  }
}

}  // namespace

bool link_type_supported(int link) {
  switch (link) {
    case kLinkNull: case kLinkEthernet: case kLinkRaw: case kLinkRawBsd: case kLinkRawPcap:
    case kLinkLoop: case kLinkSll: case kLinkIpv4: case kLinkIpv6: case kLinkSll2: return true;
    default: return false;
  }
}

std::string_view link_type_name(int link) {
  switch (link) {
    case kLinkNull: return "BSD loopback (NULL)";
    case kLinkEthernet: return "Ethernet";
    case kLinkRaw: case kLinkRawBsd: case kLinkRawPcap: return "raw IP";
    case kLinkLoop: return "OpenBSD loopback";
    case kLinkSll: return "Linux cooked (SLL)";
    case kLinkIpv4: return "raw IPv4";
    case kLinkIpv6: return "raw IPv6";
    case kLinkSll2: return "Linux cooked v2 (SLL2)";
    default: return "unsupported";
  }
}

std::string_view skip_text(Skip s) {
  switch (s) {
    case Skip::None: return "";
    case Skip::ShortLink: return "cut before the end of the link header";
    case Skip::NotIp: return "not IP (ARP, LLDP, ...)";
    case Skip::BadIp: return "an IP header that does not parse";
    case Skip::NotTcp: return "not TCP (UDP, ICMP, ...)";
    case Skip::Fragment: return "IP fragments after the first (no TCP header in them)";
    case Skip::ShortTcp: return "the TCP header cut by the snap length";
    case Skip::BadTcp: return "a TCP header with a bad data offset";
    case Skip::Unsupported: return "a header the importer cannot read (IPsec ESP, unknown link type)";
  }
  return "";
}

std::string_view note_text(std::uint8_t n) {
  switch (n) {
    case kNoteBadIpChecksum: return "a bad IPv4 header checksum";
    case kNoteBadTcpChecksum: return "a bad TCP checksum (usual with checksum offload on the capturing host: the NIC fills it in after the capture point); kept";
    case kNoteSnapCut: return "the payload cut by the snap length (its length is taken from the IP header)";
    case kNoteIpOptions: return "IPv4 options (skipped over)";
    case kNoteIpv6Ext: return "IPv6 extension headers (walked to the TCP header)";
    case kNoteBadTcpOption: return "a TCP option that does not parse (the options after it are ignored)";
    default: return "";
  }
}

Skip decode_frame(int link, const std::uint8_t* data, std::size_t size, DecodedFrame& out) {
  out.seg = Segment{};
  out.len = 0;
  out.notes = 0;
  const NetStart net = link_header(link, data, size);
  if (net.skip != Skip::None) return net.skip;
  if (net.version != 4 && net.version != 6) return Skip::NotIp;
  const Transport tr = net.version == 4 ? ipv4(data, size, net.offset, out) : ipv6(data, size, net.offset, out);
  if (tr.skip != Skip::None) return tr.skip;
  if (size < tr.offset + 20) return Skip::ShortTcp;
  const std::uint8_t* t = data + tr.offset;
  const std::size_t hlen = static_cast<std::size_t>(t[12] >> 4) * 4;
  if (hlen < 20 || hlen > tr.ip_payload) return Skip::BadTcp;
  if (size < tr.offset + hlen) return Skip::ShortTcp;
  Segment& s = out.seg;
  s.src.port = be16(t);
  s.dst.port = be16(t + 2);
  s.seq = Seq32{be32(t + 4)};
  s.ack = Seq32{be32(t + 8)};
  s.flags = t[13] & 0x3f;
  s.wnd = be16(t + 14);
  tcp_options(t + 20, hlen - 20, out);
  out.len = static_cast<std::uint32_t>(tr.ip_payload - hlen);
  const std::size_t have = size - tr.offset;
  if (have < tr.ip_payload) {
    out.notes |= kNoteSnapCut;  // the checksum cannot be checked without every byte
  } else if (fold(sum_words(t, tr.ip_payload, tr.pseudo)) != 0xffff) {
    out.notes |= kNoteBadTcpChecksum;
  }
  return Skip::None;
}

}  // namespace tcplab::capture
