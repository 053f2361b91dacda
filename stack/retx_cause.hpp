#pragma once
// Why a segment repeats sequence space already sent (or probes the peer): the stack knows
// it when it sends, and the trace, the text view and the checks show it (`retx_cause`).
#include <cstdint>
#include <optional>
#include <string_view>

namespace tcplab {

enum class RetxCause : std::uint8_t {
  None,       // new data, a pure ACK, a first SYN: not a retransmission
  Fast,       // the fast retransmit of SND.UNA after the duplicate-ACK threshold (RFC 5681 3.2)
  Recovery,   // later retransmissions in fast recovery: a SACK hole (RFC 6675 5), a partial ACK (RFC 6582 3.2)
  Rto,        // the retransmission timer expired (RFC 6298 5.4), and the go-back-N resends after it
  Tlp,        // a tail loss probe repeating the last segment (RFC 8985 7.3)
  Probe,      // a zero-window probe (RFC 9293 3.8.6.1; Linux: SND.UNA-1 without data)
  Keepalive,  // a keep-alive probe (RFC 9293 3.8.4: SND.UNA-1)
  Syn,        // our SYN again (SYN-SENT's timer, RFC 6298 5.7 / RFC 9293 3.8.1)
  SynAck,     // our SYN,ACK again: its timer, or an answer to the peer's repeated SYN
};
constexpr int kRetxCauses = 9;

// "fast", "recovery", "rto", "tlp", "probe", "keepalive", "syn", "synack" ("" for None):
// the trace's retx_cause key and the check selector's value.
std::string_view retx_cause_name(RetxCause c);
// The text view's note: "fast retransmit", "RTO retransmit", "tail loss probe", ...
std::string_view retx_cause_text(RetxCause c);
std::optional<RetxCause> retx_cause_from_name(std::string_view name);
// The names, comma-separated, for error messages.
std::string_view retx_cause_names();

}  // namespace tcplab
