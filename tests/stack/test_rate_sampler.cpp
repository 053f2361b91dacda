// Delivery rate samples (draft-cheng-iccrg-delivery-rate-estimation 3): what BBR sees.
#include <doctest/doctest.h>

#include <vector>

#include "stack/rate_sampler.hpp"

using namespace tcplab;

TEST_CASE("rate sampler: a paced flow at 1000 bytes per ms measures 8 Mbit/s, with the RTT of the newest segment") {
  RateSampler rs;
  const Seq32 iss(1000);
  // One 1000-byte segment every millisecond; each is ACKed 40 ms after it left.
  for (int i = 0; i < 200; ++i) {
    const Instant now = ms(i);
    rs.on_send(iss + i * 1000, iss + (i + 1) * 1000, now, false, i < 40 ? static_cast<std::uint32_t>(i * 1000) : 40000);
    if (i >= 40) {
      const RateSample s = rs.on_ack(iss + (i - 39) * 1000, {}, now);
      REQUIRE(s.rtt_ns == ms(40));  // the newest acked segment, i - 40, left 40 ms ago
      if (i >= 90) {  // after the first two round trips (the first intervals start at time 0)
        REQUIRE(s.valid());
        CHECK(s.rate_bps() == 8'000'000);
        CHECK_FALSE(s.app_limited);
      }
    }
  }
  CHECK(rs.min_rtt() == ms(40));
  CHECK(rs.delivered() == 160 * 1000);
}

TEST_CASE("rate sampler: SACKed segments count as delivered once; a retransmission gives no RTT (Karn)") {
  RateSampler rs;
  const Seq32 s0(0);
  for (int i = 0; i < 4; ++i) rs.on_send(s0 + i * 100, s0 + (i + 1) * 100, ms(i), false, static_cast<std::uint32_t>(i * 100));
  // Segment 0 is lost; 1..3 are SACKed at 50 ms.
  RateSample a = rs.on_ack(s0, {SackBlock{s0 + 100, s0 + 400}}, ms(50));
  CHECK(rs.delivered() == 300);
  CHECK(a.rtt_ns == ms(47));  // the newest of them, sent at 3 ms
  rs.on_send(s0, s0 + 100, ms(60), true, 100);
  RateSample b = rs.on_ack(s0 + 400, {}, ms(100));
  CHECK(rs.delivered() == 400);  // the SACKed bytes are not counted again
  CHECK(b.rtt_ns == 0);          // only the retransmitted segment was newly delivered
}

TEST_CASE("rate sampler: samples taken while the application had nothing to send are app-limited") {
  RateSampler rs;
  const Seq32 s0(0);
  rs.on_send(s0, s0 + 1000, 0, false, 0);
  rs.mark_app_limited(1000);
  rs.on_send(s0 + 1000, s0 + 2000, ms(1), false, 1000);
  CHECK_FALSE(rs.on_ack(s0 + 1000, {}, ms(40)).app_limited);  // sent before the mark
  CHECK(rs.on_ack(s0 + 2000, {}, ms(41)).app_limited);
}

TEST_CASE("rate sampler: with holes, growing SACK blocks and retransmissions, each ACK delivers exactly the records a plain scan finds") {
  // The sampler jumps over runs of SACKed records and finds each block's records by binary
  // search; this replays 600 segments against a plain model that walks every record.
  struct Rec {
    Seq32 seq, end;
    Instant sent;
    bool retx, sacked;
  };
  std::vector<Rec> model;
  RateSampler rs;
  const Seq32 s0(4'294'900'000U);  // wraps past 2^32 on the way
  constexpr int kSegs = 600;
  std::vector<bool> got(kSegs, false);  // the receiver holds segment k
  int una = 0, sent = 0;
  std::uint64_t x = 12345;
  auto rnd = [&](int n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((x >> 33) % static_cast<std::uint64_t>(n));
  };
  std::uint64_t model_delivered = 0;
  int acks = 0, retx_count = 0;
  for (Instant now = ms(1); una < kSegs; now += ms(1)) {
    for (int k = 0; k < 3 && sent < kSegs; ++k, ++sent) {  // new data
      rs.on_send(s0 + sent * 100, s0 + (sent + 1) * 100, now, false, 1);
      model.push_back({s0 + sent * 100, s0 + (sent + 1) * 100, now, false, false});
    }
    if (rnd(4) == 0 && una < sent && !got[static_cast<std::size_t>(una)]) {  // resend the first hole
      rs.on_send(s0 + una * 100, s0 + (una + 1) * 100, now, true, 1);
      for (Rec& r : model)
        if (!r.sacked && r.seq == s0 + una * 100) r.sent = now, r.retx = true;
      ++retx_count;
    }
    for (int k = 0; k < 2; ++k) {  // segments arrive, most of them out of order
      const int lo = una, hi = sent;
      if (hi > lo) got[static_cast<std::size_t>(lo + rnd(hi - lo))] = true;
    }
    if (rnd(6) == 0) got[static_cast<std::size_t>(una)] = true;  // the hole filled
    while (una < kSegs && got[static_cast<std::size_t>(una)]) ++una;
    // The scoreboard: the runs of held segments above SND.UNA, sorted and disjoint.
    std::vector<SackBlock> blocks;
    for (int k = una; k < sent; ++k) {
      if (!got[static_cast<std::size_t>(k)]) continue;
      if (!blocks.empty() && blocks.back().right == s0 + k * 100) blocks.back().right = s0 + (k + 1) * 100;
      else blocks.push_back({s0 + k * 100, s0 + (k + 1) * 100});
    }
    std::vector<RateSampler::Delivery> got_now;
    rs.on_ack(s0 + una * 100, blocks, now, &got_now);
    std::vector<RateSampler::Delivery> want;
    while (!model.empty() && seq_le(model.front().end, s0 + una * 100)) {
      if (!model.front().sacked) want.push_back({model.front().seq, model.front().end, model.front().sent, model.front().retx});
      model.erase(model.begin());
    }
    for (Rec& r : model) {
      for (const SackBlock& b : blocks) {
        if (!r.sacked && seq_le(b.left, r.seq) && seq_le(r.end, b.right)) {
          r.sacked = true;
          want.push_back({r.seq, r.end, r.sent, r.retx});
        }
      }
    }
    for (const auto& d : want) model_delivered += static_cast<std::uint32_t>(d.end - d.seq);
    REQUIRE(got_now.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      CHECK(got_now[i].seq == want[i].seq);
      CHECK(got_now[i].end == want[i].end);
      CHECK(got_now[i].sent == want[i].sent);
      CHECK(got_now[i].retx == want[i].retx);
    }
    CHECK(rs.delivered() == model_delivered);
    ++acks;
  }
  CHECK(rs.delivered() == kSegs * 100);
  CHECK(retx_count > 20);  // the case exercises the retransmission path, not only SACKs
  CHECK(acks > 200);
}
