// Wire codec (Segment <-> IPv4/TCP bytes) and pcap files.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "stack/wire/codec.hpp"
#include "stack/wire/pcap.hpp"
#include "temp_file.hpp"

using namespace tcplab;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr Ipv4 kA = (10u << 24) | 1;  // 10.0.0.1
constexpr Ipv4 kB = (10u << 24) | 2;  // 10.0.0.2

std::string describe(const Segment& s) {
  std::string out = endpoint_to_string(s.src) + ">" + endpoint_to_string(s.dst) + " [" +
                    flag_letters(s.flags) + "] seq " + std::to_string(s.seq.raw()) + " ack " +
                    std::to_string(s.ack.raw()) + " win " + std::to_string(s.wnd);
  if (s.mss) out += " mss " + std::to_string(*s.mss);
  if (s.sack_permitted) out += " sackOK";
  if (s.ts) out += " TS " + std::to_string(s.ts->val) + "/" + std::to_string(s.ts->ecr);
  if (s.wscale) out += " ws " + std::to_string(*s.wscale);
  for (int i = 0; i < s.sack_count; ++i) {
    out += " sack " + std::to_string(s.sack[static_cast<std::size_t>(i)].left.raw()) + "-" +
           std::to_string(s.sack[static_cast<std::size_t>(i)].right.raw());
  }
  out += " len " + std::to_string(s.payload.size());
  return out;
}

Segment base(std::uint8_t flags) {
  Segment s;
  s.src = {kA, 39870};
  s.dst = {kB, 9502};
  s.flags = flags;
  s.wnd = 64240;
  return s;
}

Segment syn() {
  Segment s = base(kSyn);
  s.seq = Seq32(1000);
  s.mss = 1460;
  s.sack_permitted = true;
  s.ts = Timestamps{111111, 0};
  s.wscale = 7;
  return s;
}

Segment syn_ack() {
  Segment s = base(kSyn | kAck);
  std::swap(s.src, s.dst);
  s.seq = Seq32(0xfffffff0u);  // near the wrap
  s.ack = Seq32(1001);
  s.wnd = 65160;
  s.mss = 1400;
  s.sack_permitted = true;
  s.ts = Timestamps{222222, 111111};
  s.wscale = 14;
  return s;
}

Segment data_psh() {
  Segment s = base(kPsh | kAck);
  s.seq = Seq32(1001);
  s.ack = Seq32(0xfffffff1u);
  s.wnd = 502;
  s.ts = Timestamps{111200, 222222};
  s.payload = std::string("hello, tcplab!\r\n\x00\xff", 18);
  return s;
}

Segment fin() {
  Segment s = base(kFin | kAck);
  s.seq = Seq32(1020);
  s.ack = Seq32(0xfffffff1u);
  s.ts = Timestamps{111300, 222300};
  return s;
}

Segment rst() {
  Segment s = base(kRst);
  s.seq = Seq32(4242);
  s.wnd = 0;
  return s;
}

Segment with_sack(std::uint8_t n, bool ts) {
  Segment s = base(kAck);
  s.seq = Seq32(5000);
  s.ack = Seq32(7000);
  if (ts) s.ts = Timestamps{1, 2};
  s.sack_count = n;
  for (std::uint8_t i = 0; i < n; ++i) {
    s.sack[i] = SackBlock{Seq32(8000u + 2000u * i), Seq32(9000u + 2000u * i)};
  }
  return s;
}

