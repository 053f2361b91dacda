#pragma once
// The kind label of a segment (DESIGN rule 4): SYN, SYN-ACK, ACK, DATA, FIN, RST. Segment
// ids count per connection, and fault rules and checks count per kind (`B>A FIN #1`), so
// the kinds are one enum with one name table, used by the world, faults, checks and views.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "stack/segment.hpp"

namespace tcplab {

enum class SegKind : std::uint8_t { Syn, SynAck, Ack, Data, Fin, Rst };
inline constexpr std::size_t kSegKindCount = 6;

inline constexpr std::array<std::string_view, kSegKindCount> kSegKindNames = {"SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST"};
static_assert(kSegKindNames.size() == static_cast<std::size_t>(SegKind::Rst) + 1, "one name per SegKind");

// A RST is a RST whatever else it carries; a SYN with ACK is the SYN-ACK; a FIN may carry
// data but is labelled FIN (the close is what a student looks for).
inline SegKind segment_kind(const Segment& s) {
  if (s.has(kRst)) return SegKind::Rst;
  if (s.has(kSyn)) return s.has(kAck) ? SegKind::SynAck : SegKind::Syn;
  if (s.has(kFin)) return SegKind::Fin;
  if (!s.payload.empty()) return SegKind::Data;
  return SegKind::Ack;
}

constexpr std::string_view seg_kind_name(SegKind k) { return kSegKindNames[static_cast<std::size_t>(k)]; }

// "FIN" -> SegKind::Fin; nullopt for anything else (exact, upper case as in the trace).
constexpr std::optional<SegKind> parse_seg_kind(std::string_view name) {
  for (std::size_t i = 0; i < kSegKindCount; ++i)
    if (kSegKindNames[i] == name) return static_cast<SegKind>(i);
  return std::nullopt;
}

}  // namespace tcplab
