#pragma once
// Builds explanation strings without pulling a formatting library into the stack.
#include <sstream>
#include <string>

#include "stack/seq.hpp"

namespace tcplab {

inline std::ostream& operator<<(std::ostream& os, Seq32 s) { return os << s.raw(); }

template <typename... Args>
std::string str(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

}  // namespace tcplab
