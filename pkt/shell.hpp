#pragma once
// The shell commands a script may run: sysctl assignments and a defaults file (pkt/script.hpp,
// ShellLine). We never run a shell; we read the few forms base-TCP scripts use and refuse
// the rest, so a script means the same thing in the simulator as on a kernel.
#include <string>

#include "pkt/script.hpp"

namespace tcplab::pkt {

// The inside of a `...` line written at `at` (the backquote's position, for messages).
ShellLine parse_shell_line(const std::string& command, Where at, const std::string& file);

}  // namespace tcplab::pkt
