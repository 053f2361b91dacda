// The netstat / ss / sar / lsof views of a world with sockets in many states.
#include <doctest/doctest.h>

#include "sim/views.hpp"
#include "tests/sim/sim_fixture.hpp"

using namespace tcplab;
using namespace tcplab::test;

namespace {

// client (A) talks to server (B) and to mute (C), whose path goes down at 100 ms.
const char* kStatesLab = R"(
title = "sockets in many states"
seed = 3
until = "5s"

[[host]]
name = "client"
ip = "10.0.0.1"

[[host]]
name = "server"
ip = "10.0.0.2"

[[host]]
name = "mute"
ip = "10.0.0.3"

[link]
delay = "1ms"

[[path]]
between = ["client", "mute"]
delay = "1ms"
down = [["100ms", "1000s"]]

# Port 80: reads nothing and never closes (CLOSE_WAIT once the peer closes).
[[app]]
host = "server"
script = ["listen 80", "serve"]
per_connection = ["wait eof", "exit"]

# Port 81: closes after the peer's FIN (the peer ends in TIME_WAIT).
[[app]]
host = "server"
script = ["listen 81", "serve"]
per_connection = ["wait eof", "close"]

# Port 82: listens but never accepts (the accept queue is netstat's Recv-Q).
[[app]]
host = "server"
script = ["listen 82"]

[[app]]
host = "mute"
script = ["listen 7", "accept", "wait 1000s"]

# ESTABLISHED; the server leaves the 5 bytes unread.
[[app]]
host = "client"
start = "10ms"
script = ["connect server 80 from 40001", "send \"hello\"", "wait 1000s"]

# The server's side ends in CLOSE_WAIT with 3 unread bytes; ours in FIN_WAIT2, orphaned.
[[app]]
host = "client"
start = "20ms"
script = ["connect server 80 from 40002", "send \"bye\"", "close"]

# TIME_WAIT here, CLOSED at the server.
[[app]]
host = "client"
start = "30ms"
script = ["connect server 81 from 40003", "close"]

# SYN_SENT to an address nobody has.
[[app]]
host = "client"
start = "40ms"
script = ["connect 10.0.0.99 80 from 40004"]

# 1000 bytes that are never acknowledged: Send-Q.
[[app]]
host = "client"
start = "50ms"
script = ["connect mute 7 from 40005", "wait 100ms", "send 1000", "wait 1000s"]

# Waits in the accept queue of port 82.
[[app]]
host = "client"
start = "60ms"
script = ["connect server 82 from 40006", "wait 1000s"]
)";

World states_world_at(Instant t) {
  World w = build_world(lab_text(kStatesLab));
  w.run_until(t);
  return w;
}

}  // namespace

TEST_CASE("netstat -nat lists every socket in its Linux state, with Recv-Q and Send-Q") {
  const World w = states_world_at(sec(1));
  const std::vector<std::string> want = {
      "== client (10.0.0.1) ==",
      "Active Internet connections (servers and established)",
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
      "tcp        0      0 10.0.0.1:40001          10.0.0.2:80             ESTABLISHED",
      "tcp        0      0 10.0.0.1:40002          10.0.0.2:80             FIN_WAIT2",
      "tcp        0      0 10.0.0.1:40003          10.0.0.2:81             TIME_WAIT",
      "tcp        0      1 10.0.0.1:40004          10.0.0.99:80            SYN_SENT",
      "tcp        0   1000 10.0.0.1:40005          10.0.0.3:7              ESTABLISHED",
      "tcp        0      0 10.0.0.1:40006          10.0.0.2:82             ESTABLISHED",
      "",
      "== server (10.0.0.2) ==",
      "Active Internet connections (servers and established)",
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
      "tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN",
      "tcp        0      0 0.0.0.0:81              0.0.0.0:*               LISTEN",
      "tcp        1      0 0.0.0.0:82              0.0.0.0:*               LISTEN",
      "tcp        5      0 10.0.0.2:80             10.0.0.1:40001          ESTABLISHED",
      "tcp        3      0 10.0.0.2:80             10.0.0.1:40002          CLOSE_WAIT",
      "tcp        0      0 10.0.0.2:82             10.0.0.1:40006          ESTABLISHED",
      "",
      "== mute (10.0.0.3) ==",
      "Active Internet connections (servers and established)",
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
      "tcp        0      0 0.0.0.0:7               0.0.0.0:*               LISTEN",
      "tcp        0      0 10.0.0.3:7              10.0.0.1:40005          ESTABLISHED",
  };
  const auto got = lines_of(netstat_nat(w));
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("line ", i + 1);
    CHECK(got[i] == want[i]);
  }
  // One host: its section without a heading, the same lines.
  const auto server = lines_of(netstat_nat(w, w.host_index("server")));
  CHECK(server == std::vector<std::string>(want.begin() + 11, want.begin() + 19));
}

