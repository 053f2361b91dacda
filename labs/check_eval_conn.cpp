// Checks over connections and sockets: the states a connection went through, where it
// ended, how long it stayed in a state, and what netstat shows on a host at a time.
#include <algorithm>

#include "labs/check_eval.hpp"
#include "labs/check_words.hpp"

namespace tcplab {

namespace {

struct ConnPick {
  const ConnTrack* track = nullptr;
  std::string who;    // "client's connection 1 (10.0.0.1:39870>10.0.0.2:9502)"
  std::string error;  // why there is none
};

ConnPick pick_conn(const EvalContext& cx, const Check& c) {
  ConnPick p;
  const int h = cx.world.host_index(c.host);
  if (h < 0) {
    p.error = "there is no host '" + c.host + "'";
    return p;
  }
  const std::string& name = cx.host_name(h);
  const auto& all = cx.ix.conn_tracks(h);
  if (c.conn.listener) {
    for (const auto& t : all)
      if (t.listener) {
        p.track = &t;
        p.who = name + "'s listening socket (" + t.label.substr(0, t.label.find('>')) + ")";
        return p;
      }
    p.error = name + " never had a listening socket";
    return p;
  }
  std::vector<const ConnTrack*> conns;
  for (const auto& t : all)
    if (!t.listener) conns.push_back(&t);
  const auto n = static_cast<std::size_t>(c.conn.nth);
  if (n == 0 || n > conns.size()) {
    p.error = conns.empty() ? name + " never had a connection (no state changes in the trace)"
                            : name + " has no connection #" + std::to_string(n) + ": it had " +
                                  plural(static_cast<std::int64_t>(conns.size()), "connection", "connections");
    return p;
  }
  p.track = conns[n - 1];
  p.who = name + "'s connection " + std::to_string(n) + " (" + p.track->label + ")";
  return p;
}

// Who the check is about, in words, even when there is no such connection.
std::string who(const ConnPick& p, const Check& c) {
  return p.track ? p.who : c.host + "'s connection " + c.conn.written;
}

// The states a connection went through: where it started, then each state it entered.
std::vector<State> states_seen(const EvalContext& cx, const ConnTrack& t) {
  std::vector<State> v;
  if (t.state_events.empty()) return v;
  v.push_back(cx.trace[t.state_events.front()].from);
  for (std::uint64_t i : t.state_events) v.push_back(cx.trace[i].to);
  return v;
}

std::string state_chain(const std::vector<State>& v) {
  std::vector<std::string> s;
  for (State x : v) s.emplace_back(state_name(x));
  return join(s, " -> ");
}

// The state event behind states_seen()[k].
std::uint64_t event_for_state(const ConnTrack& t, std::size_t k) { return t.state_events[k == 0 ? 0 : k - 1]; }

std::vector<std::uint64_t> before(const ConnTrack& t, std::uint64_t ev) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i : t.state_events)
    if (i < ev) v.push_back(i);
  return v;
}

// mode = "exact": the states are exactly these; on a miss, the first state that differs.
void states_exact(const EvalContext& cx, const ConnTrack& t, const std::vector<State>& want, Verdict& v) {
  const std::vector<State> seen = states_seen(cx, t);
  const std::string chain = state_chain(seen);
  v.pass = seen == want;
  if (v.pass) {
    v.actual = chain;
    v.evidence = {t.state_events.back()};
    v.steps = before(t, t.state_events.back());
    return;
  }
  std::size_t k = 0;
  while (k < seen.size() && k < want.size() && seen[k] == want[k]) ++k;
  if (k < seen.size() && k < want.size()) {
    v.actual = chain + " (state " + std::to_string(k + 1) + " is " + std::string(state_name(seen[k])) + " where " +
               std::string(state_name(want[k])) + " was expected)";
    v.evidence = {event_for_state(t, k)};
  } else if (k == seen.size()) {
    v.actual = chain + " (and then nothing: it stayed in " + std::string(state_name(seen.back())) +
               " to the end of the run at " + at_time(cx.world.now()) + ", where " +
               std::string(state_name(want[k])) + " was expected next)";
    v.evidence = {t.state_events.back()};
  } else {
    v.actual = chain + " (it went on to " + std::string(state_name(seen[k])) + " after the expected end)";
    v.evidence = {event_for_state(t, k)};
  }
  v.steps = before(t, v.evidence.front());
}

