#include "stack/state.hpp"

#include <array>
#include <string>

namespace tcplab {

namespace {
// Sized by their initialisers (std::to_array), so a name added to or missing from a table
// fails the static_asserts below instead of leaving an empty name at the end.
constexpr auto kRfcNames = std::to_array<std::string_view>({
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"});
// Linux's tcp_state names as netstat prints them ("CLOSE" is what Linux calls CLOSED).
constexpr auto kLinuxNames = std::to_array<std::string_view>({
    "CLOSE", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
    "FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"});
constexpr auto kErrnoNames = std::to_array<std::string_view>({
    "OK", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EADDRINUSE", "ENOTCONN", "EPIPE",
    "EINVAL", "EISCONN", "EALREADY", "EAGAIN", "ECONNABORTED", "EADDRNOTAVAIL", "ENOBUFS"});
constexpr auto kTimerNames = std::to_array<std::string_view>({
    "RTO", "TIME_WAIT", "DELACK", "KEEPALIVE", "PERSIST", "FIN_WAIT_2", "REO", "TLP"});
static_assert(kRfcNames.size() == kStateCount, "one RFC name per State");
static_assert(kLinuxNames.size() == kStateCount, "one Linux name per State");
static_assert(kErrnoNames.size() == kErrnoCount, "one name per Errno");
static_assert(kTimerNames.size() == kTimerKinds, "one name per TimerKind");
}  // namespace

std::string_view state_name(State s) { return kRfcNames[static_cast<int>(s)]; }
std::string_view linux_state_name(State s) { return kLinuxNames[static_cast<int>(s)]; }

std::optional<State> parse_state(std::string_view text) {
  std::string t(text);
  for (auto& c : t) {
    if (c == '-') c = '_';
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (int i = 0; i < kStateCount; ++i) {
    if (t == kRfcNames[i] || t == kLinuxNames[i]) return static_cast<State>(i);
  }
  return std::nullopt;
}

std::string_view errno_name(Errno e) { return kErrnoNames[static_cast<int>(e)]; }

std::optional<Errno> parse_errno(std::string_view text) {
  for (std::size_t i = 0; i < kErrnoNames.size(); ++i)
    if (text == kErrnoNames[i]) return static_cast<Errno>(i);
  return std::nullopt;
}

std::string_view timer_name(TimerKind k) { return kTimerNames[static_cast<int>(k)]; }

}  // namespace tcplab
