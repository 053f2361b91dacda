#include "stack/wire/codec.hpp"

#include <tins/tins.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include "stack/wire/wire_format.hpp"

namespace tcplab {
namespace {

using namespace wire;  // the header sizes, option kinds and be16

constexpr std::size_t kIpMinHeader = 20;

// RFC 1071 sum, folded to 16 bits, not complemented.
std::uint16_t csum_add(const std::uint8_t* data, std::size_t len, std::uint32_t acc = 0) {
  std::uint64_t sum = acc;
  std::size_t i = 0;
  for (; i + 1 < len; i += 2) sum += be16(data + i);
  if (i < len) sum += std::uint32_t{data[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

std::string hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
  return buf;
}

const char* ip_proto_name(std::uint8_t p) {
  switch (p) {
    case 1: return " (ICMP)";
    case 2: return " (IGMP)";
    case 17: return " (UDP)";
    case 41: return " (IPv6)";
    case 47: return " (GRE)";
    case 50: return " (ESP)";
    case 58: return " (ICMPv6)";
    case 132: return " (SCTP)";
    default: return "";
  }
}

const char* opt_name(std::uint8_t kind) {
  switch (kind) {
    case kOptMss: return "MSS";
    case kOptWscale: return "WSCALE";
    case kOptSackPerm: return "SACK_PERM";
    case kOptSack: return "SACK";
    case kOptTs: return "TS";
    default: return nullptr;
  }
}

std::string opt_label(std::uint8_t kind) {
  const char* n = opt_name(kind);
  return n ? std::string(n) + " (kind " + std::to_string(kind) + ")" : "kind " + std::to_string(kind);
}

// Walks the option bytes and checks every length. Returns an error or "".
std::string check_options(const std::uint8_t* opt, std::size_t len) {
  std::size_t i = 0;
  while (i < len) {
    const std::uint8_t kind = opt[i];
    if (kind == kOptEol) break;
    if (kind == kOptNop) { ++i; continue; }
    if (i + 1 >= len) {
      return "bad TCP option: " + opt_label(kind) + " at option byte " + std::to_string(i) +
             " has no length byte";
    }
    const std::uint8_t olen = opt[i + 1];
    if (olen < 2) {
      return "bad TCP option length: " + opt_label(kind) + " has length " + std::to_string(olen) +
             " (at least 2)";
    }
    if (i + olen > len) {
      return "bad TCP option length: " + opt_label(kind) + " has length " + std::to_string(olen) +
             " but only " + std::to_string(len - i) + " option bytes are left";
    }
    auto want = [&](unsigned expected) -> std::string {
      if (olen == expected) return "";
      return "bad TCP option length: " + opt_label(kind) + " has length " + std::to_string(olen) +
             " (should be " + std::to_string(expected) + ")";
    };
    std::string err;
    switch (kind) {
      case kOptMss: err = want(4); break;
      case kOptWscale: err = want(3); break;
      case kOptSackPerm: err = want(2); break;
      case kOptTs: err = want(10); break;
      case kOptSack:
        if (olen < 10 || (olen - 2) % 8 != 0 || olen > 34) {
          err = "bad TCP option length: " + opt_label(kind) + " has length " + std::to_string(olen) +
                " (should be 2+8n with n=1..4)";
        }
        break;
      default: break;
    }
    if (!err.empty()) return err;
    i += olen;
  }
  return "";
}

Tins::IPv4Address tins_addr(Ipv4 host_order) {
  return Tins::IPv4Address(Tins::Endian::host_to_be(host_order));
}

DecodeResult fail(std::string e) { return DecodeResult{std::nullopt, std::move(e)}; }

// Where the parts of a datagram are, once its headers have passed the checks.
struct Layout {
  std::size_t ihl = 0;      // IPv4 header length in bytes
  std::size_t tot_len = 0;  // IPv4 total length: header + TCP segment
  std::size_t doff = 0;     // TCP header length (data offset) in bytes, options included
  std::size_t tcp_len() const { return tot_len - ihl; }
};

// ---- IPv4 header (RFC 791) ----
// Fills at.ihl and at.tot_len. Returns an error or "".
std::string check_ipv4_header(const std::uint8_t* data, std::size_t len, Layout& at) {
  if (len < kIpMinHeader) {
    return "truncated IPv4 header: " + std::to_string(len) + " bytes, need at least 20";
  }
  const unsigned version = data[0] >> 4;
  if (version != 4) return "not IPv4: IP version " + std::to_string(version);
  const std::size_t ihl = std::size_t{data[0] & 0x0fu} * 4;
  if (ihl < kIpMinHeader) {
    return "bad IPv4 header length: IHL " + std::to_string(ihl / 4) + " words (at least 5)";
  }
  if (ihl > len) {
    return "truncated IPv4 header: IHL says " + std::to_string(ihl) + " bytes, only " +
           std::to_string(len) + " present";
  }
  if (csum_add(data, ihl) != 0xffff) {
    std::vector<std::uint8_t> hdr(data, data + ihl);
    hdr[10] = hdr[11] = 0;
    return "bad IPv4 header checksum " + hex16(be16(data + 10)) + " (should be " +
           hex16(static_cast<std::uint16_t>(~csum_add(hdr.data(), ihl))) + ")";
  }
  const std::size_t tot_len = be16(data + 2);
  if (tot_len < ihl) {
    return "bad IPv4 total length " + std::to_string(tot_len) + " (less than the header, " +
           std::to_string(ihl) + ")";
  }
  if (tot_len > len) {
    return "truncated IPv4 packet: total length " + std::to_string(tot_len) + ", only " +
           std::to_string(len) + " bytes present";
  }
  const std::uint16_t frag = be16(data + 6);
  if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) {
    return "IPv4 fragment (MF=" + std::to_string((frag >> 13) & 1) + " offset=" +
           std::to_string((frag & 0x1fff) * 8) + "): fragments are not supported";
  }
  if (be16(data + 12) == 0 && be16(data + 14) == 0) return "source address 0.0.0.0 (RFC 1122 3.2.1.3: not a valid TCP source)";
  if (be16(data + 16) == 0 && be16(data + 18) == 0) return "destination address 0.0.0.0";
  const std::uint8_t proto = data[9];
  if (proto != kProtoTcp) {
    return "not TCP: IP protocol " + std::to_string(proto) + ip_proto_name(proto);
  }
  at.ihl = ihl;
  at.tot_len = tot_len;
  return "";
}

// The TCP checksum over the pseudo-header and the segment. Returns an error or "".
std::string check_tcp_checksum(const std::uint8_t* data, const Layout& at) {
  const std::uint8_t* tcp = data + at.ihl;
  const std::size_t tcp_len = at.tcp_len();
  // Pseudo-header: src, dst, zero, protocol, TCP length.
  std::uint8_t pseudo[12];
  std::copy(data + 12, data + 20, pseudo);
  pseudo[8] = 0;
  pseudo[9] = kProtoTcp;
  pseudo[10] = static_cast<std::uint8_t>(tcp_len >> 8);
  pseudo[11] = static_cast<std::uint8_t>(tcp_len & 0xff);
  const std::uint16_t psum = csum_add(pseudo, sizeof pseudo);
  if (csum_add(tcp, tcp_len, psum) != 0xffff) {
    std::vector<std::uint8_t> seg(tcp, tcp + tcp_len);
    seg[16] = seg[17] = 0;
    return "bad TCP checksum " + hex16(be16(tcp + 16)) + " (should be " +
           hex16(static_cast<std::uint16_t>(~csum_add(seg.data(), tcp_len, psum))) + ")";
  }
  return "";
}

// ---- TCP header (RFC 9293 3.1) ----
// After check_ipv4_header. Fills at.doff. Returns an error or "".
std::string check_tcp_header(const std::uint8_t* data, Layout& at) {
  const std::uint8_t* tcp = data + at.ihl;
  const std::size_t tcp_len = at.tcp_len();
  if (tcp_len < kTcpMinHeader) {
    return "truncated TCP header: " + std::to_string(tcp_len) + " bytes, need at least 20";
  }
  const std::size_t doff = std::size_t{static_cast<std::uint8_t>(tcp[12] >> 4)} * 4;
  if (doff < kTcpMinHeader) {
    return "bad TCP data offset " + std::to_string(doff / 4) + " words (at least 5)";
  }
  if (doff > tcp_len) {
    return "bad TCP data offset: header of " + std::to_string(doff) + " bytes, segment has " +
           std::to_string(tcp_len);
  }
  at.doff = doff;
  if (std::string e = check_tcp_checksum(data, at); !e.empty()) return e;
  return check_options(tcp + kTcpMinHeader, doff - kTcpMinHeader);
}

// ---- Fields, through libtins (the bytes are known good by now) ----
DecodeResult read_fields(const std::uint8_t* data, const Layout& at) {
  using Tins::TCP;
  const Tins::IP ip(data, static_cast<std::uint32_t>(at.tot_len));
  const TCP* t = ip.find_pdu<TCP>();
  if (t == nullptr) return fail("malformed packet: libtins found no TCP header");

  Segment s;
  s.src = Endpoint{Tins::Endian::be_to_host(static_cast<std::uint32_t>(ip.src_addr())), t->sport()};
  s.dst = Endpoint{Tins::Endian::be_to_host(static_cast<std::uint32_t>(ip.dst_addr())), t->dport()};
  s.seq = Seq32(t->seq());
  s.ack = Seq32(t->ack_seq());
  s.flags = static_cast<std::uint8_t>(data[at.ihl + 13]);  // the low 8 flag bits (CWR..FIN)
  s.wnd = t->window();
  if (t->search_option(TCP::MSS)) s.mss = t->mss();
  if (t->search_option(TCP::WSCALE)) s.wscale = t->winscale();
  s.sack_permitted = t->has_sack_permitted();
  if (t->search_option(TCP::TSOPT)) {
    const auto [val, ecr] = t->timestamp();
    s.ts = Timestamps{val, ecr};
  }
  if (t->search_option(TCP::SACK)) {
    const TCP::sack_type edges = t->sack();
    const std::size_t n = std::min(edges.size() / 2, s.sack.size());
    for (std::size_t i = 0; i < n; ++i) {
      s.sack[i] = SackBlock{Seq32(edges[2 * i]), Seq32(edges[2 * i + 1])};
    }
    s.sack_count = static_cast<std::uint8_t>(n);
  }
  if (const auto* raw = t->find_pdu<Tins::RawPDU>()) {
    const auto& p = raw->payload();
    s.payload = Payload(std::string(p.begin(), p.end()));
  }
  const std::size_t payload_len = at.tcp_len() - at.doff;
  if (s.payload.size() != payload_len) {
    return fail("malformed packet: payload of " + std::to_string(s.payload.size()) +
                " bytes, header says " + std::to_string(payload_len));
  }
  return DecodeResult{std::move(s), {}};
}

}  // namespace

// encodable_sack_blocks is defined in encode_plain.cpp, shared with the libtins-free encoder.

std::vector<std::uint8_t> encode_ipv4(const Segment& s, std::uint16_t ip_id, std::uint8_t ttl) {
  using Tins::TCP;
  if (kIpMinHeader + kTcpMinHeader + kTcpMaxOptions + s.payload.size() > 0xffff) {
    return {};  // cannot be one IPv4 datagram
  }
  // libtins fills a 0.0.0.0 source from the host's routing table: that would make the bytes
  // depend on the machine. 0.0.0.0 is no valid TCP source anyway (RFC 1122 3.2.1.3).
  if (s.src.ip == 0 || s.dst.ip == 0) return {};
  try {
    TCP tcp(s.dst.port, s.src.port);
    tcp.seq(s.seq.raw());
    tcp.ack_seq(s.ack.raw());
    tcp.flags(s.flags);
    tcp.window(s.wnd);
    const TCP::option nop(TCP::NOP);
    // Linux's tcp_options_write() order.
    if (s.mss) tcp.mss(*s.mss);
    if (s.ts) {
      if (s.sack_permitted) {
        tcp.sack_permitted();
      } else {
        tcp.add_option(nop);
        tcp.add_option(nop);
      }
      tcp.timestamp(s.ts->val, s.ts->ecr);
    }
    if (s.wscale) {
      tcp.add_option(nop);
      tcp.winscale(*s.wscale);
    }
    if (s.sack_permitted && !s.ts) {
      tcp.add_option(nop);
      tcp.add_option(nop);
      tcp.sack_permitted();
    }
    if (const std::uint8_t n = encodable_sack_blocks(s); n > 0) {
      TCP::sack_type edges;
      for (std::uint8_t i = 0; i < n; ++i) {
        edges.push_back(s.sack[i].left.raw());
        edges.push_back(s.sack[i].right.raw());
      }
      tcp.add_option(nop);
      tcp.add_option(nop);
      tcp.sack(edges);
    }

    Tins::IP ip(tins_addr(s.dst.ip), tins_addr(s.src.ip));
    ip.id(ip_id);
    ip.ttl(ttl);
    ip.flags(Tins::IP::DONT_FRAGMENT);
    if (!s.payload.empty()) {
      const std::string bytes = s.payload.str();  // generated bytes are made here
      tcp /= Tins::RawPDU(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                          static_cast<std::uint32_t>(bytes.size()));
    }
    ip /= tcp;
    return ip.serialize();  // fills in total length and both checksums
  } catch (const std::exception&) {
    // Not expected for any Segment value; the contract is to never throw.
    return {};
  }
}

DecodeResult decode_ipv4(const std::uint8_t* data, std::size_t len) {
  try {
    if (data == nullptr || len == 0) return fail("empty packet");
    Layout at;
    if (std::string e = check_ipv4_header(data, len, at); !e.empty()) return fail(std::move(e));
    if (std::string e = check_tcp_header(data, at); !e.empty()) return fail(std::move(e));
    return read_fields(data, at);
  } catch (const Tins::exception_base& e) {
    return fail(std::string("malformed packet (libtins): ") + e.what());
  } catch (const std::exception& e) {
    return fail(std::string("malformed packet: ") + e.what());
  }
}

}  // namespace tcplab