TEST_CASE("netstat -nato: the Timer column, as net-tools prints it (issue 19)") {
  const World w = states_world_at(sec(1));
  const std::vector<std::string> want = {
      "Active Internet connections (servers and established)",
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       Timer",
      "tcp        0      0 10.0.0.1:40001          10.0.0.2:80             ESTABLISHED off (0.00/0/0)",
      // The orphaned FIN_WAIT2 is a timewait sock in Linux: "timewait", tcp_fin_timeout left.
      "tcp        0      0 10.0.0.1:40002          10.0.0.2:80             FIN_WAIT2   timewait (59.06/0/0)",
      "tcp        0      0 10.0.0.1:40003          10.0.0.2:81             TIME_WAIT   timewait (59.03/0/0)",
      "tcp        0      1 10.0.0.1:40004          10.0.0.99:80            SYN_SENT    on (0.04/0/0)",
      // Two RTO back-offs since the path went down: retransmits 2.
      "tcp        0   1000 10.0.0.1:40005          10.0.0.3:7              ESTABLISHED on (0.76/2/0)",
      "tcp        0      0 10.0.0.1:40006          10.0.0.2:82             ESTABLISHED off (0.00/0/0)",
  };
  CHECK(lines_of(netstat_nat(w, w.host_index("client"), true)) == want);
}

TEST_CASE("netstat -nato and ss -tanoe list a TIME_WAIT kept as a compact record without unpacking it") {
  const World w = states_world_at(sec(1));
  const TcpHost& st = w.stack(w.host_index("client"));
  ConnId tw = kNoConn;
  for (ConnId c = 0; c < st.conn_count(); ++c)
    if (st.state(c) == State::TimeWait) tw = c;
  REQUIRE(tw != kNoConn);
  REQUIRE(st.packed(tw));
  const std::string netstat = netstat_nat(w, w.host_index("client"), true);
  SsOptions o;
  o.all = o.timers = o.extended = o.info = true;
  const std::string ss = ss_sockets(w, o, w.host_index("client"));
  CHECK(st.packed(tw));
  CHECK(netstat.find("10.0.0.1:40003          10.0.0.2:81             TIME_WAIT   timewait (59.03/0/0)") != std::string::npos);
  CHECK(ss.find("TIME-WAIT  0      0           10.0.0.1:40003     10.0.0.2:81   timer:(timewait,59sec,0) ino:0 sk:186a2") !=
        std::string::npos);
  // The same listing once the record is unpacked (a copy of the world, looked at).
  World copy = w;
  CHECK(copy.stack(copy.host_index("client")).conn(tw).state() == State::TimeWait);
  CHECK_FALSE(copy.stack(copy.host_index("client")).packed(tw));
  CHECK(netstat_nat(copy, copy.host_index("client"), true) == netstat);
  CHECK(ss_sockets(copy, o, copy.host_index("client")) == ss);
}

