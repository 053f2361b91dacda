#pragma once
// A small list for the world's per-event bookkeeping (which connections an event touched,
// which tasks to wake).
#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

namespace tcplab {

// A list that keeps its first N elements inline. absorb() runs for every event, and its
// lists usually hold one connection: a heap allocation each time costs more than the rest.
// The inline slots are left uninitialized until pushed: value-initializing eight TaskRefs
// (96 bytes) on every call was a fifth of absorb()'s own time in a bulk run.
template <typename T, std::size_t N>
class InlineList {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  InlineList() {}  // NOLINT(modernize-use-equals-default): = default would value-initialize the slots
  void push_back(T v) {
    if (!spilled_ && n_ < N) {
      std::construct_at(&slots_.v[n_++], v);
      return;
    }
    if (!spilled_) {
      heap_.assign(slots_.v, slots_.v + n_);
      spilled_ = true;
    }
    heap_.push_back(v);
    n_ = heap_.size();
  }
  T* begin() { return spilled_ ? heap_.data() : slots_.v; }
  T* end() { return begin() + n_; }
  bool empty() const { return n_ == 0; }
  T& back() { return end()[-1]; }
  void erase_from(T* from) {
    n_ = static_cast<std::size_t>(from - begin());
    if (spilled_) heap_.resize(n_);
  }

 private:
  union Slots {
    Slots() {}  // NOLINT(modernize-use-equals-default): leaves v uninitialized
    T v[N];
  } slots_;
  std::vector<T> heap_;
  std::size_t n_ = 0;
  bool spilled_ = false;
};

}  // namespace tcplab
