#pragma once
// NewReno's window (RFC 5681 3.1; the recovery itself, RFC 6582/6675, is in stack/congestion):
// slow start below ssthresh, one MSS per window of ACKed bytes above it, half the window
// at a loss. Linux's "reno" (tcp_cong.c) differs in two places, followed under `linux`:
// slow start grows by every ACKed byte up to ssthresh (RFC 3465's L = 2 MSS limit is not
// applied; the rest of the ACK goes to congestion avoidance), and ssthresh is half of cwnd,
// not of FlightSize.
#include <string_view>

#include "stack/cc_types.hpp"

namespace tcplab {

struct NewReno {
  static constexpr bool kControlsRecovery = false;

  void init(CcWindow& w, const CcInit& i);
  void on_ack(CcWindow& w, const CcAck& a);
  std::uint32_t ssthresh_on_loss(const CcWindow& w, const CcLoss& l) const;
  void on_recovery_exit(CcWindow&, Instant) {}
  void on_timeout(CcWindow&, Instant) { ca_acked_ = 0; }
  void on_tx_start(CcWindow&, Instant, Duration, bool) {}
  std::uint64_t pacing_bps(const CcWindow&) const { return 0; }
  std::string_view phase(const CcWindow&) const { return ""; }

  // Slow start (shared with CUBIC): grows cwnd by the ACKed bytes, returns what is left
  // over once cwnd reaches ssthresh (Linux tcp_slow_start), or under the RFC by at most 2 MSS
  // (RFC 3465 L = 2) with nothing left over.
  static std::uint32_t slow_start(CcWindow& w, std::uint32_t acked, std::uint32_t mss, bool linux);

  bool linux_ = true;
  std::uint32_t ca_acked_ = 0;  // bytes ACKed in congestion avoidance since cwnd last grew
};

}  // namespace tcplab
