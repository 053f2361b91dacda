#pragma once
// The strings of a trace event, kept small (issue 20, "a compact trace"): a traced bulk run
// records millions of events, and seven std::string fields per event (32 bytes each, a heap
// block for a connection label) were most of its memory and page faults.
//
//   Label  a string interned once per process: 4 bytes. For the small sets that repeat on
//          every event: connection labels, segment kinds, drop places, app calls, the
//          "A>B" of a segment id.
//   Text   a string owned by one event: 8 bytes, no allocation when empty. For the free-form
//          strings that carry numbers (a state change's cause with ISS, a drop's reason, an
//          app result): they are on few events and would make the intern table grow with
//          every connection.
//   SegId  a segment's id "A>B#3": the Label "A>B" and the number 3, the string built
//          when read.
//
// All three read like a const std::string (find, substr, ==, <, +, fmt, <<), so the readers of
// TraceEvent did not change. The strings are built only when text or JSON is written.
//
// Why one intern table per process and not one per trace: a Label must compare and print
// without its trace at hand (rewind and determinism checks compare events of two traces
// field by field; forks copy events between traces). With one table, equal strings have
// equal ids in every trace, so == compares ids; ordering compares the strings, so no id (an
// accident of interning order) decides any output. The table only grows, and only with
// distinct strings of bounded sets: connection labels are bounded by the address and port
// space, the rest by the lab (host names, kinds, calls).
#include <compare>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace tcplab {

// The string operations the readers use, for a type D with `const std::string& str() const`
// (or returning std::string).
template <typename D>
class StringLike {
 public:
  friend bool operator==(const StringLike&, const StringLike&) = delete;  // no state: only the derived types compare
  bool empty() const { return self().str().empty(); }
  std::size_t size() const { return self().str().size(); }
  std::size_t length() const { return self().str().size(); }
  template <typename... A> std::size_t find(A&&... a) const { return self().str().find(std::forward<A>(a)...); }
  template <typename... A> std::size_t rfind(A&&... a) const { return self().str().rfind(std::forward<A>(a)...); }
  template <typename... A> std::size_t find_first_of(A&&... a) const { return self().str().find_first_of(std::forward<A>(a)...); }
  template <typename... A> std::size_t find_first_not_of(A&&... a) const { return self().str().find_first_not_of(std::forward<A>(a)...); }
  template <typename... A> std::size_t find_last_of(A&&... a) const { return self().str().find_last_of(std::forward<A>(a)...); }
  template <typename... A> int compare(A&&... a) const { return self().str().compare(std::forward<A>(a)...); }
  template <typename... A> std::string substr(A&&... a) const { return self().str().substr(std::forward<A>(a)...); }
  bool starts_with(std::string_view p) const { return std::string_view(self().str()).starts_with(p); }
  bool starts_with(char c) const { return std::string_view(self().str()).starts_with(c); }
  bool ends_with(std::string_view p) const { return std::string_view(self().str()).ends_with(p); }
  bool ends_with(char c) const { return std::string_view(self().str()).ends_with(c); }
  bool contains(std::string_view p) const { return std::string_view(self().str()).find(p) != std::string_view::npos; }
  char operator[](std::size_t i) const { return self().str()[i]; }
  char front() const { return self().str().front(); }
  char back() const { return self().str().back(); }

  friend bool operator==(const D& a, std::string_view b) { return std::string_view(a.str()) == b; }
  friend bool operator==(const D& a, const std::string& b) { return std::string_view(a.str()) == b; }
  friend bool operator==(const D& a, const char* b) { return std::string_view(a.str()) == b; }
  // compare() <=> 0, not string_view's own <=>: the browser build's libc++ (LLVM 14) has none.
  friend std::strong_ordering operator<=>(const D& a, std::string_view b) { return std::string_view(a.str()).compare(b) <=> 0; }
  friend std::strong_ordering operator<=>(const D& a, const std::string& b) { return std::string_view(a.str()).compare(b) <=> 0; }
  friend std::strong_ordering operator<=>(const D& a, const char* b) { return std::string_view(a.str()).compare(b) <=> 0; }
  friend std::string operator+(const D& a, std::string_view b) { return std::string(a.str()).append(b); }
  friend std::string operator+(const D& a, const std::string& b) { return std::string(a.str()).append(b); }
  friend std::string operator+(const D& a, const char* b) { return std::string(a.str()).append(b); }
  friend std::string operator+(const D& a, char b) { return std::string(a.str()) + b; }
  friend std::string operator+(std::string_view a, const D& b) { return std::string(a).append(b.str()); }
  friend std::string operator+(const std::string& a, const D& b) { return std::string(a).append(b.str()); }
  friend std::string operator+(std::string&& a, const D& b) { return std::move(a.append(b.str())); }
  friend std::string operator+(const char* a, const D& b) { return std::string(a).append(b.str()); }
  friend std::string operator+(char a, const D& b) { return std::string(1, a).append(b.str()); }
  friend std::ostream& operator<<(std::ostream& os, const D& a) { return os << a.str(); }

