#include "labs/step.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

#include "labs/question.hpp"
#include "labs/terminal.hpp"
#include "sim/relative_seq.hpp"
#include "sim/text_view.hpp"

namespace tcplab {

namespace {

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  std::string x;
  while (in >> x) w.push_back(x);
  return w;
}

std::optional<std::uint32_t> number(const std::string& s) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}


std::string local_of(const std::string& conn) { return conn.substr(0, conn.find('>')); }

// Why a segment is sent again (the trace's retx_cause).
std::string why_retransmitted(RetxCause c, std::uint32_t seq) {
  const std::string at = "A retransmission: seq " + std::to_string(seq);
  switch (c) {
    case RetxCause::Fast:
      return "A fast retransmit: seq " + std::to_string(seq) +
             " repeats the oldest unacknowledged byte (SND.UNA) after three duplicate ACKs (or SACK showing as much "
             "lost), without waiting for the retransmission timer (RFC 5681 3.2, RFC 6675 5). ";
    case RetxCause::Recovery:
      return at + " fills a hole during fast recovery: a partial ACK or the SACK scoreboard shows it lost "
                  "(RFC 6582 3.2, RFC 6675 5). ";
    case RetxCause::Rto:
      return at + " is sent again because the retransmission timer expired: the RTO fired, it was doubled, and "
                  "sending restarts from SND.UNA (RFC 6298 5.4-5.6, RFC 9293 3.8.1). ";
    default:
      return at + " repeats sequence space already sent, because its ACK did not come in time (RFC 9293 3.8.1). ";
  }
}

// A keep-alive or zero-window probe: SND.UNA-1 (or one octet at SND.UNA) that forces an ACK.
std::string why_probe(RetxCause c, std::uint32_t seq, const std::string& me) {
  if (c == RetxCause::Keepalive)
    return "A keep-alive probe: seq " + std::to_string(seq) + " = SND.UNA-1, a number the peer already acknowledged, so " +
           "it must answer with an ACK; " + me + "'s connection was idle for the keep-alive time (RFC 9293 3.8.4, RFC 1122 "
           "4.2.3.6).";
  return "A zero-window probe: the peer's window is 0, so " + me + " sends seq " + std::to_string(seq) +
         " (Linux: SND.UNA-1 without data; RFC 9293: one octet) when the persist timer expires, so that a lost window "
         "update cannot leave both sides waiting (RFC 9293 3.8.6.1).";
}

// A sentence on why the segment carries the numbers it does.
std::string why_segment(const TraceEvent& e, std::uint32_t seq, std::optional<std::uint32_t> ack,
                        const std::string& me, const std::string& peer, std::optional<std::uint32_t> own_fin,
                        std::optional<std::uint32_t> peer_fin) {
  const Segment& s = e.seg;
  std::string w;
  if (s.has(kRst)) {
    w = "RST: seq " + std::to_string(seq) +
        " is where the peer expects our next byte (SND.NXT, or the SEG.ACK of the segment being answered); "
        "a reset is never acknowledged and takes no sequence space (RFC 9293 3.10.7.1, 3.10.5).";
    if (ack) w += " Its ack " + std::to_string(*ack) + " covers the segment it answers (SEG.SEQ + SEG.LEN).";
    return w;
  }
  if (s.has(kSyn) && !s.has(kAck))
    return std::string(e.retx ? "The SYN again, unchanged (the retransmission timer fired with no SYN-ACK): " : "") +
           "a SYN carries " + me + "'s initial sequence number (ISN, relative seq 0) and no ACK flag, so no ack "
           "number; the SYN occupies one sequence number, so data will start at 1 (RFC 9293 3.4, 3.10.1).";
  if (s.has(kSyn))
    return std::string(e.retx ? "The SYN-ACK again (its timer fired, or the SYN came again): " : "") +
           "a SYN-ACK carries " + me + "'s own ISN (relative seq 0) and acknowledges " + peer +
           "'s SYN: ack = its ISN + 1 = 1, because a SYN occupies one sequence number (RFC 9293 3.4, 3.10.7.2).";
  if (e.loss_probe)
    w = "A tail loss probe (RFC 8985 7.3): seq " + std::to_string(seq) +
        " sends the last segment again (or a new one) because no ACK came within the probe timeout "
        "(PTO = 2*SRTT, + 200 ms when one segment is in flight, at most the RTO); its ACK would repair a lost "
        "tail without waiting for the RTO. "
        "Linux counts it as a loss probe (netstat -s TCPLossProbes); ss -ti leaves it out of the retransmissions "
        "outstanding (retrans:0/1: only the total after the slash has it), and the RTO is not backed off. ";
  else if (e.retx_cause == RetxCause::Keepalive || e.retx_cause == RetxCause::Probe)
    return why_probe(e.retx_cause, seq, me);
  else if (e.retx)
    w = why_retransmitted(e.retx_cause, seq);
  else if (own_fin && seq > *own_fin && seq >= 2)  // after our FIN: it took a number too
    w = "seq " + std::to_string(seq) + " = SND.NXT: 1 for the SYN + " + std::to_string(seq - 2) +
        " data bytes + 1 for its FIN " + me + " sent before. ";
  else if (seq >= 1)
    w = "seq " + std::to_string(seq) + " = SND.NXT: 1 for the SYN + " + std::to_string(seq - 1) + " data bytes " + me +
        " sent before. ";
  if (ack) {
    if (peer_fin && *ack == *peer_fin + 1 && *ack >= 2)
      w += "ack " + std::to_string(*ack) + " = RCV.NXT, the next number " + me + " expects from " + peer + ": its SYN (1) + " +
           std::to_string(*ack - 2) + " data bytes + its FIN (1). ";
    else if (*ack >= 1)
      w += "ack " + std::to_string(*ack) + " = RCV.NXT, the next byte " + me + " expects from " + peer + ": its SYN (1) + " +
           std::to_string(*ack - 1) + " data bytes received in order. ";
  }
  if (s.has(kFin))
    w += "FIN: " + me + " has no more data to send; the FIN occupies one sequence number, so " + peer + " will ACK " +
         std::to_string(seq + e.len + 1) + " (RFC 9293 3.6).";
  else if (e.len > 0)
    w += "len " + std::to_string(e.len) + ": the bytes the application wrote" + (s.has(kPsh) ? " (PSH: the end of a write)." : ".");
  else
    w += "len 0: a pure ACK carries no data and takes no sequence space (RFC 9293 3.4).";
  return w;
}

}  // namespace

