#pragma once
// Trace labels built without temporaries: they are made for every packet, so a few string
// allocations per label show in the engine's profile (bench/README.md).
#include <cstdint>
#include <string>

#include "stack/segment.hpp"

namespace tcplab {

// Writes v in decimal at p; returns the end.
inline char* put_decimal(char* p, std::uint32_t v) {
  char rev[10];
  int n = 0;
  do {
    rev[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = rev[--n];
  return p;
}

// endpoint_to_string(e), appended: "10.0.0.1:39870".
inline void append_endpoint(std::string& s, const Endpoint& e) {
  char buf[24];  // "255.255.255.255:65535" is 21
  char* p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = put_decimal(p, (e.ip >> shift) & 0xffU);
    *p++ = shift ? '.' : ':';
  }
  p = put_decimal(p, e.port);
  s.append(buf, static_cast<std::size_t>(p - buf));
}

// endpoint_to_string(a) + ">" + endpoint_to_string(b): a connection's label in the trace.
inline std::string pair_label(const Endpoint& a, const Endpoint& b) {
  std::string s;
  s.reserve(43);
  append_endpoint(s, a);
  s += '>';
  append_endpoint(s, b);
  return s;
}

}  // namespace tcplab
