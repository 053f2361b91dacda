// libFuzzer target: bytes from the wire (a pcap, the TUN) -> Segment. Malformed input must
// be reported, never crash; whatever decodes must survive encode -> decode unchanged.
#include <cstdint>
#include <cstdlib>

#include "stack/wire/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tcplab::DecodeResult r = tcplab::decode_ipv4(data, size);
  if (!r.seg) return 0;
  tcplab::Segment s = *r.seg;
  s.sack_count = tcplab::encodable_sack_blocks(s);
  const auto bytes = tcplab::encode_ipv4(s, 1);
  if (bytes.empty()) return 0;  // a payload too large for one IPv4 packet
  const tcplab::DecodeResult again = tcplab::decode_ipv4(bytes);
  if (!again.seg || !(*again.seg == s)) std::abort();  // the codec lost or changed something
  return 0;
}
