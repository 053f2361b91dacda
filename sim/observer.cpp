// The observer's view: the frames of one capture point, Wireshark's guesses about them
// (observer_ws.cpp), and what the endpoints knew, read from the trace.
#include "sim/observer.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

namespace tcplab {
namespace {

std::uint32_t data_len(const TraceEvent& e) { return e.len + (e.seg.has(kFin) ? 1U : 0U); }

// What the trace says about the sends: their triggers, their fates, the receiver's ACKs.
struct TraceFacts {
  struct Trigger {
    std::string what;  // "RTO", "TLP", "PERSIST", "KEEPALIVE", "DELACK", "ACK", "app", ""
    std::size_t event = 0;
  };
  struct Fate {
    std::string dropped;       // "link: random loss" ("" when not dropped before arriving)
    std::vector<Instant> arrivals;
  };
  std::map<std::size_t, Trigger> trigger;               // by Send index (captured sends only)
  std::map<std::size_t, bool> receiver_had;             // by Send index: the peer had ACKed all of it
  std::map<std::size_t, Seq32> prev_ack;                // by Send index: the sender's highest ACK before it
  std::map<std::size_t, std::uint16_t> prev_wnd;        // by Send index: the window its previous segment carried
  std::map<std::string, std::size_t> send_of;           // "sender conn|id" -> Send index
  std::map<std::string, Fate> fate;                     // "sender conn|id"
  std::map<std::string, std::vector<std::size_t>> sends_by_conn;  // data-bearing sends
};

TraceFacts read_facts(const TraceEvents& trace, const std::set<std::size_t>& captured) {
  TraceFacts f;
  std::map<int, std::size_t> last_trigger;      // host -> event index
  std::map<std::string, Seq32> max_ack_sent;    // sender conn -> highest ACK it sent
  std::map<std::string, std::uint16_t> last_wnd;  // sender conn -> the window of its last segment
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const TraceEvent& e = trace[i];
    switch (e.type) {
      case TraceType::Timer:
        if (e.action == TimerAction::Fire) last_trigger[e.host] = i;
        break;
      case TraceType::App:
        last_trigger[e.host] = i;
        break;
      case TraceType::Deliver: {
        last_trigger[e.host] = i;
        f.fate[reversed_pair(e.conn) + "|" + e.id].arrivals.push_back(e.t_ns);
        break;
      }
      case TraceType::Drop: {
        auto& fate = f.fate[e.conn + "|" + e.id];
        if (fate.dropped.empty() && fate.arrivals.empty()) fate.dropped = e.where + ": " + e.reason;
        break;
      }
      case TraceType::Send: {
        f.send_of.try_emplace(e.conn + "|" + e.id, i);
        if (data_len(e) > 0 || e.seg.has(kSyn)) f.sends_by_conn[e.conn].push_back(i);
        if (captured.contains(i)) {
          auto t = last_trigger.find(e.host);
          TraceFacts::Trigger trig;
          if (t != last_trigger.end() && trace[t->second].t_ns == e.t_ns) {
            const TraceEvent& c = trace[t->second];
            trig.event = t->second;
            if (c.type == TraceType::Timer) trig.what = std::string(timer_name(c.timer));
            else if (c.type == TraceType::Deliver) trig.what = "ACK";
            else trig.what = "app";
          }
          f.trigger[i] = trig;
          auto peer = max_ack_sent.find(reversed_pair(e.conn));
          const Seq32 end = e.seg.seq + data_len(e);
          f.receiver_had[i] = data_len(e) > 0 && peer != max_ack_sent.end() && seq_ge(peer->second, end);
          if (auto mine = max_ack_sent.find(e.conn); mine != max_ack_sent.end()) f.prev_ack[i] = mine->second;
          if (auto w = last_wnd.find(e.conn); w != last_wnd.end()) f.prev_wnd[i] = w->second;
        }
        last_wnd[e.conn] = e.seg.wnd;
        if (e.seg.has(kAck)) {
          auto [it, fresh] = max_ack_sent.try_emplace(e.conn, e.seg.ack);
          if (!fresh && seq_gt(e.seg.ack, it->second)) it->second = e.seg.ack;
        }
        break;
      }
      case TraceType::State:
        break;
    }
  }
  return f;
}

std::string ms_text(Instant d) { return fmt::format("{:.3f} ms", static_cast<double>(d) / 1e6); }

std::string threshold_text(Instant thres) {
  return thres == 3'000'000 ? std::string("its 3 ms default (no initial RTT measured)")
                            : "the initial RTT it measured (" + ms_text(thres) + ")";
}

// The words for a trigger, as the sender knew it.
std::string trigger_words(const std::string& t) {
  if (t == "RTO") return "its retransmission timer (RTO) fired";
  if (t == "TLP") return "its tail loss probe timer fired (RFC 8985)";
  if (t == "REO") return "its RACK reordering timer fired (RFC 8985 6.2): a segment waited out the reordering window";
  if (t == "PERSIST") return "its persist timer fired: a zero-window probe";
  if (t == "KEEPALIVE") return "its keepalive timer fired";
  if (t == "DELACK") return "its delayed-ACK timer fired";
  if (t == "ACK") return "a segment arrived";
  if (t == "app") return "an application call";
  return "";
}

class Explainer {
 public:
  Explainer(const TraceEvents& trace, const TraceFacts& facts) : trace_(trace), facts_(facts) {}
  void explain(ObservedFrame& o);

