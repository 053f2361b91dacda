// The packetdrill-format script parser (pkt/parse.cpp): what each form parses to, and the
// exact message for malformed or unsupported input.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pkt/script.hpp"

using namespace tcplab;
using namespace tcplab::pkt;

namespace {

Script parse(const std::string& text) { return parse_script(text, "t.pkt"); }

// The message parse_script throws for `text` ("" if it parses).
std::string error_of(const std::string& text) {
  try {
    parse_script(text, "t.pkt");
  } catch (const PktError& e) {
    return e.what();
  }
  return "";
}

const PacketLine& packet(const Script& s, std::size_t i) { return std::get<PacketLine>(s.events.at(i).body); }
const SyscallLine& call(const Script& s, std::size_t i) { return std::get<SyscallLine>(s.events.at(i).body); }
const ShellLine& shell(const Script& s, std::size_t i) { return std::get<ShellLine>(s.events.at(i).body); }

}  // namespace

TEST_SUITE("pkt.parse") {
  TEST_CASE("a passive open: options, syscalls, packets, in order with their lines") {
    const Script s = parse(
        "// a comment\n"
        "--tolerance_usecs=10000\n"
        "--ip_version=ipv4\n"
        "/* a block\n comment */\n"
        "0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0    bind(3, ..., ...) = 0\n"
        "+0    listen(3, 1) = 0\n"
        "\n"
        "+0    < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
        "+0    > S. 0:0(0) ack 1 <...>\n"
        "+.1   < . 1:1(0) ack 1 win 257\n"
        "+0    accept(3, ..., ...) = 4\n");
    REQUIRE(s.options.size() == 2);
    CHECK(s.options[0].name == "tolerance_usecs");
    CHECK(s.options[0].value == "10000");
    CHECK(s.options[0].at.line == 2);
    CHECK(s.options[1].name == "ip_version");
    CHECK(s.options[1].value == "ipv4");
    REQUIRE(s.events.size() == 7);
    CHECK(s.events[0].at.line == 6);
    CHECK(s.events[0].at.col == 1);
    CHECK(s.events[0].time.kind == TimeSpec::Kind::Absolute);
    CHECK(call(s, 0).name == "socket");
    CHECK(call(s, 0).ret == 3);
    REQUIRE(call(s, 0).args.size() == 3);
    CHECK(call(s, 0).args[0].kind == Expr::Kind::Ellipsis);
    CHECK(call(s, 0).args[1].kind == Expr::Kind::Symbol);
    CHECK(call(s, 0).args[1].text == "SOCK_STREAM");
    CHECK(call(s, 0).args[1].at.line == 6);
    CHECK(call(s, 0).args[1].at.col == 19);

    const PacketLine& syn = packet(s, 3);
    CHECK(s.events[3].at.line == 10);
    CHECK(syn.dir == PacketLine::Dir::In);
    CHECK(syn.flags == 0x02);
    CHECK(syn.seq == 0);
    CHECK(syn.end == 0);
    CHECK(syn.len == 0);
    CHECK_FALSE(syn.ack.has_value());
    CHECK(syn.win == 32792u);
    REQUIRE(syn.options.has_value());
    REQUIRE(syn.options->size() == 6);
    CHECK((*syn.options)[0].kind == PktOption::Kind::Mss);
    CHECK((*syn.options)[0].a == 1000);
    CHECK((*syn.options)[1].kind == PktOption::Kind::SackOk);
    CHECK((*syn.options)[2].kind == PktOption::Kind::Nop);
    CHECK((*syn.options)[5].kind == PktOption::Kind::Wscale);
    CHECK((*syn.options)[5].a == 7);
    CHECK_FALSE(syn.options_any);

    const PacketLine& synack = packet(s, 4);
    CHECK(synack.dir == PacketLine::Dir::Out);
    CHECK(synack.flags == 0x12);
    CHECK(synack.ack == 1u);
    CHECK_FALSE(synack.win.has_value());
    CHECK(synack.options_any);
    CHECK_FALSE(synack.options.has_value());

    const PacketLine& ack = packet(s, 5);
    CHECK(ack.flags == 0x10);
    CHECK(ack.ack == 1u);
    CHECK(ack.win == 257u);
    CHECK_FALSE(ack.options.has_value());
    CHECK(s.events[5].time.kind == TimeSpec::Kind::Relative);
    CHECK(s.events[5].time.lo_ns == ms(100));
  }

  TEST_CASE("every time form, in integer nanoseconds") {
    const Script s = parse(
        "0 close(3) = 0\n"
        "0.100 close(3) = 0\n"
        ".1 close(3) = 0\n"
        "+0 close(3) = 0\n"
        "+.1 close(3) = 0\n"
        "+0.25 close(3) = 0\n"
        "1.000000001 close(3) = 0\n"
        "* > . 1:1(0) ack 1\n"
        "0.1~0.2 > . 1:1(0) ack 1\n"
        "+0.1~+0.2 > . 1:1(0) ack 1\n"
        "2.5 close(3) = 0\n");
    REQUIRE(s.events.size() == 11);
    auto is = [&](std::size_t i, TimeSpec::Kind k, Duration lo, Duration hi) {
      CHECK(s.events[i].time.kind == k);
      CHECK(s.events[i].time.lo_ns == lo);
      CHECK(s.events[i].time.hi_ns == hi);
    };
    using K = TimeSpec::Kind;
    is(0, K::Absolute, 0, 0);
    is(1, K::Absolute, ms(100), ms(100));
    is(2, K::Absolute, ms(100), ms(100));
    is(3, K::Relative, 0, 0);
    is(4, K::Relative, ms(100), ms(100));
    is(5, K::Relative, ms(250), ms(250));
    is(6, K::Absolute, sec(1) + 1, sec(1) + 1);
    is(7, K::Any, 0, 0);
    is(8, K::Absolute, ms(100), ms(200));
    is(9, K::Relative, ms(100), ms(200));
    is(10, K::Absolute, ms(2500), ms(2500));
  }

  TEST_CASE("blocking calls: the start is the event's time, the end goes with the call") {
    const Script s = parse(
        "0.1...0.3 accept(3, ..., ...) = 4\n"
        "+0...+0.2 read(4, ..., 1000) = 1000\n"
        "+0...0.5 read(4, ..., 10) = 10\n");
    CHECK(s.events[0].time.kind == TimeSpec::Kind::Absolute);
    CHECK(s.events[0].time.lo_ns == ms(100));
    REQUIRE(call(s, 0).end.has_value());
    CHECK(call(s, 0).end->kind == TimeSpec::Kind::Absolute);
    CHECK(call(s, 0).end->lo_ns == ms(300));
    CHECK(call(s, 0).end->hi_ns == ms(300));
    CHECK(call(s, 1).end->kind == TimeSpec::Kind::Relative);
    CHECK(call(s, 1).end->lo_ns == ms(200));
    CHECK(call(s, 2).end->kind == TimeSpec::Kind::Relative);
    CHECK(call(s, 2).end->lo_ns == ms(500));
    CHECK(call(s, 1).ret == 1000);
    CHECK_FALSE(parse("0 close(3) = 0").events.empty());
    CHECK_FALSE(call(parse("0 close(3) = 0"), 0).end.has_value());
  }

  TEST_CASE("packet flags, data, options with numbers") {
    const Script s = parse(
        "0 < P. 1:1001(1000) ack 1 win 257\n"
        "+0 > F. 1:1(0) ack 1001 <nop,nop,TS val 100 ecr 0>\n"
        "+0 < R. 1001:1001(0) ack 1 win 0\n"
        "+0 < R 1001:1001(0) win 0\n"
        "+0 > SEW 0:0(0) <mss 1460,nop,nop,sack 1:2 3:4,eol,eol,eol,eol>\n"
        "+0 < U. 4294967295:4294967295(0) ack 4294967295 win 65535\n"
        "+0 < - 5:5(0) win 1\n");
    CHECK(packet(s, 0).flags == (0x08 | 0x10));
    CHECK(packet(s, 0).seq == 1);
    CHECK(packet(s, 0).end == 1001);
    CHECK(packet(s, 0).len == 1000);
    CHECK(packet(s, 1).flags == (0x01 | 0x10));
    REQUIRE(packet(s, 1).options.has_value());
    const PktOption& ts = (*packet(s, 1).options)[2];
    CHECK(ts.kind == PktOption::Kind::Ts);
    CHECK(ts.a == 100);
    CHECK(ts.b == 0);
    CHECK(packet(s, 2).flags == (0x04 | 0x10));
    CHECK(packet(s, 2).win == 0u);
    CHECK(packet(s, 3).flags == 0x04);
    CHECK_FALSE(packet(s, 3).ack.has_value());
    CHECK(packet(s, 4).flags == (0x02 | 0x40 | 0x80));
    const PktOption& sack = (*packet(s, 4).options)[3];
    CHECK(sack.kind == PktOption::Kind::Sack);
    REQUIRE(sack.blocks.size() == 2);
    CHECK(sack.blocks[0] == std::pair<std::uint32_t, std::uint32_t>{1, 2});
    CHECK(sack.blocks[1] == std::pair<std::uint32_t, std::uint32_t>{3, 4});
    CHECK((*packet(s, 4).options)[4].kind == PktOption::Kind::Eol);
    CHECK(packet(s, 5).flags == (0x20 | 0x10));
    CHECK(packet(s, 5).seq == 4294967295u);
    CHECK(packet(s, 5).ack == 4294967295u);
    CHECK(packet(s, 6).flags == 0);
    CHECK(packet(s, 6).seq == 5);
  }

  TEST_CASE("syscall arguments: lists, structs, or, calls, strings, numbers, errno and note") {
    const Script s = parse(
        "0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
        "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
        "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
        "+0 poll([{fd=3, events=POLLIN, revents=POLLIN}], 1, 0) = 1\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
        "+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0\n"
        "+0 write(4, \"a \\\"q\\\" \\\\ b\", -0x10) = -1 EAGAIN\n"
        "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
        "+0 read(4, ..., 0x7fffffffffffffff) = -9223372036854775808\n");
    const Expr& linger = call(s, 0).args[3];
    CHECK(linger.kind == Expr::Kind::Struct);
    REQUIRE(linger.items.size() == 2);
    CHECK(linger.items[0].field == "l_onoff");
    CHECK(linger.items[0].kind == Expr::Kind::Int);
    CHECK(linger.items[0].num == 1);
    CHECK(linger.items[1].field == "l_linger");
    CHECK(linger.items[1].num == 0);
    CHECK(call(s, 0).args[4].num == 8);

    const Expr& flags = call(s, 1).args[2];
    CHECK(flags.kind == Expr::Kind::Or);
    REQUIRE(flags.items.size() == 2);
    CHECK(flags.items[0].text == "O_RDWR");
    CHECK(flags.items[1].text == "O_NONBLOCK");

    CHECK(call(s, 2).ret == -1);
    CHECK(call(s, 2).err == "EINPROGRESS");

    const Expr& fds = call(s, 3).args[0];
    CHECK(fds.kind == Expr::Kind::List);
    REQUIRE(fds.items.size() == 1);
    CHECK(fds.items[0].kind == Expr::Kind::Struct);
    CHECK(fds.items[0].items[1].field == "events");
    CHECK(fds.items[0].items[1].text == "POLLIN");

    CHECK(call(s, 4).args[3].kind == Expr::Kind::List);
    CHECK(call(s, 4).args[3].items[0].num == 1);

    const Expr& addr = call(s, 5).args[1];
    REQUIRE(addr.items.size() == 3);
    CHECK(addr.items[1].kind == Expr::Kind::Call);
    CHECK(addr.items[1].text == "htons");
    CHECK(addr.items[1].items[0].num == 8080);
    CHECK(addr.items[2].text == "inet_addr");
    CHECK(addr.items[2].items[0].kind == Expr::Kind::String);
    CHECK(addr.items[2].items[0].text == "192.0.2.1");

    CHECK(call(s, 6).args[1].text == "a \"q\" \\ b");
    CHECK(call(s, 6).args[2].num == -16);
    CHECK(call(s, 6).err == "EAGAIN");
    CHECK(call(s, 8).args[2].num == 0x7fffffffffffffff);
    CHECK(call(s, 8).ret == INT64_MIN);
  }

  TEST_CASE("shell lines: sysctls and a defaults file, with or without a time") {
    const Script s = parse(
        "`sysctl -q net.ipv4.tcp_sack=0`\n"
        "0 `sysctl -q -w net.ipv4.tcp_rmem='4096 87380 6291456'; sysctl -e net.ipv4.tcp_timestamps=1 && sysctl "
        "net.core.x=\"a b\"`\n"
        "+0 `../common/defaults.sh`\n"
        "+0 `sysctl -qw a.b=1 c.d=2`\n");
    REQUIRE(s.events.size() == 4);
    CHECK(s.events[0].time.kind == TimeSpec::Kind::Relative);
    CHECK(s.events[0].time.lo_ns == 0);
    REQUIRE(shell(s, 0).sysctls.size() == 1);
    CHECK(shell(s, 0).sysctls[0].name == "net.ipv4.tcp_sack");
    CHECK(shell(s, 0).sysctls[0].value == "0");
    CHECK(shell(s, 0).command == "sysctl -q net.ipv4.tcp_sack=0");
    REQUIRE(shell(s, 1).sysctls.size() == 3);
    CHECK(shell(s, 1).sysctls[0].value == "4096 87380 6291456");
    CHECK(shell(s, 1).sysctls[1].name == "net.ipv4.tcp_timestamps");
    CHECK(shell(s, 1).sysctls[2].value == "a b");
    CHECK(s.events[1].time.kind == TimeSpec::Kind::Absolute);
    CHECK(shell(s, 2).defaults_file == "../common/defaults.sh");
    CHECK(shell(s, 2).sysctls.empty());
    CHECK(shell(s, 3).sysctls.size() == 2);
  }

  TEST_CASE("defaults files") {
    const auto v = parse_defaults_file(
        "#!/bin/bash\n"
        "# defaults\n"
        "set -e\n"
        "\n"
        "sysctl -q net.ipv4.tcp_sack=1\n"
        "  sysctl -q -w net.ipv4.tcp_rmem=\"4096 87380 6291456\"  # trailing\n",
        "d.sh");
    REQUIRE(v.size() == 2);
    CHECK(v[0].name == "net.ipv4.tcp_sack");
    CHECK(v[0].value == "1");
    CHECK(v[1].value == "4096 87380 6291456");
    try {
      parse_defaults_file("sysctl -q a=1\n  echo hi\n", "d.sh");
      FAIL("no error");
    } catch (const PktError& e) {
      CHECK(std::string(e.what()) ==
            "d.sh:2:3: a defaults file may hold only sysctl assignments (sysctl -q name=value), comments and "
            "\"set -e\"; found \"echo hi\"");
    }
    CHECK_THROWS_AS(parse_defaults_file("sysctl -q a", "d.sh"), PktError);
    CHECK_THROWS_AS(parse_defaults_file("sysctl -q a='1", "d.sh"), PktError);
  }

  TEST_CASE("malformed scripts: file:line:col and what is wrong") {
    CHECK(error_of("0 < S 0:0(0) win 1\n+0 > S. 0:0(0) ack 1\n+0 < . 1:1(0) wnd 257\n") ==
          "t.pkt:3:15: expected \"ack\" or \"win\" or \"<\" after 1:1(0), found \"wnd\"");
    CHECK(error_of("0 < . 1:1(0) ack 1 wnd 257\n") ==
          "t.pkt:1:20: expected \"win\" or \"<\" after ack 1, found \"wnd\"");
    CHECK(error_of("0 < S 0:10(5) win 1\n") ==
          "t.pkt:1:7: inconsistent TCP sequence numbers and payload size: 0:10(5) (end - start must be the length)");
    CHECK(error_of("0 < S 0:0(0) ack 1 win 1\n") ==
          "t.pkt:1:14: \"ack N\" needs the ACK flag '.' (e.g. \"S.\", \".\", \"P.\")");
    CHECK(error_of("0 > . 1:1(0)\n") == "t.pkt:1:5: the ACK flag '.' needs \"ack N\" after start:end(length)");
    CHECK(error_of("0 < S 4294967296:4294967296(0) win 1\n") ==
          "t.pkt:1:7: TCP start sequence number out of range: 4294967296 (at most 4294967295)");
    CHECK(error_of("0 < S 0:0(0) win 65536\n") == "t.pkt:1:18: TCP window value out of range: 65536 (at most 65535)");
    CHECK(error_of("0 < S 0:0(0) win 1 <...>\n") ==
          "t.pkt:1:20: <...> for TCP options can only be used with outbound packets (>)");
    CHECK(error_of("0 > S 0:0(0) <mss 1460,wscale 7>\n") ==
          "t.pkt:1:14: TCP options are not padded to a multiple of 4 bytes: 7 bytes (add nop or eol)");
    CHECK(error_of("0 > S 0:0(0) <mss 1460 sackOK>\n") ==
          "t.pkt:1:24: expected \",\" or \">\" in the TCP option list, found \"sackOK\"");
    CHECK(error_of("0 > S 0:0(0) <mss 1460,foo>\n") ==
          "t.pkt:1:24: unknown TCP option \"foo\" (expected nop, eol, mss, wscale, sackOK, TS, sack)");
    CHECK(error_of("0 > . 1:1(0) ack 1 <>\n") ==
          "t.pkt:1:21: expected a TCP option (nop, eol, mss, wscale, sackOK, TS, sack), found \">\"");
    CHECK(error_of("0 < Sx 0:0(0) win 1\n") ==
          "t.pkt:1:5: invalid TCP flag 'x' in \"Sx\" (flags are S F R P . U E W)");
    CHECK(error_of("0.2~0.1 > S 0:0(0)\n") == "t.pkt:1:4: time range is backwards (its end is before its start)");
    CHECK(error_of("0.1~+0.2 > S 0:0(0)\n") ==
          "t.pkt:1:4: both ends of a time range must be the same kind: write a~b or +a~+b");
    CHECK(error_of("* < S 0:0(0) win 1\n") == "t.pkt:1:1: event time * can only be used with outbound packets (>)");
    CHECK(error_of("0.1~0.2 close(3) = 0\n") ==
          "t.pkt:1:1: event time range can only be used with outbound packets (>)");
    CHECK(error_of("0.0000000001 close(3) = 0\n") ==
          "t.pkt:1:1: time \"0.0000000001\" has more than 9 decimals (the resolution is 1 ns)");
    CHECK(error_of("100000 close(3) = 0\n") == "t.pkt:1:1: time out of range: 100000 s (at most a day)");
    CHECK(error_of("0.3...0.1 accept(3, ..., ...) = 4\n") == "t.pkt:1:4: a blocking call's end time is before its start");
    CHECK(error_of("0...0.1 < S 0:0(0) win 1\n") == "t.pkt:1:9: a blocking end time (...) is only for system calls");
    CHECK(error_of("0 close(3) = \n") == "t.pkt:2:1: expected the return value (an integer) after \"=\", found end of file");
    CHECK(error_of("0 close(3)\n+0 close(4) = 0\n") ==
          "t.pkt:2:1: expected \"=\" and the expected return value after close(...), found \"+\"");
    CHECK(error_of("0 close(3) = 0 x y\n") == "t.pkt:1:18: unexpected \"y\" after the system call's return value");
    CHECK(error_of("0 connect(3, ..., ...) = -1 EINPROGRESS (Operation\n") ==
          "t.pkt:1:41: unterminated note (\"(\" without \")\" on the same line)");
    CHECK(error_of("0 write(3, \"abc) = 3\n") == "t.pkt:1:12: unterminated string (\" without a closing \")");
    CHECK(error_of("0 close(3) = 0 /* open") == "t.pkt:1:16: unterminated comment (/* without */)");
    CHECK(error_of("0 close(3) = 0\n< S 0:0(0) win 1\n") ==
          "t.pkt:2:1: expected an event (a time such as 0, +0.1 or *, or a `shell command`), found \"<\"");
    CHECK(error_of("0 close(3) = 0\n--tolerance_usecs=1\n") ==
          "t.pkt:2:1: options (--tolerance_usecs=1) must come before the first event");
    CHECK(error_of("0 close(3) = 99999999999999999999\n") == "t.pkt:1:14: number out of range: 99999999999999999999");
    CHECK(error_of("0 sendto(3, ..., 1, 0) = 1\n") ==
          "t.pkt:1:3: system call \"sendto\" is outside the supported subset (socket bind listen accept connect "
          "read write send recv close shutdown setsockopt getsockopt fcntl poll)");
    CHECK(error_of("0 close(3) = 0\n+0 hello\n") ==
          "t.pkt:2:4: expected a packet (< or >), a system call name(...) or a `shell command` after the time, "
          "found \"hello\"");
    CHECK(error_of("0 bind(3, x=1, 2) = 0\n") ==
          "t.pkt:1:12: \"x=...\" is only supported inside { } (e.g. {l_onoff=1, l_linger=0})");
    CHECK(error_of("0 close(3) = 0\n\x01") == "t.pkt:2:1: unexpected byte 0x01");
  }

  TEST_CASE("features outside the subset are refused by name") {
    CHECK(error_of("0 close(3) = 0\n+0 %{ print(1) }%\n") == "t.pkt:2:4: python blocks (%{ }%) are not supported");
    CHECK(error_of("0 getsockopt(3, SOL_TCP, TCP_INFO, {tcpi_state=1}, [1]) = 0\n") ==
          "t.pkt:1:37: tcpi_* TCP_INFO assertions are not supported");
    CHECK(error_of("0 getsockopt(3, SOL_TCP, TCP_INFO, {x=tcpi_rto}, [1]) = 0\n") ==
          "t.pkt:1:39: tcpi_* TCP_INFO assertions are not supported");
    CHECK(error_of("0 sendmsg(3, {msg_name(...)=...}, 0) = 0\n") == "t.pkt:1:3: sendmsg() (msghdr/cmsg) is not supported");
    CHECK(error_of("0 recvmsg(3, ..., 0) = 0\n") == "t.pkt:1:3: recvmsg() (msghdr/cmsg) is not supported");
    CHECK(error_of("0 write(3, {cmsg_level=1}, 0) = 0\n") ==
          "t.pkt:1:13: msghdr/cmsg expressions (cmsg_level) are not supported");
    CHECK(error_of("--ip_version=ipv6\n") == "t.pkt:1:1: IPv6 is not supported (--ip_version=ipv6)");
    CHECK(error_of("--local_ip=fd3d::1\n") == "t.pkt:1:1: IPv6 is not supported (--local_ip=fd3d::1)");
    CHECK(error_of("0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n") ==
          "t.pkt:1:10: IPv6 is not supported (AF_INET6)");
    CHECK(error_of("0 bind(3, {sin_addr=inet_addr(\"::1\")}, 8) = 0\n") ==
          "t.pkt:1:31: IPv6 is not supported (address \"::1\")");
    CHECK(error_of("0 > ipv6 ::1 > ::2: S 0:0(0)\n") == "t.pkt:1:5: IPv6 is not supported");
    CHECK(error_of("0 > udp (10)\n") == "t.pkt:1:5: UDP packets are not supported (TCP only)");
    CHECK(error_of("0 > icmp unreachable\n") == "t.pkt:1:5: ICMP packets are not supported (TCP only)");
    CHECK(error_of("0 > [ect0] S 0:0(0)\n") ==
          "t.pkt:1:5: IP-level packet syntax ([ect0...) is not supported (ECN codepoints such as [ect0], TOS, TTL, "
          "flow label)");
    CHECK(error_of("0 > (ecn) S 0:0(0)\n") ==
          "t.pkt:1:5: IP-level packet syntax ((ecn...) is not supported (ECN codepoints such as [ect0], TOS, TTL, "
          "flow label)");
    CHECK(error_of("0 > ipv4 192.0.2.1 > 192.0.2.2: S 0:0(0)\n") ==
          "t.pkt:1:5: IP-level packet syntax (\"ipv4 ...\") is not supported");
    CHECK(error_of("0 > S 0:0(0) <FO abcd,nop,nop>\n") == "t.pkt:1:15: TCP fast open options (FO) are not supported");
    CHECK(error_of("0 > S 0:0(0) <md5 0123>\n") == "t.pkt:1:15: TCP MD5 signature options (md5) are not supported");
    CHECK(error_of("0 socket(..., SOCK_STREAM, IPPROTO_SCTP) = 3\n") ==
          "t.pkt:1:28: SCTP is not supported (IPPROTO_SCTP)");
    CHECK(error_of("0 > sctp: INIT[]\n") == "t.pkt:1:5: SCTP is not supported (TCP only)");
    CHECK(error_of("0 < S 0:0(0) urg 1 win 1\n") == "t.pkt:1:14: the urgent pointer (urg N) is not supported");
    CHECK(error_of("0 > S1 0:0(0)\n") == "t.pkt:1:5: AccECN flags (A, 0-7) are not supported, found \"S1\"");
  }

  TEST_CASE("shell commands other than sysctl and a defaults file are refused") {
    const std::string only =
        "only sysctl assignments (sysctl -q name=value) and a defaults file (*.sh) are supported in shell "
        "commands";
    CHECK(error_of("0 `echo hi`\n") == "t.pkt:1:3: " + only + "; found \"echo hi\"");
    CHECK(error_of("`sysctl -q a=1 | tee x`\n") == "t.pkt:1:1: " + only + "; found '|' in \"sysctl -q a=1 | tee x\"");
    CHECK(error_of("0 `sysctl -q net.ipv4.tcp_sack`\n") ==
          "t.pkt:1:3: sysctl needs name=value assignments, found \"net.ipv4.tcp_sack\" in \"sysctl -q "
          "net.ipv4.tcp_sack\"");
    CHECK(error_of("0 `sysctl -n a=1`\n") == "t.pkt:1:3: sysctl option -n is not supported (only -q, -w, -e)");
    CHECK(error_of("0 ``\n") == "t.pkt:1:3: " + only + "; found an empty command");
    CHECK(error_of("0 `sysctl -q a='1`\n") == "t.pkt:1:3: unterminated ' quote in shell command");
    CHECK(error_of("0 `sysctl -q a=1\n") == "t.pkt:1:3: unterminated shell command (` without a closing `)");
  }

  TEST_CASE("limits: nesting depth, many events") {
    std::string deep = "0 write(3, ";
    for (int i = 0; i < 40; ++i) deep += "[";
    CHECK(error_of(deep) == "t.pkt:1:44: expression nested deeper than 32 levels");
    std::string ok = "0 write(3, ";
    for (int i = 0; i < 31; ++i) ok += "[";
    ok += "1";
    for (int i = 0; i < 31; ++i) ok += "]";
    ok += ", 1) = 1\n";
    CHECK(error_of(ok).empty());

    std::string many;
    for (int i = 0; i <= 100'000; ++i) many += "+0 close(3) = 0\n";
    CHECK(error_of(many) == "t.pkt:100001:1: more than 100000 events");
  }

  TEST_CASE("the fuzzer's seed scripts all parse (a seed that errors explores only the error path)") {
    int n = 0;
    for (const auto& f : std::filesystem::directory_iterator(TCPLAB_SOURCE_DIR "/fuzz/corpus/pkt")) {
      std::ifstream in(f.path());
      std::stringstream text;
      text << in.rdbuf();
      CAPTURE(f.path().string());
      CHECK_NOTHROW(parse_script(text.str(), f.path().filename().string()));
      ++n;
    }
    CHECK(n >= 10);
  }
}
