#pragma once
// The world's event queue: a binary heap for near events; far ones (at least kFar ahead) in
// sorted FIFO lanes, chosen as in patience sorting, with a second heap for what fits no lane.
//
// A run with many connections queues far deadlines much faster than they come due: every
// connection has a retransmission timer ~1 s ahead (the world queues one entry per connection
// and re-queues it when it pops early, World::ConnTimer), and each TIME_WAIT queues its 2MSL.
// At 10^5 connections that is ~10^5 entries in the queue, against a few hundred packets and wake-ups due within
// the next milliseconds. In one heap, every pop of a near event paid log2 of all of them in
// cache misses. Here near events have a heap of their own, small and cache-resident, and far
// ones wait elsewhere until they are the smallest.
//
// Far deadlines are "now + a fixed duration" of their kind (RTO, 2MSL, keep-alive), so each
// kind arrives nearly in order: an event is appended to the lane whose last event is the
// latest one not after it (patience sorting's rule), which keeps every lane sorted. A handful
// of lanes holds the kinds; push is a binary search over the lanes' last events and an
// append, and a far pop takes the smallest front (a small heap of lanes). A far event that
// fits no lane when kMaxLanes are in use goes to the far heap.
//
// A lane is a chain of fixed blocks (kBlock events, 4 KB of the world's 32-byte events) taken
// from one pool that every lane shares: a lane that grows takes a block, one that drains gives
// its blocks back. A doubling ring per lane copied its events and touched fresh pages at every
// growth (3.6 % of a run of 10^5 connections), and each lane kept its own slack.
//
// The order is exactly a single heap's: every element sits in the near heap, a sorted lane or
// the far heap, and top() is the smallest of all of them under the one total order
// E::operator> defines (time, then rank, then insertion order: no ties), so no event moves. Where an event lands depends only on the queue's
// contents and `now`, and the queue is a plain copyable value.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <vector>

#include "stack/ring.hpp"
#include "stack/time.hpp"

namespace tcplab {

template <class E>  // E has `Instant t` and a total order `bool operator>(const E&) const`
class EventQueue {
 public:
  // Near: packets, wake-ups, and timers set less than kFar ahead (delayed ACKs and loss probes
  // on short paths). Far: retransmission timers (rto_min 200 ms and up), keep-alives, TIME_WAIT,
  // and a delayed ACK or probe set further ahead (the conns benchmark's 200 ms delayed ACK).
  static constexpr Duration kFar = 100'000'000;  // 100 ms
  // Lanes in use at most: a far pop costs log2 of it, a far push a binary search over it.
  // The benchmarks need a few; deadlines that vary per connection (an RTO from each one's
  // SRTT) overflow into the far heap instead of growing the lane set without bound.
  static constexpr std::size_t kMaxLanes = 32;

  void push(const E& e, Instant now) {
    ++size_;
    if (e.t - now < kFar) {
      near_.push(e);
      return;
    }
    // by_back_ is sorted by the lanes' last events: find the last lane whose back sorts before e.
    std::size_t lo = 0, hi = by_back_.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (e > back(lanes_[by_back_[mid]])) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) {  // lanes_[by_back_[lo - 1]] ends before e and the next one after it: order kept
      lane_push(lanes_[by_back_[lo - 1]], e);
      return;
    }
    if (by_back_.size() >= kMaxLanes) {
      far_.push(e);
      return;
    }
    // e sorts before every lane's back: a new lane, first in by_back_.
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<std::uint32_t>(lanes_.size());
      lanes_.emplace_back();
    }
    lane_push(lanes_[id], e);
    by_back_.insert(by_back_.begin(), id);
    fronts_.push_back(id);
    sift_up(fronts_.size() - 1);
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t near_size() const { return near_.size(); }
  std::size_t lanes() const { return by_back_.size(); }  // lanes holding events
  std::size_t far_heap_size() const { return far_.size(); }

  const E& top() const {
    switch (source()) {
      case Source::Near: return near_.top();
      case Source::Lane: return front(lanes_[fronts_[0]]);
      case Source::FarHeap: break;
    }
    return far_.top();
  }

