#include "stack/retx_cause.hpp"

namespace tcplab {

std::string_view retx_cause_name(RetxCause c) {
  switch (c) {
    case RetxCause::None: return "";
    case RetxCause::Fast: return "fast";
    case RetxCause::Recovery: return "recovery";
    case RetxCause::Rto: return "rto";
    case RetxCause::Tlp: return "tlp";
    case RetxCause::Probe: return "probe";
    case RetxCause::Keepalive: return "keepalive";
    case RetxCause::Syn: return "syn";
    case RetxCause::SynAck: return "synack";
  }
  return "";
}

std::string_view retx_cause_text(RetxCause c) {
  switch (c) {
    case RetxCause::None: return "";
    case RetxCause::Fast: return "fast retransmit";
    case RetxCause::Recovery: return "recovery retransmit";
    case RetxCause::Rto: return "RTO retransmit";
    case RetxCause::Tlp: return "tail loss probe";
    case RetxCause::Probe: return "zero-window probe";
    case RetxCause::Keepalive: return "keepalive probe";
    case RetxCause::Syn: return "SYN retransmit";
    case RetxCause::SynAck: return "SYN,ACK retransmit";
  }
  return "";
}

std::optional<RetxCause> retx_cause_from_name(std::string_view name) {
  for (int i = 1; i < kRetxCauses; ++i) {
    const auto c = static_cast<RetxCause>(i);
    if (retx_cause_name(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view retx_cause_names() { return "fast, recovery, rto, tlp, probe, keepalive, syn, synack"; }

}  // namespace tcplab
