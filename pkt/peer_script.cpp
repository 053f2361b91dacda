#include "pkt/peer_script.hpp"

#include <fmt/format.h>

namespace tcplab::pkt {

PeerScript::PeerScript(std::shared_ptr<const Script> script, Endpoint self, Endpoint stack, Instant start,
                       bool check_arrivals)
    : script_(std::move(script)), self_(self), peer_(self, stack), start_(start), prev_(start),
      check_arrivals_(check_arrivals) {
  for (const auto& o : script_->options)
    if (o.name == "tolerance_usecs") tol_ = us(std::stoll(o.value));
  if (!check_arrivals_) {
    auto sends_only = std::make_shared<Script>(*script_);
    std::erase_if(sends_only->events, [](const Event& ev) {
      return std::get<PacketLine>(ev.body).dir != PacketLine::Dir::In;
    });
    script_ = std::move(sends_only);
  }
}

void check_peer_script(const Script& s) {
  for (const auto& o : s.options)
    if (o.name == "tolerance_usecs") {
      try {
        (void)std::stoll(o.value);
      } catch (const std::exception&) {
        throw PktError(s.file, o.at, "--tolerance_usecs takes a number");
      }
    }
  for (const auto& ev : s.events) {
    if (std::holds_alternative<SyscallLine>(ev.body))
      throw PktError(s.file, ev.at, "a lab's scripted peer plays packet lines only: the stack's socket calls belong in an [[app]] of its host");
    if (std::holds_alternative<ShellLine>(ev.body))
      throw PktError(s.file, ev.at, "a lab's scripted peer cannot set sysctls: set the stack's host [host.tcp] instead");
  }
}

std::pair<Instant, Instant> PeerScript::window(const Event& ev) const {
  const TimeSpec& t = ev.time;
  switch (t.kind) {
    case TimeSpec::Kind::Absolute: return {start_ + t.lo_ns, start_ + t.hi_ns};
    case TimeSpec::Kind::Relative: return {prev_ + t.lo_ns, prev_ + t.hi_ns};
    case TimeSpec::Kind::Any: return {prev_, prev_ + sec(600)};
  }
  return {prev_, prev_};
}

std::pair<PeerScript::Wait, Instant> PeerScript::next() const {
  if (!script_ || finished()) return {Wait::Done, kNever};
  const Event& ev = script_->events[pc_];
  const auto& p = std::get<PacketLine>(ev.body);
  const auto [lo, hi] = window(ev);
  if (p.dir == PacketLine::Dir::In) return {Wait::Send, lo};
  return {Wait::Expect, hi + tol_};
}

Segment PeerScript::send(Instant now, int* line, std::string* text) {
  const Event& ev = script_->events[pc_++];
  *line = ev.at.line;
  prev_ = now;
  const auto& p = std::get<PacketLine>(ev.body);
  Segment seg = peer_.inbound(p);
  if (text) {
    // As the script wrote it (its relative numbers), with the window actually sent.
    *text = fmt::format("{} {}:{}({})", script_flags(seg.flags), p.seq, p.end, p.len);
    if (p.ack) *text += fmt::format(" ack {}", *p.ack);
    *text += fmt::format(" win {}", seg.wnd);
  }
  return seg;
}

std::string PeerScript::arrived(Instant now, const Segment& seg, int* line) {
  if (!check_arrivals_) {
    peer_.learn_unchecked(seg);
    *line = 0;
    return {};
  }
  if (finished() || std::get<PacketLine>(script_->events[pc_].body).dir == PacketLine::Dir::In) {
    *line = finished() ? script_->events.empty() ? 0 : script_->events.back().at.line : script_->events[pc_].at.line;
    ++mismatches_;
    return fmt::format("the script expects no segment now: {}", peer_.describe(seg));
  }
  const Event& ev = script_->events[pc_++];
  *line = ev.at.line;
  const auto& p = std::get<PacketLine>(ev.body);
  const auto [lo, hi] = window(ev);
  prev_ = now;
  std::string why;
  if (now < lo - tol_) why = fmt::format("arrived {} ms early", static_cast<double>(lo - now) / 1e6);
  else if (auto d = peer_.match(p, seg, 0); !d.empty()) why = d;
  if (why.empty()) {
    peer_.learn(p, seg);
    return {};
  }
  ++mismatches_;
  return fmt::format("{} (got {})", why, peer_.describe(seg));
}

std::string PeerScript::expired(Instant now, int* line) {
  const Event& ev = script_->events[pc_++];
  *line = ev.at.line;
  prev_ = now;
  ++mismatches_;
  return "nothing arrived by the time the script expects this segment";
}

std::string PeerScript::summary() const {
  if (!check_arrivals_) return fmt::format("{} lines sent, arrivals not checked", script_ ? script_->events.size() : 0);
  return fmt::format("{} lines, {}", script_ ? script_->events.size() : 0,
                     mismatches_ == 0 ? std::string("every expected segment matched") : fmt::format("{} mismatches", mismatches_));
}

}  // namespace tcplab::pkt
