#include "import/address_book.hpp"

#include <fmt/format.h>

namespace tcplab::capture {

std::string ipv6_text(const std::array<std::uint8_t, 16>& b) {
  std::uint16_t w[8];
  for (int i = 0; i < 8; ++i) w[i] = static_cast<std::uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  // RFC 5952 4.2: the longest run (of two or more) of zero words becomes "::", the first one on a tie.
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", w[i]);
  }
  return out;
}

Ipv4 AddressBook::key(const IpAddr& a) {
  if (!a.v6) {
    return static_cast<Ipv4>(a.bytes[0]) << 24 | static_cast<Ipv4>(a.bytes[1]) << 16 |
           static_cast<Ipv4>(a.bytes[2]) << 8 | a.bytes[3];
  }
  auto [it, fresh] = v6_keys_.try_emplace(a.bytes, 0);
  if (fresh) {
    it->second = 0xf0000000U | static_cast<Ipv4>(v6_keys_.size());
    v6_[it->second] = ipv6_text(a.bytes);
  }
  return it->second;
}

int AddressBook::host(Ipv4 key) {
  auto [it, fresh] = hosts_.try_emplace(key, static_cast<int>(names_.size()));
  if (fresh) {
    names_.push_back(text(key));
    host_keys_.push_back(key);
  }
  return it->second;
}

std::string AddressBook::text(Ipv4 key) const {
  if (auto it = v6_.find(key); it != v6_.end()) return it->second;
  return ip_to_string(key);
}

std::optional<Ipv4> AddressBook::host_key(int host) const {
  if (host < 0 || host >= static_cast<int>(host_keys_.size())) return std::nullopt;
  return host_keys_[static_cast<std::size_t>(host)];
}

std::optional<Ipv4> AddressBook::find(const std::string& text) const {
  for (const auto& [k, t] : v6_)
    if (t == text) return k;
  if (auto v4 = parse_ipv4(text)) return *v4;
  return std::nullopt;
}

}  // namespace tcplab::capture