// The TCP option bytes of an encoded datagram (no IP options: the encoder writes none).
Bytes tcp_options(const Bytes& b) {
  const std::size_t doff = std::size_t{static_cast<std::uint8_t>(b[32] >> 4)} * 4;
  return Bytes(b.begin() + 40, b.begin() + 20 + static_cast<std::ptrdiff_t>(doff));
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
std::uint32_t sum16(const std::uint8_t* p, std::size_t n) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) s += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
  if (n % 2) s += static_cast<std::uint32_t>(p[n - 1] << 8);
  return s;
}
// Recomputes both checksums so that a deliberately malformed header reaches the later checks.
void fix_checksums(Bytes& b) {
  const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
  b[10] = b[11] = 0;
  const std::uint16_t ipc = static_cast<std::uint16_t>(~fold(sum16(b.data(), ihl)));
  b[10] = static_cast<std::uint8_t>(ipc >> 8);
  b[11] = static_cast<std::uint8_t>(ipc);
  const std::size_t tot = static_cast<std::size_t>((b[2] << 8) | b[3]);
  const std::size_t tl = tot - ihl;
  std::uint8_t* t = b.data() + ihl;
  t[16] = t[17] = 0;
  std::uint32_t s = sum16(b.data() + 12, 8) + 6 + static_cast<std::uint32_t>(tl) + sum16(t, tl);
  const std::uint16_t tc = static_cast<std::uint16_t>(~fold(s));
  t[16] = static_cast<std::uint8_t>(tc >> 8);
  t[17] = static_cast<std::uint8_t>(tc);
}

void check_round_trip(const Segment& s) {
  INFO(describe(s));
  const Bytes b = encode_ipv4(s, 77);
  REQUIRE(b.size() >= 40);
  CHECK(b.size() == static_cast<std::size_t>((b[2] << 8) | b[3]));
  const DecodeResult d = decode_ipv4(b);
  INFO("error: " << d.error);
  REQUIRE(d.seg.has_value());
  CHECK(d.error.empty());
  INFO("decoded: " << describe(*d.seg));
  CHECK(*d.seg == s);
}


Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (c == '\n');
  return n;
}

}  // namespace

TEST_SUITE("wire codec") {

TEST_CASE("SYN round trip, Linux option order mss,sackOK,TS,nop,wscale") {
  const Segment s = syn();
  check_round_trip(s);
  const Bytes b = encode_ipv4(s, 0x1234, 63);
  CHECK(b.size() == 60);
  CHECK(b[0] == 0x45);
  CHECK(b[4] == 0x12);
  CHECK(b[5] == 0x34);
  CHECK(b[8] == 63);  // TTL
  CHECK(b[9] == 6);   // TCP
  CHECK((b[6] & 0x40) != 0);  // DF, as Linux sends
  CHECK(b[33] == 0x02);       // flags byte: SYN
  const Bytes want = {2, 4, 0x05, 0xb4,               // MSS 1460
                      4, 2,                           // SACK_PERM
                      8, 10, 0, 1, 0xb2, 0x07, 0, 0, 0, 0,  // TS val 111111 ecr 0
                      1,                              // NOP
                      3, 3, 7};                       // WSCALE 7
  CHECK(tcp_options(b) == want);
}

TEST_CASE("SYN without timestamps: mss,nop,wscale,nop,nop,sackOK") {
  Segment s = syn();
  s.ts.reset();
  check_round_trip(s);
  const Bytes want = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2};
  CHECK(tcp_options(encode_ipv4(s, 1)) == want);
}

TEST_CASE("SYN-ACK round trip") { check_round_trip(syn_ack()); }

TEST_CASE("data with PSH round trip, options nop,nop,TS") {
  const Segment s = data_psh();
  check_round_trip(s);
  const Bytes b = encode_ipv4(s, 2);
  CHECK(b[33] == (kPsh | kAck));
  const Bytes o = tcp_options(b);
  REQUIRE(o.size() == 12);
  CHECK(o[0] == 1);
  CHECK(o[1] == 1);
  CHECK(o[2] == 8);
  CHECK(o[3] == 10);
  CHECK(b.size() == 20 + 32 + s.payload.size());
}

TEST_CASE("FIN and RST round trips") {
  check_round_trip(fin());
  check_round_trip(rst());
  Segment ra = rst();
  ra.flags = kRst | kAck;
  ra.ack = Seq32(1);
  check_round_trip(ra);
  CHECK(encode_ipv4(rst(), 1).size() == 40);  // no options at all
}

