#pragma once
// Builds explanation strings without pulling a formatting library into the stack. Every
// state change builds one, traced or not, so this appends directly instead of going
// through an ostringstream (which cost a third of a short connection's instructions).
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "stack/seq.hpp"

namespace tcplab {

namespace text_detail {
inline void put(std::string& s, std::string_view v) { s.append(v); }
inline void put(std::string& s, const char* v) { s.append(v); }
inline void put(std::string& s, const std::string& v) { s.append(v); }
inline void put(std::string& s, char c) { s.push_back(c); }
inline void put(std::string& s, Seq32 v) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.raw());
  s.append(buf, end);
}
template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, bool>>>
void put(std::string& s, T v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, end);
}
}  // namespace text_detail

template <typename... Args>
std::string str(const Args&... args) {
  std::string s;
  s.reserve(96);
  (text_detail::put(s, args), ...);
  return s;
}

}  // namespace tcplab
