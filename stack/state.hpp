#pragma once
// The eleven RFC 9293 connection states, their contract names and the names Linux tools print.
#include <cstdint>
#include <optional>
#include <string_view>

namespace tcplab {

enum class State : std::uint8_t {
  Closed, Listen, SynSent, SynReceived, Established, FinWait1, FinWait2,
  CloseWait, Closing, LastAck, TimeWait,
};
constexpr int kStateCount = 11;
static_assert(static_cast<int>(State::TimeWait) + 1 == kStateCount, "kStateCount counts State");

// "SYN_RECEIVED": the trace and API name (DESIGN.md, State names).
std::string_view state_name(State s);
// "SYN_RECV": what netstat/ss print on Linux.
std::string_view linux_state_name(State s);
// Parses either spelling ("SYN_RECEIVED", "SYN_RECV", "SYN-RECEIVED").
std::optional<State> parse_state(std::string_view text);

// errno-like results of socket calls and of a connection's end (what the app is told).
enum class Errno : std::uint8_t {
  // Named without the E so <cerrno>'s macros cannot collide; errno_name() gives "ECONNREFUSED".
  Ok, ConnRefused, ConnReset, TimedOut, AddrInUse, NotConn, Pipe, Inval,
  IsConn, Already, Again, ConnAborted, AddrNotAvail, NoBufs,
};
constexpr int kErrnoCount = 14;
static_assert(static_cast<int>(Errno::NoBufs) + 1 == kErrnoCount, "kErrnoCount counts Errno");
std::string_view errno_name(Errno e);
std::optional<Errno> parse_errno(std::string_view text);

// Reorder: RACK's reordering timer (RFC 8985 6.2 step 5, Linux ICSK_TIME_REO_TIMEOUT), trace
// name "REO". LossProbe: the tail loss probe timer (RFC 8985 7.2, the PTO), trace name "TLP";
// it stays last (Connection::on_timer fires it first).
enum class TimerKind : std::uint8_t { Rto, TimeWait, DelAck, Keepalive, Persist, FinWait2, Reorder, LossProbe };
constexpr int kTimerKinds = 8;
static_assert(static_cast<int>(TimerKind::LossProbe) + 1 == kTimerKinds, "kTimerKinds counts TimerKind");
std::string_view timer_name(TimerKind k);  // "RTO", "TIME_WAIT", "DELACK", ...

}  // namespace tcplab
