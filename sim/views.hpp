#pragma once
// What the usual socket tools would print about a World at its current virtual time:
//
//   netstat -nat          netstat_nat()   every socket, Linux state names, Recv-Q / Send-Q
//   ss -s                 ss_summary()    the totals and a count per state
//   sar -n SOCK           sar_sock()      socket counters sampled every interval over time
//   lsof -n -P -i :PORT   lsof_i()        the sockets a process holds, with fake PIDs and FDs
//
// Each takes `host`: one host's index (what that machine's tool prints), or -1 for every
// host, one after the other, each under a heading line "== NAME (IP) ==" (", down" is added
// while a host is crashed). Output is plain text, one line per row, no trailing spaces.
//
// What the numbers mean here (the simulator's model of the kernel's bookkeeping):
//  * Recv-Q: bytes received in order that the application has not read. For a listener:
//    its accept queue (connections ESTABLISHED, not yet accept()ed), as Linux reports.
//  * Send-Q: bytes in the send buffer, sent-unacknowledged plus not yet sent, plus 1 while
//    our SYN or FIN is unacknowledged (SYN_SENT, FIN_WAIT1, CLOSING, LAST_ACK): Linux prints
//    write_seq - snd_una, and the SYN and the FIN each take a sequence number. A listener: 0
//    (netstat; `ss -l` would show the backlog there); a listener's child in SYN_RECV: 0 (a
//    request sock, which /proc/net/tcp prints with empty queues).
//  * Listeners print as 0.0.0.0:PORT / 0.0.0.0:* (they accept on any local address); the
//    CLI and the visualizer both take the columns from netstat_local / netstat_remote.
//  * CLOSED sockets are not listed (their TCB is gone from the kernel's tables), nor is a
//    listener's child that a RST sent back to LISTEN.
//  * Order: listeners by port, then connections in the order the host created them.
//  * The counters are /proc/net/sockstat's "TCP: inuse N orphan N tw N alloc N", which ss -s
//    and sar -n SOCK read (measured on Linux 6.18, see sock_stats in views.cpp):
//      inuse  listeners and full sockets in the hash tables: not CLOSED, not TIME_WAIT, not
//             a listener's SYN_RECV child (a request sock: a SYN flood does not raise it),
//             not an orphaned FIN_WAIT2 (Linux turns it into a timewait sock);
//      alloc  full sockets: inuse + CLOSED ones the application still holds (a failed
//             connect, a reset connection); a listener's child that reached CLOSED counts
//             as freed, since we cannot tell whether it was accepted;
//      tw     TIME_WAIT + orphaned FIN_WAIT2;
//      orphan sockets the application closed that are still full sockets.
//    ss -s prints "Total: sockets" (here alloc: no other protocols), "TCP: alloc+tw (estab
//    CurrEstab, closed alloc-inuse+tw, orphaned orphan, timewait tw)" (so TIME_WAIT counts
//    under closed as well), then the transport table from inuse, and nothing more. sar -n
//    SOCK: totsck = sockets, tcpsck = inuse, tcp-tw = tw. "estab" (SNMP CurrEstab) counts
//    ESTABLISHED and CLOSE_WAIT. There is no UDP, raw IP or fragmentation: those are 0.
//  * lsof lists only sockets a process holds: listeners and connections the application
//    opened or accept()ed and has not closed. A child still in the listener's queues, an
//    orphan and a TIME_WAIT socket have no file descriptor, so lsof does not show them
//    (netstat does). Every host runs its applications in one process:
//      COMMAND = the host's name (cut to 9 characters, as lsof does), PID = 1001 + host index,
//      USER = "lab", FD = 3 + the socket's number on its host (sockets are numbered in the
//      order the host created them and never reused; 0-2 are stdin/stdout/stderr) with
//      mode "u", TYPE = IPv4, DEVICE = (host index + 1) * 100000 + the socket's number,
//      SIZE/OFF = 0t0, NODE = TCP, NAME = "*:PORT (LISTEN)" or "LOCAL->REMOTE (STATE)".
//    A port of 0 lists every socket (lsof -i).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/world.hpp"