std::vector<StepItem> step_items(const LabRun& run, std::vector<std::string>* trailing) {
  const auto& trace = run.sink->events;
  const auto names = run.world.host_names();
  TextView tv(names);
  RelativeSeq rel;
  std::vector<StepItem> items;
  std::vector<std::string> pending;
  std::vector<bool> asked(run.lab.questions.size(), false);
  std::size_t shown = 0;  // items are numbered 1, 2, 3, ...: a gap would read as a skipped event
  auto name_of = [&](int h) { return h >= 0 && h < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(h)] : "?"; };
  auto ask = [&](std::size_t q) {
    const QuestionSpec& qs = run.lab.questions[q];
    StepItem it;
    it.what = StepItem::What::Question;
    it.context = std::move(pending);
    pending.clear();
    it.prompt = "[Q" + std::to_string(q + 1) + "] " + qs.text;
    if (!qs.choices.empty()) {  // shown with the question, one a line
      for (std::size_t c = 0; c < qs.choices.size(); ++c) it.prompt += "\n    " + std::to_string(c + 1) + ") " + qs.choices[c];
      it.prompt += "\n  your choice (1-" + std::to_string(qs.choices.size()) + "):";
    }
    it.question = qs;
    it.answer = question_answer_text(qs);
    it.points = 1;
    items.push_back(std::move(it));
    asked[q] = true;
  };
  for (const TraceEvent& e : trace) {
    rel.feed(e);
    if (e.type == TraceType::Send || e.type == TraceType::State) {
      for (std::size_t q = 0; q < asked.size(); ++q)
        if (!asked[q] && ((e.type == TraceType::Send && run.lab.questions[q].at == e.id) ||
                          run.lab.questions[q].at == std::to_string(shown + 1)))
          ask(q);
    }
    const std::string line = tv.line(e);
    if (e.type != TraceType::Send && e.type != TraceType::State) {
      if (!line.empty()) pending.push_back(line);
      continue;
    }
    StepItem it;
    it.seq_no = e.seq_no;
    it.number = ++shown;
    it.context = std::move(pending);
    pending.clear();
    it.line = line;
    const std::string who = e.type == TraceType::Send ? endpoint_to_string(e.seg.src) : local_of(e.conn);
    it.prompt = "[" + std::to_string(it.number) + "] next: " + name_of(e.host) + " " + who +
                " \u2014 predict the next segment (flags seq ack len) or state:";
    if (e.type == TraceType::State) {
      it.what = StepItem::What::State;
      it.state = e.to;
      it.answer = std::string(state_name(e.to));
      if (linux_state_name(e.to) != state_name(e.to)) it.answer += " (netstat: " + std::string(linux_state_name(e.to)) + ")";
      it.why = e.cause.empty() ? "(no rule recorded)" : e.cause;
      it.points = 1;
    } else {
      it.what = StepItem::What::Segment;
      it.flags = e.seg.flags;
      it.seq = rel.seq(e);
      it.ack = rel.ack(e);
      it.len = e.len;
      it.answer = flag_letters(e.seg.flags) + " " + std::to_string(it.seq) + " " +
                  (it.ack ? std::to_string(*it.ack) : "-") + " " + std::to_string(it.len);
      const int dst = run.world.host_index(ip_to_string(e.seg.dst.ip));
      const std::string peer = dst >= 0 ? name_of(dst) : ip_to_string(e.seg.dst.ip);
      const std::string fwd = endpoint_to_string(e.seg.src) + ">" + endpoint_to_string(e.seg.dst);
      const std::string back = endpoint_to_string(e.seg.dst) + ">" + endpoint_to_string(e.seg.src);
      it.why = why_segment(e, it.seq, it.ack, name_of(e.host), peer, rel.fin_seq(fwd), rel.fin_seq(back));
      it.points = 4;
    }
    items.push_back(std::move(it));
  }
  for (std::size_t q = 0; q < asked.size(); ++q)
    if (!asked[q]) ask(q);
  if (trailing) *trailing = std::move(pending);
  return items;
}