 private:
  std::string missing_bytes(const TraceEvent& e, Instant seen_at) const;
  std::string answered(const TraceEvent& e, std::size_t send, const FrameTruth& t, bool& hole) const;
  std::string describe(const ObservedFrame& o, bool& hole);
  std::string disagreement(const ObservedFrame& o, bool hole) const;
  void note_seen(const TraceEvent& e);
  const TraceEvents& trace_;
  const TraceFacts& facts_;
  std::map<std::string, Seq32> high_;  // per sender conn: the highest end seen at the capture point
};

// Why a gap before this segment: the earliest send that carried its first missing byte.
std::string Explainer::missing_bytes(const TraceEvent& e, Instant seen_at) const {
  auto hi = high_.find(e.conn);
  auto list = facts_.sends_by_conn.find(e.conn);
  if (hi == high_.end() || list == facts_.sends_by_conn.end()) return "";
  const Seq32 gap = hi->second;
  for (std::size_t idx : list->second) {
    const TraceEvent& s = trace_[idx];
    if (s.t_ns > seen_at) break;
    if (!(seq_ge(gap, s.seg.seq) && seq_gt(s.seg.seq + data_len(s), gap))) continue;
    auto fate = facts_.fate.find(s.conn + "|" + s.id);
    if (fate == facts_.fate.end()) return fmt::format("the missing bytes ({}) are still on their way", s.id);
    if (!fate->second.dropped.empty()) return fmt::format("the missing bytes ({}) were lost: dropped ({})", s.id, fate->second.dropped);
    for (Instant a : fate->second.arrivals)
      if (a > seen_at) return fmt::format("the missing bytes ({}) were not lost: they arrive later, reordered or delayed", s.id);
    return fmt::format("the missing bytes ({}) were sent", s.id);
  }
  return "the missing bytes were never sent before this one";
}


// What made the receiver send this ACK: the segment that arrived just before it. `hole`:
// it arrived out of order (beyond RCV.NXT), the one thing a duplicate ACK is meant to say.
std::string Explainer::answered(const TraceEvent& e, std::size_t send, const FrameTruth& t, bool& hole) const {
  if (t.trigger != "ACK") {
    if (t.trigger == "app") return "sent after an application call (a read opens the window)";
    if (!t.trigger.empty()) return "sent because " + trigger_words(t.trigger);
    return "";
  }
  const TraceEvent& d = trace_[facts_.trigger.at(send).event];
  auto s_it = facts_.send_of.find(reversed_pair(d.conn) + "|" + d.id);
  if (s_it == facts_.send_of.end()) return "answers " + d.id;
  const TraceEvent& s = trace_[s_it->second];
  const Seq32 end = s.seg.seq + data_len(s);
  auto prev = facts_.prev_ack.find(send);
  if (data_len(s) > 0 && seq_gt(s.seg.seq, e.seg.ack)) {
    hole = true;
    return fmt::format("answers {}, which arrived out of order (SEQ beyond RCV.NXT): a hole", s.id);
  }
  if (data_len(s) <= 1 && seq_lt(s.seg.seq, e.seg.ack) && !s.seg.has(kFin) && !s.seg.has(kSyn))
    return fmt::format("answers {}, which lay below RCV.NXT (a keep-alive, a zero-window probe or an old "
                       "segment): an unacceptable segment gets an ACK (RFC 9293 3.10.7.4)", s.id);
  if (data_len(s) > 0 && prev != facts_.prev_ack.end() && seq_ge(prev->second, end))
    return fmt::format("answers {}, bytes it already had (a duplicate)", s.id);
  if (data_len(s) > 0) return fmt::format("acknowledges {}", s.id);
  return fmt::format("answers {} {}", s.id, s.kind);
}

std::string Explainer::describe(const ObservedFrame& o, bool& hole) {
  const TraceEvent& e = trace_[o.frame.send];
  const FrameTruth& t = o.truth;
  const std::string who = t.id + " " + t.kind;
  if (t.copy) return who + ": a second copy the link made (the sender sent it once)";
  if (!t.discarded.empty())
    return who + ": thrown away on arrival, before the receiver's TCP (" + t.discarded + "): the capture has it, the TCP never saw it";
  const bool had = facts_.receiver_had.contains(o.frame.send) && facts_.receiver_had.at(o.frame.send);
  const std::string spurious = had ? "; the receiver had all of it already (spurious)" : "";
  if (t.loss_probe) return who + ": a tail loss probe (RFC 8985 7.3)" + (t.retx ? ", repeating the last segment" : ", new data") + spurious;
  if (t.retx) {
    std::string w = who + ": a retransmission";
    if (t.trigger == "RTO") w += ": its RTO fired";
    else if (t.trigger == "ACK") w += fmt::format(" on an arriving ACK ({}): fast retransmit or recovery", t.trigger_id);
    else if (!t.trigger.empty()) w += ": " + trigger_words(t.trigger);
    return w + spurious;
  }
  if (t.trigger == "PERSIST") return who + ": a zero-window probe (persist timer)";
  if (t.trigger == "KEEPALIVE") return who + ": a keep-alive probe (keepalive timer)";
  if (e.len == 0 && (e.seg.flags & (kSyn | kFin | kRst)) == 0) {
    std::string a = answered(e, o.frame.send, t, hole);
    if (auto w = facts_.prev_wnd.find(o.frame.send); w != facts_.prev_wnd.end() && w->second != e.seg.wnd && !e.seg.has(kSyn))
      a += fmt::format("{}its window changed: {} -> {} (raw)", a.empty() ? "" : "; ", w->second, e.seg.wnd);
    return a.empty() ? who : who + ": " + a;
  }
  if (e.len > 0) return who + ": new data";
  return who;
}

std::string Explainer::disagreement(const ObservedFrame& o, bool hole) const {
  const WsAnalysis& ws = o.ws;
  const FrameTruth& t = o.truth;
  const bool any_retx = ws.has(WsFlag::Retransmission);  // set with fast and spurious too
  const bool plain_retx = any_retx && !ws.has(WsFlag::FastRetransmission) && !ws.has(WsFlag::SpuriousRetransmission);
  const bool receiver_had = facts_.receiver_had.contains(o.frame.send) && facts_.receiver_had.at(o.frame.send);
  if (t.copy && (any_retx || ws.has(WsFlag::OutOfOrder)))
    return "the link duplicated it: a capture cannot tell a copy from a retransmission (same SEQ, same bytes)";
  if (any_retx && !t.retx && !t.copy) {
    if (ws.has(WsFlag::SpuriousRetransmission))
      return "not a retransmission: the first copy, delayed (reordered) past the receiver's ACK of these bytes "
             "(a retransmission of them got there first), so it looks like a spurious retransmission";
    if (ws.has(WsFlag::FastRetransmission))
      return "the sender sent these bytes once; they arrived late (reordered), after the receiver's duplicate "
             "ACKs for them, so they look like a fast retransmission";
    return fmt::format("the sender sent these bytes once; they arrived late (reordered), {} after the highest segment "
                       "(not less than {}), so they look repeated", ms_text(ws.after_highest), threshold_text(ws.ooo_threshold));
  }
  if (ws.has(WsFlag::OutOfOrder) && t.retx)
    return fmt::format("a retransmission; Wireshark calls it out-of-order because it came {} after the highest "
                       "segment, less than {}", ms_text(ws.after_highest), threshold_text(ws.ooo_threshold));
  if (ws.has(WsFlag::FastRetransmission) && (t.trigger == "RTO" || t.trigger == "TLP" || t.trigger == "REO"))
    return "Wireshark saw 2+ duplicate ACKs less than 20 ms before; the sender retransmitted on its " + t.trigger + " timer";
  if (plain_retx && t.retx && t.trigger == "ACK" && !t.loss_probe)
    return "a fast retransmit or recovery step, but Wireshark's rule (2+ duplicate ACKs for this SEQ "
           "within 20 ms) did not hold in this capture";
  if (any_retx && !ws.has(WsFlag::SpuriousRetransmission) && receiver_had)
    return "spurious: the receiver had it already, but its ACK was lost or not yet seen here";
  if (t.retx && !any_retx && !ws.has(WsFlag::OutOfOrder) && !ws.has(WsFlag::KeepAlive) &&
      !ws.has(WsFlag::ZeroWindowProbe) && !o.seen.seg.has(kRst))
    return "a retransmission whose first copy never reached this capture point, so it looks new";
  if (ws.has(WsFlag::KeepAlive) && t.trigger == "PERSIST")
    return "a zero-window probe: Linux probes with SEQ=SND.UNA-1 and no data, and Wireshark's "
           "zero-window-probe rule wants 1 byte at the next SEQ, so it looks like a keep-alive";
  if (ws.has(WsFlag::KeepAlive) && t.trigger != "KEEPALIVE")
    return "not a keep-alive: its SEQ is one below the next, which is all Wireshark looks at";
  if (ws.has(WsFlag::ZeroWindowProbe) && t.trigger != "PERSIST")
    return "not a zero-window probe: one byte at the next SEQ while the window was shut, which is all Wireshark looks at";
  if (t.trigger == "KEEPALIVE" && !ws.has(WsFlag::KeepAlive)) return "a keep-alive Wireshark does not recognise";
  if (t.trigger == "PERSIST" && !ws.has(WsFlag::KeepAlive) && !ws.has(WsFlag::ZeroWindowProbe))
    return "a zero-window probe Wireshark does not recognise";
  if (ws.has(WsFlag::DuplicateAck) && !hole && o.truth.trigger != "ACK")
    return "the same ACK again, but not for a hole: " + trigger_words(t.trigger);
  if (ws.has(WsFlag::WindowUpdate) && hole)
    return "the receiver answered a hole, but its window changed too, so it is a window update to "
           "Wireshark (and RFC 5681 2's duplicate ACK also needs an unchanged window)";
  return "";
}

void Explainer::note_seen(const TraceEvent& e) {
  if (e.seg.has(kRst)) return;
  const Seq32 end = e.seg.seq + data_len(e) + (e.seg.has(kSyn) ? 1U : 0U);
  auto [it, fresh] = high_.try_emplace(e.conn, end);
  if (!fresh && seq_gt(end, it->second)) it->second = end;
}

void Explainer::explain(ObservedFrame& o) {
  const TraceEvent& e = trace_[o.frame.send];
  FrameTruth& t = o.truth;
  t.id = e.id;
  t.kind = e.kind;
  t.retx = e.retx;
  t.loss_probe = e.loss_probe;
  t.copy = o.frame.copy;
  if (auto trig = facts_.trigger.find(o.frame.send); trig != facts_.trigger.end()) {
    t.trigger = trig->second.what;
    if (t.trigger == "ACK") t.trigger_id = trace_[trig->second.event].id;
  }
  // Seen arriving here, then thrown away before the TCP (a `discard` rule: a firewall's DROP).
  if (auto f = facts_.fate.find(e.conn + "|" + e.id); o.frame.arrival && f != facts_.fate.end() && f->second.dropped.starts_with("firewall: "))
    t.discarded = f->second.dropped;
  bool hole = false;
  t.what = describe(o, hole);
  if (o.ws.has(WsFlag::LostSegment)) {
    const std::string m = missing_bytes(e, o.frame.t_ns);
    if (!m.empty()) t.what += "; " + m;
    if (m.find("not lost") != std::string::npos)
      t.why = "nothing was lost: the capture shows a gap because the segment before it was reordered";
  }
  if (t.why.empty()) t.why = disagreement(o, hole);
  note_seen(e);
}

}  // namespace

