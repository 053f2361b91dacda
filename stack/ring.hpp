#pragma once
// Ring<T>: a FIFO (push_back, pop_front, front-to-back iteration) over one std::vector used
// circularly. It replaces std::deque for per-connection queues that are usually empty or
// short: libstdc++'s std::deque allocates about 600 bytes (its map and a 512-byte node) even
// when empty, once per deque, which a million connections in TIME_WAIT paid twice each. A
// Ring allocates nothing until its first push_back, and release() gives its memory back.
// Copies are deep (the world is a value).
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace tcplab {

template <class T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buf_.size(); }
  T& front() { return buf_[head_]; }
  const T& front() const { return buf_[head_]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  T& operator[](std::size_t i) { return buf_[wrap(head_ + i)]; }
  const T& operator[](std::size_t i) const { return buf_[wrap(head_ + i)]; }

  void push_back(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[wrap(head_ + size_)] = v;
    ++size_;
  }
  void pop_front() {
    head_ = wrap(head_ + 1);
    if (--size_ == 0) head_ = 0;
  }
  void clear() {
    head_ = 0;
    size_ = 0;
  }
  // Empties it and frees its storage.
  void release() {
    std::vector<T>().swap(buf_);
    clear();
  }

  template <class R, class V>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = V*;
    using reference = V&;
    Iter() = default;
    Iter(R* r, std::size_t i) : r_(r), i_(i) {}
    V& operator*() const { return (*r_)[i_]; }
    V* operator->() const { return &(*r_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    Iter operator++(int) {
      Iter t = *this;
      ++i_;
      return t;
    }
    bool operator==(const Iter& o) const { return i_ == o.i_; }
    bool operator!=(const Iter& o) const { return i_ != o.i_; }

   private:
    R* r_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = Iter<Ring, T>;
  using const_iterator = Iter<const Ring, const T>;
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  std::size_t wrap(std::size_t i) const { return i >= buf_.size() ? i - buf_.size() : i; }
  void grow() {
    std::vector<T> next;
    next.reserve(buf_.empty() ? 4 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) next.push_back(std::move((*this)[i]));
    next.resize(next.capacity());
    buf_ = std::move(next);
    head_ = 0;
  }

  std::vector<T> buf_;  // buf_.size() is the capacity; elements [head_, head_ + size_) mod it
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tcplab