 private:
  const D& self() const { return static_cast<const D&>(*this); }
};

class Label : public StringLike<Label> {
 public:
  Label() = default;
  Label(std::string_view s) : id_(intern(s)) {}  // NOLINT(google-explicit-constructor): e.conn = "..."
  Label(const std::string& s) : Label(std::string_view(s)) {}  // NOLINT
  Label(const char* s) : Label(std::string_view(s)) {}  // NOLINT

  const std::string& str() const { return text_of(id_); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as the string it names
  std::string_view view() const { return str(); }
  const char* c_str() const { return str().c_str(); }
  std::uint32_t id() const { return id_; }  // 0 is ""; never written out

  friend bool operator==(const Label& a, const Label& b) { return a.id_ == b.id_; }  // one table: ids equal iff strings
  friend std::strong_ordering operator<=>(const Label& a, const Label& b) { return a.view().compare(b.view()) <=> 0; }

  // How many distinct strings the process has interned ("" included).
  static std::size_t interned_count();

 private:
  static std::uint32_t intern(std::string_view s);
  static const std::string& text_of(std::uint32_t id);
  std::uint32_t id_ = 0;
};

class Text : public StringLike<Text> {
 public:
  Text() = default;
  Text(std::string_view s) { assign(s); }  // NOLINT(google-explicit-constructor): e.cause = "..."
  Text(const std::string& s) { assign(s); }  // NOLINT
  Text(std::string&& s) { if (!s.empty()) p_ = std::make_unique<const std::string>(std::move(s)); }  // NOLINT
  Text(const char* s) { assign(s); }  // NOLINT
  Text(const Text& o) { if (o.p_) p_ = std::make_unique<const std::string>(*o.p_); }
  Text(Text&&) noexcept = default;
  Text& operator=(const Text& o) { if (this != &o) p_ = o.p_ ? std::make_unique<const std::string>(*o.p_) : nullptr; return *this; }
  Text& operator=(Text&&) noexcept = default;
  ~Text() = default;

  const std::string& str() const { return p_ ? *p_ : empty_string(); }
  operator const std::string&() const { return str(); }  // NOLINT
  std::string_view view() const { return str(); }
  const char* c_str() const { return str().c_str(); }

  friend bool operator==(const Text& a, const Text& b) { return a.view() == b.view(); }
  friend std::strong_ordering operator<=>(const Text& a, const Text& b) { return a.view().compare(b.view()) <=> 0; }

 private:
  static const std::string& empty_string();
  void assign(std::string_view s) { if (!s.empty()) p_ = std::make_unique<const std::string>(s); }
  std::unique_ptr<const std::string> p_;  // null: ""
};

class SegId : public StringLike<SegId> {
 public:
  SegId() = default;
  SegId(std::string_view s);  // NOLINT(google-explicit-constructor): splits "A>B#3"
  SegId(const std::string& s) : SegId(std::string_view(s)) {}  // NOLINT
  SegId(const char* s) : SegId(std::string_view(s)) {}  // NOLINT
  // From its parts, without the string: "A>B" (no '#' in it) and 3 are what "A>B#3" splits into.
  SegId(Label prefix, std::uint32_t n) : prefix_(prefix), n_(n) {}

  std::string str() const;
  operator std::string() const { return str(); }  // NOLINT
  void append_to(std::string& out) const;

  // The split is canonical (sim/trace_label.cpp): equal parts iff equal strings.
  friend bool operator==(const SegId& a, const SegId& b) { return a.prefix_ == b.prefix_ && a.n_ == b.n_; }
  friend std::strong_ordering operator<=>(const SegId& a, const SegId& b) { return a.str().compare(b.str()) <=> 0; }
  const char* c_str() const = delete;  // no stored string: str() (the pointer would dangle)

 private:
  static constexpr std::uint32_t kNoNumber = UINT32_MAX;
  Label prefix_;                  // "A>B" (or the whole id when it does not end in "#N")
  std::uint32_t n_ = kNoNumber;  // N
};

}  // namespace tcplab

template <>
struct fmt::formatter<tcplab::Label> : fmt::formatter<fmt::string_view> {
  auto format(const tcplab::Label& l, format_context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(l.str()), ctx);
  }
};
template <>
struct fmt::formatter<tcplab::Text> : fmt::formatter<fmt::string_view> {
  auto format(const tcplab::Text& l, format_context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(l.str()), ctx);
  }
};
template <>
struct fmt::formatter<tcplab::SegId> : fmt::formatter<fmt::string_view> {
  auto format(const tcplab::SegId& l, format_context& ctx) const {
    const std::string s = l.str();
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
  }
};
