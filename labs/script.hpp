#pragma once
// One line of an application script in a lab file, e.g. "connect server 9502",
// "send 7", "send \"hello\"", "recv 18", "recv all", "wait eof", "wait 2s", "close".
#include <optional>
#include <string>

#include "sim/app.hpp"

namespace tcplab {

// Parses one script line; on error returns nullopt and says what is wrong in *error.
std::optional<Step> parse_step(const std::string& line, std::string* error);
// The grammar, for error messages and the README.
const char* script_grammar();

}  // namespace tcplab