TEST_CASE("ss -tanoe: ss's columns, timers and -e fields; the default filter hides LISTEN and TIME-WAIT (issue 19)") {
  const World w = states_world_at(sec(1));
  SsOptions o;
  o.all = o.timers = o.extended = true;
  const std::vector<std::string> want = {
      "State      Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess",
      "ESTAB      0      0           10.0.0.1:40001     10.0.0.2:80   ino:100000 sk:186a0 <->",
      "FIN-WAIT-2 0      0           10.0.0.1:40002     10.0.0.2:80   timer:(timewait,59sec,0) ino:0 sk:186a1",
      "TIME-WAIT  0      0           10.0.0.1:40003     10.0.0.2:81   timer:(timewait,59sec,0) ino:0 sk:186a2",
      "SYN-SENT   0      1           10.0.0.1:40004    10.0.0.99:80   timer:(on,040ms,0) ino:100003 sk:186a3 <->",
      "ESTAB      0      1000        10.0.0.1:40005     10.0.0.3:7    timer:(on,768ms,2) ino:100004 sk:186a4 <->",
      "ESTAB      0      0           10.0.0.1:40006     10.0.0.2:82   ino:100005 sk:186a5 <->",
  };
  CHECK(lines_of(ss_sockets(w, o, w.host_index("client"))) == want);
  // The server: a listener's Send-Q is its backlog, Recv-Q its accept queue; CLOSE-WAIT has
  // read shut ("-->" would be its mark); without -a no listener.
  SsOptions plain;
  plain.tcp_only = false;
  const std::vector<std::string> server = {
      "Netid State      Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
      "tcp   ESTAB      5      0           10.0.0.2:80       10.0.0.1:40001",
      "tcp   CLOSE-WAIT 3      0           10.0.0.2:80       10.0.0.1:40002",
      "tcp   ESTAB      0      0           10.0.0.2:82       10.0.0.1:40006",
  };
  CHECK(lines_of(ss_sockets(w, plain, w.host_index("server"))) == server);
  plain.all = plain.info = true;
  plain.tcp_only = true;
  const auto info = lines_of(ss_sockets(w, plain, w.host_index("server")));
  REQUIRE(info.size() >= 3);
  CHECK(info[1] == "LISTEN     0      128          0.0.0.0:80        0.0.0.0:*");
  CHECK(info[2] == "\t cubic cwnd:10");
  // -i on the connection that lost its path: the RTO backed off twice, cwnd 1 after it.
  o.info = true;
  const auto client = lines_of(ss_sockets(w, o, w.host_index("client")));
  REQUIRE(client.size() == 11);
  CHECK(client[8] == "\t ts sack cubic wscale:10,10 rto:808 backoff:2 rtt:2/1 mss:1448 rcvmss:536 advmss:1448 cwnd:1 "
                     "ssthresh:7 bytes_acked:1 send 5792000bps unacked:1 retrans:1/3 snd_wnd:65160");
  CHECK(client[6] == "\t cubic rto:1000 mss:536 rcvmss:536 advmss:1460 cwnd:10 unacked:1");
}

TEST_CASE("ss timer times as iproute2 prints them (measured with ss 6.1 on Linux 6.18)") {
  CHECK(ss_duration(ms(160)) == "160ms");
  CHECK(ss_duration(ms(64)) == "064ms");
  CHECK(ss_duration(ms(8)) == "008ms");
  CHECK(ss_duration(0) == "");
  CHECK(ss_duration(ms(1000)) == "1sec");
  CHECK(ss_duration(ms(1560)) == "1.560ms");
  CHECK(ss_duration(ms(6488)) == "6.488ms");
  CHECK(ss_duration(ms(48300)) == "48sec");
  CHECK(ss_duration(ms(73770)) == "1min13sec");
  CHECK(ss_duration(ms(6998770)) == "116min");
  CHECK(ss_timer(SocketTimer{SockTimer::Persist, ms(18980), 0, 7}) == "timer:(persist,18sec,7)");
  CHECK(netstat_timer(SocketTimer{SockTimer::Persist, ms(18989), 0, 7}) == "probe (18.98/0/7)");
  CHECK(netstat_timer(SocketTimer{SockTimer::Keepalive, ms(6998770), 0, 0}) == "keepalive (6998.77/0/0)");
}

TEST_CASE("netstat: a crashed host has no sockets and its heading says so") {
  World w = states_world_at(ms(500));
  w.crash_host(w.host_index("server"));
  const auto got = lines_of(netstat_nat(w));
  const auto at = std::find(got.begin(), got.end(), "== server (10.0.0.2, down) ==");
  REQUIRE(at != got.end());
  CHECK(*(at + 2) == "Proto Recv-Q Send-Q Local Address           Foreign Address         State");
  CHECK((at + 3)->empty());  // no rows, then the blank line before the next host
  CHECK(lsof_rows(w, 0, w.host_index("server")).empty());
}

TEST_CASE("socket_rows: orphans and file descriptors") {
  const World w = states_world_at(sec(1));
  const auto rows = socket_rows(w, w.host_index("client"));
  REQUIRE(rows.size() == 6);
  CHECK(rows[1].state == State::FinWait2);
  CHECK(rows[1].orphan);
  CHECK_FALSE(rows[1].has_fd);
  CHECK(rows[2].state == State::TimeWait);
  CHECK_FALSE(rows[2].has_fd);
  CHECK(rows[0].has_fd);
  CHECK(rows[4].send_q == 1000);
}