TEST_CASE("SACK blocks round trip: nop,nop,TS,nop,nop,SACK") {
  for (std::uint8_t n = 1; n <= 3; ++n) {
    CAPTURE(n);
    const Segment s = with_sack(n, true);
    check_round_trip(s);
    const Bytes o = tcp_options(encode_ipv4(s, 3));
    REQUIRE(o.size() == 12u + 4u + 8u * n);
    CHECK(o[12] == 1);
    CHECK(o[13] == 1);
    CHECK(o[14] == 5);
    CHECK(o[15] == 2 + 8 * n);
  }
  // Four blocks fit only without timestamps (4 + 32 bytes).
  check_round_trip(with_sack(4, false));
  CHECK(encodable_sack_blocks(with_sack(4, false)) == 4);
  // With TS only three fit in 40 bytes; the fourth is left off, as Linux does.
  const Segment four = with_sack(4, true);
  CHECK(encodable_sack_blocks(four) == 3);
  const DecodeResult d = decode_ipv4(encode_ipv4(four, 4));
  REQUIRE(d.seg);
  CHECK(d.seg->sack_count == 3);
  CHECK(d.seg->sack[2] == four.sack[2]);
}

TEST_CASE("ECE/CWR bits survive, oversized payload is refused without throwing") {
  Segment s = data_psh();
  s.flags |= 0xc0;
  check_round_trip(s);
  s.payload = std::string(70000, 'x');
  CHECK(encode_ipv4(s, 1).empty());
}

TEST_CASE("checksums are verified") {
  const Bytes good = encode_ipv4(data_psh(), 9);
  REQUIRE(decode_ipv4(good).seg);

  Bytes b = good;
  b.back() ^= 0x01;  // payload byte
  DecodeResult d = decode_ipv4(b);
  CHECK_FALSE(d.seg);
  CHECK(d.error.find("TCP checksum") != std::string::npos);

  b = good;
  b[8] ^= 0x10;  // TTL: covered by the IP header checksum
  d = decode_ipv4(b);
  CHECK_FALSE(d.seg);
  CHECK(d.error.find("IPv4 header checksum") != std::string::npos);

  b = good;
  b[24] ^= 0x80;  // TCP sequence number
  d = decode_ipv4(b);
  CHECK(d.error.find("checksum") != std::string::npos);

  // Every single-byte corruption is caught.
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0xff}}) {
      b = good;
      b[i] ^= mask;
      d = decode_ipv4(b);
      CAPTURE(i);
      CHECK_FALSE(d.seg);
      CHECK_FALSE(d.error.empty());
    }
  }
}

TEST_CASE("truncated input is an error at every length") {
  const Bytes good = encode_ipv4(syn(), 5);
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    const DecodeResult d = decode_ipv4(good.data(), n);
    CHECK_FALSE(d.seg);
    CHECK_FALSE(d.error.empty());
  }
  CHECK(decode_ipv4(good.data(), 10).error.find("truncated IPv4 header") != std::string::npos);
  CHECK(decode_ipv4(good.data(), 50).error.find("truncated IPv4 packet") != std::string::npos);
  CHECK(decode_ipv4(nullptr, 0).error == "empty packet");
  // Trailing link padding past the IPv4 total length is ignored.
  Bytes padded = good;
  padded.resize(good.size() + 6, 0);
  CHECK(decode_ipv4(padded).seg);
}

