#pragma once
// From a script's system-call line to the Call both targets execute, and back: whether a
// call's result is what the line expects.
#include <string>

#include "pkt/script.hpp"
#include "pkt/target.hpp"

namespace tcplab::pkt {

// Throws PktError (file:line:col) for a call the targets cannot make: an unknown socket
// option, a level that does not match it, fcntl other than F_GETFL/F_SETFL, poll on several fds.
Call decode_call(const SyscallLine& line, const std::string& file, Where at);

// "" when `got` is what `line` expects, else what differs ("returned 0, expected -1 EAGAIN").
std::string check_result(const SyscallLine& line, const Call& call, const CallResult& got);

// "= -1 EINPROGRESS", "= 4", "= 0 [ECONNREFUSED]": a result as a script would write it.
std::string result_text(const Call& call, const CallResult& r);

}  // namespace tcplab::pkt
