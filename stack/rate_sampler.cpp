#include "stack/rate_sampler.hpp"

#include <algorithm>

namespace tcplab {

void RateSampler::on_send(Seq32 seq, Seq32 end, Instant now, bool retx, std::uint32_t in_flight_before) {
  if (!seq_lt(seq, end)) return;
  // Draft 3.2: sending into an empty pipe starts the intervals again.
  if (in_flight_before == 0) first_sent_time_ = delivered_time_ = now;
  Tx t;
  t.seq = seq;
  t.end = end;
  t.sent = now;
  t.delivered = delivered_;
  t.delivered_time = delivered_time_;
  t.first_sent = first_sent_time_;
  t.app_limited = app_limited_until_ != 0;
  t.retx = retx;
  if (retx) {
    // A retransmission: the records it covers are sent again now.
    std::size_t i = first_at_or_after(seq);
    if (i > 0 && seq_lt(seq, txs_[i - 1].end)) --i;  // a record that starts before seq and covers it
    for (; i < txs_.size(); ++i) {
      Tx& p = txs_[i];
      if (seq_le(end, p.seq)) break;
      if (p.sacked) continue;
      const Seq32 s = p.seq, e = p.end;
      p = t;
      p.seq = s;
      p.end = e;
    }
    return;
  }
  if (txs_.size() >= kMaxTracked) txs_.pop_front();
  txs_.push_back(t);
}

std::size_t RateSampler::first_unsacked(const Ring<Tx>& sent, std::size_t i) {
  while (i < sent.size() && sent[i].sacked) i += sent[i].skip;
  return i;
}

std::size_t RateSampler::skip_sacked(std::size_t i) {
  const std::size_t end = first_unsacked(txs_, i);
  if (i < txs_.size()) txs_[i].skip = static_cast<std::uint32_t>(end - i);  // the next scan jumps at once
  return end;
}

std::size_t RateSampler::first_at_or_after(Seq32 s) const {
  std::size_t lo = 0, hi = txs_.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (seq_lt(txs_[mid].seq, s)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void RateSampler::mark_app_limited(std::uint32_t in_flight) {
  const std::uint64_t until = delivered_ + in_flight;
  app_limited_until_ = until > 0 ? until : 1;
}

void RateSampler::deliver(Tx& p, Instant now, RateSample& rs, Instant& newest_sent, bool& have) {
  delivered_ += static_cast<std::uint32_t>(p.end - p.seq);
  delivered_time_ = now;
  // Draft 3.3: the most recently sent segment this ACK delivers sets the sample's interval.
  if (!have || p.sent > newest_sent || (p.sent == newest_sent && p.delivered >= rs.prior_delivered)) {
    have = true;
    newest_sent = p.sent;
    rs.prior_delivered = p.delivered;
    rs.app_limited = p.app_limited;
    const Duration send_elapsed = p.sent - p.first_sent;
    const Duration ack_elapsed = now - p.delivered_time;
    rs.interval_ns = std::max(send_elapsed, ack_elapsed);
    rs.rtt_ns = p.retx ? 0 : now - p.sent;  // Karn: no RTT from a retransmission
    first_sent_time_ = p.sent;
  }
}

RateSample RateSampler::on_ack(Seq32 snd_una, const std::vector<SackBlock>& sacked, Instant now,
                               std::vector<Delivery>* delivered) {
  auto note = [&](const Tx& p) {
    if (delivered) delivered->push_back({p.seq, p.end, p.sent, p.retx});
  };
  RateSample rs;
  Instant newest_sent = 0;
  bool have = false;
  while (!txs_.empty() && seq_le(txs_.front().end, snd_una)) {
    if (!txs_.front().sacked) {
      note(txs_.front());
      deliver(txs_.front(), now, rs, newest_sent, have);
    }
    txs_.pop_front();
  }
  // The records each block holds whole, in sequence order (the blocks are sorted and
  // disjoint, the records sorted and contiguous): from the first record starting in the block
  // to the last one ending in it.
  for (const SackBlock& b : sacked) {
    for (std::size_t i = first_at_or_after(b.left); i < txs_.size() && seq_le(txs_[i].end, b.right);) {
      Tx& p = txs_[i];
      if (p.sacked) {
        i = skip_sacked(i);
        continue;
      }
      p.sacked = true;
      p.skip = 1;
      note(p);
      deliver(p, now, rs, newest_sent, have);
      ++i;
    }
  }
  if (app_limited_until_ != 0 && delivered_ > app_limited_until_) app_limited_until_ = 0;
  if (!have) return RateSample{};
  if (rs.rtt_ns > 0 && (min_rtt_ == 0 || rs.rtt_ns < min_rtt_)) min_rtt_ = rs.rtt_ns;
  rs.delivered = delivered_ - rs.prior_delivered;
  // Draft 3.3: an interval shorter than the minimum RTT is not trusted (ACK compression).
  if (min_rtt_ > 0 && rs.interval_ns < min_rtt_) rs.interval_ns = 0;
  return rs;
}

}  // namespace tcplab
