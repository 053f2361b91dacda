// Our own pcap / pcapng reader (import/capture_reader.hpp, what the browser build reads
// captures with): record by record the same as libpcap on every sample file, and the
// formats' corners on byte-exact files built here.
#include <doctest/doctest.h>

#include <pcap.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "import/capture_reader.hpp"
#include "import/pcap_source.hpp"

using namespace tcplab;
using namespace tcplab::capture;

namespace {

// A record as text: link, time (microseconds, as libpcap gives it), lengths, bytes.
std::string line(int link, std::int64_t sec, std::uint32_t usec, std::uint32_t caplen, std::uint32_t len,
                 const std::uint8_t* data) {
  std::string s = fmt::format("{} {}.{:06} {} {} ", link == 101 ? 12 : link, sec, usec, caplen, len);
  for (std::uint32_t i = 0; i < caplen; ++i) s += fmt::format("{:02x}", data[i]);
  return s;
}

std::vector<std::string> by_libpcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* h = pcap_open_offline(path.c_str(), err);
  REQUIRE_MESSAGE(h != nullptr, err);
  std::vector<std::string> out;
  pcap_pkthdr* hdr = nullptr;
  const std::uint8_t* data = nullptr;
  while (pcap_next_ex(h, &hdr, &data) == 1)
    out.push_back(line(pcap_datalink(h), hdr->ts.tv_sec, static_cast<std::uint32_t>(hdr->ts.tv_usec), hdr->caplen,
                       hdr->len, data));
  pcap_close(h);
  return out;
}

std::vector<std::string> by_ours(std::istream& in, std::string* stopped = nullptr) {
  CaptureReader r(in);
  REQUIRE_MESSAGE(r.error().empty(), r.error());
  std::vector<std::string> out;
  CaptureRecord rec;
  while (r.next(rec)) out.push_back(line(rec.link, rec.sec, rec.nsec / 1000, rec.caplen, rec.len, rec.data));
  if (stopped) *stopped = r.stopped();
  return out;
}

// Little helpers to write bytes in either order.
struct Bytes {
  std::string s;
  bool big = false;
  Bytes& u8(std::uint8_t v) { s.push_back(static_cast<char>(v)); return *this; }
  Bytes& u16(std::uint16_t v) { return big ? u8(v >> 8).u8(v & 0xff) : u8(v & 0xff).u8(v >> 8); }
  Bytes& u32(std::uint32_t v) { return big ? u16(v >> 16).u16(v & 0xffff) : u16(v & 0xffff).u16(v >> 16); }
  Bytes& raw(const std::string& b) { s += b; return *this; }
};

// A 40-byte raw IPv4 SYN (link type 101): enough for the decoder, and distinct per `n`.
std::string syn(std::uint8_t n) {
  std::string p(40, '\0');
  p[0] = 0x45; p[3] = 40; p[8] = 64; p[9] = 6;
  p[12] = 10; p[15] = 1; p[16] = 10; p[19] = 2;
  p[20] = 0x30; p[21] = 0x39; p[22] = 0x00; p[23] = 0x50;  // 12345 -> 80
  p[27] = static_cast<char>(n);                             // seq
  p[32] = 0x50; p[33] = 0x02;                               // data offset 5, SYN
  p[34] = '\x7f';
  return p;
}

std::string pcap_file(bool big, bool nano) {
  Bytes b;
  b.big = big;
  b.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(101);
  b.u32(1700000000).u32(nano ? 123456789 : 123456).u32(40).u32(40).raw(syn(1));
  b.u32(1700000001).u32(nano ? 999 : 7).u32(20).u32(40).raw(syn(2).substr(0, 20));
  return b.s;
}

}  // namespace

