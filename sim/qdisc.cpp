#include "sim/qdisc.hpp"

#include "stack/isn.hpp"

namespace tcplab {

std::string_view qdisc_name(QdiscKind k) {
  switch (k) {
    case QdiscKind::DropTail: return "drop-tail";
    case QdiscKind::Red: return "red";
    case QdiscKind::CoDel: return "codel";
    case QdiscKind::FqCodel: return "fq_codel";
  }
  return "?";
}

Qdisc::Qdisc(const QdiscConfig& c, std::uint64_t rate_bps, Rng rng) {
  const QueueLimit limit = c.limit.value_or(QueueLimit::packets(c.kind == QdiscKind::FqCodel ? 10240 : 1000));
  switch (c.kind) {
    case QdiscKind::DropTail: q_ = DropTail(limit); break;
    case QdiscKind::Red: {
      const Duration pkt_time = rate_bps ? static_cast<Duration>(1500ULL * 8 * 1'000'000'000ULL / rate_bps) : 0;
      q_ = Red(limit, c.red, pkt_time, rng);
      break;
    }
    case QdiscKind::CoDel: q_ = CoDel(limit, c.codel); break;
    case QdiscKind::FqCodel: q_ = FqCodel(limit, c.fq_codel); break;
  }
}

std::uint32_t flow_hash(Endpoint src, Endpoint dst, std::uint8_t protocol) {
  std::uint64_t h = mix64((static_cast<std::uint64_t>(src.ip) << 32) | dst.ip);
  h = mix64(h ^ ((static_cast<std::uint64_t>(src.port) << 24) | (static_cast<std::uint64_t>(dst.port) << 8) | protocol));
  return static_cast<std::uint32_t>(h >> 32);
}

}  // namespace tcplab
