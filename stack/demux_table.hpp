#pragma once
// The connection demultiplexer's table: 64-bit keys (local port + remote address and port)
// to connection ids, with open addressing and linear probing. A lookup happens for every
// segment; std::unordered_map chased a heap node per lookup (9 % of a run of 10,000 short
// connections) and allocated one per connection. Never iterated, so nothing about its
// layout can reach a trace; copying it (the world is a value) is one vector copy.
#include <cstdint>
#include <vector>

namespace tcplab {

class DemuxTable {
 public:
  // The value for `key`, or nullptr.
  const std::uint32_t* find(std::uint64_t key) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  bool contains(std::uint64_t key) const { return find(key) != nullptr; }

  void set(std::uint64_t key, std::uint32_t value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // load factor at most 3/4
    for (std::size_t i = home(key);; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{key, value, true};
        ++size_;
        return;
      }
      if (s.key == key) {
        s.value = value;
        return;
      }
    }
  }

  // Removes `key` if it maps to `value` (an older incarnation's entry is left alone).
  // Backward-shift deletion: later entries of the probe run move up, so no tombstones.
  void erase_if(std::uint64_t key, std::uint32_t value) {
    if (slots_.empty()) return;
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask()) {
      if (!slots_[i].used) return;
      if (slots_[i].key == key) break;
    }
    if (slots_[i].value != value) return;
    for (std::size_t j = (i + 1) & mask();; j = (j + 1) & mask()) {
      if (!slots_[j].used) break;
      const std::size_t h = home(slots_[j].key);
      // slots_[j] may fill the hole at i unless its home lies in (i, j] (cyclically).
      if (((j - h) & mask()) >= ((j - i) & mask())) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].used = false;
    --size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = 0;
    bool used = false;
  };
  std::size_t mask() const { return slots_.size() - 1; }
  // Fibonacci hashing: the keys' low bits (the remote port) vary least in a SYN flood.
  std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    shift_ = 64;
    for (std::size_t n = slots_.size(); n > 1; n >>= 1) --shift_;
    size_ = 0;
    for (const Slot& s : old)
      if (s.used) set(s.key, s.value);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace tcplab
