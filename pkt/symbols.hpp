#pragma once
// The constants a script names (SOL_SOCKET, O_NONBLOCK, POLLIN, ECONNREFUSED, ...), with
// their Linux x86-64 values: scripts are written against Linux's headers, and a result like
// `[ECONNREFUSED]` from getsockopt(SO_ERROR) is compared as the number Linux returns.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcplab::pkt {

std::optional<std::int64_t> symbol_value(std::string_view name);
// errno names <-> numbers ("ECONNREFUSED" <-> 111); nullopt / "errno N" for one outside the table.
std::optional<int> errno_value(std::string_view name);
std::string errno_symbol(int value);

}  // namespace tcplab::pkt
