// The libtins-free encoder and pcap writer (the WebAssembly build's) against the libtins
// path they must equal byte for byte.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "stack/wire/codec.hpp"
#include "stack/wire/encode_plain.hpp"
#include "stack/wire/pcap.hpp"
#include "temp_file.hpp"

using namespace tcplab;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Names the field at byte `at` of an IPv4/TCP datagram without IP options.
std::string field_at(std::size_t at, std::size_t data_offset) {
  static const struct { std::size_t end; const char* name; } kFields[] = {
      {1, "IP version/IHL"}, {2, "IP type of service"}, {4, "IP total length"},
      {6, "IP identification"}, {8, "IP flags/fragment offset"}, {9, "IP time to live"},
      {10, "IP protocol"}, {12, "IP header checksum"}, {16, "IP source address"},
      {20, "IP destination address"}, {22, "TCP source port"}, {24, "TCP destination port"},
      {28, "TCP sequence number"}, {32, "TCP acknowledgment number"}, {33, "TCP data offset"},
      {34, "TCP control bits"}, {36, "TCP window"}, {38, "TCP checksum"},
      {40, "TCP urgent pointer"}};
  for (const auto& f : kFields) {
    if (at < f.end) return f.name;
  }
  return at < 20 + data_offset ? "TCP options" : "payload";
}

// "" if equal, else every field that differs (by the libtins layout), each once with its
// first differing byte: a wrong option also shows up as a wrong checksum, so list both.
std::string differences(const Bytes& plain, const Bytes& tins) {
  if (plain == tins) return "";
  if (plain.empty() != tins.empty()) {
    return std::string("one encoder refused: plain ") + (plain.empty() ? "empty" : "non-empty") +
           ", libtins " + (tins.empty() ? "empty" : "non-empty");
  }
  std::string out;
  if (plain.size() != tins.size()) {
    out = "total size: plain " + std::to_string(plain.size()) + ", libtins " + std::to_string(tins.size());
  }
  const std::size_t doff = tins.size() > 32 ? std::size_t{static_cast<std::uint8_t>(tins[32] >> 4)} * 4 : 20;
  std::string last;
  for (std::size_t i = 0; i < std::min(plain.size(), tins.size()); ++i) {
    if (plain[i] == tins[i]) continue;
    const std::string f = field_at(i, doff);
    if (f == last) continue;
    last = f;
    out += (out.empty() ? "" : "; ") + f + " at byte " + std::to_string(i) + ": plain " +
           std::to_string(plain[i]) + ", libtins " + std::to_string(tins[i]);
  }
  return out;
}

Segment random_segment(std::mt19937& rng) {
  auto below = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
  Segment s;
  s.src = {static_cast<Ipv4>(rng()), static_cast<std::uint16_t>(rng())};
  s.dst = {static_cast<Ipv4>(rng()), static_cast<std::uint16_t>(rng())};
  if (below(200) == 0) s.src.ip = 0;  // refused by both
  if (below(200) == 0) s.dst.ip = 0;
  s.seq = Seq32(static_cast<std::uint32_t>(rng()));
  s.ack = Seq32(static_cast<std::uint32_t>(rng()));
  s.flags = static_cast<std::uint8_t>(rng());  // all eight bits, CWR and ECE too
  s.wnd = static_cast<std::uint16_t>(rng());
  if (below(2)) s.mss = static_cast<std::uint16_t>(rng());
  if (below(2)) s.wscale = static_cast<std::uint8_t>(below(8) == 0 ? rng() : below(15));
  s.sack_permitted = below(2) != 0;
  if (below(2)) s.ts = Timestamps{static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng())};
  // 0..4 blocks, sometimes a count past the array (the encoders clamp it).
  s.sack_count = static_cast<std::uint8_t>(below(10) == 0 ? below(256) : below(5));
  for (auto& b : s.sack) {
    b = SackBlock{Seq32(static_cast<std::uint32_t>(rng())), Seq32(static_cast<std::uint32_t>(rng()))};
  }
  const std::uint32_t len = below(4) == 0 ? 0 : below(2001);
  std::string bytes(len, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng());
  s.payload = std::move(bytes);
  return s;
}

