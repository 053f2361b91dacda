#pragma once
// A growing sequence kept in fixed-size chunks: what the trace sink records into, and where
// a host keeps its connections and the world its task slots. A std::vector of 448-byte trace
// events regrew by copying and faulting in a new block twice as large (40 % of a traced bulk
// run, a third of its memory); chunks never move once written, so references stay valid.
// Indexing is a shift and a mask; iterators are random access (seek uses std::upper_bound on
// it). Copyable, so a trace is still a value.
//
// The first 2 MiB of chunks are ordinary heap blocks, so that a short trace costs what it
// holds; the chunks after that are carved from 2 MiB regions that the kernel may back with
// huge pages (stack/page_regions.hpp): a long traced run otherwise spends much of its time in
// page faults.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "stack/page_regions.hpp"

namespace tcplab {

template <typename T, std::size_t kChunkLog2 = 10>
class Chunked {
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkLog2;
  static constexpr std::size_t kChunkBytes = kChunk * sizeof(T);
  static_assert(alignof(T) <= 64, "PageRegions aligns to 64 bytes");

  template <bool kConst>
  class Iter {
    using Owner = std::conditional_t<kConst, const Chunked, Chunked>;

   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const T*, T*>;
    using reference = std::conditional_t<kConst, const T&, T&>;

    Iter() = default;
    Iter(Owner* c, std::size_t i) : c_(c), i_(i) {}
    operator Iter<true>() const requires(!kConst) { return Iter<true>(c_, i_); }  // iterator -> const_iterator

    reference operator*() const { return (*c_)[i_]; }
    pointer operator->() const { return &(*c_)[i_]; }
    reference operator[](difference_type n) const { return (*c_)[i_ + static_cast<std::size_t>(n)]; }
    Iter& operator++() { ++i_; return *this; }
    Iter operator++(int) { Iter t = *this; ++i_; return t; }
    Iter& operator--() { --i_; return *this; }
    Iter operator--(int) { Iter t = *this; --i_; return t; }
    Iter& operator+=(difference_type n) { i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n); return *this; }
    Iter& operator-=(difference_type n) { return *this += -n; }
    friend Iter operator+(Iter a, difference_type n) { return a += n; }
    friend Iter operator+(difference_type n, Iter a) { return a += n; }
    friend Iter operator-(Iter a, difference_type n) { return a -= n; }
    friend difference_type operator-(const Iter& a, const Iter& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const Iter& a, const Iter& b) { return a.i_ <=> b.i_; }

   private:
    Owner* c_ = nullptr;
    std::size_t i_ = 0;
  };

 public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  Chunked() = default;
  Chunked(const Chunked& o) {
    reserve(o.size_);
    for (const T& v : o) push_back(v);
  }
  Chunked(Chunked&& o) noexcept
      : chunks_(std::exchange(o.chunks_, {})), regions_(std::move(o.regions_)), size_(std::exchange(o.size_, 0)) {}
  Chunked& operator=(Chunked o) noexcept {  // copy or move, then swap
    std::swap(chunks_, o.chunks_);
    std::swap(regions_, o.regions_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~Chunked() { clear(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i >> kChunkLog2][i & (kChunk - 1)]; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kChunkLog2][i & (kChunk - 1)]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }

  void push_back(T v) { emplace_back(std::move(v)); }
  template <typename... A>
  T& emplace_back(A&&... a) {
    if (size_ == chunks_.size() * kChunk) add_chunk();
    T* slot = chunks_.back() + (size_ & (kChunk - 1));
    ::new (static_cast<void*>(slot)) T(std::forward<A>(a)...);
    ++size_;
    return *slot;
  }
  // n more elements, value-initialized, contiguous: n must fit in the last chunk's room (or in
  // a fresh chunk when the last is full). For appending a block with one copy.
  T* extend(std::size_t n) requires std::is_trivial_v<T> {
    if (size_ == chunks_.size() * kChunk) add_chunk();
    T* at = chunks_.back() + (size_ & (kChunk - 1));
    std::fill_n(at, n, T{});
    size_ += n;
    return at;
  }
  // Room for n elements' chunk pointers (the elements themselves are allocated a chunk at a time).
  void reserve(std::size_t n) { chunks_.reserve((n + kChunk - 1) >> kChunkLog2); }
  void clear() {
    if constexpr (!std::is_trivially_destructible_v<T>) {
      for (std::size_t i = 0; i < size_; ++i) std::destroy_at(&(*this)[i]);
    }
    for (std::size_t c = 0; c < chunks_.size() && on_heap(c); ++c) {
      ::operator delete(static_cast<void*>(chunks_[c]), std::align_val_t(alignof(T)));
    }
    chunks_.clear();
    regions_.release();
    size_ = 0;
  }
  template <typename It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }

  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, size_); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }
  // How many 2 MiB regions hold chunks (0 while the whole sequence fits in its first 2 MiB).
  std::size_t regions() const { return regions_.regions(); }

 private:
  // Chunk c is a heap block while the chunks before it hold less than one region.
  static bool on_heap(std::size_t c) { return c * kChunkBytes < PageRegions::kRegionBytes; }
  void add_chunk() {
    chunks_.reserve(chunks_.size() + 1);  // so that nothing below leaks if it throws
    const std::size_t c = chunks_.size();
    void* p = on_heap(c) ? ::operator new(kChunkBytes, std::align_val_t(alignof(T))) : regions_.take(kChunkBytes);
    chunks_.push_back(static_cast<T*>(p));
  }

  std::vector<T*> chunks_;  // each has room for kChunk elements; elements never move
  PageRegions regions_;     // where the chunks after the first 2 MiB live
  std::size_t size_ = 0;
};

}  // namespace tcplab
