#pragma once
// RACK loss detection (RFC 8985 section 6), as Linux applies it with net.ipv4.tcp_recovery=1:
// a segment is lost when a segment sent after it has been delivered (cumulatively ACKed or
// SACKed) and RACK.rtt + RACK.reo_wnd has passed since it was (last) sent. A segment that
// has not waited that long yet arms the reordering timer for the moment it will have. It
// works on retransmissions too: a lost retransmission is found without waiting for the RTO.
//
// The per-segment transmit times are the delivery-rate sampler's records (stack/rate_sampler:
// each remembers when it was last sent and whether it was retransmitted); Rack keeps RACK's
// own variables and the ranges it marked lost that were not sent again yet.
#include <cstdint>
#include <deque>
#include <vector>

#include "stack/rate_sampler.hpp"
#include "stack/segment.hpp"
#include "stack/time.hpp"

namespace tcplab {

class Rack {
 public:
  // Linux's reordering degree before it has seen any (tp->reordering, net.ipv4.tcp_reordering).
  static constexpr std::uint32_t kDupThresh = 3;
  // Linux arms its reordering timer TCP_TIMEOUT_MIN_US (2 ms) late, rounded up to whole
  // jiffies (4 ms at HZ=250): usecs_to_jiffies(remaining + 2000).
  static constexpr Duration kTimerSlack = ms(2);
  static constexpr Duration kTick = ms(4);

  // 6.2 step 2, for each segment this ACK newly delivered. `prior_fack`: the highest sequence
  // SACKed before this ACK (or SND.UNA): an original segment delivered below it was reordered.
  void on_delivered(const RateSampler::Delivery& d, Instant now, Duration min_rtt, Seq32 prior_fack);
  // 6.2 step 4 as Linux's tcp_rack_reo_wnd: min(min_rtt/4, SRTT); 0 while no reordering was
  // seen and either recovery is under way or kDupThresh segments are SACKed (the DupThresh
  // rule then applies at once).
  Duration reo_wnd(bool recovering, std::uint32_t sacked_segments, Duration min_rtt, Duration srtt) const;
  // 6.2 step 5: marks lost each outstanding segment sent before RACK.xmit_ts that has waited
  // RACK.rtt + reo_wnd; returns how long the youngest of the others still has to wait (0: none).
  Duration detect_loss(const Ring<RateSampler::Tx>& sent, Instant now, Duration reo_wnd);
  // Did an ACK advance RACK.xmit_ts since the last detection (Linux rack.advanced)?
  bool advanced() const { return advanced_; }
  void clear_advanced() { advanced_ = false; }
  bool reordering_seen() const { return reord_seen_; }
  Duration rtt() const { return rtt_; }
  Instant xmit_ts() const { return xmit_ts_; }
  Seq32 end_seq() const { return end_seq_; }
  // The reordering timer's deadline for a wait of `remaining` (Linux's rounding).
  static Instant timer_deadline(Instant now, Duration remaining);

  // Ranges marked lost and not sent again yet (sorted, disjoint): what recovery retransmits.
  const std::vector<SackBlock>& lost() const { return lost_; }
  bool has_lost() const { return !lost_.empty(); }
  std::uint32_t lost_bytes() const;
  // [seq, end) was sent again (or SACKed, or cumulatively ACKed): no longer waiting to be resent.
  void unmark(Seq32 seq, Seq32 end);
  void drop_below(Seq32 snd_una);
  // After an RTO everything outstanding is resent from SND.UNA; a timeout is not reordering.
  void on_timeout() { lost_.clear(); advanced_ = false; }

 private:
  void mark(Seq32 seq, Seq32 end);
  bool have_ = false;       // RACK.xmit_ts is set
  Instant xmit_ts_ = 0;     // RACK.xmit_ts: the latest transmit time among delivered segments
  Seq32 end_seq_;           // RACK.end_seq: that segment's end (ties of xmit_ts)
  Duration rtt_ = 0;        // RACK.rtt
  bool advanced_ = false;
  bool reord_seen_ = false;  // Linux tp->reord_seen
  std::vector<SackBlock> lost_;
};

}  // namespace tcplab
