#include "stack/cc_types.hpp"

namespace tcplab {

std::string_view cc_name(CcKind k) {
  switch (k) {
    case CcKind::NewReno: return "newreno";
    case CcKind::Cubic: return "cubic";
    case CcKind::Bbr: return "bbr";
  }
  return "?";
}

std::optional<CcKind> parse_cc(std::string_view t) {
  if (t == "newreno" || t == "reno") return CcKind::NewReno;
  if (t == "cubic") return CcKind::Cubic;
  if (t == "bbr") return CcKind::Bbr;
  return std::nullopt;
}

}  // namespace tcplab
