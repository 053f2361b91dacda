#pragma once
// Pieces the script parser (pkt/parse.cpp) shares with the packet-line parser
// (pkt/parse_packet.cpp). Not part of the pkt interface.
#include <cstdint>
#include <string>

#include "pkt/lexer.hpp"
#include "pkt/script.hpp"

namespace tcplab::pkt::detail {

// A plain decimal integer token (no sign, no fraction) at most `max`; `what` names it in
// messages: "TCP start sequence number out of range: 4294967296 (at most 4294967295)".
std::uint64_t read_uint(Lexer& lx, const std::string& what, std::uint64_t max);

// Consumes the punctuation `c` or fails: expected "c" <context>, found X.
Token expect_punct(Lexer& lx, char c, const std::string& context);

// "< S. 0:0(0) ack 1 win 65535 <...>" after its direction token.
PacketLine parse_packet(Lexer& lx, const Token& dir);

}  // namespace tcplab::pkt::detail

namespace tcplab::pkt::detail {

// "accept(3, ..., ...) = 4" after its name token (the caller saw the '(' follow it).
SyscallLine parse_syscall(Lexer& lx, const Token& name);

}  // namespace tcplab::pkt::detail