TEST_CASE("header errors name what is wrong") {
  const Bytes good = encode_ipv4(syn(), 5);
  auto error_after = [&](auto&& edit) {
    Bytes b = good;
    edit(b);
    fix_checksums(b);
    const DecodeResult d = decode_ipv4(b);
    CHECK_FALSE(d.seg);
    return d.error;
  };
  CHECK(error_after([](Bytes& b) { b[0] = 0x65; }).find("not IPv4: IP version 6") == 0);
  CHECK(error_after([](Bytes& b) { b[0] = 0x44; }).find("bad IPv4 header length") == 0);
  CHECK(error_after([](Bytes& b) { b[9] = 17; }) == "not TCP: IP protocol 17 (UDP)");
  CHECK(error_after([](Bytes& b) { b[6] |= 0x20; }).find("IPv4 fragment") == 0);
  CHECK(error_after([](Bytes& b) { b[32] = 0x40; }).find("bad TCP data offset 4") == 0);
  CHECK(error_after([](Bytes& b) { b[32] = 0xf0; }).find("bad TCP data offset") == 0);
  // Options start at byte 40: MSS(2,4,..) SACK_PERM(4,2) TS(8,10,...) NOP WS(3,3,7).
  CHECK(error_after([](Bytes& b) { b[41] = 5; }) ==
        "bad TCP option length: MSS (kind 2) has length 5 (should be 4)");
  CHECK(error_after([](Bytes& b) { b[41] = 0; }).find("has length 0 (at least 2)") != std::string::npos);
  CHECK(error_after([](Bytes& b) { b[47] = 9; }) ==
        "bad TCP option length: TS (kind 8) has length 9 (should be 10)");
  CHECK(error_after([](Bytes& b) { b[58] = 4; }).find("WSCALE (kind 3) has length 4 but only 3") !=
        std::string::npos);
  CHECK(error_after([](Bytes& b) { b[59] = 3; b[58] = 1; b[57] = 1; }).find("no length byte") !=
        std::string::npos);
  // A SACK option with a length that is not 2+8n.
  const Bytes sack = encode_ipv4(with_sack(1, true), 5);
  Bytes b = sack;
  b[20 + 20 + 15] = 9;
  b[20 + 20 + 14] = 5;
  fix_checksums(b);
  CHECK(decode_ipv4(b).error.find("SACK (kind 5) has length 9") != std::string::npos);
  // Unknown options with sane lengths are skipped; EOL ends the list.
  b = good;
  b[56] = 30;  // NOP before WSCALE -> unknown kind 30 with length 4 (eats the WS option)
  b[57] = 4;
  fix_checksums(b);
  const DecodeResult d = decode_ipv4(b);
  REQUIRE_MESSAGE(d.seg, d.error);
  CHECK_FALSE(d.seg->wscale);
  CHECK(d.seg->mss == syn().mss);
}

TEST_CASE("10,000 random buffers: no crash, no throw, every failure explained") {
  std::mt19937 rng(20240607);
  std::uniform_int_distribution<int> len_d(0, 120), byte_d(0, 255);
  std::size_t ok = 0, bad = 0;
  for (int i = 0; i < 10000; ++i) {
    Bytes b(static_cast<std::size_t>(len_d(rng)));
    for (auto& x : b) x = static_cast<std::uint8_t>(byte_d(rng));
    if (i % 2 == 1 && b.size() >= 20) b[0] = 0x45;  // get past the version check more often
    DecodeResult d;
    CHECK_NOTHROW(d = decode_ipv4(b.data(), b.size()));
    if (d.seg) {
      ++ok;
      CHECK(d.error.empty());
    } else {
      ++bad;
      CHECK_FALSE(d.error.empty());
    }
  }
  MESSAGE("random buffers: ok=" << ok << " errors=" << bad);
  CHECK(ok + bad == 10000);
}

