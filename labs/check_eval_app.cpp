// Checks over what the applications saw: the bytes one side read against what the other
// sent, and what an application call returned.
#include <cstdint>
#include <map>

#include "labs/check_eval.hpp"
#include "labs/check_words.hpp"

namespace tcplab {

namespace {

// The remote address of a connection label "10.0.0.1:39870>10.0.0.2:9502".
Ipv4 remote_ip(const std::string& label) {
  const auto gt = label.find('>');
  if (gt == std::string::npos) return 0;
  const std::string r = label.substr(gt + 1);
  return parse_ipv4(r.substr(0, r.find(':'))).value_or(0);
}

// The events of `of` before `ev`.
std::vector<std::uint64_t> before(const std::vector<std::uint64_t>& of, std::uint64_t ev) {
  std::vector<std::uint64_t> s;
  for (std::uint64_t i : of)
    if (i < ev) s.push_back(i);
  return s;
}

}  // namespace

Verdict check_bytes(const EvalContext& cx, const Check& c) {
  Verdict v;
  const HostSel from = host_sel(cx, c.from), to = host_sel(cx, c.to);
  std::uint64_t sent = 0, got = 0;
  std::vector<std::uint64_t> io;
  std::optional<std::uint64_t> last_recv, last_send;
  for (std::uint64_t i = 0; i < cx.trace.size(); ++i) {
    const TraceEvent& e = cx.trace[i];
    if (e.type != TraceType::App) continue;
    if (e.call == "send" && e.host == from.host && remote_ip(e.conn) == to.ip) {
      sent += e.bytes;
      io.push_back(i);
      last_send = i;
    } else if (e.call == "recv" && e.host == to.host && remote_ip(e.conn) == from.ip &&
               e.result.rfind("DATA_MISMATCH", 0) != 0) {  // its bytes are the offset, not a read
      got += e.bytes;
      io.push_back(i);
      last_recv = i;
    }
  }
  bool reading = false;  // a read still waiting at the end has read bytes the trace has not reported
  for (const auto& u : cx.world.unfinished_io()) {
    if (u.recv && u.host == to.host && remote_ip(u.conn) == from.ip) {
      got += u.bytes;
      reading = true;
    } else if (!u.recv && u.host == from.host && remote_ip(u.conn) == to.ip) {
      sent += u.bytes;
    }
  }
  if (c.count.exact) {
    const auto n = static_cast<std::uint64_t>(*c.count.exact);
    v.expected = to.name + "'s applications read " + plural(static_cast<std::int64_t>(n), "byte", "bytes") + " from " + from.name;
    v.pass = got == n;
  } else {
    v.expected = to.name + "'s applications read every byte " + from.name + "'s applications sent";
    v.pass = got == sent;
  }
  v.actual = to.name + " read " + plural(static_cast<std::int64_t>(got), "byte", "bytes") +
             (reading ? " (still reading when the run ended)" : "") + "; " + from.name + " sent " +
             plural(static_cast<std::int64_t>(sent), "byte", "bytes");
  const auto ev = last_recv ? last_recv : last_send;
  if (ev) {
    v.evidence = {*ev};
    v.steps = before(io, *ev);
  }
  return v;
}

Verdict check_app_result(const EvalContext& cx, const Check& c) {
  Verdict v;
  const int h = cx.world.host_index(c.host);
  const std::string& call = c.call;
  const std::string& want = c.result;
  const std::string name = h >= 0 ? cx.host_name(h) : c.host;
  std::int64_t lo = 1, hi = INT64_MAX;
  std::string bound = "at least once";
  if (c.count.exact) {
    lo = hi = *c.count.exact;
    bound = lo == 1 ? "exactly once" : "exactly " + std::to_string(lo) + " times";
  } else if (c.count.min) {
    lo = *c.count.min;
    bound = "at least " + std::to_string(lo) + " times";
  }
  v.expected = name + "'s " + call + "() returns " + want + " " + bound;
  std::vector<std::uint64_t> calls, hits;
  std::map<std::string, int> results;
  std::vector<std::string> order;
  for (std::uint64_t i = 0; i < cx.trace.size(); ++i) {
    const TraceEvent& e = cx.trace[i];
    if (e.type != TraceType::App || e.host != h || e.call != call || e.result == "started") continue;
    calls.push_back(i);
    if (e.result == want) hits.push_back(i);
    if (results[e.result]++ == 0) order.push_back(e.result);
  }
  const auto n = static_cast<std::int64_t>(hits.size());
  v.pass = n >= lo && n <= hi;
  if (calls.empty()) {
    v.actual = name + " never called " + call + "()";
    return v;
  }
  std::vector<std::string> parts;
  for (const auto& r : order) parts.push_back(r + (results[r] == 1 ? " once" : " " + std::to_string(results[r]) + " times"));
  v.actual = call + "() returned " + join(parts, ", ");
  // Evidence: the first call that returned something else (a miss), else the last hit.
  std::optional<std::uint64_t> ev;
  if (n < lo) {
    for (std::uint64_t i : calls)
      if (cx.trace[i].result != want) {
        ev = i;
        break;
      }
  } else if (n > hi) {
    ev = hits[static_cast<std::size_t>(hi)];
  }
  if (!ev) ev = hits.empty() ? calls.back() : hits.back();
  v.evidence = {*ev};
  v.steps = before(calls, *ev);
  return v;
}

// A scripted peer (sim: gen_peer) leaves "peer" app events: "line N: sends ...",
// "line N: matched ...", "line N: MISMATCH: ...", then "script ended: SUMMARY". It passes
// when the script ended and no line mismatched; a failure quotes every mismatch line.
Verdict check_peer(const EvalContext& cx, const Check& c) {
  Verdict v;
  const int h = cx.world.host_index(c.host);
  const std::string name = h >= 0 ? cx.host_name(h) : c.host;
  v.expected = name + "'s peer script runs to its end and every segment it expects arrives as written";
  std::vector<std::uint64_t> lines, mismatches;
  std::optional<std::uint64_t> ended;
  for (std::uint64_t i = 0; i < cx.trace.size(); ++i) {
    const TraceEvent& e = cx.trace[i];
    if (e.type != TraceType::App || e.host != h || e.call != "peer") continue;
    if (e.result.rfind("script ended: ", 0) == 0) {
      if (!ended) ended = i;
      continue;
    }
    if (ended) continue;  // after the end nothing is checked (as in packetdrill)
    if (e.result.find(": MISMATCH: ") != std::string::npos) mismatches.push_back(i);
    else lines.push_back(i);
  }
  v.pass = ended && mismatches.empty();
  if (lines.empty() && mismatches.empty() && !ended) {
    v.actual = name + " never played a peer script";
    return v;
  }
  if (!mismatches.empty()) {
    std::vector<std::string> what;
    for (std::uint64_t i : mismatches) what.push_back(cx.trace[i].result);
    v.actual = join(what, "; ");
    if (!ended) v.actual += "; the script did not reach its end";
    v.evidence = mismatches;
    v.steps = before(lines, mismatches.front());
  } else if (!ended) {
    v.actual = "the script did not reach its end (the run stopped while it waited)";
    v.evidence = {lines.back()};
    v.steps = before(lines, lines.back());
  } else {
    v.actual = cx.trace[*ended].result;
    v.evidence = {*ended};
  }
  return v;
}

}  // namespace tcplab
