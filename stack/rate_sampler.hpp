#pragma once
// Delivery rate estimation (draft-cheng-iccrg-delivery-rate-estimation-02 section 3, as
// Linux's tcp_rate.c does it): each segment remembers, when it is sent, how much had been
// delivered and when; the ACK that delivers it (cumulatively or by SACK) turns that into a
// rate over the interval since. BBR models the path with these samples; they also give
// an RTT per ACK (the most recently sent segment it covers, never retransmitted: Karn).
#include <cstdint>
#include <vector>

#include "stack/cc_types.hpp"
#include "stack/segment.hpp"
#include "stack/ring.hpp"

namespace tcplab {

class RateSampler {
 public:
  // Segment [seq, end) leaves now. in_flight_before: bytes in flight before it (0: the
  // connection was idle, the intervals start again).
  void on_send(Seq32 seq, Seq32 end, Instant now, bool retx, std::uint32_t in_flight_before);
  // The application had nothing more to send while the window had room (draft 3.4): the
  // samples until what is in flight now is delivered are app-limited.
  void mark_app_limited(std::uint32_t in_flight);
  // A segment an ACK newly delivered: when it was last sent, and whether that was a
  // retransmission (RACK's step 2, stack/rack.hpp).
  struct Delivery {
    Seq32 seq, end;
    Instant sent = 0;
    bool retx = false;
  };
  // An ACK moved SND.UNA to snd_una and the receiver holds `sacked`: the rate sample (not
  // valid when nothing new was delivered or the interval is shorter than the minimum RTT).
  // `delivered`, when given, receives each segment the ACK newly delivered.
  RateSample on_ack(Seq32 snd_una, const std::vector<SackBlock>& sacked, Instant now,
                    std::vector<Delivery>* delivered = nullptr);
  std::uint64_t delivered() const { return delivered_; }
  bool app_limited() const { return app_limited_until_ != 0; }  // C.app_limited is set
  Duration min_rtt() const { return min_rtt_; }
  std::size_t tracked() const { return txs_.size(); }
  std::size_t storage_bytes() const { return txs_.capacity() * sizeof(Tx); }  // heap held for the records

  // One record per segment sent and not yet cumulatively acknowledged, in sequence order;
  // a retransmission re-stamps the records it covers (RACK reads their transmit times).
  struct Tx {
    Seq32 seq, end;
    Instant sent = 0;
    std::uint64_t delivered = 0;  // C.delivered when sent
    Instant delivered_time = 0;   // C.delivered_time when sent
    Instant first_sent = 0;       // C.first_sent_time when sent
    bool app_limited = false;
    bool retx = false;
    bool sacked = false;
    // When sacked: this record and at least skip - 1 after it are sacked (a lower bound,
    // lengthened as scans pass; a record is never un-sacked, so it stays true). Scans of the
    // records jump over a run of SACKed ones instead of walking it: in a recovery with a
    // large window most records below the highest SACK are SACKed, and each ACK walked them
    // all (RateSampler::on_ack and Rack::detect_loss were 12 % of a loss-0 bulk run).
    std::uint32_t skip = 0;
  };
  // The first record at index i or after it that is not SACKed (sent.size() if none).
  static std::size_t first_unsacked(const Ring<Tx>& sent, std::size_t i);
  const Ring<Tx>& sent() const { return txs_; }
  // Frees the records' storage once none is tracked (a connection done sending keeps none).
  void trim() {
    if (txs_.empty()) txs_.release();
  }

 private:
  void deliver(Tx& p, Instant now, RateSample& rs, Instant& newest_sent, bool& have);
  // first_unsacked, and records on the way how far the run from i goes.
  std::size_t skip_sacked(std::size_t i);
  // The first record whose seq is at or after s.
  std::size_t first_at_or_after(Seq32 s) const;
  static constexpr std::size_t kMaxTracked = 65536;  // a bound on remembered segments

  Ring<Tx> txs_;  // not a std::deque: that allocates ~600 bytes even when empty
  std::uint64_t delivered_ = 0;
  Instant delivered_time_ = 0, first_sent_time_ = 0;
  std::uint64_t app_limited_until_ = 0;  // C.app_limited: 0 or the delivered count that ends it
  Duration min_rtt_ = 0;
};

}  // namespace tcplab