TEST_CASE("10,000 mutated packets with fixed checksums: no crash, sane results") {
  // Random bytes rarely get past the checksums; mutate real packets and repair the
  // checksums so the option and header parsers (ours and libtins') see hostile input.
  std::mt19937 rng(7);
  const std::vector<Bytes> seeds = {encode_ipv4(syn(), 1), encode_ipv4(syn_ack(), 2),
                                    encode_ipv4(data_psh(), 3), encode_ipv4(with_sack(3, true), 4),
                                    encode_ipv4(with_sack(4, false), 5)};
  std::size_t ok = 0, bad = 0;
  for (int i = 0; i < 10000; ++i) {
    Bytes b = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      // Mostly hit the TCP header and options (bytes 20..59), sometimes anything.
      const std::size_t pos = (rng() % 4 == 0) ? rng() % b.size() : 20 + rng() % std::min<std::size_t>(40, b.size() - 20);
      b[pos] = static_cast<std::uint8_t>(rng());
    }
    const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
    const std::size_t tot = static_cast<std::size_t>((b[2] << 8) | b[3]);
    if ((b[0] >> 4) == 4 && ihl >= 20 && tot >= ihl + 18 && tot <= b.size()) fix_checksums(b);
    DecodeResult d;
    CHECK_NOTHROW(d = decode_ipv4(b));
    if (d.seg) {
      ++ok;
      // Whatever decoded must encode and decode to the same segment again.
      const Segment& s = *d.seg;
      const bool fits = (s.mss ? 4 : 0) + (s.ts ? 12 : 0) + (s.wscale ? 4 : 0) +
                            (s.sack_permitted && !s.ts ? 4 : 0) + (s.sack_count ? 4 + 8 * s.sack_count : 0) <=
                        40;
      if (fits) {
        const DecodeResult again = decode_ipv4(encode_ipv4(s, 1));
        REQUIRE_MESSAGE(again.seg, again.error);
        CHECK(*again.seg == s);
      }
    } else {
      ++bad;
      CHECK_FALSE(d.error.empty());
    }
  }
  MESSAGE("mutated packets: ok=" << ok << " errors=" << bad);
  CHECK(ok > 0);
  CHECK(bad > 0);
}

}  // TEST_SUITE("wire codec")

TEST_SUITE("wire pcap") {

std::vector<Segment> conversation() {
  return {syn(), syn_ack(), data_psh(), with_sack(2, true), fin(), rst()};
}

TEST_CASE("pcap write then read back equal, LINKTYPE_RAW, microsecond timestamps") {
  const TempFile tmp("roundtrip.pcap");
  const std::string& path = tmp.path;
  const auto segs = conversation();
  {
    PcapWriter w(path);
    REQUIRE_MESSAGE(w.ok(), w.error());
    std::int64_t t = 0;
    std::uint16_t id = 1;
    for (const auto& s : segs) {
      w.write(s, t, id++);
      t += 1'234'567;  // 1.234567 ms
    }
    w.write(syn(), 5'000'000'999'999, id);  // 5000.000999999 s -> 5000.000999 s
    CHECK(w.packets_written() == segs.size() + 1);
    CHECK(w.ok());
  }
  const Bytes file = read_file(path);
  REQUIRE(file.size() > 24);
  CHECK(file[0] == 0xd4);  // little-endian microsecond magic
  CHECK(file[3] == 0xa1);
  const std::uint32_t link = std::uint32_t{file[20]} | (std::uint32_t{file[21]} << 8) |
                             (std::uint32_t{file[22]} << 16) | (std::uint32_t{file[23]} << 24);
  CHECK(link == 101);  // LINKTYPE_RAW

  const PcapReadResult r = read_pcap_file(path);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.error.empty());
  CHECK(r.frames == segs.size() + 1);
  CHECK(r.malformed == 0);
  REQUIRE(r.packets.size() == segs.size() + 1);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    CAPTURE(i);
    CHECK(r.packets[i].seg == segs[i]);
    CHECK(r.packets[i].t_ns == static_cast<std::int64_t>(i) * 1'234'567 / 1000 * 1000);
  }
  CHECK(r.packets.back().t_ns == 5'000'000'999'000);

  std::string err = "x";
  std::size_t malformed = 99;
  const auto back = read_pcap(path, &err, &malformed);
  CHECK(err.empty());
  CHECK(malformed == 0);
  CHECK(back.size() == segs.size() + 1);
}