namespace tcplab {

class Timeline;

// One socket as netstat sees it.
struct SocketRow {
  int host = -1;
  ConnId conn = kNoConn;  // the socket's number on its host
  bool listener = false;
  State state = State::Closed;
  Endpoint local, remote;       // as the stack has them (a listener's remote is 0.0.0.0:0)
  std::uint32_t recv_q = 0, send_q = 0;
  bool orphan = false;          // the application closed it
  bool passive = false;         // a listener's child
  bool has_fd = false;          // a process holds it (it shows in lsof)
};

// The sockets netstat -nat lists, in its order. host: an index or -1 for all.
std::vector<SocketRow> socket_rows(const World& w, int host = -1);
// netstat's Local Address and Foreign Address columns of a row.
std::string netstat_local(const SocketRow& r);
std::string netstat_remote(const SocketRow& r);
// netstat's Send-Q of a connection (see the header comment).
std::uint32_t netstat_send_q(const Connection& k);

// The counters of ss -s and sar -n SOCK for one host (/proc/net/sockstat's TCP line).
struct SockStats {
  std::uint64_t tcp_inuse = 0;  // "inuse": sar tcpsck, ss's transport TCP row
  std::uint64_t tcp_alloc = 0;  // "alloc": inuse + CLOSED sockets the application holds
  std::uint64_t estab = 0;      // SNMP CurrEstab: ESTABLISHED + CLOSE_WAIT
  std::uint64_t orphaned = 0;   // "orphan"
  std::uint64_t timewait = 0;   // "tw": sar tcp-tw
  std::uint64_t total() const { return tcp_alloc; }  // ss "Total", sar totsck ("sockets: used")
  std::uint64_t ss_tcp() const { return tcp_alloc + timewait; }                 // ss "TCP:"
  std::uint64_t ss_closed() const { return tcp_alloc - tcp_inuse + timewait; }  // ss "closed"
  friend bool operator==(const SockStats&, const SockStats&) = default;
};
SockStats sock_stats(const World& w, int host);

// The one timer Linux shows per socket (/proc/net/tcp's timer_active, inet_diag's idiag_timer):
// "on" (retransmission or loss probe), "keepalive", "timewait" (TIME_WAIT, and an orphaned
// FIN_WAIT2, a timewait sock in Linux) or "persist" (netstat: "probe"), with the time left and
// its counts: retransmits (SYN/SYN,ACK resends, or RTO back-offs) and probes unanswered. The
// delayed-ACK timer is never shown (Linux does not either).
enum class SockTimer : std::uint8_t { Off, On, Keepalive, TimeWait, Persist };
struct SocketTimer {
  SockTimer kind = SockTimer::Off;
  Duration left = 0;
  int retransmits = 0, probes = 0;
};
SocketTimer socket_timer(const World& w, const SocketRow& r);
// netstat -o's Timer column: "on (1.55/3/0)" (seconds in hundredths, retransmits, probes).
std::string netstat_timer(const SocketTimer& t);
// ss -o: "timer:(on,1.560ms,3)"; "" when off. The count is retransmits for "on", probes
// for keepalive and persist, 0 for timewait.
std::string ss_timer(const SocketTimer& t);
// ss's time format: 160ms, 1.560ms (1.56 s), 48sec, 1min13sec, 116min.
std::string ss_duration(Duration d);

// netstat -nat (with timers: netstat -nato, the Timer column).
std::string netstat_nat(const World& w, int host = -1, bool timers = false);
// The tables alone, for sockets that come from elsewhere (an imported capture, import/sockets.hpp):
// netstat -nat of `rows` (timers: the Timer column's text per row), ss -s of one host's
// counters, sar -n SOCK of host index h in `samples`, lsof -i of `rows`.
// `address`, when given, writes a row's local (true) or foreign address instead of
// netstat_local/netstat_remote (a capture's IPv6 addresses); a row whose address has more than
// one colon is an IPv6 socket, "tcp6" as net-tools prints it.
using RowAddress = std::function<std::string(const SocketRow&, bool local)>;
std::string netstat_table(const std::vector<SocketRow>& rows, const std::vector<std::string>* timers = nullptr,
                          const RowAddress& address = {});
std::string ss_summary_text(const SockStats& s);

// ss -t [-a] [-i] [-o] [-e] [-n] (iproute2 6.1's layout, measured on Linux 6.18: see
// tests/cli/ss_reference.txt). Without `all` listeners and TIME-WAIT sockets are left out
// (and SYN-RECV children), as ss does. `tcp_only` false adds the Netid column.
struct SsOptions {
  bool tcp_only = true, all = false, info = false, timers = false, extended = false;
};
std::string ss_sockets(const World& w, const SsOptions& o, int host = -1);
// ss -s.
std::string ss_summary(const World& w, int host = -1);

// sar -n SOCK: one sample per host every `interval` after the start, up to `to`.
struct SarSample {
  Instant t = 0;
  std::vector<SockStats> hosts;  // by host index
};
// Steps a copy of `start` (a world at any time, usually not run yet; its sink is not used).
std::vector<SarSample> sar_samples(const World& start, Instant to, Duration interval);
// The same samples read from a recorded run (seeking its checkpoints), from time `from`.
std::vector<SarSample> sar_samples(const Timeline& tl, Instant from, Instant to, Duration interval);
// Formats samples taken from `from` on (the header line carries that time); `names_from`
// gives the hosts' names and addresses. Rows use HH:MM:SS when every time is whole seconds,
// else HH:MM:SS.mmm (or .uuuuuu); "Average:" rounds to the nearest integer.
std::string sar_sock(const World& names_from, const std::vector<SarSample>& samples, Instant from, int host = -1);
std::string sar_table(const std::vector<SarSample>& samples, Instant from, int h);
// Convenience: sar_samples(start, to, interval) formatted.
std::string sar_sock(const World& start, Instant to, Duration interval, int host = -1);

// lsof -n -P -i :PORT.
struct LsofRow {
  std::string command;
  std::uint32_t pid = 0;
  std::string user, fd, type;
  std::uint64_t device = 0;
  std::string size_off, node, name;
  int host = -1;
};
std::vector<LsofRow> lsof_rows(const World& w, std::uint16_t port, int host = -1);
// One socket's lsof line (`lsof -i` columns), for a lab's world and for a capture alike.
LsofRow lsof_row(int host, const std::string& host_name, const SocketRow& s, std::string user, std::string type);
std::string lsof_i(const World& w, std::uint16_t port, int host = -1);
std::string lsof_table(const std::vector<LsofRow>& rows);

// The fake process identity of a host's applications (see the header comment).
std::uint32_t fake_pid(int host);
std::uint32_t fake_fd(ConnId c);

// "== client (10.0.0.1) ==" (", down" added while the host is crashed).
std::string host_heading(const World& w, int host);

}  // namespace tcplab
