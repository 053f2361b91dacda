// Checks over segments: how many of a sort were sent, the time between them (backoff), and
// the fields of one segment (flags, relative or absolute seq/ack, length, when, its fate).
#include <algorithm>

#include "labs/check_eval.hpp"
#include "labs/check_words.hpp"

namespace tcplab {

HostSel host_sel(const EvalContext& cx, const std::optional<std::string>& written) {
  HostSel s;
  if (!written) return s;
  s.any = false;
  s.name = *written;
  s.host = cx.world.host_index(*written);
  if (s.host >= 0) {
    s.ip = cx.world.hosts()[static_cast<std::size_t>(s.host)].ip;
    s.name = cx.host_name(s.host);
  } else {
    s.ip = parse_ipv4(*written).value_or(0);
  }
  return s;
}

namespace {

bool from_matches(const HostSel& s, const TraceEvent& e) {
  return s.any || (s.host >= 0 ? e.host == s.host : e.seg.src.ip == s.ip);
}
bool to_matches(const HostSel& s, const TraceEvent& e) { return s.any || e.seg.dst.ip == s.ip; }

bool was_dropped(const SegInfo& s) { return s.drop_k != UINT64_MAX; }
// A retransmission in the checks' sense: sequence space sent again by the RTO or fast
// retransmit. A tail loss probe is a loss probe instead (RFC 8985 7.3; Linux counts it apart).
bool is_retx(const TraceEvent& e) { return e.retx && !e.loss_probe; }

struct SegFilter {
  HostSel from, to;
  std::optional<SegKind> kind;
  std::optional<std::uint8_t> flags;
  std::optional<bool> retx, dropped, loss_probe;
  std::optional<RetxCause> cause;

