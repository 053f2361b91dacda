#include "sim/relative_seq.hpp"

namespace tcplab {

namespace {
std::string direction(const Endpoint& from, const Endpoint& to) {
  return endpoint_to_string(from) + ">" + endpoint_to_string(to);
}
}  // namespace

void RelativeSeq::feed(const TraceEvent& e) {
  if (e.type != TraceType::Send) return;
  const std::string dir = direction(e.seg.src, e.seg.dst);
  if (e.seg.has(kSyn)) {
    // A new SYN that way starts a new connection (a reused 4-tuple): forget the old FIN.
    isn_[dir] = e.seg.seq.raw();
    fin_.erase(dir);
  }
  if (e.seg.has(kFin)) fin_[dir] = seq(e) + e.len;
}

std::uint32_t RelativeSeq::seq(const TraceEvent& e) const {
  auto it = isn_.find(direction(e.seg.src, e.seg.dst));
  return it == isn_.end() ? e.seg.seq.raw() : e.seg.seq.raw() - it->second;
}

std::optional<std::uint32_t> RelativeSeq::ack(const TraceEvent& e) const {
  if (!e.seg.has(kAck)) return std::nullopt;
  // The ACK acknowledges the other direction's sequence space, so it is relative to its ISN.
  auto it = isn_.find(direction(e.seg.dst, e.seg.src));
  return it == isn_.end() ? e.seg.ack.raw() : e.seg.ack.raw() - it->second;
}

std::optional<std::uint32_t> RelativeSeq::fin_seq(const std::string& dir) const {
  auto it = fin_.find(dir);
  if (it == fin_.end()) return std::nullopt;
  return it->second;
}

}  // namespace tcplab
