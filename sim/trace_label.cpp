#include "sim/trace_label.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "sim/labels.hpp"

namespace tcplab {

namespace {

// The process's intern table: strings in chunks that never move (a Label's text is read
// without the lock: the chunk pointer is published with release before any id in it is
// handed out), and a map from text to id for interning (under the lock).
class InternTable {
  static constexpr std::size_t kChunkLog2 = 12;
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkLog2;
  static constexpr std::size_t kMaxChunks = std::size_t{1} << 14;  // 67 million strings

 public:
  InternTable() { add(""); }  // id 0

  std::uint32_t intern(std::string_view s) {
    if (s.empty()) return 0;
    const std::lock_guard<std::mutex> lock(mu_);
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
    return add(s);
  }
  const std::string& text(std::uint32_t id) const {
    return chunks_[id >> kChunkLog2].load(std::memory_order_acquire)[id & (kChunk - 1)];
  }
  std::size_t count() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::uint32_t add(std::string_view s) {
    const std::size_t id = count_;
    if ((id >> kChunkLog2) >= kMaxChunks) throw std::length_error("trace label table full");
    std::atomic<std::string*>& slot = chunks_[id >> kChunkLog2];
    if ((id & (kChunk - 1)) == 0) slot.store(new std::string[kChunk], std::memory_order_release);  // lives as long as the process
    std::string& text = slot.load(std::memory_order_relaxed)[id & (kChunk - 1)];
    text.assign(s);
    ids_.emplace(std::string_view(text), static_cast<std::uint32_t>(id));
    ++count_;
    return static_cast<std::uint32_t>(id);
  }

  mutable std::mutex mu_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;  // views into the chunks; looked up, never iterated
  std::array<std::atomic<std::string*>, kMaxChunks> chunks_{};
  std::size_t count_ = 0;
};

InternTable& table() {
  static InternTable* t = new InternTable();  // never destroyed: Labels in static objects may outlive main
  return *t;
}

// "123" -> 123 when it is how 123 prints (no sign, no leading zero) and below UINT32_MAX.
bool parse_canonical(std::string_view d, std::uint32_t& out) {
  if (d.empty() || d.size() > 10 || (d.size() > 1 && d[0] == '0')) return false;
  std::uint64_t v = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v >= UINT32_MAX) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace

std::uint32_t Label::intern(std::string_view s) { return table().intern(s); }
const std::string& Label::text_of(std::uint32_t id) { return table().text(id); }
std::size_t Label::interned_count() { return table().count(); }

const std::string& Text::empty_string() {
  static const std::string* e = new std::string();
  return *e;
}

SegId::SegId(std::string_view s) {
  const std::size_t hash = s.rfind('#');
  std::uint32_t n = 0;
  if (hash != std::string_view::npos && parse_canonical(s.substr(hash + 1), n)) {
    prefix_ = Label(s.substr(0, hash));
    n_ = n;
  } else {
    prefix_ = Label(s);
  }
}

void SegId::append_to(std::string& out) const {
  out += prefix_.str();
  if (n_ == kNoNumber) return;
  char digits[10];
  const char* end = put_decimal(digits, n_);
  out += '#';
  out.append(digits, static_cast<std::size_t>(end - digits));
}

std::string SegId::str() const {
  std::string s;
  s.reserve(prefix_.size() + 11);
  append_to(s);
  return s;
}

}  // namespace tcplab