bool observer_notable(const ObservedFrame& f) {
  const FrameTruth& t = f.truth;
  return f.ws.flags || t.retx || t.loss_probe || t.copy || !t.discarded.empty() || !t.why.empty() || t.trigger == "PERSIST" ||
         t.trigger == "KEEPALIVE";
}

std::vector<ObservedFrame> observe(const TraceEvents& trace, std::size_t hosts, int capture) {
  std::vector<ObservedFrame> out;
  std::set<std::size_t> captured;
  for_each_captured(trace, hosts, capture, [&](const CapturedFrame& f) {
    ObservedFrame o;
    o.frame = f;
    const TraceEvent& e = trace[f.send];
    o.seen.t_ns = f.t_ns / 1000 * 1000;  // the pcap keeps microseconds
    o.seen.seg = e.seg;
    o.seen.seg.payload.clear();
    o.seen.len = e.len;
    captured.insert(f.send);
    out.push_back(std::move(o));
  });
  std::vector<ObservedSegment> segs;
  segs.reserve(out.size());
  for (const auto& o : out) segs.push_back(o.seen);
  const std::vector<WsAnalysis> ws = analyze_capture(segs);
  const TraceFacts facts = read_facts(trace, captured);
  Explainer ex(trace, facts);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].ws = ws[i];
    ex.explain(out[i]);
  }
  return out;
}

}  // namespace tcplab
