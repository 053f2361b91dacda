#pragma once
// SlotPool<T>: values in numbered slots that are given back and reused, each slot with a
// generation. The world keeps its tasks here: a run with 10^6 connections starts two tasks per
// connection and only a few hundred live at once, so ended ones give their slot to the next.
// A handle is (slot, generation): whatever still names an ended value (a queued wake-up, a
// connection's blocked task) carries the generation it was made with, and live() refuses it
// once the slot has been given back, even after a new value took the slot.
//
// Slots live in chunks that never move (stack/chunked.hpp): a T& stays valid while more
// values are added, and indexing is a shift and a mask (std::deque's divides; its indexing was
// ~1 % of a bulk run). Free slots are reused last given back first, so the numbering depends
// only on the sequence of calls (no addresses). A plain copyable value, like the world that holds it.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "stack/chunked.hpp"

namespace tcplab {

template <class T>
class SlotPool {
 public:
  // Puts v in a free slot (or a new one) and returns the slot's number.
  int add(T v) {
    int id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<int>(slots_.size());
      slots_.emplace_back();
    }
    Slot& s = slots_[static_cast<std::size_t>(id)];
    s.value = std::move(v);
    s.used = true;
    return id;
  }
  // Ends slot id's value (it is reset, freeing what it holds) and makes the slot free; every
  // handle made before now is refused from here on.
  void release(int id) {
    Slot& s = slots_[static_cast<std::size_t>(id)];
    if (!s.used) return;
    s.value = T{};
    s.used = false;
    ++s.gen;
    free_.push_back(id);
  }
  // The slot holds a value, and the same one as when `gen` was read (gen(id) then).
  bool live(int id, std::uint32_t gen) const {
    return id >= 0 && static_cast<std::size_t>(id) < slots_.size() && slots_[static_cast<std::size_t>(id)].used &&
           slots_[static_cast<std::size_t>(id)].gen == gen;
  }
  bool used(int id) const { return id >= 0 && static_cast<std::size_t>(id) < slots_.size() && slots_[static_cast<std::size_t>(id)].used; }
  std::uint32_t gen(int id) const { return slots_[static_cast<std::size_t>(id)].gen; }
  T& operator[](int id) { return slots_[static_cast<std::size_t>(id)].value; }
  const T& operator[](int id) const { return slots_[static_cast<std::size_t>(id)].value; }
  // Slots ever made (used or free): ids run from 0 to slots() - 1.
  std::size_t slots() const { return slots_.size(); }
  std::size_t live_count() const { return slots_.size() - free_.size(); }

 private:
  struct Slot {
    T value{};
    std::uint32_t gen = 0;
    bool used = false;
  };
  Chunked<Slot, 6> slots_;
  std::vector<int> free_;  // given back, reused from the back
};

}  // namespace tcplab
