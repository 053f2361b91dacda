#include "stack/config.hpp"

namespace tcplab {

std::optional<Profile> parse_profile(std::string_view text) {
  if (text == "linux") return Profile::Linux;
  if (text == "rfc9293") return Profile::Rfc9293;
  return std::nullopt;
}

TcpConfig TcpConfig::for_profile(Profile p) {
  TcpConfig c;
  c.profile = p;
  switch (p) {
    case Profile::Linux:
      break;  // the defaults above are Linux's
    case Profile::Rfc9293:
      // RFC 9293 3.8.1 / RFC 6298: MSL is 2 minutes, RTO starts at 1 s with a 1 s floor.
      c.msl_ns = sec(120);
      c.rto_min_ns = sec(1);
      c.fin_wait_2_timeout_ns = std::nullopt;  // the RFC has no such timer
      c.zwp_at_snd_una_minus_1 = false;        // RFC 9293 3.8.6.1: probe with one byte of data
      // RFC 9293 3.8.6.1: "increase exponentially the interval between successive probes".
      c.zwp_interval_from_answer = false;
      c.tail_loss_probe = false;               // RFC 9293 does not require RFC 8985 (TLP)
      c.rack = false;                          // nor RFC 8985 6 (RACK): RFC 6675 / 5681 loss detection
      c.quickack_segments = 0;                 // RFC 9293 3.8.6.3: delayed ACK from the first segment
      c.delack_ns = ms(200);
      c.delay_fin_ack = false;                 // RFC 9293 3.10.7.4: "send an acknowledgment for the FIN"
      c.ack_on_read = false;                   // RFC 9293 3.8.6.3: the delayed-ACK timer or the 2nd full segment
      c.nagle_minshall = false;                // RFC 896, RFC 9293 3.7.4: Nagle holds while any data is unacked
      c.idle_restart_decays = false;           // RFC 5681 4.1: cwnd = min(RW, cwnd) at once
      // RFC 6298 5.5: the RTO doubles from the first SYN retransmission; RFC 9293 3.8.3: R2
      // for a SYN "MUST be set large enough to provide retransmission of the segment for at
      // least 3 minutes": 7 retries (SYNs at 0, 1, 3, ..., 127 s) give up at 255 s.
      c.syn_linear_timeouts = 0;
      c.syn_retries = 7;
      c.dsack = false;                             // RFC 2883 is not part of RFC 9293
      c.rto_keeps_sack = false;                    // RFC 2018 8: SACK information forgotten on a timeout
      c.rto_restarts_on_head_resend = false;       // RFC 6298 5.1: started only when not running
      c.syn_sent_bad_ack_retry_ns = std::nullopt;  // 3.10.7.3: "discard the segment"
      c.time_wait_reopen_iss_gap = std::nullopt;   // RFC 6528's ISS, kept above the old SND.MAX
      c.syn_cookies = 0;                           // RFC 4987 is not part of RFC 9293
      // RFC 9293 3.8.6.2.2: offer the free buffer space (receiver SWS avoidance when it
      // opens), with the smallest window scale that covers the buffer (RFC 7323 2.3).
      c.rcv_window = RcvWindow::FreeSpace;
      c.cc = CcKind::NewReno;  // RFC 5681 3.1, RFC 6582
      c.prr = false;           // RFC 6675 5: cwnd = ssthresh in SACK recovery
      break;
  }
  return c;
}

}  // namespace tcplab
