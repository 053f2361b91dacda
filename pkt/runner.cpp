#include "pkt/runner.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "pkt/calls.hpp"
#include "pkt/peer.hpp"

namespace tcplab::pkt {

namespace {

constexpr Duration kAnyHorizon = sec(600);  // "*" waits at most this long
constexpr Duration kSyscallSlack = ms(100);
constexpr Duration kSchedulingSlack = ms(20);

std::string secs(Instant t) { return fmt::format("{}.{:06d}", t / sec(1), (t % sec(1)) / 1000); }

// Thrown inside the run loop at the first mismatch.
struct Mismatch {
  std::string text;
};

class Run {
 public:
  Run(const Script& s, Target& t, const RunOptions& o)
      : script_(s), target_(t), opt_(o), peer_(Endpoint{kRemoteIp, kPeerPort}, Endpoint{kLocalIp, kLocalPort}) {
    tol_ = opt_.tolerance_ns;
    pct_ = opt_.tolerance_percent;
    wheel_ = !target_.virtual_time() && opt_.kernel_timer_wheel;
    for (const auto& o2 : script_.options) {
      if (o2.name == "tolerance_usecs") tol_ = us(parse_int(o2));
      else if (o2.name == "tolerance_percent") pct_ += static_cast<double>(parse_int(o2));
    }
  }

  RunResult go() {
    RunResult r;
    // Time 0 is when the script starts, not when the target was made (setting up a
    // namespace and sysctls takes milliseconds of real time).
    base_ = target_.now();
    prev_ = base_;
    try {
      for (const Event& ev : script_.events) {
        cur_ = &ev;
        std::visit([&](const auto& b) { handle(ev, b); }, ev.body);
        ++r.events_checked;
      }
      finish_blocking(true);
      r.passed = true;
    } catch (const Mismatch& m) {
      r.failure = m.text;
      r.failed_line = cur_ ? cur_->at.line : 0;
    }
    return r;
  }

 private:
  std::int64_t parse_int(const ScriptOption& o) const {
    try {
      return std::stoll(o.value);
    } catch (const std::exception&) {
      throw PktError(script_.file, o.at, fmt::format("--{} takes a number, not \"{}\"", o.name, o.value));
    }
  }
  Duration tol(Duration interval) const {
    return tol_ + static_cast<Duration>(std::llround(static_cast<double>(interval < 0 ? 0 : interval) * pct_ / 100.0));
  }
  // How late the kernel's timer wheel may fire a timer of this length (HZ=250: a timer is
  // rounded up to its wheel level's granularity: 4 ms below ~250 ms, 32 ms below ~2 s,
  // 256 ms below ~16 s, 2 s below ~2 min; ../shared/NOTES-kernel.md). Late side only.
  // Plus kSchedulingSlack: on a loaded machine the kernel's segment reaches our TUN reader,
  // and a woken call returns, some milliseconds after the kernel decided to send it.
  Duration late(Duration interval) const {
    if (!wheel_) return 0;
    Duration wheel = ms(16384);
    if (interval < ms(252)) wheel = ms(4);
    else if (interval < ms(2016)) wheel = ms(32);
    else if (interval < ms(16128)) wheel = ms(256);
    else if (interval < ms(129024)) wheel = ms(2048);
    return wheel + kSchedulingSlack;
  }
  std::string text_of(const Event& ev) const {
    const auto i = static_cast<std::size_t>(ev.at.line - 1);
    if (i < opt_.lines.size()) {
      std::string t = opt_.lines[i];
      while (!t.empty() && (t.back() == '\r' || t.back() == ' ')) t.pop_back();
      const auto first = t.find_first_not_of(" \t");
      return first == std::string::npos ? t : t.substr(first);
    }
    return "(line " + std::to_string(ev.at.line) + ")";
  }
  void say(const std::string& s) const {
    if (opt_.on_line) opt_.on_line(s);
  }
  [[noreturn]] void mismatch(const Event& ev, const std::string& what) const {
    throw Mismatch{fmt::format("{}:{}: {}\n  script:   {}", script_.file, ev.at.line, what, text_of(ev))};
  }

  // The window [lo, hi] an event's time spec gives, from the previous event's actual time.
  std::pair<Instant, Instant> window(const TimeSpec& t) const {
    switch (t.kind) {
      case TimeSpec::Kind::Absolute: return {base_ + t.lo_ns, base_ + t.hi_ns};
      case TimeSpec::Kind::Relative: return {prev_ + t.lo_ns, prev_ + t.hi_ns};
      case TimeSpec::Kind::Any: return {prev_, prev_ + kAnyHorizon};
    }
    return {prev_, prev_};
  }

  // The target's next segment by `until`, shown to the --pcap/--trace writers.
  std::optional<Sent> next(Instant until) {
    if (!held_.empty()) {
      Sent h = held_.front();
      held_.pop_front();
      if (opt_.on_segment) opt_.on_segment(true, h.at, h.seg);
      return h;
    }
    auto s = target_.next_sent(until);
    if (s && opt_.on_segment) opt_.on_segment(true, s->at, s->seg);
    return s;
  }

