#pragma once
// A FIFO of bytes with a bounded capacity: the send buffer and the in-order part of the
// receive buffer. Popping is O(1) amortised (a moving head, compacted when half is dead).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace tcplab {

class ByteQueue {
 public:
  explicit ByteQueue(std::uint32_t capacity = 0) : capacity_(capacity) {}
  std::uint32_t capacity() const { return capacity_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(buf_.size() - head_); }
  std::uint32_t free_space() const { return capacity_ > size() ? capacity_ - size() : 0; }
  bool empty() const { return size() == 0; }

  // Appends as much of data as fits; returns how much was taken.
  std::uint32_t push(std::string_view data) {
    const auto n = std::min<std::uint32_t>(free_space(), static_cast<std::uint32_t>(data.size()));
    buf_.append(data.data(), n);
    return n;
  }
  // Bytes [offset, offset+len) counted from the front.
  std::string_view peek(std::uint32_t offset, std::uint32_t len) const {
    return std::string_view(buf_).substr(head_ + offset, len);
  }
  void pop(std::uint32_t n) {
    head_ += std::min(n, size());
    if (head_ > 4096 && head_ * 2 > buf_.size()) {
      buf_.erase(0, head_);
      head_ = 0;
    }
  }
  // Releases memory (a closed connection keeps its TCB for the record, not its buffers).
  void release() { std::string().swap(buf_); head_ = 0; }

 private:
  std::string buf_;
  std::size_t head_ = 0;
  std::uint32_t capacity_;
};

}  // namespace tcplab
