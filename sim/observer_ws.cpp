// Wireshark's TCP sequence analysis, written from its documentation (User's Guide 7.5 "TCP
// Analysis") and checked frame by frame against tshark 4.0 on every catalogue lab
// (tests/cli/observer_tshark.sh). It looks at one frame at a time with what earlier frames
// left behind, per direction of a conversation; it never knows what an endpoint knew.
#include <array>
#include <map>

#include <fmt/format.h>

#include "sim/observer.hpp"

namespace tcplab {

std::string_view ws_field(WsFlag f) {
  switch (f) {
    case WsFlag::Retransmission: return "retransmission";
    case WsFlag::FastRetransmission: return "fast_retransmission";
    case WsFlag::SpuriousRetransmission: return "spurious_retransmission";
    case WsFlag::OutOfOrder: return "out_of_order";
    case WsFlag::LostSegment: return "lost_segment";
    case WsFlag::AckLostSegment: return "ack_lost_segment";
    case WsFlag::DuplicateAck: return "duplicate_ack";
    case WsFlag::ZeroWindow: return "zero_window";
    case WsFlag::ZeroWindowProbe: return "zero_window_probe";
    case WsFlag::ZeroWindowProbeAck: return "zero_window_probe_ack";
    case WsFlag::KeepAlive: return "keep_alive";
    case WsFlag::KeepAliveAck: return "keep_alive_ack";
    case WsFlag::WindowUpdate: return "window_update";
    case WsFlag::WindowFull: return "window_full";
    case WsFlag::ReusedPorts: return "reused_ports";
  }
  return "";
}

std::string_view ws_words(WsFlag f) {
  switch (f) {
    case WsFlag::Retransmission: return "TCP Retransmission";
    case WsFlag::FastRetransmission: return "TCP Fast Retransmission";
    case WsFlag::SpuriousRetransmission: return "TCP Spurious Retransmission";
    case WsFlag::OutOfOrder: return "TCP Out-Of-Order";
    case WsFlag::LostSegment: return "TCP Previous segment not captured";
    case WsFlag::AckLostSegment: return "TCP ACKed unseen segment";
    case WsFlag::DuplicateAck: return "TCP Dup ACK";
    case WsFlag::ZeroWindow: return "TCP ZeroWindow";
    case WsFlag::ZeroWindowProbe: return "TCP ZeroWindowProbe";
    case WsFlag::ZeroWindowProbeAck: return "TCP ZeroWindowProbeAck";
    case WsFlag::KeepAlive: return "TCP Keep-Alive";
    case WsFlag::KeepAliveAck: return "TCP Keep-Alive ACK";
    case WsFlag::WindowUpdate: return "TCP Window Update";
    case WsFlag::WindowFull: return "TCP Window Full";
    case WsFlag::ReusedPorts: return "TCP Port numbers reused";
  }
  return "";
}

std::string WsAnalysis::labels() const {
  // The order Wireshark's Info column shows them in.
  static constexpr std::array kOrder{
      WsFlag::ReusedPorts, WsFlag::LostSegment, WsFlag::AckLostSegment, WsFlag::KeepAlive,
      WsFlag::KeepAliveAck, WsFlag::ZeroWindowProbe, WsFlag::ZeroWindowProbeAck,
      WsFlag::Retransmission, WsFlag::FastRetransmission, WsFlag::SpuriousRetransmission,
      WsFlag::OutOfOrder, WsFlag::DuplicateAck, WsFlag::WindowUpdate, WsFlag::WindowFull,
      WsFlag::ZeroWindow};
  std::string out;
  for (WsFlag f : kOrder) {
    if (!has(f)) continue;
    // A fast or spurious retransmission is a retransmission too, but the column says it once.
    if (f == WsFlag::Retransmission && (has(WsFlag::FastRetransmission) || has(WsFlag::SpuriousRetransmission))) continue;
    if (!out.empty()) out += " ";
    if (f == WsFlag::DuplicateAck) out += fmt::format("[TCP Dup ACK {}#{}]", dup_ack_frame, dup_ack_num);
    else out += fmt::format("[{}]", ws_words(f));
  }
  return out;
}

namespace {

// Sequence comparisons modulo 2^32, as the analysis makes them.
bool seq_lt(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
bool seq_gt(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

// What the analysis remembers of one direction of a conversation. Sequence numbers are
// relative to the direction's base (its SYN's SEQ, or the first SEQ seen minus one), so 0
// means "nothing seen yet", as in Wireshark.
struct Flow {
  bool base_set = false;
  std::uint32_t base = 0;
  int win_scale = -1;              // -1: no SYN seen; -2: a SYN without the option
  std::uint32_t nextseq = 0;       // the highest sequence number seen plus its length
  Instant nextseq_time = 0;
  std::uint32_t maxseqtobeacked = 0;  // the end of the contiguous sequence space seen
  std::uint32_t lastack = 0;
  Instant lastack_time = 0;
  std::uint32_t window = 0;        // the last window, scaled when the scale is known
  std::int64_t dupacknum = 0;      // -1: an ACK of unseen data came the other way
  std::size_t lastnondupack = 0;   // frame number
  std::uint32_t last_flags = 0;    // the analysis flags of this direction's last frame
};

struct Conversation {
  std::array<Flow, 2> flow;        // [0]: from the lower endpoint; [1]: from the upper
  Instant syn_time = 0;            // the most recent SYN (for the initial RTT)
  bool syn_seen = false;
  Instant first_rtt = 0;           // the initial RTT, SYN to the handshake's ACK; 0: unknown
};

using ConvKey = std::pair<Endpoint, Endpoint>;

class Analyzer {
 public:
  WsAnalysis frame(const ObservedSegment& o, std::size_t number);

 private:
  std::map<ConvKey, Conversation> convs_;
};

// The window in bytes: scaled once both SYNs carried the option (never on a SYN).
std::uint32_t window_bytes(const Segment& s, const Flow& fwd, const Flow& rev) {
  std::uint32_t w = s.wnd;
  if (!s.has(kSyn) && fwd.win_scale >= 0 && rev.win_scale >= 0) w <<= fwd.win_scale;
  return w;
}

void note_syn_options(const Segment& s, Flow& fwd, Flow& rev) {
  if (!s.has(kSyn)) return;
  fwd.win_scale = s.wscale ? static_cast<int>(*s.wscale) : -2;
  // A SYN-ACK without the option turns scaling off both ways (RFC 7323 2.2).
  if (s.has(kAck) && fwd.win_scale == -2 && rev.win_scale >= 0) rev.win_scale = -2;
}

// Data (or a SYN or FIN) that does not advance the sequence: spurious (the other side had
// ACKed it), a fast retransmission (2+ duplicate ACKs for it less than 20 ms before), out of
// order (less than the initial RTT, or 3 ms, after the highest segment), or a retransmission.
void retransmission_type(const ObservedSegment& o, std::uint32_t seq, std::uint32_t seglen, bool syn_or_fin,
                         const Conversation& c, const Flow& fwd, const Flow& rev, WsAnalysis& a) {
  bool not_advanced = fwd.nextseq && seq_lt(seq, fwd.nextseq);
  // More than one byte starting one below the next: new data after a probe, not a repeat.
  if (seglen > 1 && fwd.nextseq - 1 == seq) not_advanced = false;
  const std::uint32_t end = seq + seglen;
  if (seglen > 0 && rev.lastack && !seq_gt(end, rev.lastack)) {
    a.set(WsFlag::SpuriousRetransmission);
    a.set(WsFlag::Retransmission);  // tshark reports both
    return;
  }
  if (!not_advanced) return;
  if (rev.dupacknum >= 2 && rev.lastack == seq && o.t_ns - rev.lastack_time < 20'000'000) {
    a.set(WsFlag::FastRetransmission);
    a.set(WsFlag::Retransmission);  // tshark reports both
    return;
  }
  const Instant ooo_thres = c.first_rtt ? c.first_rtt : 3'000'000;
  a.after_highest = o.t_ns - fwd.nextseq_time;
  a.ooo_threshold = ooo_thres;
  if (o.t_ns - fwd.nextseq_time < ooo_thres && fwd.nextseq != end + (syn_or_fin ? 1U : 0U)) {
    a.set(WsFlag::OutOfOrder);
    return;
  }
  a.set(WsFlag::Retransmission);
}

WsAnalysis Analyzer::frame(const ObservedSegment& o, std::size_t number) {
  const Segment& s = o.seg;
  WsAnalysis a;
  const bool upper = s.dst < s.src;
  const ConvKey key = upper ? ConvKey{s.dst, s.src} : ConvKey{s.src, s.dst};
  auto [it, fresh] = convs_.try_emplace(key);
  // A new SYN with another ISN on a known port pair is a new conversation.
  {
    Flow& f = it->second.flow[upper ? 1 : 0];
    if (!fresh && (s.flags & (kSyn | kAck)) == kSyn && f.base_set && s.seq.raw() != f.base) {
      it->second = Conversation{};
      a.set(WsFlag::ReusedPorts);
    }
  }
  Conversation& c = it->second;
  Flow& fwd = c.flow[upper ? 1 : 0];
  Flow& rev = c.flow[upper ? 0 : 1];

  if (!fwd.base_set) {
    fwd.base = s.has(kSyn) ? s.seq.raw() : s.seq.raw() - 1;
    fwd.base_set = true;
  }
  if (!rev.base_set && s.has(kAck)) {
    rev.base = s.ack.raw() - 1;
    rev.base_set = true;
  }
  note_syn_options(s, fwd, rev);
  if ((s.flags & (kSyn | kAck)) == kSyn) {
    c.syn_time = o.t_ns;
    c.syn_seen = true;
  } else if (c.first_rtt == 0 && c.syn_seen && (s.flags & (kSyn | kAck)) == kAck) {
    c.first_rtt = o.t_ns - c.syn_time;
  }

  const std::uint32_t seq = s.seq.raw() - fwd.base;
  const std::uint32_t ack = s.has(kAck) ? s.ack.raw() - rev.base : 0;
  const std::uint32_t seglen = o.len;
  const std::uint32_t window = window_bytes(s, fwd, rev);
  const bool syn_fin_rst = (s.flags & (kSyn | kFin | kRst)) != 0;
  const bool syn_or_fin = (s.flags & (kSyn | kFin)) != 0;

  bool done_fwd = false;  // a probe or a probe's answer: no further ACK analysis
  // A zero-window probe: one byte at the next sequence number while the other side's
  // window is shut.
  if (seglen == 1 && seq == fwd.nextseq && rev.window == 0) {
    a.set(WsFlag::ZeroWindowProbe);
    done_fwd = true;
  }
  if (!done_fwd) {
    if (window == 0 && !syn_fin_rst) a.set(WsFlag::ZeroWindow);
    // Data beyond the highest sequence number seen: something before it was not captured.
    if (fwd.nextseq && seq_gt(seq, fwd.nextseq) && !s.has(kRst)) a.set(WsFlag::LostSegment);
    // A keep-alive: 0 or 1 byte, one before the next sequence number.
    if (seglen <= 1 && seq == fwd.nextseq - 1 && !syn_fin_rst) a.set(WsFlag::KeepAlive);
    const bool same_point = seglen == 0 && seq == fwd.nextseq && ack == fwd.lastack && !syn_fin_rst;
    // A window update: nothing new but the window.
    if (same_point && window != 0 && window != fwd.window) a.set(WsFlag::WindowUpdate);
    // Window full: the data reaches the right edge of the other side's window.
    if (seglen > 0 && rev.win_scale != -1 && !syn_fin_rst &&
        seq + seglen == rev.lastack + rev.window)
      a.set(WsFlag::WindowFull);
    if (same_point && window != 0 && window == fwd.window && (rev.last_flags & (1U << static_cast<int>(WsFlag::KeepAlive)))) {
      a.set(WsFlag::KeepAliveAck);
      done_fwd = true;
    }
  }
  if (!done_fwd && seglen == 0 && window == 0 && window == fwd.window && seq == fwd.nextseq &&
      (ack == fwd.lastack || ack == fwd.lastack + 1) && !syn_fin_rst &&
      (rev.last_flags & (1U << static_cast<int>(WsFlag::ZeroWindowProbe)))) {
    a.set(WsFlag::ZeroWindowProbeAck);
    done_fwd = true;
  }
  // A duplicate ACK: nothing new at all, the same window, the same ACK. The count restarts
  // at 1 after an "ACKed unseen segment" in the other direction had set it to -1.
  if (!done_fwd && seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextseq &&
      ack == fwd.lastack && !syn_fin_rst) {
    fwd.dupacknum = fwd.dupacknum == -1 ? 1 : fwd.dupacknum + 1;
    a.set(WsFlag::DuplicateAck);
    a.dup_ack_num = static_cast<std::uint32_t>(fwd.dupacknum);
    a.dup_ack_frame = fwd.lastnondupack;
  }
  if (ack != fwd.lastack) {  // a new ACK number: the duplicate count starts again
    fwd.lastnondupack = number;
    fwd.dupacknum = 0;
  }
  // It acknowledges sequence space the capture never showed going the other way. Said once
  // per gap: while the other direction sends only ACKs, once per ACK seen from it.
  if (rev.maxseqtobeacked && seq_gt(ack, rev.maxseqtobeacked) && s.has(kAck)) {
    if (seq_gt(rev.maxseqtobeacked, rev.nextseq)) {
      rev.maxseqtobeacked = rev.nextseq;
      a.set(WsFlag::AckLostSegment);
    } else {
      if (rev.dupacknum == 0) a.set(WsFlag::AckLostSegment);
      rev.dupacknum = -1;
    }
  }
  if ((seglen > 0 || syn_or_fin) && !a.has(WsFlag::KeepAlive)) retransmission_type(o, seq, seglen, syn_or_fin, c, fwd, rev, a);
  std::uint32_t nextseq = seq + seglen + (syn_or_fin ? 1 : 0);
  const bool probe = a.has(WsFlag::ZeroWindowProbe);
  if ((seq_gt(nextseq, fwd.nextseq) || !fwd.nextseq) && !probe) {
    fwd.nextseq = nextseq;
    fwd.nextseq_time = o.t_ns;
  }
  if ((seq == fwd.maxseqtobeacked || !fwd.maxseqtobeacked) && !probe) fwd.maxseqtobeacked = fwd.nextseq;
  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastack_time = o.t_ns;
  fwd.last_flags = a.flags;
  return a;
}

}  // namespace

std::vector<WsAnalysis> analyze_capture(const std::vector<ObservedSegment>& frames) {
  Analyzer an;
  std::vector<WsAnalysis> out;
  out.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) out.push_back(an.frame(frames[i], i + 1));
  return out;
}

}  // namespace tcplab