  // Lets time pass to `t`; a segment the stack sends meanwhile is one the script did not expect.
  void advance_to(Instant t) {
    while (target_.now() < t || !held_.empty()) {
      auto s = next(t);
      if (s) {
        throw Mismatch{fmt::format("{}:{}: the stack sent a segment the script does not expect at {}\n  sent:     > {}  at {}\n  script:   {}",
                                   script_.file, cur_->at.line, stamp(s->at), peer_.describe(s->seg), stamp(s->at),
                                   text_of(*cur_))};
      }
      poll_blocking();
    }
    poll_blocking();
  }

  // A blocking call started with "a...b": it may return while later lines run.
  struct Blocking {
    const Event* ev = nullptr;
    SyscallLine line;
    Call call;
    Instant lo = 0, hi = 0;
    Instant start = 0;  // when the call was made
  };
  void poll_blocking() {
    if (!blocking_) return;
    auto r = target_.poll_call();
    if (!r) return;
    const Blocking b = *blocking_;
    blocking_.reset();
    const Instant at = r->returned_at >= 0 ? r->returned_at : target_.now();
    const Duration slack = tol(b.hi - b.lo);
    if (at < b.lo - slack || at > b.hi + slack + late(b.hi - b.start))
      throw Mismatch{fmt::format("{}:{}: {}() returned at {}, the script expects it to return at {}{}\n  script:   {}",
                                 script_.file, b.ev->at.line, b.line.name, stamp(at), stamp(b.lo),
                                 b.hi != b.lo ? "~" + stamp(b.hi) : "", text_of(*b.ev))};
    if (auto d = check_result(b.line, b.call, *r); !d.empty())
      throw Mismatch{fmt::format("{}:{}: {}\n  script:   {}", script_.file, b.ev->at.line, d, text_of(*b.ev))};
    say(fmt::format("{}  {}:{}  {}  (returned {})", stamp(at), script_.file, b.ev->at.line, text_of(*b.ev), result_text(b.call, *r)));
  }
  void finish_blocking(bool at_end) {
    if (!blocking_) return;
    const Instant limit = blocking_->hi + tol(blocking_->hi - blocking_->lo) + late(blocking_->hi - blocking_->start);
    cur_ = blocking_->ev;
    while (blocking_ && target_.now() <= limit) {
      if (auto s = next(limit + 1); s && at_end)
        throw Mismatch{fmt::format("{}:{}: the stack sent a segment the script does not expect at {}\n  sent:     > {}\n  script:   {}",
                                   script_.file, cur_->at.line, stamp(s->at), peer_.describe(s->seg), text_of(*cur_))};
      poll_blocking();
    }
    if (blocking_) mismatch(*blocking_->ev, fmt::format("{}() had not returned by {}", blocking_->line.name, stamp(limit)));
  }

  void handle(const Event& ev, const ShellLine& sh) {
    std::vector<SysctlLine> all = sh.sysctls;
    if (!sh.defaults_file.empty()) {
      const std::string path = sh.defaults_file.front() == '/' ? sh.defaults_file : opt_.script_dir + "/" + sh.defaults_file;
      std::ifstream f(path);
      if (!f) throw PktError(script_.file, ev.at, fmt::format("cannot read the defaults file {}", path));
      std::stringstream ss;
      ss << f.rdbuf();
      all = parse_defaults_file(ss.str(), path);
    }
    for (const auto& s : all)
      if (auto e = target_.set_sysctl(s); e.rfind("note: ", 0) == 0) say(fmt::format("{}:{}: {}", script_.file, ev.at.line, e));
      else if (!e.empty()) throw PktError(script_.file, ev.at, e);
    say(fmt::format("{}  {}:{}  {}", stamp(target_.now()), script_.file, ev.at.line, text_of(ev)));
  }

