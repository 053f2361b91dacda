// The runner against tcplab's stack: packetdrill's relative numbers, offloaded bursts,
// blocking calls, tolerance, and what a mismatch says.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pkt/runner.hpp"
#include "pkt/script.hpp"
#include "pkt/target.hpp"

using namespace tcplab;
using namespace tcplab::pkt;

namespace {

RunResult run_text(const std::string& text, std::vector<std::string>* seen = nullptr) {
  const Script s = parse_script(text, "t.pkt");
  auto target = make_tcplab_target(TcpConfig::for_profile(Profile::Linux));
  RunOptions opt;
  if (seen) opt.on_line = [seen](const std::string& l) { seen->push_back(l); };
  return run_script(s, *target, opt);
}

const std::string kPassiveOpen = R"(
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>
+0  > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 10>
+.01 < . 1:1(0) ack 1 win 1024
+0  accept(3, ..., ...) = 4
)";

// A non-blocking connect that the peer refuses with RST,ACK 50 ms later.
const std::string kRefusedConnect = R"(
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0  > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 10>
+.05 < R. 0:0(0) ack 1 win 0
)";

}  // namespace

TEST_CASE("a passive open, 100 bytes in, a 2920-byte write matched as one offloaded burst") {
  std::vector<std::string> seen;
  const RunResult r = run_text(kPassiveOpen + R"(
+0  < P. 1:101(100) ack 1 win 1024
+0  > . 1:1(0) ack 101
+0  read(4, ..., 1000) = 100
+0  write(4, ..., 2920) = 2920
+0  > P. 1:2921(2920) ack 101
)", &seen);
  INFO(r.failure);
  CHECK(r.passed);
  CHECK(r.events_checked == 13);
  REQUIRE(seen.size() == 13);
  CHECK(seen[5].find("t.pkt:7") != std::string::npos);
  CHECK(seen[6].rfind("0.010000", 0) == 0);  // "+.01" from the SYN-ACK's actual time  // "+.01" from the SYN-ACK's actual time
}

TEST_CASE("a wrong ack on a '>' line: the line, what differs, and the segment as sent") {
  const RunResult r = run_text(kPassiveOpen + R"(
+0  < P. 1:101(100) ack 1 win 1024
+0  > . 1:1(0) ack 100
)");
  CHECK_FALSE(r.passed);
  CHECK(r.failed_line == 12);
  CHECK(r.failure.find("t.pkt:12: at 0.010000: ack 101, the script expects ack 100") != std::string::npos);
  CHECK(r.failure.find("sent:     > . 1:1(0) ack 101") != std::string::npos);
}

TEST_CASE("a segment the script does not expect fails the next line that lets time pass") {
  // The peer's data is ACKed at once (quick-ack), but the script waits 100 ms for nothing.
  const RunResult r = run_text(kPassiveOpen + R"(
+0  < P. 1:101(100) ack 1 win 1024
+.1 read(4, ..., 1000) = 100
)");
  CHECK_FALSE(r.passed);
  CHECK(r.failed_line == 12);
  CHECK(r.failure.find("the stack sent a segment the script does not expect at 0.010000") != std::string::npos);
}

TEST_CASE("SYN retransmissions are checked against the script's times, within the tolerance") {
  const std::string head = R"(
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0  > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 10>
)";
  const RunResult ok = run_text(head + "+1  > S 0:0(0) <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 10>\n");
  INFO(ok.failure);
  CHECK(ok.passed);
  const RunResult early = run_text(head + "+1.1  > S 0:0(0) <mss 1460,sackOK,TS val 1100 ecr 0,nop,wscale 10>\n");
  CHECK_FALSE(early.passed);
  CHECK(early.failure.find("a segment at 1.000000, earlier than the script expects (1.100000") != std::string::npos);
}

TEST_CASE("a blocking accept written start...end returns when the handshake completes") {
  const RunResult r = run_text(R"(
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
0...0.2  accept(3, ..., ...) = 4
0.1 < S 0:0(0) win 65535 <mss 1460>
+0  > S. 0:0(0) ack 1 <mss 1460>
0.2 < . 1:1(0) ack 1 win 1024
)");
  INFO(r.failure);
  CHECK(r.passed);
  // Without "...", a call that blocks is a mismatch that says how to write it.
  const RunResult b = run_text(R"(
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  accept(3, ..., ...) = 4
)");
  CHECK_FALSE(b.passed);
  CHECK(b.failure.find("accept() blocked; the script expects it to return at once") != std::string::npos);
}

TEST_CASE("a RST to a SYN for a closed port, and getsockopt(SO_ERROR) after a refused connect") {
  const RunResult r = run_text(kRefusedConnect + R"(
+0  getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0
)");
  INFO(r.failure);
  CHECK(r.passed);
  const RunResult wrong = run_text(kRefusedConnect + R"(
+0  getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
)");
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.failure.find("getsockopt(SO_ERROR) gave [ECONNREFUSED], the script expects [0]") != std::string::npos);
}

TEST_CASE("after a RST the socket reports ECONNRESET once, then read() is 0 and write() EPIPE (sk_err)") {
  const RunResult r = run_text(kPassiveOpen + R"(
+.01 < R 1:1(0) win 0
+0  fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0  poll([{fd=4, events=POLLOUT, revents=POLLOUT|POLLERR|POLLHUP}], 1, 0) = 1
+0  read(4, ..., 100) = -1 ECONNRESET (Connection reset by peer)
+0  read(4, ..., 100) = 0
+0  write(4, ..., 10) = -1 EPIPE (Broken pipe)
+0  getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
)");
  INFO(r.failure);
  CHECK(r.passed);
  const RunResult w = run_text(kPassiveOpen + R"(
+.01 < R 1:1(0) win 0
+0  write(4, ..., 10) = -1 ECONNRESET (Connection reset by peer)
+0  write(4, ..., 10) = -1 EPIPE (Broken pipe)
)");
  INFO(w.failure);
  CHECK(w.passed);
}

TEST_CASE("a refused non-blocking connect polls POLLOUT|POLLERR|POLLHUP; the error is reported once") {
  const RunResult r = run_text(kRefusedConnect + R"(
+0  poll([{fd=3, events=POLLOUT, revents=POLLOUT|POLLERR|POLLHUP}], 1, 0) = 1
+0  getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0
+0  getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
+0  write(3, ..., 10) = -1 EPIPE (Broken pipe)
)");
  INFO(r.failure);
  CHECK(r.passed);
}
