#pragma once
// FlatMap<K, V, H>: a hash map with open addressing and linear probing in one vector, for the
// world's per-connection lookups that a std::map did with a heap node per entry and log2(n)
// pointer hops per lookup (about 20 at a million connections). Lookup and insertion only: it
// is never iterated, so its layout cannot reach a trace, and copying it (the world is a
// value) is one vector copy.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tcplab {

template <class K, class V, class H>
class FlatMap {
 public:
  // The value for `key`, or nullptr. Valid until the next insertion.
  V* find(const K& key) {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(key);; i = next(i)) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  // Inserts or replaces; returns the stored value (valid until the next insertion).
  V& insert_or_assign(const K& key, const V& value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // load factor at most 3/4
    for (std::size_t i = home(key);; i = next(i)) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{key, value, true};
        ++size_;
        return s.value;
      }
      if (s.key == key) {
        s.value = value;
        return s.value;
      }
    }
  }
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    K key{};
    V value{};
    bool used = false;
  };
  std::size_t home(const K& key) const { return H{}(key) & (slots_.size() - 1); }
  std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    size_ = 0;
    for (const Slot& s : old)
      if (s.used) insert_or_assign(s.key, s.value);
  }

  std::vector<Slot> slots_;  // a power of two in size
  std::size_t size_ = 0;
};

}  // namespace tcplab
