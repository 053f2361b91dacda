#pragma once
// One captured frame, decoded down to its TCP header: what the importer needs of a packet
// (addresses, ports, flags, numbers, window, options and the payload's length), without the
// payload itself. Pure functions over bytes, so the browser build and the fuzzer use them too.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stack/segment.hpp"
#include "stack/time.hpp"

namespace tcplab::capture {

// An IPv4 or IPv6 address as it was on the wire.
struct IpAddr {
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4
  bool v6 = false;
  // == and < by hand: the browser build's libc++ (clang 14) has no <=> for std::array.
  friend bool operator==(const IpAddr& a, const IpAddr& b) { return a.bytes == b.bytes && a.v6 == b.v6; }
  friend bool operator<(const IpAddr& a, const IpAddr& b) {
    return a.bytes != b.bytes ? a.bytes < b.bytes : a.v6 < b.v6;
  }
};

// Link types (the pcap LINKTYPE / DLT numbers libpcap reports) the decoder reads.
enum LinkType : int {
  kLinkNull = 0,        // BSD loopback: 4-byte address family, host byte order
  kLinkEthernet = 1,    // Ethernet II (and 802.1Q / 802.1ad tags)
  kLinkRaw = 12,        // raw IP (DLT_RAW as libpcap maps LINKTYPE_RAW 101)
  kLinkRawBsd = 14,     // raw IP on OpenBSD
  kLinkRawPcap = 101,   // LINKTYPE_RAW as stored
  kLinkLoop = 108,      // OpenBSD loopback: the family in network byte order
  kLinkSll = 113,       // Linux cooked capture v1 (tcpdump -i any before libpcap 1.10)
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkSll2 = 276,      // Linux cooked capture v2 (tcpdump -i any, libpcap >= 1.10)
};
bool link_type_supported(int link);
// "Ethernet", "Linux cooked (SLL2)", ... or "link type N".
std::string_view link_type_name(int link);

// Why a frame gave no TCP segment. Each has one line of explanation (skip_text).
enum class Skip : std::uint8_t {
  None,
  ShortLink,      // cut before the end of its link header
  NotIp,          // ARP, LLDP, ... (not IPv4 / IPv6)
  BadIp,          // an IP header that does not parse (version, length)
  NotTcp,         // UDP, ICMP, ...
  Fragment,       // an IP fragment after the first (no TCP header in it)
  ShortTcp,       // the TCP header is cut by the snap length
  BadTcp,         // TCP data offset below 5 or past the datagram
  Unsupported,    // an IPv6 header chain the decoder does not walk (ESP)
};
constexpr int kSkipKinds = 9;
std::string_view skip_text(Skip s);

// What the decoder noticed on a frame it kept.
enum Note : std::uint8_t {
  kNoteBadIpChecksum = 1,    // IPv4 header checksum wrong
  kNoteBadTcpChecksum = 2,   // TCP checksum wrong (checksum offload on the capturing host, usually)
  kNoteSnapCut = 4,          // the payload is cut by the snap length (its length comes from the IP header)
  kNoteIpOptions = 8,        // IPv4 options (skipped)
  kNoteIpv6Ext = 16,         // IPv6 extension headers (walked)
  kNoteBadTcpOption = 32,    // a TCP option that does not parse (the rest are ignored)
};
constexpr int kNoteKinds = 6;
std::string_view note_text(std::uint8_t single_note);

struct DecodedFrame {
  IpAddr src_ip, dst_ip;
  Segment seg;               // ports, numbers, flags, window, options; src/dst ip left 0, no payload
  std::uint32_t len = 0;     // the payload's length on the wire (from the IP header)
  std::uint8_t notes = 0;    // Note bits
};

// Decodes one frame of link type `link`: `data` has the captured bytes (caplen of them).
// Never throws, never reads past data + size.
Skip decode_frame(int link, const std::uint8_t* data, std::size_t size, DecodedFrame& out);

}  // namespace tcplab::capture
