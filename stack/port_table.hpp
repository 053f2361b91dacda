#pragma once
// A host's local ports and how many connections use each (bind() and connect() ask whether a
// port is taken): an array indexed by port, in pages of 256 ports made when a port in them is
// first used. A std::map allocated a node per port and walked ~15 levels per lookup; a
// client that opens 10^5 connections uses ~28,000 ephemeral ports, so here ~110 pages of 2 KB.
// Never iterated; copying it (the world is a value) copies the pages in use.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "stack/boxed.hpp"

namespace tcplab {

struct PortRefs {
  std::uint32_t all = 0;       // live connections using the port
  std::uint32_t no_reuse = 0;  // ... of which without SO_REUSEADDR
};

class PortTable {
 public:
  // The users of `port` (all == 0: none).
  PortRefs get(std::uint16_t port) const {
    const std::size_t p = port >> kPageLog2;
    if (p >= pages_.size() || !pages_[p]) return {};
    return (*pages_[p])[port & kMask];
  }
  // The users of `port`, to change (its page is made if need be).
  PortRefs& at(std::uint16_t port) {
    const std::size_t p = port >> kPageLog2;
    if (p >= pages_.size()) pages_.resize(p + 1);
    if (!pages_[p]) pages_[p].emplace(Page{});
    return (*pages_[p])[port & kMask];
  }

 private:
  static constexpr unsigned kPageLog2 = 8;
  static constexpr std::uint16_t kMask = (1u << kPageLog2) - 1;
  using Page = std::array<PortRefs, std::size_t{1} << kPageLog2>;
  std::vector<Boxed<Page>> pages_;  // by port / 256; empty boxes for pages never used
};

}  // namespace tcplab
