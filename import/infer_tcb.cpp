// Each side's TCB as its segments show it (RFC 9293 3.3.1): SND.UNA/NXT, RCV.NXT, the
// window with its scale (RFC 7323 2.3), RTT samples (RFC 6298, Karn's rule), and why a
// segment repeats sequence space: the same causes the stack gives its own (stack/retx_cause.hpp).
#include <algorithm>

#include "import/infer_internal.hpp"

namespace tcplab::capture {
namespace {

constexpr Duration kMinRto = ms(200);  // Linux TCP_RTO_MIN: a gap shorter than this is no timeout
constexpr std::size_t kRttWait = 64;   // new data waiting for its ACK, per side

bool window_scaled(const Conn& c) { return c.s[0].wscale >= 0 && c.s[1].wscale >= 0; }

// The cause of a segment that repeats sequence space (or probes), as the sender would know it.
RetxCause repeat_cause(const Side& s, const Side& peer, Instant t, const DecodedFrame& f) {
  const Segment& seg = f.seg;
  if (seg.has(kSyn)) return seg.has(kAck) ? RetxCause::SynAck : RetxCause::Syn;
  if (peer.wnd_bytes == 0 && peer.zero_since >= 0 && f.len <= 1) return RetxCause::Probe;
  // Silence since SND.UNA was last sent or acknowledged, longer than the timer could be: a timeout.
  const Instant since = s.last_tx_una >= 0 ? t - s.last_tx_una : 0;
  if (since >= std::max(kMinRto, s.srtt + s.srtt / 2)) return RetxCause::Rto;
  // RFC 5681 3.2: three duplicate ACKs; with SACK (RFC 6675) the blocks can show the loss after one.
  if (!s.in_recovery && (s.dup_run >= 3 || (peer.sack_seen && s.dup_run >= 1))) return RetxCause::Fast;
  if (s.in_recovery || s.dup_run > 0 || peer.sack_seen) return RetxCause::Recovery;
  if (seq_ge(Seq32{seg.seq.raw() + f.len}, Seq32{s.snd_nxt})) return RetxCause::Tlp;
  return RetxCause::Recovery;
}

}  // namespace

RetxCause Inference::Impl::analyse_send(Conn& c, int i, Instant t, const DecodedFrame& f, bool& retx) {
  Side& s = c.side(i);
  Side& peer = c.side(1 - i);
  const Segment& seg = f.seg;
  const std::uint32_t seq = seg.seq.raw();
  const std::uint32_t seg_len = f.len + (seg.has(kSyn) ? 1U : 0U) + (seg.has(kFin) ? 1U : 0U);
  ++s.segments;
  s.bytes += f.len;
  s.last_send = t;
  if (f.len) s.last_data = t;
  if (seg.has(kRst)) {
    ++s.rsts;
    return RetxCause::None;
  }
  if (seg.has(kSyn)) {
    ++s.syns;
    if (seg.wscale) s.wscale = std::min<int>(*seg.wscale, 14);
    if (seg.has(kAck) && !s.sent_synack) {
      // Its first SYN,ACK. After its own SYNs (a simultaneous open) it answers the peer's SYN and
      // is no retransmission (Linux sends it afresh, tcp_send_synack): SYN-RECEIVED counts its
      // SYN,ACK retries from here.
      s.sent_synack = true;
      s.syn_tx = 0;
      s.last_syn = -1;
      s.syn_gap = 0;
    }
    ++s.syn_tx;
    if (s.last_syn >= 0) s.syn_gap = t - s.last_syn;
    s.last_syn = t;
    if (s.near && !seg.has(kAck)) c.syn_sent_at = t;
    if (s.near && seg.has(kAck)) c.synack_sent_at = t;
    // Linux: SYN_SENT gives up after tcp_syn_retries + tcp_syn_linear_timeouts retransmissions,
    // SYN_RECV after tcp_synack_retries (measured on the stack's Linux profile, stack/config.hpp).
    const int limit = seg.has(kAck) ? opt.synack_retries : opt.syn_retries + opt.syn_linear_timeouts;
    // After its last retry a SYN's timer runs once more, twice as long, and the connect gives up.
    if (s.syn_tx >= limit + 1 && s.syn_gap > 0) set_timer(c, i, TimerKind::SynGiveUp, t + 2 * s.syn_gap);
  }
  // The window it offers, scaled except on a SYN (RFC 7323 2.2).
  const std::uint64_t wnd = seg.has(kSyn) || !window_scaled(c) ? seg.wnd : static_cast<std::uint64_t>(seg.wnd) << s.wscale;
  s.wnd_bytes = wnd;
  if (wnd == 0 && !seg.has(kSyn)) {
    if (s.zero_since < 0) {
      s.zero_since = t;
      ++s.zero_windows;
    }
  } else if (s.zero_since >= 0) {
    if (t - s.zero_since > s.zero_longest) {
      s.zero_longest = t - s.zero_since;
      s.zero_longest_at = s.zero_since;
    }
    s.zero_since = -1;
  }
  if (seg.sack_count) s.sack_seen = true;
  if (seg.has(kAck)) {
    s.rcv_nxt = seg.ack.raw();
    s.last_ack = seg.ack.raw();
    s.acked_any = true;
  }
  s.last_wnd_raw = seg.wnd;
  if (!s.iss && !seg.has(kSyn) && s.segments == 1) {
    s.snd_una = s.snd_nxt = seq;  // first seen mid-stream
  }
  const Seq32 end{seq + seg_len};
  RetxCause cause = RetxCause::None;
  if (seg_len == 0) {
    // SND.UNA-1 with no data: Linux's keep-alive and zero-window probe (RFC 9293 3.8.4, 3.8.6.1).
    if (s.iss && seq + 1 == s.snd_una && !seg.has(kFin)) {
      cause = peer.wnd_bytes == 0 && peer.zero_since >= 0 ? RetxCause::Probe : RetxCause::Keepalive;
      if (cause == RetxCause::Probe) ++s.probes;
      else ++s.keepalives;
    }
    return cause;
  }
  if (s.iss || s.segments > 1) {
    if (seq_lt(seg.seq, Seq32{s.snd_nxt}) && !(seg.has(kSyn) && s.syn_tx == 1)) {
      retx = true;
      cause = repeat_cause(s, peer, t, f);
      ++s.retransmits;
      if (cause == RetxCause::Probe) ++s.probes;
      // A chain: SND.UNA itself sent again and again on the timer (the go-back-N resends after it do not count).
      if (cause == RetxCause::Rto && seq == s.snd_una) s.longest_rto_chain = std::max(s.longest_rto_chain, ++s.rto_chain);
      else if (cause != RetxCause::Rto) s.rto_chain = 0;
      if (cause == RetxCause::Fast) {
        s.in_recovery = true;
        s.recover = s.snd_nxt;
      }
      s.rtt_wait.clear();  // Karn: no sample across a retransmission
    } else if (peer.wnd_bytes == 0 && peer.zero_since >= 0 && f.len <= 1 && seq == s.snd_nxt) {
      cause = RetxCause::Probe;  // new data pushed into a zero window: a probe (RFC 9293 3.8.6.1)
      ++s.probes;
    }
  }
  if (seq_lt(Seq32{s.snd_nxt}, end) || (!s.iss && s.segments == 1)) {
    s.snd_nxt = end.raw();
    if (!retx && (s.near || c.link_mode) && s.rtt_wait.size() < kRttWait) s.rtt_wait.emplace_back(end.raw(), t);
  }
  if (seg.seq.raw() == s.snd_una || s.last_tx_una < 0) s.last_tx_una = t;
  return cause;
}

// Side j receives: the ACK it gets moves its SND.UNA; duplicates are counted (RFC 5681 2:
// no data, no SYN/FIN, the same ACK and window, while data is outstanding).
void Inference::Impl::analyse_receive(Conn& c, int j, Instant t, const DecodedFrame& f) {
  Side& r = c.side(j);
  const Segment& seg = f.seg;
  if (!seg.has(kAck) || seg.has(kRst)) return;
  const Seq32 ack = seg.ack;
  if (seq_gt(ack, Seq32{r.snd_una})) {
    r.snd_una = ack.raw();
    r.dup_run = 0;
    r.rto_chain = 0;
    r.last_tx_una = t;
    if (r.in_recovery && seq_ge(ack, Seq32{r.recover})) r.in_recovery = false;
    while (!r.rtt_wait.empty() && seq_le(Seq32{r.rtt_wait.front().first}, ack)) {
      const Duration sample = t - r.rtt_wait.front().second;
      r.rtt_wait.pop_front();
      if (!r.rtt_wait.empty() && seq_le(Seq32{r.rtt_wait.front().first}, ack)) continue;  // the newest one covered
      r.rtt_recent[r.rtt_samples % Side::kRecentRtts] = sample;
      ++r.rtt_samples;
      r.rtt_last = sample;
      r.rtt_min = r.rtt_samples == 1 ? sample : std::min(r.rtt_min, sample);
      r.srtt = r.rtt_samples == 1 ? sample : r.srtt + (sample - r.srtt) / 8;  // RFC 6298 2.3, alpha = 1/8
    }
  } else if (ack == Seq32{r.snd_una} && f.len == 0 && !seg.has(kSyn) && !seg.has(kFin) && seq_lt(ack, Seq32{r.snd_nxt})) {
    ++r.dup_run;
    ++c.side(1 - j).dup_acks;
  }
}

}  // namespace tcplab::capture
