#include "stack/byte_queue.hpp"

namespace tcplab {

std::uint32_t ByteQueue::push(const Payload& data) {
  const std::uint32_t n = std::min(free_space(), data.size());
  if (n == 0) return 0;
  const Payload taken = n == data.size() ? data : data.substr(0, n);
  if (first_ == pieces_.size() || !pieces_.back().bytes.try_append(taken)) pieces_.push_back(Piece{tail_, taken});
  tail_ += n;
  return n;
}

std::size_t ByteQueue::find(std::uint64_t pos) const {
  const auto it = std::upper_bound(pieces_.begin() + static_cast<std::ptrdiff_t>(first_), pieces_.end(), pos,
                                   [](std::uint64_t p, const Piece& piece) { return p < piece.start; });
  return static_cast<std::size_t>(it - pieces_.begin()) - 1;
}

Payload ByteQueue::slice(std::uint32_t offset, std::uint32_t len) const {
  const std::uint64_t pos = head_ + offset;
  len = static_cast<std::uint32_t>(std::min<std::uint64_t>(len, tail_ > pos ? tail_ - pos : 0));
  if (len == 0) return {};
  std::size_t i = find(pos);
  const Piece& p = pieces_[i];
  const auto rel = static_cast<std::uint32_t>(pos - p.start);
  if (rel + len <= p.bytes.size()) return p.bytes.substr(rel, len);
  // The range crosses into the next piece(s): the one place bytes are copied.
  std::string joined;
  joined.reserve(len);
  p.bytes.substr(rel).append_to(joined);
  while (joined.size() < len) pieces_[++i].bytes.substr(0, len - static_cast<std::uint32_t>(joined.size())).append_to(joined);
  return Payload(std::move(joined));
}

void ByteQueue::pop(std::uint32_t n) { pop_into(n, nullptr); }

std::uint32_t ByteQueue::pop_into(std::uint32_t n, std::vector<Payload>* out) {
  n = std::min(n, size());
  std::uint32_t left = n;
  while (left > 0) {
    Piece& p = pieces_[first_];
    if (p.bytes.size() <= left) {
      left -= p.bytes.size();
      if (out) out->push_back(std::move(p.bytes));
      p.bytes.clear();
      ++first_;
    } else {
      if (out) out->push_back(p.bytes.substr(0, left));
      p.bytes = p.bytes.substr(left);
      p.start += left;
      left = 0;
    }
  }
  head_ += n;
  compact();
  return n;
}

void ByteQueue::compact() {
  if (first_ == pieces_.size()) {
    pieces_.clear();  // keeps its capacity: the next push allocates nothing
    first_ = 0;
  } else if (first_ > 16 && first_ * 2 > pieces_.size()) {
    pieces_.erase(pieces_.begin(), pieces_.begin() + static_cast<std::ptrdiff_t>(first_));
    first_ = 0;
  }
}

}  // namespace tcplab
