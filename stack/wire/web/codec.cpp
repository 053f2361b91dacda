// encode_ipv4 for the WebAssembly build, where libtins is not available: the plain encoder
// (byte-equal to the libtins one; tests/wire/test_encode_plain.cpp). Decoding is only used
// by the TUN bridge and pcap reading, which the browser build leaves out.
#include "stack/wire/codec.hpp"
#include "stack/wire/encode_plain.hpp"

namespace tcplab {

std::vector<std::uint8_t> encode_ipv4(const Segment& s, std::uint16_t ip_id, std::uint8_t ttl) {
  return encode_ipv4_plain(s, ip_id, ttl);
}

}  // namespace tcplab
