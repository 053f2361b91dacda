#include "stack/reassembler.hpp"

namespace tcplab {

bool Reassembler::insert(std::uint64_t at, const Payload& data) {
  std::uint64_t start = at;
  std::uint64_t end = at + data.size();
  // Trim against neighbours so stored fragments never overlap; new bytes fill only gaps.
  auto it = frags_.upper_bound(start);
  if (it != frags_.begin()) {
    auto prev = std::prev(it);
    const std::uint64_t prev_end = prev->first + prev->second.size();
    if (prev_end >= end) return true;  // wholly duplicate
    if (prev_end > start) start = prev_end;
  }
  while (start < end) {
    it = frags_.lower_bound(start);
    const std::uint64_t gap_end = (it == frags_.end()) ? end : std::min(end, it->first);
    if (gap_end > start) {
      if (frags_.size() >= kMaxFragments) return false;
      frags_.emplace(start, data.substr(static_cast<std::uint32_t>(start - at), static_cast<std::uint32_t>(gap_end - start)));
      held_ += gap_end - start;
    }
    if (it == frags_.end() || it->first >= end) break;
    start = it->first + it->second.size();
  }
  return true;
}

std::vector<Payload> Reassembler::take_contiguous(std::uint64_t next) {
  std::vector<Payload> out;
  while (!frags_.empty()) {
    auto it = frags_.begin();
    const std::uint64_t end = it->first + it->second.size();
    if (it->first > next) break;
    if (end > next) {
      out.push_back(it->second.substr(static_cast<std::uint32_t>(next - it->first)));
      next = end;
    }
    held_ -= it->second.size();
    frags_.erase(it);
  }
  return out;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> Reassembler::ranges() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> r;
  for (const auto& [start, bytes] : frags_) {
    const std::uint64_t end = start + bytes.size();
    if (!r.empty() && r.back().second == start) r.back().second = end;
    else r.emplace_back(start, end);
  }
  return r;
}

}  // namespace tcplab