TEST_CASE("pcap in a missing directory: ok() is false with a clear error") {
  PcapWriter w("/nonexistent-tcplab-dir/sub/out.pcap");
  CHECK_FALSE(w.ok());
  CHECK(w.error().find("/nonexistent-tcplab-dir/sub/out.pcap") != std::string::npos);
  CHECK(w.error().find("No such file or directory") != std::string::npos);
  w.write(syn(), 0, 1);  // ignored, no throw
  CHECK(w.packets_written() == 0);
  CHECK_FALSE(PcapWriter("").ok());
}

TEST_CASE("read_pcap counts and skips malformed packets, reports bad files") {
  const TempFile tmp("malformed.pcap");
  const std::string& path = tmp.path;
  {
    PcapWriter w(path);
    REQUIRE(w.ok());
    for (int i = 0; i < 3; ++i) w.write(data_psh(), i * 1000, static_cast<std::uint16_t>(i));
  }
  Bytes file = read_file(path);
  const std::size_t rec = 16 + encode_ipv4(data_psh(), 0).size();
  REQUIRE(file.size() == 24 + 3 * rec);
  file[24 + rec + 16 + 60] ^= 0x55;  // second frame: a payload byte
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  }
  PcapReadResult r = read_pcap_file(path);
  CHECK(r.ok);
  CHECK(r.frames == 3);
  CHECK(r.malformed == 1);
  CHECK(r.packets.size() == 2);
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].find("frame 2: bad TCP checksum") == 0);

  // Cut short in the middle of the last record.
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size() - 5));
  }
  std::string err;
  std::size_t malformed = 0;
  const auto segs = read_pcap(path, &err, &malformed);
  CHECK(segs.size() == 1);
  CHECK(malformed == 2);
  CHECK(err.find("cut short inside record 3") != std::string::npos);

  // Not a pcap at all, and no file.
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "this is not a capture file, just text";
  }
  r = read_pcap_file(path);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("is not a pcap file") != std::string::npos);
  r = read_pcap_file(TempFile("does-not-exist.pcap").path);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("No such file") != std::string::npos);
}

TEST_CASE("tshark reads the pcap as Raw IP with good checksums") {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    MESSAGE("tshark not on PATH: skipping the tshark check");
    return;
  }
  const TempFile tmp("tshark.pcap");
  const std::string& path = tmp.path;
  const auto segs = conversation();
  std::size_t frames = 0;
  {
    PcapWriter w(path);
    REQUIRE(w.ok());
    for (int round = 0; round < 3; ++round) {
      for (const auto& s : segs) {
        w.write(s, static_cast<std::int64_t>(frames) * 1'000'000, static_cast<std::uint16_t>(frames + 1));
        ++frames;
      }
    }
  }
  const std::string ck = " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE ";
  const std::string all = run("tshark -n -r '" + path + "'" + ck + "-T fields -e frame.protocols 2>/dev/null");
  CHECK(count_lines(all) == frames);
  CHECK(all.rfind("raw:ip:tcp", 0) == 0);
  const std::string bad =
      run("tshark -n -r '" + path + "'" + ck +
          "-Y '_ws.malformed || ip.checksum.status == \"Bad\" || "
          "tcp.checksum.status == \"Bad\"' -T fields -e frame.number 2>/dev/null");
  CHECK_MESSAGE(count_lines(bad) == 0, "frames tshark flags: " << bad);
  const std::string good = run("tshark -n -r '" + path + "'" + ck +
                               "-Y 'ip.checksum.status == \"Good\" && tcp.checksum.status == \"Good\"' "
                               "-T fields -e frame.number 2>/dev/null");
  CHECK(count_lines(good) == frames);
  const std::string syn_opts = run("tshark -n -r '" + path + "' -c 1 -V 2>/dev/null");
  CHECK(syn_opts.find("Maximum segment size: 1460 bytes") != std::string::npos);
  CHECK(syn_opts.find("Window scale: 7") != std::string::npos);
}

}  // TEST_SUITE("wire pcap")