TEST_CASE("ss -s: the TCP line from sockstat, the transport table, no table per state") {
  const World w = states_world_at(sec(1));
  // Client: 40001, 40005, 40006 ESTABLISHED and 40004 SYN_SENT are in use; 40003 TIME_WAIT
  // and 40002, an orphaned FIN_WAIT2 (a timewait sock on Linux), are "tw".
  const SockStats c = sock_stats(w, w.host_index("client"));
  CHECK(c.tcp_inuse == 4);
  CHECK(c.tcp_alloc == 4);
  CHECK(c.total() == 4);
  CHECK(c.estab == 3);
  CHECK(c.orphaned == 0);
  CHECK(c.timewait == 2);
  // Real ss -s: "closed" is alloc - inuse + tw, so TIME_WAIT counts there too.
  CHECK(lines_of(ss_summary(w, w.host_index("client")))[1] == "TCP:   6 (estab 3, closed 2, orphaned 0, timewait 2)");
  const std::vector<std::string> want = {
      "Total: 6",
      "TCP:   6 (estab 3, closed 0, orphaned 0, timewait 0)",
      "",
      "Transport Total     IP        IPv6",
      "RAW\t  0         0         0",
      "UDP\t  0         0         0",
      "TCP\t  6         6         0",
      "INET\t  6         6         0",
      "FRAG\t  0         0         0",
  };
  CHECK(lines_of(ss_summary(w, w.host_index("server"))) == want);
}

TEST_CASE("netstat Send-Q: an unacknowledged SYN or FIN counts 1, as on Linux") {
  // a's path to c goes down at 100 ms: a's FINs after that are never acknowledged (FIN_WAIT1),
  // nor is c's FIN on port 8, sent after a's FIN got through (LAST_ACK).
  World w = build_world(lab_text(R"(
title = "unacknowledged FINs"
[[host]]
name = "a"
ip = "10.0.0.1"
[[host]]
name = "c"
ip = "10.0.0.3"
[link]
delay = "1ms"
[[path]]
between = ["a", "c"]
delay = "1ms"
down = [["100ms", "1000s"]]
[[app]]
host = "c"
script = ["listen 7", "serve"]
per_connection = ["wait 1000s"]
[[app]]
host = "c"
script = ["listen 8", "serve"]
per_connection = ["wait eof", "wait 150ms", "close"]
[[app]]
host = "a"
start = "10ms"
script = ["connect c 7 from 40001", "wait 200ms", "close"]
[[app]]
host = "a"
start = "10ms"
script = ["connect c 7 from 40002", "wait 200ms", "send 100", "close"]
[[app]]
host = "a"
start = "10ms"
script = ["connect c 8 from 40003", "wait 20ms", "close"]
[[app]]
host = "a"
start = "150ms"
script = ["connect c 9 from 40004"]
)"));
  w.run_until(sec(1));
  const std::vector<std::string> want = {
      "== a (10.0.0.1) ==",
      "Active Internet connections (servers and established)",
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
      "tcp        0      1 10.0.0.1:40001          10.0.0.3:7              FIN_WAIT1",
      "tcp        0    101 10.0.0.1:40002          10.0.0.3:7              FIN_WAIT1",
      "tcp        0      0 10.0.0.1:40003          10.0.0.3:8              FIN_WAIT2",
      "tcp        0      1 10.0.0.1:40004          10.0.0.3:9              SYN_SENT",
      "",
      "== c (10.0.0.3) ==",
      "Active Internet connections (servers and established)",
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
      "tcp        0      0 0.0.0.0:7               0.0.0.0:*               LISTEN",
      "tcp        0      0 0.0.0.0:8               0.0.0.0:*               LISTEN",
      "tcp        0      0 10.0.0.3:7              10.0.0.1:40001          ESTABLISHED",
      "tcp        0      0 10.0.0.3:7              10.0.0.1:40002          ESTABLISHED",
      "tcp        0      1 10.0.0.3:8              10.0.0.1:40003          LAST_ACK",
  };
  CHECK(lines_of(netstat_nat(w)) == want);
  // The orphaned FIN_WAIT1s are full sockets in use; the orphaned FIN_WAIT2 is a timewait sock.
  const SockStats a = sock_stats(w, 0);
  CHECK(a.tcp_inuse == 3);
  CHECK(a.orphaned == 2);
  CHECK(a.timewait == 1);
}

TEST_CASE("sockstat: a listener's SYN_RECV children are request socks, in no counter (sar does not show a SYN flood)") {
  // Linux 6.18: three SYNs never completed leave inuse and alloc where the listener had them.
  World w = build_world(lab_text(R"(
title = "half-open"
[[host]]
name = "server"
ip = "10.0.0.2"
[[host]]
name = "attacker"
ip = "10.0.0.66"
[link]
delay = "5ms"
[[app]]
host = "server"
script = ["listen 80", "wait 1000s"]
[[app]]
host = "attacker"
flood = { target = "server", port = 80, count = 3, every = "20ms" }
)"));
  w.run_until(sec(1));
  const auto rows = socket_rows(w, 0);
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].state == State::SynReceived);
  CHECK(rows[1].send_q == 0);
  const SockStats s = sock_stats(w, 0);
  CHECK(s.tcp_inuse == 1);
  CHECK(s.tcp_alloc == 1);
  CHECK(s.orphaned == 0);
  CHECK(s.timewait == 0);
}

