#pragma once
// A small list for the world's per-event bookkeeping (which connections an event touched,
// which tasks to wake).
#include <cstddef>
#include <vector>

namespace tcplab {

// A list that keeps its first N elements inline. absorb() runs for every event, and its
// lists usually hold one connection: a heap allocation each time costs more than the rest.
template <typename T, std::size_t N>
class InlineList {
 public:
  void push_back(T v) {
    if (!spilled_ && n_ < N) {
      inline_[n_++] = v;
      return;
    }
    if (!spilled_) {
      heap_.assign(inline_, inline_ + n_);
      spilled_ = true;
    }
    heap_.push_back(v);
    n_ = heap_.size();
  }
  T* begin() { return spilled_ ? heap_.data() : inline_; }
  T* end() { return begin() + n_; }
  bool empty() const { return n_ == 0; }
  T& back() { return end()[-1]; }
  void erase_from(T* from) {
    n_ = static_cast<std::size_t>(from - begin());
    if (spilled_) heap_.resize(n_);
  }

 private:
  T inline_[N];
  std::vector<T> heap_;
  std::size_t n_ = 0;
  bool spilled_ = false;
};

}  // namespace tcplab
