#include "stack/reassembler.hpp"

#include <algorithm>
#include <iterator>

namespace tcplab {

bool Reassembler::insert(std::uint64_t at, const Payload& data) {
  if (data.size() == 0) return true;
  const std::uint64_t end = at + data.size();
  // The runs that overlap or touch [at, end): from the last one starting at or before `at`
  // (if it reaches `at`) through the last one starting at or before `end`.
  auto first = runs_.upper_bound(at);
  if (first != runs_.begin() && std::prev(first)->second.end >= at) --first;
  auto last = first;
  while (last != runs_.end() && last->first <= end) ++last;
  const auto piece = [&](std::uint64_t from, std::uint64_t to) {
    held_ += to - from;
    return data.substr(static_cast<std::uint32_t>(from - at), static_cast<std::uint32_t>(to - from));
  };
  if (first == last) {  // apart from everything held: a new run
    if (runs_.size() >= kMaxRuns) return false;
    runs_.emplace(at, Run{end, {piece(at, end)}});
    return true;
  }
  Run& run = first->second;
  if (std::next(first) == last && first->first <= at) {
    // One run, which starts at or before the data: a duplicate, or it grows at its end (the
    // usual case: the next segment after what is held).
    if (end > run.end) {
      run.pieces.push_back(piece(run.end, end));
      run.end = end;
    }
    return true;
  }
  // The data fills gaps between (or before) runs: one run from the lowest start, the new bytes
  // placed in the gaps, the later runs' pieces moved after them.
  Run merged;
  const std::uint64_t start = std::min(first->first, at);
  std::uint64_t cur = start;
  for (auto it = first; it != last; ++it) {
    if (it->first > cur) merged.pieces.push_back(piece(cur, it->first));  // inside [at, end): they touch
    std::move(it->second.pieces.begin(), it->second.pieces.end(), std::back_inserter(merged.pieces));
    cur = it->second.end;
  }
  if (end > cur) {
    merged.pieces.push_back(piece(cur, end));
    cur = end;
  }
  merged.end = cur;
  runs_.erase(first, last);
  runs_.emplace(start, std::move(merged));
  return true;
}

std::vector<Payload> Reassembler::take_contiguous(std::uint64_t next) {
  std::vector<Payload> out;
  while (!runs_.empty()) {
    auto it = runs_.begin();
    if (it->first > next) break;
    std::uint64_t pos = it->first;
    for (const Payload& p : it->second.pieces) {
      const std::uint64_t pend = pos + p.size();
      if (pend > next) {
        out.push_back(pos >= next ? p : p.substr(static_cast<std::uint32_t>(next - pos)));
        next = pend;
      }
      pos = pend;
    }
    held_ -= it->second.end - it->first;
    runs_.erase(it);
  }
  return out;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> Reassembler::ranges() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> r;
  r.reserve(runs_.size());
  for (const auto& [start, run] : runs_) r.emplace_back(start, run.end);
  return r;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> Reassembler::range_of(std::uint64_t x) const {
  auto it = runs_.upper_bound(x);
  if (it == runs_.begin()) return std::nullopt;
  --it;
  if (x >= it->second.end) return std::nullopt;
  return std::make_pair(it->first, it->second.end);
}

}  // namespace tcplab
