#pragma once
// A packetdrill-format script as plain data (issue 15). The language is packetdrill's
// (google/packetdrill: parser.y, lexer.l, its README); the parser is ours (pkt/parse.cpp)
// and takes the part base-TCP scripts use. Anything outside that subset is refused by
// the parser with its line and the feature named, never skipped.
//
//   0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
//   +0    bind(3, ..., ...) = 0
//   +0    listen(3, 1) = 0
//   +0    < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
//   +0    > S. 0:0(0) ack 1 <...>
//   +.1   < . 1:1(0) ack 1 win 257
//   +0    accept(3, ..., ...) = 4
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stack/time.hpp"

namespace tcplab::pkt {

// Where something is in the script: 1-based line and column.
struct Where {
  int line = 0, col = 0;
};

// A malformed or unsupported script: what() is "file:line:col: what is wrong" (exit 2).
class PktError : public std::runtime_error {
 public:
  PktError(const std::string& file, Where at, const std::string& msg);
  Where at;
};

// When an event happens. "0.1" is absolute (since the script started), "+0.1" is relative to
// the previous event's actual time, "*" is any time; "a~b" is a range (both ends of the same
// kind, lo <= hi). Without a range lo == hi.
struct TimeSpec {
  enum class Kind : std::uint8_t { Absolute, Relative, Any };
  Kind kind = Kind::Relative;
  Duration lo_ns = 0, hi_ns = 0;
};

// ---------------------------------------------------------------- packets

// One TCP option as a script writes it.
struct PktOption {
  enum class Kind : std::uint8_t { Nop, Eol, Mss, Wscale, SackOk, Ts, Sack };
  Kind kind = Kind::Nop;
  std::uint32_t a = 0, b = 0;  // mss: a; wscale: a; TS: a = val, b = ecr
  std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;  // sack A:B C:D (script numbers)
};

// "< S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>"
struct PacketLine {
  enum class Dir : std::uint8_t { In, Out };  // '<' the script injects it; '>' the stack must send it
  Dir dir = Dir::In;
  std::uint8_t flags = 0;         // stack/segment.hpp Flag bits; '.' is kAck; E = 0x40, W = 0x80
  std::uint32_t seq = 0;          // start:end(len) as written (relative numbers, see pkt/peer)
  std::uint32_t end = 0;
  std::uint32_t len = 0;          // end - seq (the parser checks they agree)
  std::optional<std::uint32_t> ack;  // present iff written ("ack N"); then flags has kAck
  std::optional<std::uint32_t> win;  // absent: inbound uses a default, outbound is not checked
  // Absent (no "<...>" list): inbound sends no options, outbound must carry none.
  // options_any ("<...>"): outbound options are not checked (inbound: error at parse time).
  std::optional<std::vector<PktOption>> options;
  bool options_any = false;
};

// ---------------------------------------------------------------- system calls

// A call's argument or expected result, as written.
struct Expr {
  enum class Kind : std::uint8_t {
    Ellipsis,  // ...            (any / the obvious default: an address, a length)
    Int,       // 3, -1, 0x10    num
    Symbol,    // SOL_SOCKET     text
    String,    // "abc"          text (unescaped)
    List,      // [1], [{...}]   items
    Struct,    // {l_onoff=1, l_linger=0}: items, each with field = its name
    Or,        // O_RDWR|O_NONBLOCK: items are the operands
    Call,      // htons(8080):   text = function name, items = arguments
  };
  Kind kind = Kind::Int;
  std::int64_t num = 0;
  std::string text;
  std::string field;  // for a Struct's items: "l_onoff"
  std::vector<Expr> items;
  Where at;
};

// "accept(3, ..., ...) = 4" or "connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)"
struct SyscallLine {
  std::string name;               // socket bind listen accept connect read write send recv close
                                  // shutdown setsockopt getsockopt fcntl poll (others: parse error)
  std::vector<Expr> args;
  std::int64_t ret = 0;           // the expected return value
  std::string err;                // "EINPROGRESS" when written, else empty
  std::optional<TimeSpec> end;    // "0.1...0.3 accept(...)": the call blocks until end (the
                                  // event's time is when it starts)
};

// "`sysctl -q net.ipv4.tcp_sack=0`": a shell command in backticks. Only sysctl assignments
// (several joined by ';' or '&&'; "sysctl -q -w name=value", "sysctl -w name='a b c'") and
// a path to a defaults file (a shell script of such sysctl lines, e.g. "../common/defaults.sh",
// read by the runner relative to the script) are accepted; anything else is a parse error.
// A shell line written without a time happens at "+0".
struct SysctlLine {
  std::string name;   // "net.ipv4.tcp_sack"
  std::string value;  // "0", or "4096 87380 6291456"
};
struct ShellLine {
  std::string command;              // as written, for messages
  std::vector<SysctlLine> sysctls;  // the assignments, in order
  std::string defaults_file;        // or: the path of a defaults file (then sysctls is empty)
};

struct Event {
  Where at;
  TimeSpec time;
  std::variant<PacketLine, SyscallLine, ShellLine> body;
};

// A "--tolerance_usecs=10000" line before the first event (packetdrill's command-line
// options, given in the script).
struct ScriptOption {
  Where at;
  std::string name;   // "tolerance_usecs" (without the dashes)
  std::string value;  // "10000"
};

struct Script {
  std::string file;
  std::vector<ScriptOption> options;
  std::vector<Event> events;
};

// Parses a whole script. Throws PktError for anything malformed or outside the subset.
Script parse_script(std::string_view text, const std::string& file);
// The sysctl assignments of a defaults file's text ("sysctl -q name=value" lines; comments,
// blank lines and "set -e" ignored); throws PktError naming the line of anything else.
std::vector<SysctlLine> parse_defaults_file(std::string_view text, const std::string& file);

}  // namespace tcplab::pkt
