#pragma once
// A FIFO of bytes with a bounded capacity: the send buffer and the in-order part of the
// receive buffer. It holds Payload slices (stack/payload.hpp), not copies: a slice pushed
// right after the one it continues (the same chunk, or the `send N` pattern going on) is
// merged, so a bulk stream is one piece whatever its length. Pieces live in a vector with a
// moving head, compacted when half of it is dead: the steady state allocates nothing.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "stack/payload.hpp"

namespace tcplab {

class ByteQueue {
 public:
  explicit ByteQueue(std::uint32_t capacity = 0) : capacity_(capacity) {}
  std::uint32_t capacity() const { return capacity_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(tail_ - head_); }
  std::uint32_t free_space() const { return capacity_ > size() ? capacity_ - size() : 0; }
  bool empty() const { return size() == 0; }
  std::size_t storage_bytes() const { return pieces_.capacity() * sizeof(Piece); }  // the piece table

  // Appends as much of data as fits; returns how much was taken.
  std::uint32_t push(const Payload& data);
  // Bytes [offset, offset+len) counted from the front, as one slice. Only a range that spans
  // two pieces (text written by two sends) is copied, into a new chunk.
  Payload slice(std::uint32_t offset, std::uint32_t len) const;
  void pop(std::uint32_t n);
  // Moves up to n bytes from the front into *out (appended as slices); returns how many.
  std::uint32_t pop_into(std::uint32_t n, std::vector<Payload>* out);
  // Releases memory (a closed connection keeps its TCB for the record, not its buffers).
  void release() {
    std::vector<Piece>().swap(pieces_);
    first_ = 0;
    head_ = tail_;
  }

 private:
  struct Piece {
    std::uint64_t start;  // stream position of its first byte (counted since the queue began)
    Payload bytes;
  };
  // The live piece holding position `pos` (head_ <= pos < tail_).
  std::size_t find(std::uint64_t pos) const;
  void compact();

  std::vector<Piece> pieces_;  // [first_, end) are live; the front one may start before head_
  std::size_t first_ = 0;
  std::uint64_t head_ = 0, tail_ = 0;  // positions of the first byte and one past the last
  std::uint32_t capacity_;
};

}  // namespace tcplab
