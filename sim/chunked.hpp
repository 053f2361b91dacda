#pragma once
// A growing sequence kept in fixed-size chunks: what the trace sink records into. A
// std::vector of 448-byte trace events regrew by copying and faulting in a new block twice
// as large (40 % of a traced bulk run, a third of its memory); chunks never move once
// written. Indexing is a shift and a mask; iterators are random access (seek uses
// std::upper_bound on it). Copyable, so a trace is still a value.
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace tcplab {

template <typename T, std::size_t kChunkLog2 = 10>
class Chunked {
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkLog2;

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
    if (size_ == chunks_.size() * kChunk) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);
    }
    ++size_;
    return chunks_.back().emplace_back(std::forward<A>(a)...);
  }
  // Room for n elements' chunk pointers (the elements themselves are allocated a chunk at a time).
  void reserve(std::size_t n) { chunks_.reserve((n + kChunk - 1) >> kChunkLog2); }
  void clear() {
    chunks_.clear();
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

 private:
  std::vector<std::vector<T>> chunks_;  // each reserved to kChunk, so elements never move
  std::size_t size_ = 0;
};

}  // namespace tcplab