StepScore score_answer(const StepItem& item, const std::string& answer) {
  StepScore s;
  s.max_points = item.points;
  const auto w = words(answer);
  switch (item.what) {
    case StepItem::What::Question: {
      s.points = item.question ? (question_right(*item.question, answer) ? 1 : 0) : normalize_answer(answer) == normalize_answer(item.answer) ? 1 : 0;
      s.verdict = w.empty() ? "skipped" : s.points ? "right" : "wrong";
      return s;
    }
    case StepItem::What::State: {
      if (w.empty() || (w.size() == 1 && w[0] == "-")) {
        s.verdict = "skipped";
        return s;
      }
      const auto st = w.size() == 1 ? parse_state(w[0]) : std::nullopt;
      if (!st) {
        s.verdict = parse_flag_letters(w[0]) ? "wrong: the next event is a state change, not a segment " + std::string(kSameInstantRule)
                                             : "wrong: '" + answer + "' is not a state name";
        return s;
      }
      s.points = *st == item.state ? 1 : 0;
      s.verdict = s.points ? "right" : "wrong (you said " + std::string(state_name(*st)) + ")";
      return s;
    }
    case StepItem::What::Segment:
      break;
  }
  if (w.empty()) {
    s.verdict = "skipped";
    return s;
  }
  if (w.size() == 1 && parse_state(w[0])) {
    s.verdict = "wrong: the next event is a segment, not a state change (to " + w[0] + ")";
    return s;
  }
  std::vector<std::string> parts;
  std::optional<std::uint32_t> implied_len;
  auto field = [&](const std::string& name, std::size_t i, const std::string& right, auto&& judge) {
    if (i >= w.size() || w[i] == "-") {
      // "-" is the right answer for the ack of a segment without ACK.
      if (name == "ack" && !item.ack && i < w.size()) {
        ++s.points;
        parts.push_back("ack - right");
        return;
      }
      parts.push_back(name + " " + right + " skipped");
      return;
    }
    if (judge(w[i])) {
      ++s.points;
      parts.push_back(name + " " + right + " right");
    } else {
      parts.push_back(name + " " + right + " wrong (you said " + w[i] + ")");
    }
  };
  field("flags", 0, flag_letters(item.flags), [&](const std::string& x) {
    const auto f = parse_flag_letters(x);
    return f && *f == item.flags;
  });
  field("seq", 1, std::to_string(item.seq), [&](const std::string& x) {
    const auto colon = x.find(':');
    if (colon != std::string::npos) {
      const auto a = number(x.substr(0, colon)), b = number(x.substr(colon + 1));
      if (a && b && *b >= *a) implied_len = *b - *a;
      return a && *a == item.seq;
    }
    const auto n = number(x);
    return n && *n == item.seq;
  });
  field("ack", 2, item.ack ? std::to_string(*item.ack) : "-", [&](const std::string& x) {
    const auto n = number(x);
    return item.ack ? n && *n == *item.ack : n && *n == 0;
  });
  if (w.size() <= 3 && implied_len) {
    if (*implied_len == item.len) {
      ++s.points;
      parts.push_back("len " + std::to_string(item.len) + " right");
    } else {
      parts.push_back("len " + std::to_string(item.len) + " wrong (your range says " + std::to_string(*implied_len) + ")");
    }
  } else {
    field("len", 3, std::to_string(item.len), [&](const std::string& x) {
      const auto n = number(x);
      return n && *n == item.len;
    });
  }
  s.verdict.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) s.verdict += (i ? ", " : "") + parts[i];
  if (w.size() > 4) s.verdict += " (extra words ignored)";
  return s;
}

std::string step_feedback(const StepItem& item, const StepScore& s, bool color) {
  const bool right = s.points == s.max_points;
  std::string out = "  " + paint(right ? Color::Green : Color::Red, s.verdict + ": " + std::to_string(s.points) + "/" +
                    std::to_string(s.max_points), color) + "\n";
  out += "  answer: " + item.answer + "\n";
  if (!item.line.empty()) out += "    " + item.line + "\n";
  // A state line already ends with its rule in brackets; segments and questions need the sentence.
  if (!item.why.empty() && item.line.find(item.why) == std::string::npos) out += "  why: " + item.why + "\n";
  return out;
}

}  // namespace tcplab
