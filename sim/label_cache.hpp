#pragma once
// Labels a traced run would otherwise build and intern again for every event (issue 20, "a
// compact trace"): a connection's "10.0.0.1:39870>10.0.0.2:9502" and a segment id's "A>B"
// were a string built, hashed and compared against the intern table per event (~15 % of a
// traced bulk run). A small direct-mapped table remembers the last label of each slot: a hit
// returns it, a miss builds it as before. Labels are interned once per process (equal strings,
// equal ids; sim/trace_label.hpp), so a cached label is the very one a rebuilt string would
// give: nothing a trace records depends on hits or misses. Fixed size: a run of a million
// connections misses more, and holds no more memory.
#include <array>
#include <cstddef>

#include "sim/trace_label.hpp"

namespace tcplab {

template <typename Key, typename Hash, std::size_t N = 256>
class LabelCache {
  static_assert((N & (N - 1)) == 0, "N: a power of two");

 public:
  // The label of `key`; `make()` builds its string on a miss.
  template <typename Make>
  Label get(const Key& key, Make&& make) {
    Slot& s = slots_[Hash{}(key) & (N - 1)];
    if (!s.used || !(s.key == key)) [[unlikely]]
      fill(s, key, make);
    return s.label;
  }

 private:
  struct Slot {
    Key key{};
    Label label;
    bool used = false;
  };
  // Out of line: the string building stays out of the packet path's code.
  template <typename Make>
  [[gnu::noinline]] static void fill(Slot& s, const Key& key, Make& make) {
    s.key = key;
    s.label = Label(make());
    s.used = true;
  }
  std::array<Slot, N> slots_{};
};

}  // namespace tcplab
