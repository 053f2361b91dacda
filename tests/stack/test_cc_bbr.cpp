// BBR v1 (Linux tcp_bbr.c), stack/cc_bbr: the Bbr struct driven directly by the ACKs of a
// small synthetic path: one bottleneck of known rate and a fixed propagation delay, an
// unlimited sender that sends while cwnd and the pacing rate allow, one ACK per packet, and
// the delivery-rate samples of draft-cheng-iccrg-delivery-rate-estimation computed here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "stack/cc_bbr.hpp"

using namespace tcplab;

namespace {

constexpr std::uint32_t kBbrMss = 1000;
constexpr std::uint64_t kRateBps = 10'000'000;  // 10 Mb/s: 1250 packets a second
constexpr Duration kRtProp = ms(40);
constexpr Duration kTxTime = static_cast<Duration>(kBbrMss * 8ULL * 1'000'000'000ULL / kRateBps);  // 0.8 ms
constexpr std::uint32_t kBdpBytes = 50 * kBbrMss;  // 10 Mb/s x 40 ms (the serialization adds 1 packet of RTT)

struct Sent {
  Instant sent, ack_at;
  std::uint64_t delivered;       // the connection's delivered bytes when it was sent
  Instant delivered_time;        // when that count was reached
  Instant first_sent_time;       // the send time of the packet whose ACK began this interval
  bool app_limited;
};

struct Path {
  Bbr bbr;
  CcWindow w;
  Instant now = 0;
  std::deque<Sent> flight;
  Instant link_free = 0, next_send = 0;
  std::uint64_t delivered = 0;
  Instant delivered_time = 0, first_sent_time = 0;
  Duration min_rtt = 0;
  Duration extra_rtt = 0;  // a queue elsewhere (to stop RTprop from being renewed)
  std::vector<std::string> phases;  // each change of phase()
  std::uint64_t acks = 0;

  explicit Path(Instant start = 0) : now(start) {
    CcInit i;
    i.now = start;
    i.mss = kBbrMss;
    bbr.init(w, i);
    phases.emplace_back(bbr.phase(w));
  }
  std::uint32_t in_flight() const { return static_cast<std::uint32_t>(flight.size()) * kBbrMss; }
  std::string phase() const { return std::string(bbr.phase(w)); }

  void send_one() {
    if (flight.empty()) first_sent_time = delivered_time = now;
    const Instant depart = std::max(now, link_free) + kTxTime;  // FIFO at the bottleneck
    link_free = depart;
    flight.push_back({now, depart + kRtProp + extra_rtt, delivered, delivered_time, first_sent_time, false});
    const std::uint64_t pace = bbr.pacing_bps(w);
    next_send = pace ? now + static_cast<Duration>(kBbrMss * 8ULL * 1'000'000'000ULL / pace) : now;
  }

  void ack_one() {
    const Sent p = flight.front();
    flight.pop_front();
    CcAck a;
    a.now = now;
    a.mss = kBbrMss;
    a.acked = kBbrMss;
    a.prior_in_flight = in_flight() + kBbrMss;
    a.in_flight = in_flight();
    delivered += kBbrMss;
    delivered_time = now;
    a.delivered = delivered;
    a.rtt_ns = now - p.sent;
    min_rtt = min_rtt ? std::min(min_rtt, a.rtt_ns) : a.rtt_ns;
    a.min_rtt_ns = min_rtt;
    a.srtt_ns = a.rtt_ns;
    a.una_advanced = true;
    a.rs.delivered = delivered - p.delivered;
    a.rs.interval_ns = std::max(p.sent - p.first_sent_time, now - p.delivered_time);
    a.rs.prior_delivered = p.delivered;
    a.rs.rtt_ns = a.rtt_ns;
    a.rs.app_limited = p.app_limited;
    first_sent_time = p.sent;
    bbr.on_ack(w, a);
    ++acks;
    if (phases.back() != phase()) phases.push_back(phase());
  }

  // One event: the next ACK, or the next send when the window and the pacing allow it.
  void step() {
    const bool can_send = in_flight() + kBbrMss <= w.cwnd;
    const Instant ack_at = flight.empty() ? kNever : flight.front().ack_at;
    const Instant send_at = can_send ? std::max(now, next_send) : kNever;
    if (send_at <= ack_at) {
      now = send_at;
      send_one();
    } else {
      now = ack_at;
      ack_one();
    }
  }
  void run_until(Instant t) {
    while (now < t) step();
  }
  template <class Pred>
  bool run_until(Pred done, Instant limit) {
    while (!done()) {
      if (now >= limit) return false;
      step();
    }
    return true;
  }
};

double gain_of(std::uint32_t g) { return static_cast<double>(g) / Bbr::kUnit; }

}  // namespace

TEST_SUITE("BBR") {

TEST_CASE("BBR: init: the initial window, STARTUP's gains, pacing from cwnd over a nominal 1 ms") {
  Path p;
  CHECK(p.phase() == "startup");
  CHECK(p.w.cwnd == 10 * kBbrMss);
  CHECK(p.w.ssthresh == kInfiniteSsthresh);
  CHECK(gain_of(p.bbr.pacing_gain()) == doctest::Approx(2.885).epsilon(0.002));
  CHECK(gain_of(p.bbr.cwnd_gain()) == doctest::Approx(2.885).epsilon(0.002));
  // 2.885 x 10 packets / 1 ms x 99 %: 80 Mb/s x 2.889 x 0.99.
  CHECK(p.w.cwnd * 8ULL * 1000 == 80'000'000ULL);
  CHECK(p.bbr.pacing_bps(p.w) == 80'000'000ULL * Bbr::kHighGain * 99 / (256 * 100));
  CHECK(p.bbr.min_rtt_ns() == Bbr::kNoRtt);
}

TEST_CASE("BBR: STARTUP doubles the delivery rate each round and paces at 2.885 x BtlBw") {
  Path p;
  std::vector<std::uint64_t> bw_by_round;
  std::vector<std::uint32_t> cwnd_by_round;
  std::uint32_t round = p.bbr.round_count();
  int pacing_checks = 0;
  p.run_until([&] {
    if (p.bbr.round_count() != round) {
      round = p.bbr.round_count();
      bw_by_round.push_back(p.bbr.btl_bw_bps());
      cwnd_by_round.push_back(p.w.cwnd);
      // Paced at high_gain x BtlBw, 1 % below, once that passed the initial rate (2.885 x
      // 10 packets per SRTT from the first RTT sample on: 5.7 Mb/s).
      const std::uint64_t want = p.bbr.btl_bw_bps() * Bbr::kHighGain / 256 * 99 / 100;
      if (want > 6'000'000ULL && p.phase() == "startup") {
        CHECK(p.bbr.pacing_bps(p.w) == doctest::Approx(static_cast<double>(want)).epsilon(0.001));
        ++pacing_checks;
      }
    }
    return p.phase() != "startup";
  }, sec(2));
  REQUIRE(bw_by_round.size() >= 6);
  CHECK(pacing_checks >= 4);
  // Before the pipe fills (50 packets), the rate doubles and cwnd doubles round after round.
  std::size_t r = 1;  // round 1 measured the initial window's first ACKs only
  for (; r + 1 < bw_by_round.size() && bw_by_round[r + 1] < kRateBps * 3 / 4; ++r) {
    CHECK(static_cast<double>(bw_by_round[r + 1]) / static_cast<double>(bw_by_round[r]) ==
          doctest::Approx(2.0).epsilon(0.25));
    CHECK(static_cast<double>(cwnd_by_round[r + 1]) / static_cast<double>(cwnd_by_round[r]) ==
          doctest::Approx(2.0).epsilon(0.25));
  }
  CHECK(r >= 3);  // 10 packets a round doubling toward 50: at least two doublings seen
  CHECK(p.bbr.btl_bw_bps() == doctest::Approx(static_cast<double>(kRateBps)).epsilon(0.02));
}

TEST_CASE("BBR: full pipe after 3 rounds without 25 % growth, DRAIN, then PROBE_BW once in flight <= BDP") {
  Path p;
  std::uint32_t plateau_round = 0, drain_round = 0;
  std::uint32_t round = 0;
  p.run_until([&] {
    if (p.bbr.round_count() != round) {
      round = p.bbr.round_count();
      // The first round whose BtlBw is within 25 % of the final rate: growth has stopped.
      if (!plateau_round && p.bbr.btl_bw_bps() * 5 / 4 > kRateBps) plateau_round = round;
    }
    if (!drain_round && p.phase() == "drain") {
      drain_round = round;
      CHECK(p.bbr.full_bw_reached());
      CHECK(gain_of(p.bbr.pacing_gain()) == doctest::Approx(1 / 2.885).epsilon(0.01));
      CHECK(gain_of(p.bbr.cwnd_gain()) == doctest::Approx(2.885).epsilon(0.002));
      // ssthresh shows the BDP target, as Linux sets it entering DRAIN.
      CHECK(p.w.ssthresh == p.bbr.inflight_target(p.bbr.btl_bw_bps(), Bbr::kUnit));
      CHECK(p.in_flight() > p.w.ssthresh);  // a queue to drain
    }
    return p.phase() == "probe_bw";
  }, sec(3));
  REQUIRE(plateau_round > 0);
  // Three rounds after the last growth of 25 % (the plateau's first round still grew).
  CHECK(drain_round - plateau_round == 3);
  CHECK(p.phases == std::vector<std::string>{"startup", "drain", "probe_bw"});
  // Left DRAIN on the ACK that brought what is in flight down to one BDP (+ budget).
  CHECK(p.in_flight() <= p.bbr.inflight_target(p.bbr.btl_bw_bps(), Bbr::kUnit));
  CHECK(p.bbr.btl_bw_bps() == doctest::Approx(static_cast<double>(kRateBps)).epsilon(0.02));
  CHECK(p.bbr.min_rtt_ns() == kRtProp + kTxTime);
}

TEST_CASE("BBR: PROBE_BW cycles 1.25, 0.75, 1 x 6, one RTprop a phase; cwnd = 2 BDP + 3 packets (even)") {
  Path p;
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  // The first phase is never the 0.75 one (Linux draws among the other 7).
  CHECK(p.bbr.cycle_index() != 1);
  std::vector<int> order;
  std::vector<Instant> changes;
  int idx = p.bbr.cycle_index();
  order.push_back(idx);
  changes.push_back(p.now);
  p.run_until([&] {
    if (p.bbr.cycle_index() != idx) {
      idx = p.bbr.cycle_index();
      order.push_back(idx);
      changes.push_back(p.now);
    }
    if (p.bbr.full_bw_reached() && p.phase() == "probe_bw" && p.in_flight() > 0) {
      // cwnd: 2 x BDP, 3 packets of budget, rounded up to even; 2 more in the 1.25 phase.
      const std::uint32_t bdp2 = p.bbr.bdp_bytes(p.bbr.btl_bw_bps(), 2 * Bbr::kUnit);
      CHECK(p.w.cwnd >= bdp2);
      CHECK(p.w.cwnd <= bdp2 + 6 * kBbrMss);
    }
    return order.size() >= 18;
  }, sec(5));
  for (std::size_t k = 1; k < order.size(); ++k) CHECK(order[k] == (order[k - 1] + 1) % 8);
  // Gains in cycle order.
  for (int k = 0; k < 8; ++k)
    CHECK(gain_of(Bbr::kPacingGain[static_cast<std::size_t>(k)]) == (k == 0 ? 1.25 : k == 1 ? 0.75 : 1.0));
  // Each 1.0 phase lasts just over one RTprop (it ends on the first ACK after it).
  for (std::size_t k = 1; k + 1 < order.size(); ++k) {
    if (order[k] < 2) continue;
    const Duration len = changes[k + 1] - changes[k];
    CHECK(len > p.bbr.min_rtt_ns());
    CHECK(len < p.bbr.min_rtt_ns() + ms(2));
  }
  // The steady state delivers the bottleneck's rate with a small queue.
  const std::uint64_t d0 = p.delivered;
  const Instant t0 = p.now;
  p.run_until(t0 + sec(2));
  const double mbps = static_cast<double>(p.delivered - d0) * 8 / (static_cast<double>(p.now - t0) / 1e9) / 1e6;
  CHECK(mbps == doctest::Approx(10.0).epsilon(0.05));
  CHECK(p.in_flight() <= 2 * kBdpBytes + 8 * kBbrMss);
}

TEST_CASE("BBR: PROBE_RTT after 10 s without a lower RTT: 4 packets for 200 ms and a round, then back") {
  Path p;
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  const Duration rtprop = p.bbr.min_rtt_ns();
  const std::uint32_t cwnd_before = p.w.cwnd;
  // The path never shows an RTT below the one measured in STARTUP (equal does not renew it).
  Instant entered = 0;
  REQUIRE(p.run_until([&] {
    if (p.phase() == "probe_rtt" && !entered) entered = p.now;
    return entered != 0;
  }, sec(12)));
  CHECK(entered > sec(10));
  CHECK(entered < sec(10) + sec(1));
  CHECK(p.w.cwnd == 4 * kBbrMss);
  CHECK(gain_of(p.bbr.pacing_gain()) == 1.0);
  Instant left = 0;
  std::uint32_t max_cwnd_inside = 0;
  REQUIRE(p.run_until([&] {
    if (p.phase() == "probe_rtt") max_cwnd_inside = std::max(max_cwnd_inside, p.w.cwnd);
    else left = p.now;
    return left != 0;
  }, sec(13)));
  CHECK(max_cwnd_inside == 4 * kBbrMss);
  // At least 200 ms at 4 packets, plus the time to drain down to them; not much more.
  CHECK(left - entered > ms(200));
  CHECK(left - entered < ms(200) + 3 * rtprop);
  CHECK(p.phase() == "probe_bw");  // the pipe was full: straight back to PROBE_BW
  CHECK(p.w.cwnd >= cwnd_before - 2 * kBbrMss);  // the saved cwnd, restored
  CHECK(p.bbr.min_rtt_ns() == rtprop);        // re-measured: the same path
  // The next one is 10 s later.
  REQUIRE(p.run_until([&] { return p.phase() == "probe_rtt"; }, left + sec(11)));
  CHECK(p.now > left + sec(10));
}

TEST_CASE("BBR: a lower RTT renews RTprop and puts PROBE_RTT off") {
  Path p;
  p.extra_rtt = ms(5);  // a standing delay elsewhere, gone later
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  p.run_until(sec(8));
  CHECK(p.bbr.min_rtt_ns() == kRtProp + ms(5) + kTxTime);
  p.extra_rtt = 0;
  p.run_until(sec(12));
  // Lower samples (part of the old queue stands: the window was sized for the longer RTT).
  CHECK(p.bbr.min_rtt_ns() < kRtProp + ms(5));
  CHECK(p.bbr.min_rtt_ns() >= kRtProp + kTxTime);
  CHECK(std::count(p.phases.begin(), p.phases.end(), "probe_rtt") == 0);
}

TEST_CASE("BBR: a loss keeps ssthresh and cwnd; the first round of recovery conserves packets; exit restores") {
  Path p;
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  p.run_until(p.now + sec(1));
  const std::uint32_t cwnd = p.w.cwnd, ssthresh = p.w.ssthresh;
  CcLoss l;
  l.now = p.now;
  l.mss = kBbrMss;
  l.flight = p.in_flight();
  l.kind = LossKind::FastRecovery;
  CHECK(p.bbr.ssthresh_on_loss(p.w, l) == ssthresh);  // BBR keeps ssthresh: not halved
  CHECK(p.w.cwnd == cwnd);
  // The ACK that entered recovery: 3 packets SACKed, 1 marked lost; 60 packets still in flight.
  CcAck a;
  a.now = p.now;
  a.mss = kBbrMss;
  a.acked = 3 * kBbrMss;
  a.lost = kBbrMss;
  a.in_flight = 60 * kBbrMss;
  a.prior_in_flight = 64 * kBbrMss;
  a.delivered = p.delivered + 3 * kBbrMss;
  a.in_recovery = true;
  p.bbr.on_ack(p.w, a);
  CHECK(p.w.cwnd == 63 * kBbrMss);  // in flight + delivered: one out for each one in
  // Still the first round: each ACK releases what it delivered, no more.
  a.acked = kBbrMss;
  a.lost = 0;
  a.in_flight = 62 * kBbrMss;
  a.delivered += kBbrMss;
  a.rs.delivered = kBbrMss;
  a.rs.interval_ns = kRtProp;
  a.rs.prior_delivered = p.delivered - 10 * kBbrMss;  // sent before recovery began
  p.bbr.on_ack(p.w, a);
  CHECK(p.w.cwnd == 63 * kBbrMss);
  // Recovery ends: the cwnd from before it comes back.
  p.bbr.on_recovery_exit(p.w, p.now);
  CHECK(p.w.cwnd == cwnd);
  CHECK(p.w.ssthresh == ssthresh);
  CHECK(p.phase() == "probe_bw");
}

TEST_CASE("BBR: after the first round of recovery cwnd grows toward the target again (2 packets per packet)") {
  Path p;
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  CcLoss l;
  l.now = p.now;
  l.mss = kBbrMss;
  p.bbr.ssthresh_on_loss(p.w, l);
  CcAck a;
  a.now = p.now;
  a.mss = kBbrMss;
  a.acked = kBbrMss;
  a.in_flight = 20 * kBbrMss;
  a.delivered = p.delivered + kBbrMss;
  a.in_recovery = true;
  p.bbr.on_ack(p.w, a);
  CHECK(p.w.cwnd == 21 * kBbrMss);
  // An ACK of data sent after recovery began ends that round: growth by what is acked.
  a.delivered += kBbrMss;
  a.rs.delivered = kBbrMss;
  a.rs.interval_ns = kRtProp;
  a.rs.prior_delivered = a.delivered - kBbrMss;
  a.in_flight = 20 * kBbrMss;
  p.bbr.on_ack(p.w, a);
  CHECK(p.w.cwnd == 22 * kBbrMss);  // cwnd + acked, with 20 in flight: 2 out for the 1 in
}

TEST_CASE("BBR: an RTO restarts full-pipe detection; when the loss episode ends the prior cwnd comes back") {
  Path p;
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  const std::uint32_t cwnd = p.w.cwnd;
  CcLoss l;
  l.now = p.now;
  l.mss = kBbrMss;
  l.kind = LossKind::Timeout;
  p.w.ssthresh = p.bbr.ssthresh_on_loss(p.w, l);
  p.w.cwnd = kBbrMss;  // what stack/congestion does on an RTO
  p.bbr.on_timeout(p.w, p.now);
  CcAck a;
  a.now = p.now + ms(300);
  a.mss = kBbrMss;
  a.acked = kBbrMss;
  a.in_flight = 0;
  a.delivered = p.delivered + kBbrMss;
  a.in_recovery = true;  // still in the RTO's loss episode: slow start, no conservation
  p.bbr.on_ack(p.w, a);
  CHECK(p.w.cwnd == 4 * kBbrMss);  // the minimum window
  a.in_recovery = false;  // the episode is over
  a.delivered += kBbrMss;
  p.bbr.on_ack(p.w, a);
  CHECK(p.w.cwnd == std::min(cwnd + kBbrMss, p.bbr.inflight_target(p.bbr.btl_bw_bps(), p.bbr.cwnd_gain())));
}

TEST_CASE("BBR: idle restart: no PROBE_RTT while restarting, and PROBE_BW paces at BtlBw") {
  Path p;
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, sec(3)));
  p.bbr.on_idle_restart(p.w, p.now);
  CHECK(p.bbr.pacing_bps(p.w) == p.bbr.btl_bw_bps() * 99 / 100);
  // An ACK without new delivery 11 s later: the filter expired, but the restart holds it off.
  CcAck a;
  a.now = p.now + sec(11);
  a.mss = kBbrMss;
  a.in_flight = 0;
  a.delivered = p.delivered;
  p.bbr.on_ack(p.w, a);
  CHECK(p.phase() == "probe_bw");
}

TEST_CASE("BBR: PROBE_BW's first phase comes from the connection's start time, deterministically") {
  auto first_phase = [](Instant start) {
    Path p(start);
    REQUIRE(p.run_until([&] { return p.phase() == "probe_bw"; }, start + sec(3)));
    return p.bbr.cycle_index();
  };
  CHECK(first_phase(ms(1)) == first_phase(ms(1)));
  std::vector<int> seen;
  for (int k = 0; k < 24; ++k) seen.push_back(first_phase(ms(1) * (k + 1)));
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  CHECK(seen.size() >= 4);  // spread over the phases
  CHECK(std::find(seen.begin(), seen.end(), 1) == seen.end());  // never 0.75 first
}

}  // TEST_SUITE

TEST_CASE("BBR: data leaving an idle, app-limited connection is an idle restart (CA_EVENT_TX_START)") {
  Path p;
  // In the probing phase (pacing gain 5/4), where pacing at BtlBw is a visible change.
  REQUIRE(p.run_until([&] { return p.phase() == "probe_bw" && p.bbr.pacing_gain() > 256; }, sec(5)));
  const std::uint64_t pacing = p.bbr.pacing_bps(p.w);
  REQUIRE(pacing > p.bbr.btl_bw_bps());
  p.bbr.on_tx_start(p.w, p.now, sec(1), false);  // not app-limited: nothing changes
  CHECK(p.bbr.pacing_bps(p.w) == pacing);
  p.bbr.on_tx_start(p.w, p.now, sec(1), true);
  CHECK(p.bbr.pacing_bps(p.w) == p.bbr.btl_bw_bps() * 99 / 100);
}
