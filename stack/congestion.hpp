#pragma once
// Congestion control state: the window an algorithm steers (stack/cc_newreno, cc_cubic,
// cc_bbr, chosen per connection), NewReno fast recovery (RFC 6582), the SACK scoreboard for
// loss recovery (RFC 6675), and Proportional Rate Reduction (RFC 6937) under `linux`. The
// connection asks it how much may be in flight and what to retransmit next.
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "stack/cc_bbr.hpp"
#include "stack/cc_cubic.hpp"
#include "stack/cc_newreno.hpp"
#include "stack/segment.hpp"

namespace tcplab {

using CcAlgo = std::variant<NewReno, Cubic, Bbr>;

class Congestion {
 public:
  // A bound on the SACKed ranges remembered: past it the lowest is forgotten, and its bytes
  // count as lost again (sent again by the recovery). Linux has no such bound (a SACKed flag
  // per queued segment), so it must be above any window's holes: a slow-start overshoot into
  // a drop-tail queue drops every second segment of a round (the catalogue's bottleneck labs
  // had more than the 64 this once was). It stays as a guard against a peer that reports
  // thousands of slivers (each ACK adds at most four; learn_sack keeps them within what was
  // sent).
  static constexpr std::size_t kMaxScoreboardBlocks = 8192;

  // prr: Proportional Rate Reduction in fast recovery (RFC 6937, as Linux); else RFC 6675's
  // cwnd = ssthresh with sending while pipe < cwnd.
  void init(CcKind kind, const CcInit& i, bool prr);
  std::uint32_t cwnd() const { return w_.cwnd; }
  std::uint32_t ssthresh() const { return w_.ssthresh; }
  CcKind kind() const { return static_cast<CcKind>(algo_.index()); }
  const CcAlgo& algo() const { return algo_; }
  // The algorithm's own phase ("startup", ...), or "" for the generic words.
  std::string_view algo_phase() const;
  std::uint64_t pacing_bps() const;
  bool controls_recovery() const;
  bool in_recovery() const { return in_recovery_; }
  int dupacks() const { return dupacks_; }
  Seq32 recover() const { return recover_; }
  Seq32 high_rxt() const { return high_rxt_; }

  // An ACK that acknowledged new data, cumulatively or by SACK. Outside recovery the algorithm
  // grows the window (RFC 5681 3.1); in recovery PRR sets it (RFC 6937 3), or an algorithm
  // that controls recovery itself (BBR) does.
  void on_ack(const CcAck& a);
  // A cumulative ACK outside recovery: the duplicate-ACK count starts again.
  void reset_dupacks() { dupacks_ = 0; }
  // Returns true when this duplicate ACK is the third: enter fast recovery now.
  bool on_dupack();
  // Enter recovery (RFC 6582 3.2 step 2 / RFC 6675 5 step 4; RFC 6937 3 initialization).
  void enter_recovery(const CcLoss& l, Seq32 snd_una, Seq32 snd_max, bool sack);
  // Partial ACK in NewReno (RFC 6582 3.2 step 5): deflate by the acked amount, add one MSS.
  void on_partial_ack(std::uint32_t acked, std::uint32_t mss, bool sack);
  // Full ACK: leave recovery with cwnd = min(ssthresh, flight + MSS) (RFC 6582 3.2 step 3);
  // with PRR, cwnd = ssthresh (RFC 6937 3, Linux tcp_end_cwnd_reduction).
  void exit_recovery(std::uint32_t flight, std::uint32_t mss, Instant now);
  void inflate(std::uint32_t mss) { w_.cwnd += mss; }  // NewReno: each further dupack
  // The application writes after the connection sent no data for `idle` (> the RTO) and with
  // nothing in flight (RFC 5681 4.1; Linux tcp_cwnd_restart). decay: Linux's, halve cwnd once
  // per RTO of idleness down to min(IW, cwnd) and keep ssthresh >= 3/4 of the old cwnd; else
  // the RFC's cwnd = min(RW, cwnd), RW = min(IW, cwnd).
  void restart_after_idle(Duration idle, Duration rto, std::uint32_t initial_window, bool decay);
  // Data leaves with nothing in flight (Linux CA_EVENT_TX_START), `idle` after the last data:
  // CUBIC moves its epoch by the idle time, BBR restarting app-limited paces at BtlBw.
  void on_tx_start(Instant now, Duration idle, bool app_limited);
  // RTO (RFC 5681 3.1 eq. 4, RFC 6298 5.5): ssthresh from the algorithm, cwnd = 1 MSS.
  void on_timeout(const CcLoss& l);
  // Bytes sent while in recovery (RFC 6937 prr_out).
  void on_sent(std::uint32_t bytes) { if (in_recovery_) prr_out_ += bytes; }
  void note_retransmitted(Seq32 upto) { if (seq_lt(high_rxt_, upto)) high_rxt_ = upto; }

  // SACK scoreboard: ranges above SND.UNA the receiver holds.
  void add_sack(SackBlock b, Seq32 snd_una);
  void drop_below(Seq32 snd_una);
  void clear_sacks() {
    sacked_.clear();
    sacked_total_ = 0;
  }
  // First sacked range at or after s (for skipping), or nullptr.
  const SackBlock* sacked_at_or_after(Seq32 s) const;
  // The SACKed bytes below s (after a timeout: what go-back-N skipped is not in flight).
  std::uint32_t sacked_below(Seq32 s) const;
  std::uint32_t sacked_bytes() const { return sacked_total_; }  // the scoreboard's bytes, kept as ranges change
  // RFC 6675 NextSeg rule 1: first un-SACKed byte in [from, highest sacked); len is how far
  // the hole goes. False when there is no such hole.
  bool next_hole(Seq32 from, Seq32* at, std::uint32_t* len) const;
  // RFC 6675 SetPipe, with every hole below the highest SACK taken as lost.
  std::uint32_t pipe(Seq32 snd_una, Seq32 snd_max) const;
  const std::vector<SackBlock>& scoreboard() const { return sacked_; }

 private:
  CcAlgo algo_;
  CcWindow w_;
  bool prr_ = false;
  bool prr_active_ = false;  // this recovery is paced by PRR (PRR needs SACK: the pipe it steers by)
  // RFC 6937: bytes delivered and sent since recovery began, and the window then (RecoverFS:
  // the RFC's is the pipe; Linux's, followed here, the cwnd before the cut).
  std::uint32_t prr_delivered_ = 0, prr_out_ = 0, recover_fs_ = 0;
  int dupacks_ = 0;
  bool in_recovery_ = false;
  Seq32 recover_, high_rxt_;
  std::vector<SackBlock> sacked_;  // sorted, disjoint
  std::uint32_t sacked_total_ = 0;  // their bytes: read several times per ACK, changed less often
  void recount();
};

}  // namespace tcplab