  bool matches(const EvalContext& cx, const SegInfo& s) const {
    const TraceEvent& e = cx.trace[s.send_k];
    if (!from_matches(from, e) || !to_matches(to, e)) return false;
    if (kind && e.kind != seg_kind_name(*kind)) return false;
    if (flags && e.seg.flags != *flags) return false;
    if (retx && is_retx(e) != *retx) return false;
    if (loss_probe && e.loss_probe != *loss_probe) return false;
    if (cause && e.retx_cause != *cause) return false;
    if (dropped && was_dropped(s) != *dropped) return false;
    return true;
  }
  // "retransmitted SYN segments with flags [S] from client to server"
  std::string describe(bool many) const {
    std::string s;
    if (retx) s += *retx ? "retransmitted " : "not-retransmitted ";
    if (loss_probe) s += *loss_probe ? "loss-probe " : "non-probe ";
    if (dropped) s += *dropped ? "dropped " : "delivered ";
    s += !kind ? (many ? "segments" : "segment") : std::string(seg_kind_name(*kind)) + (many ? " segments" : " segment");
    if (cause) s += " sent as " + std::string(retx_cause_text(*cause));
    if (flags) s += " with flags [" + flag_letters(*flags) + "]";
    if (!from.any) s += " from " + from.name;
    if (!to.any) s += " to " + to.name;
    return s;
  }
};

SegFilter seg_filter(const EvalContext& cx, const Check& c, bool with_flags_and_drops) {
  SegFilter f;
  f.from = host_sel(cx, c.from);
  f.to = host_sel(cx, c.to);
  f.kind = c.segment_kind;
  f.retx = c.retx;
  f.loss_probe = c.loss_probe;
  f.cause = c.retx_cause;
  if (with_flags_and_drops) {
    f.flags = c.flags;
    f.dropped = c.dropped;
  }
  return f;
}

// The send events of the segments that match, in trace order.
std::vector<std::uint64_t> matching(const EvalContext& cx, const SegFilter& f) {
  std::vector<std::uint64_t> m;
  for (const SegInfo& s : cx.ix.segments())
    if (f.matches(cx, s)) m.push_back(s.send_k);
  return m;
}

std::string id_list(const EvalContext& cx, const std::vector<std::uint64_t>& v) {
  std::vector<std::string> s;
  for (std::size_t k = 0; k < v.size() && k < kMaxListed; ++k)
    s.push_back(cx.trace[v[k]].id + " at " + at_time(cx.trace[v[k]].t_ns));
  std::string out = join(s, ", ");
  if (v.size() > kMaxListed) out += ", and " + std::to_string(v.size() - kMaxListed) + " more";
  return out;
}

const SegInfo& seg_at(const EvalContext& cx, std::uint64_t send_k) { return cx.ix.segments()[cx.ix.seg_of_event(send_k)]; }

}  // namespace

Verdict check_segments(const EvalContext& cx, const Check& c) {
  Verdict v;
  const SegFilter f = seg_filter(cx, c, true);
  std::int64_t lo = 0, hi = 0;
  const std::string bound = bound_words(c.count, &lo, &hi);
  v.expected = bound + " " + f.describe(true);
  const std::vector<std::uint64_t> m = matching(cx, f);
  const auto n = static_cast<std::int64_t>(m.size());
  v.pass = n >= lo && n <= hi;
  v.actual = plural(n, "such segment", "such segments") + (m.empty() ? "" : ": " + id_list(cx, m));
  if (n > hi) {
    // The first one too many shows it.
    const auto k = static_cast<std::size_t>(hi);
    v.evidence = {m[k]};
    v.steps = std::vector<std::uint64_t>(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(k));
  } else if (!m.empty()) {
    v.evidence = {m.back()};
    v.steps = std::vector<std::uint64_t>(m.begin(), m.end() - 1);
  }
  if (!v.evidence.empty() && f.dropped.value_or(false)) {
    const SegInfo& s = seg_at(cx, v.evidence.front());
    if (was_dropped(s)) v.evidence.push_back(s.drop_k);
  }
  if (n < lo) v.actual += m.empty() ? " (none in the trace)" : " (too few)";
  else if (n > hi) v.actual += " (too many)";
  return v;
}

Verdict check_intervals(const EvalContext& cx, const Check& c) {
  Verdict v;
  const SegFilter f = seg_filter(cx, c, false);
  const Duration within = c.within.value_or(ms(1));
  const std::vector<Duration>& want = c.intervals;
  std::vector<std::string> want_s;
  for (Duration d : want) want_s.push_back(human(d));
  v.expected = f.describe(true) + " sent " + join(want_s, ", ") + " apart (each within " + human(within) + "): " +
               std::to_string(want.size() + 1) + " segments";
  const std::vector<std::uint64_t> m = matching(cx, f);
  std::vector<Duration> got;
  std::vector<std::string> got_s;
  for (std::size_t k = 1; k < m.size(); ++k) {
    got.push_back(cx.trace[m[k]].t_ns - cx.trace[m[k - 1]].t_ns);
    got_s.push_back(human(got.back()));
  }
  std::size_t bad = 0;
  while (bad < got.size() && bad < want.size() && got[bad] >= want[bad] - within && got[bad] <= want[bad] + within) ++bad;
  v.pass = bad == want.size() && got.size() == want.size();
  if (m.empty()) v.actual = "no such segments";
  else if (got.empty()) v.actual = "only one such segment (" + id_list(cx, m) + "), so no interval";
  else v.actual = join(got_s, ", ") + " apart (" + plural(static_cast<std::int64_t>(m.size()), "segment", "segments") + ")";
  if (!v.pass && !m.empty()) {
    if (bad < got.size() && bad < want.size())
      v.actual += "; interval " + std::to_string(bad + 1) + " is " + got_s[bad] + ", not " + want_s[bad];
    else if (got.size() < want.size())
      v.actual += "; " + std::to_string(want.size() - got.size()) + " fewer than expected";
    else
      v.actual += "; " + std::to_string(got.size() - want.size()) + " more than expected";
    const std::size_t ev = std::min(bad + 1, m.size() - 1);
    v.evidence = {m[ev]};
    v.steps = std::vector<std::uint64_t>(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(ev));
  } else if (v.pass) {
    v.evidence = {m.back()};
    v.steps = std::vector<std::uint64_t>(m.begin(), m.end() - 1);
  }
  return v;
}

namespace {

// The segment a `segment` check is about: by id, or the nth that matches from/to/segment.
// Returns its send event, and fills *earlier with the sender's earlier segments to that
// peer, *which with how it was named, and v->actual when there is none.
std::optional<std::uint64_t> find_picked(const EvalContext& cx, const Check& c, std::vector<std::uint64_t>* earlier,
                                         std::string* which, Verdict* v) {
  std::optional<std::uint64_t> found;
  const auto& segs = cx.ix.segments();
  if (c.id) {
    const SegmentId& id = *c.id;
    *which = id.text;
    for (const SegInfo& s : segs)
      if (cx.trace[s.send_k].id == id.text) {
        found = s.send_k;
        break;
      }
    if (!found) {
      std::int64_t n = 0;
      for (const SegInfo& s : segs)
        if (cx.trace[s.send_k].id.starts_with(id.direction + "#")) ++n, earlier->push_back(s.send_k);
      v->actual = "there is no segment " + id.text + " in the trace (" + id.direction + " sent " +
                  plural(n, "segment", "segments") + ")";
    } else {
      for (const SegInfo& s : segs)
        if (s.send_k < *found && cx.trace[s.send_k].conn == cx.trace[*found].conn) earlier->push_back(s.send_k);
    }
    return found;
  }
  SegFilter f = seg_filter(cx, c, false);
  f.retx.reset();  // here retx and loss_probe are something to check, not a way to pick the segment
  f.loss_probe.reset();
  f.cause.reset();
  *which = "the " + ordinal(c.nth) + " " + f.describe(false);
  std::int64_t n = 0;
  for (const SegInfo& s : segs) {
    if (!f.matches(cx, s)) continue;
    if (++n == c.nth) return s.send_k;
    earlier->push_back(s.send_k);
  }
  v->actual = "there were only " + plural(n, f.describe(false), f.describe(true));
  return std::nullopt;
}

// The segment picked, or with `resent` its first retransmission (the first later segment of
// the same connection and direction with the same sequence number, sent again); *original
// gets the picked one's send.
std::optional<std::uint64_t> find_segment(const EvalContext& cx, const Check& c, std::vector<std::uint64_t>* earlier,
                                          std::string* which, Verdict* v, std::optional<std::uint64_t>* original) {
  const std::optional<std::uint64_t> picked = find_picked(cx, c, earlier, which, v);
  if (!picked || !c.resent) return picked;
  *original = picked;
  const TraceEvent& o = cx.trace[*picked];
  const SegInfo& os = seg_at(cx, *picked);
  earlier->clear();
  earlier->push_back(*picked);
  const std::string named = *which == o.id ? o.id.str() : *which + " (" + o.id + ")";
  for (const SegInfo& s : cx.ix.segments()) {
    const TraceEvent& e = cx.trace[s.send_k];
    if (s.send_k <= *picked || e.conn != o.conn || s.src_ep != os.src_ep) continue;
    if (e.retx && s.rel_seq == os.rel_seq) {  // sent again: by the RTO, fast retransmit or a loss probe
      *which = (e.loss_probe ? "the loss probe repeating " : "the first retransmission of ") + named;
      return s.send_k;
    }
    earlier->push_back(s.send_k);
  }
  v->actual = named + " was never sent again";
  *which = "the first retransmission of " + named;
  return std::nullopt;
}

// What the check demands of the segment, in words.
std::vector<std::string> demands(const Check& c, Duration within) {
  std::vector<std::string> want;
  const std::string abs = c.absolute ? "absolute " : "";
  if (c.flags) want.push_back("flags [" + flag_letters(*c.flags) + "]");
  if (c.seq) want.push_back(abs + "seq " + std::to_string(*c.seq));
  if (c.ack) want.push_back(abs + "ack " + std::to_string(*c.ack));
  if (c.len) want.push_back("length " + std::to_string(*c.len));
  if (c.retx) want.push_back(*c.retx ? "a retransmission" : "not a retransmission");
  if (c.loss_probe) want.push_back(*c.loss_probe ? "a loss probe" : "not a loss probe");
  if (c.retx_cause) want.push_back("sent as " + std::string(retx_cause_text(*c.retx_cause)));
  if (c.dropped) want.push_back(*c.dropped ? "dropped" : "delivered");
  if (c.at && c.resent) want.push_back("sent " + human(*c.at) + " after the original (within " + human(within) + ")");
  else if (c.at) want.push_back("sent at " + human(*c.at) + " (within " + human(within) + ")");
  return want;
}

}  // namespace

Verdict check_segment(const EvalContext& cx, const Check& c) {
  Verdict v;
  std::vector<std::uint64_t> earlier;  // the same sender's earlier segments to that peer
  std::string which;
  std::optional<std::uint64_t> original;
  const std::optional<std::uint64_t> found = find_segment(cx, c, &earlier, &which, &v, &original);
  const Duration within = c.within.value_or(ms(1));
  const std::vector<std::string> want = demands(c, within);
  v.expected = which + (want.empty() ? " is sent" : " is " + join(want, ", "));
  if (!found) {
    if (!earlier.empty()) {
      v.evidence = {earlier.back()};
      earlier.pop_back();
      v.steps = earlier;
    }
    return v;
  }
  const TraceEvent& e = cx.trace[*found];
  const SegInfo& seg = seg_at(cx, *found);
  const std::uint32_t seq = c.absolute ? e.seg.seq.raw() : seg.rel_seq;
  const std::optional<std::uint32_t> ack =
      c.absolute ? (e.seg.has(kAck) ? std::optional<std::uint32_t>(e.seg.ack.raw()) : std::nullopt) : seg.rel_ack;
  const bool dropped = was_dropped(seg);
  std::vector<std::string> got, wrong;
  auto field = [&](bool ok, const std::string& text) {
    got.push_back(text);
    if (!ok) wrong.push_back(text);
  };
  if (c.flags) field(e.seg.flags == *c.flags, "flags [" + flag_letters(e.seg.flags) + "]");
  if (c.seq) field(seq == *c.seq, "seq " + std::to_string(seq));
  if (c.ack) field(ack && *ack == *c.ack, ack ? "ack " + std::to_string(*ack) : "no ACK flag (so no ack number)");
  if (c.len) field(static_cast<std::int64_t>(e.len) == *c.len, "length " + std::to_string(e.len));
  if (c.retx) field(is_retx(e) == *c.retx, is_retx(e) ? "a retransmission" : "not a retransmission");
  if (c.loss_probe) field(e.loss_probe == *c.loss_probe, e.loss_probe ? "a loss probe" : "not a loss probe");
  if (c.retx_cause)
    field(e.retx_cause == *c.retx_cause, e.retx_cause == RetxCause::None
                                             ? "not a retransmission or probe"
                                             : "sent as " + std::string(retx_cause_text(e.retx_cause)));
  if (c.dropped) field(dropped == *c.dropped, dropped ? "dropped" : "delivered");
  if (c.at && original) {  // counted from the original's send
    const Instant sent = cx.trace[*original].t_ns;
    const Duration d = e.t_ns - sent - *c.at;
    field(d >= -within && d <= within, "sent " + human(e.t_ns - sent) + " after the original (at " + human(e.t_ns) + ")");
  } else if (c.at) {
    const Duration d = e.t_ns - *c.at;
    field(d >= -within && d <= within, "sent at " + human(e.t_ns));
  }
  v.pass = wrong.empty();
  v.actual = e.id + (got.empty() ? " was sent at " + human(e.t_ns) : " is " + join(got, ", "));
  if (!v.pass) v.actual += " (wrong: " + join(wrong, ", ") + ")";
  v.evidence = {*found};
  if (dropped && c.dropped) v.evidence.push_back(seg.drop_k);
  v.steps = earlier;
  return v;
}

}  // namespace tcplab
