#pragma once
// The addresses of a capture. The trace and its views name endpoints by an Ipv4 value; an
// IPv4 address is its own key, an IPv6 address gets a key in 240.0.0.0/4 (class E, never
// on a real network) and keeps its text ("2001:db8::1"). Hosts are numbered in order of
// appearance: the trace's `host` index, named by the address (a capture has no host names).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "import/frame.hpp"

namespace tcplab::capture {

class AddressBook {
 public:
  // The key of an address (adding it at first sight).
  Ipv4 key(const IpAddr& a);
  // The host index of a key (adding it at first sight).
  int host(Ipv4 key);
  // "10.0.0.1", "2001:db8::1".
  std::string text(Ipv4 key) const;
  bool is_v6(Ipv4 key) const { return (key & 0xf0000000U) == 0xf0000000U && v6_.count(key); }
  // Every host's name (its address text), by host index.
  const std::vector<std::string>& host_names() const { return names_; }
  std::optional<Ipv4> host_key(int host) const;
  // The key of an address written as text, if the capture has it.
  std::optional<Ipv4> find(const std::string& text) const;

 private:
  std::map<std::array<std::uint8_t, 16>, Ipv4> v6_keys_;
  std::map<Ipv4, std::string> v6_;  // key -> text
  std::map<Ipv4, int> hosts_;
  std::vector<Ipv4> host_keys_;
  std::vector<std::string> names_;
};

// RFC 5952 text of an IPv6 address ("::1", "2001:db8::2:1").
std::string ipv6_text(const std::array<std::uint8_t, 16>& b);

}  // namespace tcplab::capture
