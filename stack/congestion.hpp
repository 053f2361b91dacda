#pragma once
// Congestion control state: slow start and congestion avoidance (RFC 5681), NewReno fast
// recovery (RFC 6582) and the SACK scoreboard for loss recovery (RFC 6675). The
// connection asks it how much may be in flight and what to retransmit next.
#include <cstdint>
#include <vector>

#include "stack/segment.hpp"

namespace tcplab {

class Congestion {
 public:
  static constexpr std::size_t kMaxScoreboardBlocks = 64;  // a bound on remembered SACK ranges

  void init(std::uint32_t mss, std::uint32_t initial_window_segments);
  std::uint32_t cwnd() const { return cwnd_; }
  std::uint32_t ssthresh() const { return ssthresh_; }
  bool in_recovery() const { return in_recovery_; }
  int dupacks() const { return dupacks_; }
  Seq32 recover() const { return recover_; }
  Seq32 high_rxt() const { return high_rxt_; }

  // RFC 5681 3.1: growth on an ACK of new data outside recovery.
  void on_new_ack(std::uint32_t acked, std::uint32_t mss);
  // Returns true when this duplicate ACK is the third: enter fast recovery now.
  bool on_dupack();
  // Enter recovery (RFC 6582 3.2 step 2 / RFC 6675 5 step 4).
  void enter_recovery(std::uint32_t flight, std::uint32_t mss, Seq32 snd_una, Seq32 snd_max, bool sack);
  // Partial ACK in NewReno (RFC 6582 3.2 step 5): deflate by the acked amount, add one MSS.
  void on_partial_ack(std::uint32_t acked, std::uint32_t mss, bool sack);
  // Full ACK: leave recovery with cwnd = min(ssthresh, flight + MSS) (RFC 6582 3.2 step 3).
  void exit_recovery(std::uint32_t flight, std::uint32_t mss);
  void inflate(std::uint32_t mss) { cwnd_ += mss; }  // NewReno: each further dupack
  // RTO (RFC 5681 3.1 eq. 4, RFC 6298 5.5): ssthresh = max(flight/2, 2 MSS), cwnd = 1 MSS.
  void on_timeout(std::uint32_t flight, std::uint32_t mss);
  void note_retransmitted(Seq32 upto) { if (seq_lt(high_rxt_, upto)) high_rxt_ = upto; }

  // SACK scoreboard: ranges above SND.UNA the receiver holds.
  void add_sack(SackBlock b, Seq32 snd_una);
  void drop_below(Seq32 snd_una);
  void clear_sacks() { sacked_.clear(); }
  // First sacked range at or after s (for skipping), or nullptr.
  const SackBlock* sacked_at_or_after(Seq32 s) const;
  std::uint32_t sacked_bytes() const;
  // RFC 6675 NextSeg rule 1: first un-SACKed byte in [from, highest sacked); len is how far
  // the hole goes. False when there is no such hole.
  bool next_hole(Seq32 from, Seq32* at, std::uint32_t* len) const;
  // RFC 6675 SetPipe, with every hole below the highest SACK taken as lost.
  std::uint32_t pipe(Seq32 snd_una, Seq32 snd_max) const;
  const std::vector<SackBlock>& scoreboard() const { return sacked_; }

 private:
  std::uint32_t cwnd_ = 0, ssthresh_ = UINT32_MAX / 2, ca_acked_ = 0;
  int dupacks_ = 0;
  bool in_recovery_ = false;
  Seq32 recover_, high_rxt_;
  std::vector<SackBlock> sacked_;  // sorted, disjoint
};

}  // namespace tcplab
