#pragma once
// Captured segments made by hand for the capture -> lab tests: the client 10.0.0.1:48001 is A,
// the server 10.0.0.2:80 is B (`tcplab import` numbers each direction's segments so).
#include <string>

#include "sim/trace.hpp"

namespace labtest {

constexpr std::uint32_t kClientIsn = 1000, kServerIsn = 5000;

inline tcplab::TraceEvent captured(bool from_client, int ordinal, tcplab::Instant t_us, std::uint8_t flags,
                                   std::uint32_t seq, std::uint32_t ack = 0, std::uint32_t len = 0) {
  tcplab::TraceEvent e;
  e.type = tcplab::TraceType::Send;
  e.t_ns = t_us * 1000;
  e.conn = from_client ? "10.0.0.1:48001>10.0.0.2:80" : "10.0.0.2:80>10.0.0.1:48001";
  e.id = std::string(from_client ? "A>B#" : "B>A#") + std::to_string(ordinal);
  e.seg.flags = flags;
  e.seg.seq = tcplab::Seq32{seq};
  e.seg.ack = tcplab::Seq32{ack};
  e.seg.wnd = from_client ? 65535 : 64240;
  e.len = len;
  return e;
}

}  // namespace labtest
