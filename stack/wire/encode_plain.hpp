#pragma once
// Segment -> IPv4/TCP bytes and pcap records without libtins.
// Why it exists: the WebAssembly (Emscripten) build has no libtins, so it cannot use
// encode_ipv4 (codec.cpp) or PcapWriter (pcap.cpp). These functions write the same bytes
// by hand; tests/wire/test_encode_plain.cpp proves them byte-for-byte equal to the libtins
// path on the native build. encode_plain.cpp includes no libtins header; it also holds
// encodable_sack_blocks (declared in codec.hpp), so both builds share one trimming rule.
#include <cstdint>
#include <string>
#include <vector>

#include "stack/segment.hpp"

namespace tcplab {

// Same contract and same bytes as encode_ipv4 (codec.hpp): IPv4 header with DF, no IP
// options; TCP options in Linux's order; urgent pointer 0; both checksums. Empty for a
// payload over 65,455 bytes or a 0.0.0.0 source or destination.
std::vector<std::uint8_t> encode_ipv4_plain(const Segment& s, std::uint16_t ip_id,
                                            std::uint8_t ttl = 64);

// The 24-byte classic pcap file header PcapWriter's libtins PacketWriter writes:
// magic 0xa1b2c3d4 (µs) little-endian, version 2.4, thiszone 0, sigfigs 0,
// snaplen 65535, network LINKTYPE_RAW (101).
std::string pcap_file_header_raw();

// Appends one record (16-byte header, then frame) as PcapWriter::write does: t_ns is
// truncated to µs, negative times are written as 0, seconds keep their low 32 bits (as
// libpcap's pcap_dump does). An empty frame appends nothing, as PcapWriter::write skips a
// segment encode_ipv4 refuses.
void append_pcap_record(std::string& out, const std::vector<std::uint8_t>& frame, std::int64_t t_ns);

}  // namespace tcplab