TEST_SUITE("import") {
  TEST_CASE("the reader gives libpcap's records on every sample capture") {
    std::vector<std::filesystem::path> files;
    for (const char* dir : {"tests/import", "fuzz/corpus/import"})
      for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(TCPLAB_SOURCE_DIR) / dir))
        if (e.path().extension() == ".pcap" || e.path().extension() == ".pcapng") files.push_back(e.path());
    REQUIRE(files.size() >= 8);
    bool saw_ng = false;
    for (const auto& f : files) {
      CAPTURE(f.string());
      std::ifstream in(f, std::ios::binary);
      std::string stopped;
      const auto ours = by_ours(in, &stopped);
      const auto theirs = by_libpcap(f.string());
      CHECK(ours == theirs);
      CHECK(!ours.empty());
      if (f.extension() == ".pcapng") saw_ng = true;
      // handshake-cut.pcap ends inside a record: both stop there, we say why.
      if (f.filename() == "handshake-cut.pcap") CHECK(stopped.find("truncated") != std::string::npos);
    }
    CHECK(saw_ng);
  }

  TEST_CASE("classic pcap: both byte orders, both resolutions") {
    for (bool big : {false, true})
      for (bool nano : {false, true}) {
        CAPTURE(big);
        CAPTURE(nano);
        std::istringstream in(pcap_file(big, nano));
        CaptureReader r(in);
        REQUIRE(r.error().empty());
        CHECK(r.first_link() == 101);
        CaptureRecord rec;
        REQUIRE(r.next(rec));
        CHECK(rec.sec == 1700000000);
        CHECK(rec.nsec == (nano ? 123456789U : 123456000U));
        CHECK(rec.caplen == 40);
        CHECK(std::memcmp(rec.data, syn(1).data(), 40) == 0);
        REQUIRE(r.next(rec));
        CHECK(rec.nsec == (nano ? 999U : 7000U));
        CHECK(rec.caplen == 20);
        CHECK(rec.len == 40);
        CHECK_FALSE(r.next(rec));
        CHECK(r.stopped().empty());
      }
  }

  TEST_CASE("pcapng: SHB, IDB with if_tsresol and if_tsoffset, EPB, SPB, unknown blocks skipped") {
    for (bool big : {false, true}) {
      CAPTURE(big);
      Bytes b;
      b.big = big;
      b.u32(0x0a0d0d0a).u32(28).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).u32(28);
      // IDB 0: raw IP, snaplen 30, if_tsresol 2^-10, if_tsoffset 100 s
      b.u32(1).u32(44).u16(101).u16(0).u32(30);
      b.u16(9).u16(1).u8(0x8a).u8(0).u8(0).u8(0);
      b.u16(14).u16(8);
      if (big) b.u32(0).u32(100); else b.u32(100).u32(0);
      b.u16(0).u16(0).u32(44);
      // IDB 1: raw IP, default microseconds
      b.u32(1).u32(20).u16(101).u16(0).u32(0).u32(20);
      // an unknown block (a Name Resolution Block, type 4): skipped
      b.u32(4).u32(16).u32(0).u32(16);
      // EPB on interface 1: ts 5_000_001 us
      b.u32(6).u32(32 + 40).u32(1).u32(0).u32(5000001).u32(40).u32(40).raw(syn(3)).u32(32 + 40);
      // EPB on interface 0: ts 3 * 1024 + 512 units of 2^-10 s = 3.5 s, plus 100 s
      b.u32(6).u32(32 + 40).u32(0).u32(0).u32(3 * 1024 + 512).u32(40).u32(40).raw(syn(4)).u32(32 + 40);
      // SPB: interface 0's snap length (30) cuts the 40-byte packet; padded to 4
      b.u32(3).u32(16 + 32).u32(40).raw(syn(5).substr(0, 30)).u8(0).u8(0).u32(16 + 32);
      std::istringstream in(b.s);
      CaptureReader r(in);
      REQUIRE(r.error().empty());
      CHECK(r.pcapng());
      CaptureRecord rec;
      REQUIRE(r.next(rec));
      CHECK(rec.sec == 5);
      CHECK(rec.nsec == 1000);
      CHECK(std::memcmp(rec.data, syn(3).data(), 40) == 0);
      REQUIRE(r.next(rec));
      CHECK(rec.sec == 103);
      CHECK(rec.nsec == 500000000);
      REQUIRE(r.next(rec));
      CHECK(rec.caplen == 30);
      CHECK(rec.len == 40);
      CHECK(rec.sec == 100);
      CHECK(std::memcmp(rec.data, syn(5).data(), 30) == 0);
      CHECK_FALSE(r.next(rec));
      CHECK(r.stopped().empty());
    }
  }

  TEST_CASE("anything else is refused with what it starts with; a truncated file keeps what was read") {
    std::istringstream gz(std::string("\x1f\x8b\x08\x00 gzip", 9));
    CaptureReader r(gz);
    CHECK(r.error() == "not a pcap or pcapng capture: it starts with 1f 8b 08 00 (pcap: d4 c3 b2 a1 or 4d 3c b2 a1 "
                       "either way round; pcapng: 0a 0d 0d 0a)");
    std::istringstream tiny("ab");
    CHECK(CaptureReader(tiny).error() == "not a capture: 2 bytes, shorter than any pcap or pcapng header");
    // A packet before any interface block.
    Bytes b;
    b.u32(0x0a0d0d0a).u32(28).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).u32(28);
    b.u32(6).u32(32 + 40).u32(0).u32(0).u32(1).u32(40).u32(40).raw(syn(3)).u32(32 + 40);
    std::istringstream noidb(b.s);
    CaptureReader ng(noidb);
    CaptureRecord rec;
    CHECK_FALSE(ng.next(rec));
    CHECK(ng.stopped() == "a pcapng packet on interface 0, which no interface block described");
    // Cut in the second record: the first is kept, and the source says where it stopped.
    const std::string whole = pcap_file(false, false);
    std::istringstream cut(whole.substr(0, whole.size() - 5));
    SourceReport report;
    std::vector<std::uint32_t> seqs;
    CHECK(read_capture_stream(cut, "cut.pcap", [&](Instant t, std::uint64_t, const DecodedFrame& f) {
      CHECK(t == 1700000000LL * 1'000'000'000 + 123456000);
      seqs.push_back(f.seg.seq.raw());
      return true;
    }, report));
    CHECK(seqs == std::vector<std::uint32_t>{1});
    CHECK(report.frames == 1);
    CHECK(report.stopped == "truncated file: a record of 20 bytes, only 15 there");
    std::istringstream gz2(std::string("\x1f\x8b\x08\x00 gzip", 9));
    SourceReport bad;
    CHECK_FALSE(read_capture_stream(gz2, "x.gz", [](Instant, std::uint64_t, const DecodedFrame&) { return true; }, bad));
    CHECK(bad.error.rfind("'x.gz' is not a pcap or pcapng capture", 0) == 0);
  }
}
