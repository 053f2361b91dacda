#include "stack/segment.hpp"

#include <charconv>

namespace tcplab {

std::string flag_letters(std::uint8_t flags) {
  // tcpdump order: F S R P U, then '.' for ACK ("[S.]", "[F.]", "[R.]", "[P.]").
  std::string s;
  if (flags & kFin) s += 'F';
  if (flags & kSyn) s += 'S';
  if (flags & kRst) s += 'R';
  if (flags & kPsh) s += 'P';
  if (flags & kUrg) s += 'U';
  if (flags & kAck) s += '.';
  if (s.empty()) s = "none";
  return s;
}

std::string ip_to_string(Ipv4 ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
         std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff);
}

std::optional<Ipv4> parse_ipv4(const std::string& text) {
  Ipv4 ip = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  for (int i = 0; i < 4; ++i) {
    unsigned v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || next == p || v > 255) return std::nullopt;
    ip = (ip << 8) | v;
    p = next;
    if (i < 3) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return ip;
}

std::string endpoint_to_string(const Endpoint& e) {
  return ip_to_string(e.ip) + ":" + std::to_string(e.port);
}

}  // namespace tcplab