// mode = "ordered": the expected states form a subsequence of what happened.
void states_ordered(const EvalContext& cx, const ConnTrack& t, const std::vector<State>& want, Verdict& v) {
  const std::vector<State> seen = states_seen(cx, t);
  const std::string chain = state_chain(seen);
  std::size_t k = 0, last = 0;
  bool any = false;
  for (std::size_t i = 0; i < seen.size() && k < want.size(); ++i)
    if (seen[i] == want[k]) {
      ++k;
      last = i;
      any = true;
    }
  v.pass = k == want.size();
  if (v.pass) {
    v.actual = chain;
    v.evidence = {event_for_state(t, last)};
  } else if (!any) {
    v.actual = chain + " (never " + std::string(state_name(want[0])) + ")";
    v.evidence = {t.state_events.back()};
  } else {
    v.actual = chain + " (no " + std::string(state_name(want[k])) + " after " + std::string(state_name(want[k - 1])) + ")";
    // The event right after the last match shows where it went instead.
    const std::size_t next = last + 1 < seen.size() ? last + 1 : last;
    v.evidence = {event_for_state(t, next)};
  }
  v.steps = before(t, v.evidence.front());
}

}  // namespace

Verdict check_states(const EvalContext& cx, const Check& c) {
  Verdict v;
  const ConnPick p = pick_conn(cx, c);
  v.expected = who(p, c) + (c.ordered ? " passes through " : " goes ") + state_chain(c.states) +
               (c.ordered ? " in this order" : "");
  if (!p.track) {
    v.actual = p.error;
    return v;
  }
  if (c.ordered) states_ordered(cx, *p.track, c.states, v);
  else states_exact(cx, *p.track, c.states, v);
  return v;
}

Verdict check_final_state(const EvalContext& cx, const Check& c) {
  Verdict v;
  const State want = *c.state;
  const bool at = c.at.has_value();
  const Instant when = c.at.value_or(0);
  const ConnPick p = pick_conn(cx, c);
  v.expected = who(p, c) + (at ? " is in " + std::string(state_name(want)) + " at " + human(when)
                               : " ends in " + std::string(state_name(want)));
  if (!p.track) {
    v.actual = p.error;
    return v;
  }
  const ConnTrack& t = *p.track;
  std::optional<std::uint64_t> last;
  for (std::uint64_t i : t.state_events)
    if (!at || cx.trace[i].t_ns <= when) last = i;
  if (!last) {
    v.actual = "it did not exist yet at " + human(when) + " (its first state change is at " +
               at_time(cx.trace[t.state_events.front()].t_ns) + ")";
    v.pass = want == State::Closed;
    v.evidence = {t.state_events.front()};
    return v;
  }
  const State got = cx.trace[*last].to;
  v.pass = got == want;
  v.actual = (at ? "it was in " : "it ends in ") + std::string(state_name(got)) +
             (at ? " at " + human(when) : "") + " (since " + at_time(cx.trace[*last].t_ns) + ")";
  v.evidence = {*last};
  v.steps = before(t, *last);
  return v;
}

Verdict check_time_in_state(const EvalContext& cx, const Check& c) {
  Verdict v;
  const State s = *c.state;
  const std::string sn(state_name(s));
  const ConnPick p = pick_conn(cx, c);
  const std::string w = who(p, c);
  const Bound<Duration>& b = c.duration;
  const Duration lo = b.min.value_or(0), hi = b.max.value_or(kNever);
  if (b.exact) v.expected = w + " stays in " + sn + " for exactly " + human(*b.exact);
  else if (b.min && b.max) v.expected = w + " stays in " + sn + " between " + human(lo) + " and " + human(hi);
  else if (b.min) v.expected = w + " stays in " + sn + " at least " + human(lo);
  else v.expected = w + " stays in " + sn + " at most " + human(hi);
  if (!p.track) {
    v.actual = p.error;
    return v;
  }
  const ConnTrack& t = *p.track;
  std::optional<std::size_t> enter_k;
  for (std::size_t k = 0; k < t.state_events.size(); ++k)
    if (cx.trace[t.state_events[k]].to == s) {
      enter_k = k;
      break;
    }
  if (!enter_k) {
    v.actual = "it never entered " + sn + " (" + state_chain(states_seen(cx, t)) + ")";
    v.evidence = {t.state_events.back()};
    v.steps = before(t, t.state_events.back());
    return v;
  }
  const std::uint64_t enter = t.state_events[*enter_k];
  const Instant t0 = cx.trace[enter].t_ns;
  if (*enter_k + 1 >= t.state_events.size()) {
    const Duration so_far = cx.world.now() - t0;
    v.pass = !b.exact && !b.max && so_far >= lo;
    v.actual = "it entered " + sn + " at " + at_time(t0) + " and was still there when the run ended at " +
               at_time(cx.world.now()) + ", " + human(so_far) + " later";
    v.evidence = {enter};
    v.steps = before(t, enter);
    return v;
  }
  const std::uint64_t leave = t.state_events[*enter_k + 1];
  const Duration d = cx.trace[leave].t_ns - t0;
  v.pass = b.exact ? d == *b.exact : d >= lo && d <= hi;
  v.actual = "it stayed in " + sn + " for " + human(d) + " (from " + at_time(t0) + " to " +
             at_time(cx.trace[leave].t_ns) + ", then " + std::string(state_name(cx.trace[leave].to)) + ")";
  v.steps = before(t, enter);
  v.steps.push_back(enter);
  v.evidence = {leave};
  return v;
}

