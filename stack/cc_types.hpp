#pragma once
// What a congestion-control algorithm is told and what it steers. The algorithms
// (stack/cc_newreno, cc_cubic, cc_bbr) are plain value types with the same members, held in
// a std::variant by stack/congestion (a World is copied for checkpoints: no pointers). Loss
// recovery itself (fast retransmit, the SACK scoreboard, PRR, the RTO) stays in
// stack/congestion and stack/connection; an algorithm only chooses cwnd growth, the
// ssthresh after a loss, and (BBR) the pacing rate and its own cwnd.
//
// Each algorithm provides:
//   void init(CcWindow& w, const CcInit& i);
//   void on_ack(CcWindow& w, const CcAck& a);          // an ACK of new data (see kControlsRecovery)
//   std::uint32_t ssthresh_on_loss(const CcWindow& w, const CcLoss& l);  // entering recovery or an RTO
//   void on_recovery_exit(CcWindow& w, Instant now);   // fast recovery ended (cwnd already = ssthresh)
//   void on_timeout(CcWindow& w, Instant now);         // after an RTO (cwnd already = 1 MSS)
//   std::uint64_t pacing_bps(const CcWindow& w) const; // 0: not paced
//   std::string_view phase(const CcWindow& w) const;   // "" : the generic words (slow start ...)
//   static constexpr bool kControlsRecovery;           // true (BBR): on_ack on every ACK, even in
//                                                      // recovery, and no PRR; it sets cwnd itself
#include <cstdint>
#include <optional>
#include <string_view>

#include "stack/time.hpp"

namespace tcplab {

enum class CcKind : std::uint8_t { NewReno, Cubic, Bbr };
std::string_view cc_name(CcKind k);                      // "newreno", "cubic", "bbr"
std::optional<CcKind> parse_cc(std::string_view text);   // also "reno" (Linux's name for NewReno)

constexpr std::uint32_t kInfiniteSsthresh = 0x7fffffff;  // Linux TCP_INFINITE_SSTHRESH, as bytes here

// The window an algorithm steers, in bytes.
struct CcWindow {
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = kInfiniteSsthresh;
};

struct CcInit {
  Instant now = 0;
  std::uint32_t mss = 1460;
  std::uint32_t initial_window_segments = 10;  // RFC 6928
  bool linux = true;  // the linux profile: Linux's arithmetic where it differs from the RFC
  // CUBIC's HyStart (Linux tcp_cubic hystart=1); BBR ignores it.
  bool hystart = true;
};

// Delivery rate sample (draft-cheng-iccrg-delivery-rate-estimation 3.3): what BBR models the
// path with. One per ACK that newly acknowledged (cumulatively or by SACK) data.
struct RateSample {
  std::uint64_t delivered = 0;        // bytes delivered during the interval
  Duration interval_ns = 0;           // max(send elapsed, ACK elapsed); 0: no valid sample
  std::uint64_t prior_delivered = 0;  // connection delivered count when that data was sent
  Duration rtt_ns = 0;                // RTT of the most recently sent data this ACK covers (0: none)
  bool app_limited = false;           // the sender had too little to send when it was sent
  bool valid() const { return interval_ns > 0; }
  // Bytes per second (0 when not valid).
  std::uint64_t rate_bps() const {
    return valid() ? delivered * 8ULL * 1'000'000'000ULL / static_cast<std::uint64_t>(interval_ns) : 0;
  }
};

// What one ACK tells the algorithm.
struct CcAck {
  Instant now = 0;
  std::uint32_t mss = 1460;
  std::uint32_t acked = 0;             // bytes newly acknowledged, cumulatively or by SACK
  std::uint32_t lost = 0;              // bytes newly marked lost by this ACK
  std::uint32_t prior_in_flight = 0;   // bytes in flight before the ACK
  std::uint32_t in_flight = 0;         // bytes in flight after it (RFC 6675 pipe)
  Duration rtt_ns = 0;                 // an RTT sample from this ACK (0: none; Karn's rule applied)
  Duration min_rtt_ns = 0;             // the smallest RTT seen on the connection (0: none yet)
  Duration srtt_ns = 0;
  std::uint64_t delivered = 0;         // bytes delivered (acked or SACKed) since the start
  bool una_advanced = false;           // the ACK moved SND.UNA (not only SACKed)
  bool in_recovery = false;            // fast recovery or after an RTO (only kControlsRecovery sees it)
  bool cwnd_limited = true;            // the window, not the application, limited sending
  RateSample rs;
};

enum class LossKind : std::uint8_t { FastRecovery, Timeout };

struct CcLoss {
  Instant now = 0;
  std::uint32_t mss = 1460;
  std::uint32_t flight = 0;  // bytes outstanding (RFC 5681 FlightSize)
  LossKind kind = LossKind::FastRecovery;
  // Another RTO before the first one's loss episode ended: ssthresh stays (RFC 5681 3.1:
  // equation (4) applies when the segment "has not yet been resent by way of the
  // retransmission timer"; Linux tcp_enter_loss likewise).
  bool again = false;
  // A timeout that keeps the SACK scoreboard (TcpConfig::rto_keeps_sack, no reneging seen).
  bool keep_sacks = false;
};

}  // namespace tcplab