TEST_CASE("lsof -i :PORT: the sockets processes hold, with fake PIDs and FDs") {
  const World w = states_world_at(sec(1));
  const std::vector<std::string> want = {
      "COMMAND  PID USER   FD  TYPE DEVICE SIZE/OFF NODE NAME",
      "server  1002 lab    3u  IPv4 200000      0t0  TCP *:80 (LISTEN)",
      "server  1002 lab    6u  IPv4 200003      0t0  TCP 10.0.0.2:80->10.0.0.1:40001 (ESTABLISHED)",
      "server  1002 lab    7u  IPv4 200004      0t0  TCP 10.0.0.2:80->10.0.0.1:40002 (CLOSE_WAIT)",
  };
  CHECK(lines_of(lsof_i(w, 80, w.host_index("server"))) == want);
  // Port 82: the listener only; its child waits in the accept queue, not yet a file.
  const auto rows82 = lsof_rows(w, 82, w.host_index("server"));
  REQUIRE(rows82.size() == 1);
  CHECK(rows82[0].name == "*:82 (LISTEN)");
  // On the client, port 80 matches the remote port; the orphaned FIN_WAIT2 has no fd.
  const auto c80 = lsof_rows(w, 80, w.host_index("client"));
  REQUIRE(c80.size() == 2);
  CHECK(c80[0].name == "10.0.0.1:40001->10.0.0.2:80 (ESTABLISHED)");
  CHECK(c80[0].fd == "3u");
  CHECK(c80[0].pid == 1001);
  CHECK(c80[1].name == "10.0.0.1:40004->10.0.0.99:80 (SYN_SENT)");
  CHECK(lsof_i(w, 4444, w.host_index("client")).empty());
}

TEST_CASE("sar -n SOCK: samples over time, the same stepping a world or seeking a timeline") {
  const Lab lab = lab_text(kStatesLab);
  const World start = build_world(lab);
  const auto samples = sar_samples(start, sec(2), ms(50));
  REQUIRE(samples.size() == 40);
  CHECK(samples[0].t == ms(50));
  CHECK(samples.back().t == sec(2));
  // At 50 ms the client has 40001 (ESTABLISHED), 40002 (FIN_WAIT1: the server ACKs its FIN
  // with the delayed-ACK timer, at 63 ms), 40004 and 40005 (SYN_SENT: its app starts at
  // exactly 50 ms) in use, and 40003 in TIME_WAIT as "tw".
  CHECK(samples[0].hosts[0].total() == 4);
  CHECK(samples[0].hosts[0].timewait == 1);
  CHECK(samples.back().hosts[0] == sock_stats(states_world_at(sec(2)), 0));
  CHECK(start.now() == 0);  // the start world is untouched

  Timeline tl(build_world(lab));
  tl.run(sec(2));
  const auto from_tl = sar_samples(tl, 0, sec(2), ms(50));
  REQUIRE(from_tl.size() == samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    INFO("sample ", i);
    CHECK(from_tl[i].t == samples[i].t);
    CHECK(from_tl[i].hosts == samples[i].hosts);
  }

  const auto text = lines_of(sar_sock(start, sec(3), sec(1), start.host_index("client")));
  const std::vector<std::string> want = {
      "00:00:00       totsck    tcpsck    udpsck    rawsck   ip-frag    tcp-tw",
      "00:00:01            4         4         0         0         0         2",
      "00:00:02            4         4         0         0         0         2",
      "00:00:03            4         4         0         0         0         2",
      "Average:            4         4         0         0         0         2",
  };
  CHECK(text == want);
  const auto ms_text = lines_of(sar_sock(start, ms(100), ms(50), 0));
  REQUIRE(ms_text.size() == 4);
  CHECK(ms_text[1].substr(0, 12) == "00:00:00.050");
}