Segment data_segment() {
  Segment s;
  s.src = {(10u << 24) | 1, 39870};
  s.dst = {(10u << 24) | 2, 9502};
  s.seq = Seq32(1001);
  s.ack = Seq32(0xfffffff1u);
  s.flags = kPsh | kAck;
  s.wnd = 502;
  s.ts = Timestamps{111200, 222222};
  s.payload = std::string("hello, tcplab!\r\n\x00\xff", 18);
  return s;
}

Segment syn_segment() {
  Segment s = data_segment();
  s.flags = kSyn;
  s.seq = Seq32(1000);
  s.ack = Seq32(0);
  s.wnd = 64240;
  s.mss = 1460;
  s.sack_permitted = true;
  s.ts = Timestamps{111111, 0};
  s.wscale = 7;
  s.payload.clear();
  return s;
}


std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_SUITE("wire encode_plain") {

TEST_CASE("5,000 random segments: encode_ipv4_plain == encode_ipv4 byte for byte") {
  std::mt19937 rng(20250101);
  std::size_t encoded = 0, refused = 0;
  for (int i = 0; i < 5000; ++i) {
    const Segment s = random_segment(rng);
    const auto ip_id = static_cast<std::uint16_t>(rng());
    const auto ttl = static_cast<std::uint8_t>(rng());
    const Bytes tins = encode_ipv4(s, ip_id, ttl);
    const Bytes plain = encode_ipv4_plain(s, ip_id, ttl);
    const std::string diff = differences(plain, tins);
    CHECK_MESSAGE(diff.empty(), "segment " << i << ": " << diff);
    (tins.empty() ? refused : encoded) += 1;
  }
  MESSAGE("random segments: encoded=" << encoded << " refused=" << refused);
  CHECK(encoded > 4800);
  CHECK(refused > 0);
  // The default TTL is the same too.
  const Segment s = data_segment();
  CHECK(encode_ipv4_plain(s, 7) == encode_ipv4(s, 7));
}

TEST_CASE("payload size limit: both refuse past 65,455 bytes, both encode at it") {
  Segment s = data_segment();
  for (std::size_t len : {std::size_t{65455}, std::size_t{65456}, std::size_t{70000}}) {
    CAPTURE(len);
    s.payload = std::string(len, 'x');
    const Bytes tins = encode_ipv4(s, 3);
    CHECK(tins.empty() == (len > 65455));
    CHECK_MESSAGE(encode_ipv4_plain(s, 3) == tins, differences(encode_ipv4_plain(s, 3), tins));
  }
}

TEST_CASE("checksums of 0: a computed zero is written as 0 by both") {
  // Setting the word the checksum covers to the checksum it produced when zero makes the
  // one's-complement sum 0xffff, so the new checksum is 0 (RFC 1071).
  Segment s = data_segment();
  std::string bytes = s.payload.str();
  bytes.replace(0, 2, std::string(2, '\0'));
  s.payload = bytes;
  const Bytes first = encode_ipv4_plain(s, 0);
  bytes[0] = static_cast<char>(first[36]);
  bytes[1] = static_cast<char>(first[37]);
  s.payload = bytes;
  const auto ip_id = static_cast<std::uint16_t>((first[10] << 8) | first[11]);
  const Bytes tins = encode_ipv4(s, ip_id);
  const Bytes plain = encode_ipv4_plain(s, ip_id);
  CHECK_MESSAGE(plain == tins, differences(plain, tins));
  REQUIRE(plain.size() > 40);
  CHECK(plain[10] == 0);  // IP header checksum
  CHECK(plain[11] == 0);
  CHECK(plain[36] == 0);  // TCP checksum
  CHECK(plain[37] == 0);
  CHECK(decode_ipv4(plain).seg == s);
}

TEST_CASE("checksums are right: decode accepts the output, a flipped byte is caught") {
  std::mt19937 rng(99);
  for (int i = 0; i < 200; ++i) {
    Segment s = random_segment(rng);
    s.src.ip |= 1;
    s.dst.ip |= 1;
    s.sack_count = encodable_sack_blocks(s);  // what decodes back
    for (std::size_t j = s.sack_count; j < s.sack.size(); ++j) s.sack[j] = SackBlock{};
    if (s.payload.empty()) s.payload = "x";
    const Bytes good = encode_ipv4_plain(s, static_cast<std::uint16_t>(i));
    CAPTURE(i);
    const DecodeResult d = decode_ipv4(good);
    REQUIRE_MESSAGE(d.seg, d.error);
    CHECK(*d.seg == s);

    Bytes b = good;
    b[b.size() - 1 - static_cast<std::size_t>(rng() % s.payload.size())] ^= 0x20;  // a payload byte
    const DecodeResult bad = decode_ipv4(b);
    CHECK_FALSE(bad.seg);
    CHECK(bad.error.find("bad TCP checksum") == 0);

    b = good;
    b[8] ^= 0x01;  // time to live: covered by the IP header checksum only
    CHECK(decode_ipv4(b).error.find("bad IPv4 header checksum") == 0);
  }
}

TEST_CASE("pcap bytes equal PcapWriter's file, and read back to the same segments") {
  Segment sack = data_segment();
  sack.flags = kAck;
  sack.payload.clear();
  sack.sack_count = 3;
  for (std::uint32_t i = 0; i < 3; ++i) sack.sack[i] = SackBlock{Seq32(8000 + 2000 * i), Seq32(9000 + 2000 * i)};
  Segment too_big = data_segment();
  too_big.payload = std::string(70000, 'x');  // skipped by both writers
  struct Rec { Segment seg; std::int64_t t_ns; std::uint16_t ip_id; };
  const std::vector<Rec> recs = {
      {syn_segment(), 0, 1},
      {data_segment(), 1'234'567, 2},        // 1.234567 ms -> 1234 µs
      {too_big, 2'000'000, 3},
      {sack, -5, 4},                          // negative -> 0
      {data_segment(), 5'000'000'999'999, 5}, // 5000.000999999 s -> 5000.000999 s
      {syn_segment(), (std::int64_t{1} << 32) * 1'000'000'000 + 7'000'123'456, 6},  // seconds wrap to 32 bits
  };

  const TempFile tmp("libtins.pcap");
  {
    PcapWriter w(tmp.path);
    REQUIRE_MESSAGE(w.ok(), w.error());
    for (const auto& r : recs) w.write(r.seg, r.t_ns, r.ip_id);
    CHECK(w.packets_written() == recs.size() - 1);
  }
  const std::string tins = slurp(tmp.path);

  std::string plain = pcap_file_header_raw();
  CHECK(plain == std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                             "\xff\xff\x00\x00\x65\x00\x00\x00", 24));
  for (const auto& r : recs) append_pcap_record(plain, encode_ipv4_plain(r.seg, r.ip_id), r.t_ns);

  REQUIRE(tins.size() >= 24);
  CHECK_MESSAGE(plain.substr(0, 24) == tins.substr(0, 24), "pcap file header differs");
  CHECK(plain.size() == tins.size());
  std::size_t first_diff = 0;
  while (first_diff < std::min(plain.size(), tins.size()) && plain[first_diff] == tins[first_diff]) ++first_diff;
  CHECK_MESSAGE(plain == tins, "first differing byte at offset " << first_diff);

  // The plain bytes are a pcap read_pcap_file understands.
  const TempFile out("plain.pcap");
  {
    std::ofstream f(out.path, std::ios::binary | std::ios::trunc);
    f.write(plain.data(), static_cast<std::streamsize>(plain.size()));
  }
  const PcapReadResult r = read_pcap_file(out.path);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.error.empty());
  CHECK(r.malformed == 0);
  const std::vector<std::int64_t> want_t = {0, 1'234'000, 0, 5'000'000'999'000, 7'000'123'000};
  REQUIRE(r.packets.size() == want_t.size());
  std::size_t k = 0;
  for (const auto& rec : recs) {
    if (&rec == &recs[2]) continue;  // the refused one
    CAPTURE(k);
    CHECK(r.packets[k].seg == rec.seg);
    CHECK(r.packets[k].t_ns == want_t[k]);
    ++k;
  }
}

TEST_CASE("append_pcap_record: an empty frame appends nothing") {
  std::string out = "abc";
  append_pcap_record(out, {}, 1000);
  CHECK(out == "abc");
}

}  // TEST_SUITE("wire encode_plain")
