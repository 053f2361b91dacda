#pragma once
// The world's event queue: a binary heap for near events and a FIFO lane for far ones.
//
// A run with many connections holds one far deadline per connection (TIME_WAIT's 2MSL,
// keep-alive): a million of them would sit in the heap that orders 10 us packet events and
// make every push and pop pay log2(10^6) levels. Far deadlines are almost always set in
// increasing order (now + a fixed duration, with now never going back), so they are kept in
// a FIFO instead: an event at least kFar ahead of now that does not sort before the lane's
// last one is appended there, O(1); any other event goes to the heap. The next event is the
// smaller of the heap's top and the lane's front under the one order E::operator> defines,
// so the sequence of events is exactly the one a single heap gives (no ties: E's order is
// total), and the queue stays a plain copyable value.
#include <cstddef>
#include <deque>
#include <functional>
#include <queue>
#include <vector>

#include "stack/time.hpp"

namespace tcplab {

template <class E>  // E has `Instant t` and a total order `bool operator>(const E&) const`
class EventQueue {
 public:
  static constexpr Duration kFar = 1'000'000'000;  // 1 s: further than any packet or RTO-scale event

  void push(const E& e, Instant now) {
    if (e.t - now >= kFar && (far_.empty() || !(far_.back() > e))) far_.push_back(e);
    else near_.push(e);
  }
  bool empty() const { return near_.empty() && far_.empty(); }
  std::size_t size() const { return near_.size() + far_.size(); }
  std::size_t near_size() const { return near_.size(); }
  std::size_t far_size() const { return far_.size(); }
  const E& top() const { return from_far() ? far_.front() : near_.top(); }
  void pop() {
    if (from_far()) far_.pop_front();
    else near_.pop();
  }

 private:
  bool from_far() const { return near_.empty() || (!far_.empty() && near_.top() > far_.front()); }

  std::priority_queue<E, std::vector<E>, std::greater<>> near_;
  std::deque<E> far_;  // sorted: each element is appended only if it does not sort before the last
};

}  // namespace tcplab
