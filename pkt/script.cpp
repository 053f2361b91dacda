#include "pkt/script.hpp"

#include <fmt/format.h>

namespace tcplab::pkt {

PktError::PktError(const std::string& file, Where w, const std::string& msg)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", file, w.line, w.col, msg)), at(w) {}

}  // namespace tcplab::pkt