  void handle(const Event& ev, const PacketLine& p) {
    const auto [lo, hi] = window(ev.time);
    if (p.dir == PacketLine::Dir::In) {
      // Under virtual time the segment arrives before any timer due at the same instant
      // (as sim::World orders them; the kernel's timers fire late).
      if (target_.virtual_time() && lo > target_.now()) {
        advance_to(lo - 1);
        target_.set_clock(lo);
      } else {
        advance_to(lo);
      }
      const Segment seg = peer_.inbound(p);
      if (opt_.on_segment) opt_.on_segment(false, target_.now(), seg);
      target_.inject(seg);
      prev_ = target_.now();
      say(fmt::format("{}  {}:{}  {}", stamp(prev_), script_.file, ev.at.line, text_of(ev)));
      poll_blocking();
      return;
    }
    const Duration slack = tol(hi - prev_);
    std::uint32_t covered = 0;
    Instant first_at = 0;
    do {
      std::optional<Sent> s;
      // The rest of a line's bytes (the kernel's pieces of one burst) follow the first piece;
      // on a loaded machine they too reach our TUN reader up to kSchedulingSlack late (CI,
      // 2026-12-07: 1000 of a 10000-byte write by 20 ms after its first piece, the rest later).
      const Instant limit = covered == 0 ? hi + slack + late(hi - prev_)
                                         : first_at + slack + (wheel_ ? kSchedulingSlack : 0);
      while (!s && target_.now() <= limit) {
        s = next(limit);
        poll_blocking();
        if (!s && target_.now() >= limit) break;
      }
      if (!s)
        mismatch(ev, covered == 0 ? fmt::format("the stack sent nothing by {} (expected at {}{}, tolerance {} ms)",
                                                stamp(limit), stamp(lo), hi != lo ? "~" + stamp(hi) : "",
                                                fmt::format("{:.3f}", static_cast<double>(slack) / 1e6))
                                  : fmt::format("the stack sent {} of the {} bytes by {}", covered, p.len, stamp(limit)));
      if (covered == 0 && s->at < lo - slack)
        mismatch(ev, fmt::format("a segment at {}, earlier than the script expects ({}, tolerance {:.3f} ms)\n  sent:     > {}",
                                 stamp(s->at), stamp(lo), static_cast<double>(slack) / 1e6, peer_.describe(s->seg)));
      if (auto d = peer_.match(p, s->seg, covered); !d.empty())
        mismatch(ev, fmt::format("at {}: {}\n  sent:     > {}", stamp(s->at), d, peer_.describe(s->seg)));
      if (covered == 0) {
        first_at = s->at;
        peer_.learn(p, s->seg);
      }
      covered += static_cast<std::uint32_t>(s->seg.payload.size());
    } while (covered < p.len);
    prev_ = first_at;
    say(fmt::format("{}  {}:{}  {}", stamp(first_at), script_.file, ev.at.line, text_of(ev)));
  }

  void handle(const Event& ev, const SyscallLine& sc) {
    const Call call = decode_call(sc, script_.file, ev.at);
    const auto [lo, hi] = window(ev.time);
    advance_to(lo);
    if (blocking_) finish_blocking(false);
    prev_ = target_.now();
    target_.start_call(call);
    auto r = target_.poll_call();
    if (sc.end) {
      const TimeSpec& e = *sc.end;
      const Instant elo = e.kind == TimeSpec::Kind::Absolute ? base_ + e.lo_ns : prev_ + e.lo_ns;
      const Instant ehi = e.kind == TimeSpec::Kind::Absolute ? base_ + e.hi_ns : prev_ + e.hi_ns;
      blocking_ = Blocking{&ev, sc, call, elo, ehi, prev_};
      if (r) {  // returned at once: that is only right if the script's end is now
        blocking_.reset();
        if (prev_ < elo - tol(elo - prev_))
          mismatch(ev, fmt::format("{}() returned at once ({}), the script expects it to block until {}", sc.name,
                                   result_text(call, *r), stamp(elo)));
        if (auto d = check_result(sc, call, *r); !d.empty()) mismatch(ev, d);
        say(fmt::format("{}  {}:{}  {}", stamp(prev_), script_.file, ev.at.line, text_of(ev)));
      }
      return;
    }
    if (!r) {  // it blocks: it must return within the tolerance
      // A real syscall on a loaded machine may take a while to be scheduled and return:
      // the kernel gets kSyscallSlack more. Segments sent meanwhile (the write's own data)
      // are kept for the lines that follow.
      const Instant limit = prev_ + tol(0) + (wheel_ ? kSyscallSlack : 0);
      while (!r && target_.now() < limit) {
        const Instant step = std::min(limit, target_.now() + ms(1));
        if (auto s = target_.next_sent(step)) held_.push_back(*s);
        r = target_.poll_call();
      }
      if (!r) mismatch(ev, fmt::format("{}() blocked; the script expects it to return at once (write \"start...end {}(...)\" for a blocking call)", sc.name, sc.name));
    }
    if (auto d = check_result(sc, call, *r); !d.empty()) mismatch(ev, d);
    say(fmt::format("{}  {}:{}  {}", stamp(prev_), script_.file, ev.at.line, text_of(ev)));
  }

  // A time as the script counts it (since the script started).
  std::string stamp(Instant t) const { return secs(t - base_); }

  const Script& script_;
  Target& target_;
  const RunOptions& opt_;
  Peer peer_;
  Duration tol_ = 0;
  double pct_ = 0;
  bool wheel_ = false;
  std::deque<Sent> held_;  // sent while a call was returning; checked by the lines after
  Instant base_ = 0;
  Instant prev_ = 0;
  const Event* cur_ = nullptr;
  std::optional<Blocking> blocking_;
};

}  // namespace

RunResult run_script(const Script& script, Target& target, const RunOptions& opt) {
  Run r(script, target, opt);
  return r.go();
}

}  // namespace tcplab::pkt