  void pop() {
    --size_;
    switch (source()) {
      case Source::Near: return near_.pop();
      case Source::FarHeap: return far_.pop();
      case Source::Lane: break;
    }
    const std::uint32_t id = fronts_[0];
    Lane& lane = lanes_[id];
    lane_pop(lane);
    if (lane.blocks.empty()) {
      for (std::size_t i = 0; i < by_back_.size(); ++i)
        if (by_back_[i] == id) {
          by_back_.erase(by_back_.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      free_.push_back(id);
      fronts_[0] = fronts_.back();
      fronts_.pop_back();
    }
    if (!fronts_.empty()) sift_down(0);
  }

 private:
  static constexpr std::uint32_t kBlock = 128;  // events per block
  struct Block {
    E ev[kBlock];
  };
  // A sorted lane: its blocks in order; events from `head` in the first block to `tail` (one
  // past the last) in the last. No blocks: empty.
  struct Lane {
    Ring<std::uint32_t> blocks;
    std::uint32_t head = 0, tail = 0;
  };
  enum class Source { Near, Lane, FarHeap };

  const E& front(const Lane& l) const { return blocks_[l.blocks.front()].ev[l.head]; }
  const E& back(const Lane& l) const { return blocks_[l.blocks.back()].ev[l.tail - 1]; }
  void lane_push(Lane& l, const E& e) {
    if (l.blocks.empty() || l.tail == kBlock) {
      std::uint32_t b;
      if (!free_blocks_.empty()) {
        b = free_blocks_.back();
        free_blocks_.pop_back();
      } else {
        b = static_cast<std::uint32_t>(blocks_.size());
        blocks_.emplace_back();
      }
      if (l.blocks.empty()) l.head = 0;
      l.blocks.push_back(b);
      l.tail = 0;
    }
    blocks_[l.blocks.back()].ev[l.tail++] = e;
  }
  void lane_pop(Lane& l) {
    ++l.head;
    const bool last = l.blocks.size() == 1;
    if (l.head == kBlock || (last && l.head == l.tail)) {  // the first block is used up
      free_blocks_.push_back(l.blocks.front());
      l.blocks.pop_front();
      l.head = 0;
      if (last) {
        l.tail = 0;
        l.blocks.release();
      }
    }
  }

  // Which part holds the smallest event (the queue is not empty).
  Source source() const {
    const E* best = near_.empty() ? nullptr : &near_.top();
    Source s = Source::Near;
    if (!fronts_.empty() && (!best || *best > front(lanes_[fronts_[0]]))) {
      best = &front(lanes_[fronts_[0]]);
      s = Source::Lane;
    }
    if (!far_.empty() && (!best || *best > far_.top())) s = Source::FarHeap;
    return s;
  }
  bool front_after(std::uint32_t a, std::uint32_t b) const { return front(lanes_[a]) > front(lanes_[b]); }
  void sift_up(std::size_t i) {
    while (i > 0) {
      const std::size_t p = (i - 1) / 2;
      if (!front_after(fronts_[p], fronts_[i])) break;
      std::swap(fronts_[p], fronts_[i]);
      i = p;
    }
  }
  void sift_down(std::size_t i) {
    const std::size_t n = fronts_.size();
    for (;;) {
      std::size_t m = i;
      const std::size_t l = 2 * i + 1, r = l + 1;
      if (l < n && front_after(fronts_[m], fronts_[l])) m = l;
      if (r < n && front_after(fronts_[m], fronts_[r])) m = r;
      if (m == i) return;
      std::swap(fronts_[m], fronts_[i]);
      i = m;
    }
  }

  using Heap = std::priority_queue<E, std::vector<E>, std::greater<>>;
  Heap near_;                           // less than kFar ahead when pushed
  std::vector<Lane> lanes_;             // far events, each lane sorted front to back; empty ones in free_
  std::deque<Block> blocks_;            // the lanes' storage (a deque: blocks never move)
  std::vector<std::uint32_t> free_blocks_;  // blocks no lane holds, reused last freed first
  std::vector<std::uint32_t> by_back_;  // the non-empty lanes, sorted by their last event
  std::vector<std::uint32_t> fronts_;   // the non-empty lanes, a min-heap by their first event
  std::vector<std::uint32_t> free_;     // empty lanes to reuse
  Heap far_;                            // far events that fit no lane
  std::size_t size_ = 0;
};

}  // namespace tcplab