Verdict check_netstat(const EvalContext& cx, const Check& c) {
  Verdict v;
  const Instant at = *c.at;
  const std::optional<State> want = c.state;  // nullopt: any state
  std::int64_t lo = 0, hi = 0;
  const std::string bound = bound_words(c.count, &lo, &hi);
  const int h = cx.world.host_index(c.host);
  const std::string name = h >= 0 ? cx.host_name(h) : c.host;
  v.expected = "netstat on " + name + " at " + human(at) + " shows " + bound + " " +
               (want ? std::string(linux_state_name(*want)) + " " : "") + "socket" + (hi == 1 && lo == 1 ? "" : "s");
  if (h < 0) {
    v.actual = "there is no host '" + c.host + "'";
    return v;
  }
  // Rebuild the world and stop it at `at`: the state of every socket at that moment.
  World w = build_world(cx.lab);
  w.run_until(at);
  const TcpHost& stack = w.stack(h);
  std::vector<std::string> rows, others;  // the counted sockets; what else netstat shows
  std::int64_t n = 0;
  for (ConnId k = 0; k < stack.conn_count(); ++k) {
    const Connection& conn = stack.conn(k);
    const State s = conn.state();
    if (s == State::Closed) continue;
    const std::string row = std::string(linux_state_name(s)) + " " + endpoint_to_string(conn.local()) +
                            (s == State::Listen ? "" : ">" + endpoint_to_string(conn.remote()));
    if (want && s != *want) {
      others.push_back(row);
      continue;
    }
    ++n;
    rows.push_back(row);
  }
  v.pass = n >= lo && n <= hi;
  auto list = [](const std::vector<std::string>& r) {
    std::string listed;
    for (std::size_t k = 0; k < r.size() && k < kMaxListed; ++k) listed += (k ? ", " : "") + r[k];
    if (r.size() > kMaxListed) listed += ", and " + std::to_string(r.size() - kMaxListed) + " more";
    return listed;
  };
  v.actual = plural(n, "such socket", "such sockets") + (rows.empty() ? "" : ": " + list(rows));
  // A count of none says nothing about why: show what netstat did show.
  if (n == 0)
    v.actual += others.empty() ? "; netstat shows no socket at all on " + name + " at " + human(at)
                               : "; netstat shows: " + list(others);
  if (at > cx.lab.until) v.actual += " (" + human(at) + " is after the end of the run at " + human(cx.lab.until) + ")";
  std::vector<std::uint64_t> s;
  // The state changes into (or out of) that state up to `at`; a child socket's first event
  // (LISTEN -> SYN_RECEIVED) is the listener's, not a socket leaving LISTEN.
  for (const auto& t : cx.ix.conn_tracks(h))
    for (std::size_t k = 0; k < t.state_events.size(); ++k) {
      const TraceEvent& e = cx.trace[t.state_events[k]];
      const bool child_birth = k == 0 && e.from == State::Listen && !t.listener;
      if (e.t_ns <= at && (!want || e.to == *want || (e.from == *want && !child_birth))) s.push_back(t.state_events[k]);
    }
  std::sort(s.begin(), s.end());
  if (!s.empty()) {
    v.evidence = {s.back()};
    s.pop_back();
    v.steps = s;
  }
  return v;
}

}  // namespace tcplab
