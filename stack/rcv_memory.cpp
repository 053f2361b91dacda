#include "stack/rcv_memory.hpp"

#include <algorithm>
#include <bit>

namespace tcplab {

namespace {
constexpr std::uint32_t kSkbStruct = 256;   // the sk_buff itself, cache-aligned
constexpr std::uint32_t kSharedInfo = 320;  // skb_shared_info at the end of the head
constexpr std::uint32_t kHeadroom = 64;     // NET_SKB_PAD the TUN driver reserves
constexpr std::uint32_t kSmallHead = 640;   // heads this small come from one slab of 640
constexpr std::uint32_t kMaxWscale = 14;    // RFC 7323 2.3
constexpr std::uint32_t kMinRcvMss = 88;    // TCP_MIN_MSS
constexpr std::uint32_t kDefaultMss = 536;  // TCP_MSS_DEFAULT
constexpr std::uint32_t kMinRcvbuf = 2304;  // SOCK_MIN_RCVBUF: Linux never has less

std::uint32_t align64(std::uint32_t n) { return (n + 63) & ~63U; }

// The allocation behind a packet's head: the slab size kmalloc rounds it up to.
std::uint32_t head_alloc(std::uint32_t ip_len) {
  const std::uint32_t want = align64(kHeadroom + ip_len) + kSharedInfo;
  if (want <= kSmallHead) return kSmallHead;
  return std::bit_ceil(std::max<std::uint32_t>(want, 1024));
}

std::uint32_t rounddown(std::uint32_t v, std::uint32_t unit) { return unit ? v - v % unit : v; }
std::uint32_t align_up(std::uint32_t v, std::uint8_t shift) {
  const std::uint64_t unit = 1ULL << shift;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>((v + unit - 1) & ~(unit - 1), UINT32_MAX));
}
}  // namespace

std::uint32_t RcvMemory::truesize(std::uint32_t ip_len) { return head_alloc(ip_len) + kSkbStruct; }

RcvMemory::RcvMemory(const TcpConfig& cfg)
    : rcvbuf_(std::max(cfg.rcv_buf_bytes, kMinRcvbuf)),
      rcvbuf_max_(std::max(cfg.rcv_buf_max, cfg.rcv_buf_bytes)),
      rmem_max_(cfg.core_rmem_max),
      locked_(cfg.rcv_buf_locked) {
  // Before a full segment has been measured, the share is tcp_adv_win_scale's: 1 keeps
  // half of the buffer for overhead (Linux 6.6+ starts every socket there).
  const int s = cfg.adv_win_scale;
  if (s > 0) ratio_ = 256 - (256U >> std::min(s, 8));
  else ratio_ = std::max(1U, 256U >> std::min(-s, 8));
}

void RcvMemory::choose_initial(std::uint32_t mss, bool wscale_ok) {
  const std::uint32_t full = full_space();
  // A locked buffer (SO_RCVBUF) clamps the window to its share; otherwise only the largest
  // scaled window does.
  std::uint32_t clamp = locked_ ? full : (65535U << kMaxWscale);
  std::uint32_t space = std::min(clamp, full);
  if (space > mss) space = rounddown(space, mss);
  rcv_wnd_init_ = std::min<std::uint32_t>(space, 65535);
  wscale_ = 0;
  if (wscale_ok) {
    // The scale is chosen for the largest buffer the socket may grow to.
    std::uint32_t most = std::max({space, rcvbuf_max_, rmem_max_});
    most = std::min(most, clamp);
    const int shift = static_cast<int>(std::bit_width(most)) - 1 - 15;
    wscale_ = static_cast<std::uint8_t>(std::clamp(shift, 0, static_cast<int>(kMaxWscale)));
  }
  clamp_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(65535ULL << wscale_, clamp));
  ssthresh_ = rcv_wnd_init_;
}

void RcvMemory::on_established(std::uint32_t advmss, std::uint32_t snd_mss) {
  advmss_ = advmss;
  // Linux reserves one segment of the share for the application (tcp_app_win).
  const std::uint32_t maxwin = full_space();
  if (clamp_ >= maxwin) clamp_ = maxwin;
  if (clamp_ > 2 * advmss && clamp_ + advmss > maxwin) clamp_ = std::max(2 * advmss, maxwin - advmss);
  ssthresh_ = std::min(ssthresh_, clamp_);
  // The first guess at the peer's segment size, before one arrives.
  std::uint32_t hint = std::min({advmss, snd_mss, rcv_wnd_init_ / 2, kDefaultMss});
  rcv_mss_ = std::max(hint, kMinRcvMss);
}

void RcvMemory::set_clamp(std::uint32_t clamp) {
  clamp_ = std::max<std::uint32_t>(clamp, kMinRcvbuf / 2);
  ssthresh_ = std::max(ssthresh_, std::min(rcv_wnd_init_, clamp_));
}

void RcvMemory::measure(std::uint32_t len, std::uint32_t skb_truesize) {
  // tcp_measure_rcv_mss: a segment at least as large as the last full one; a new size
  // measures the overhead again, and the share follows.
  if (len < rcv_mss_) return;
  if (len != rcv_mss_) {
    const std::uint32_t old = ratio_;
    ratio_ = std::clamp<std::uint32_t>((len << 8) / skb_truesize, 1, 255);
    if (ratio_ != old) set_clamp(full_space());
  }
  rcv_mss_ = std::min(len, advmss_);
}

void RcvMemory::grow(std::uint32_t len, std::uint32_t skb_truesize) {
  // tcp_grow_window: the offer grows by two segments per segment whose overhead would still
  // fit, up to what the memory allows.
  grew_ = false;
  if (len < 128) return;
  const std::int64_t room = std::min<std::int64_t>(clamp_, space()) - ssthresh_;
  if (room <= 0) return;
  std::uint32_t incr = 0;
  if (win_from_space(skb_truesize) <= len) {
    incr = 2 * advmss_;
  } else {
    std::int64_t t = win_from_space(skb_truesize) >> 1;
    std::int64_t w = win_from_space(rcvbuf_max_) >> 1;
    while (ssthresh_ <= w) {
      if (t <= len) {
        incr = 2 * rcv_mss_;
        break;
      }
      t >>= 1;
      w >>= 1;
    }
  }
  if (incr == 0) return;
  incr = std::max(incr, 2 * len);
  ssthresh_ += static_cast<std::uint32_t>(std::min<std::int64_t>(room, incr));
  grew_ = true;
}

bool RcvMemory::admit() {
  if (rmem_ <= rcvbuf_) return true;
  // tcp_prune_queue / tcp_clamp_window: an unlocked buffer grows to what is charged.
  if (!locked_ && rcvbuf_ < rcvbuf_max_) rcvbuf_ = std::min(rmem_, rcvbuf_max_);
  if (rmem_ > rcvbuf_) ssthresh_ = std::min(clamp_, 2 * advmss_);
  return rmem_ <= rcvbuf_;
}

void RcvMemory::queue_in_order(std::uint32_t len, std::uint32_t ip_len) {
  const std::uint32_t t = truesize(ip_len);
  measure(len, t);
  // A small segment is copied into the room left after the last one (no new charge).
  Ring<Skb>& queue = skbs().in_order;
  if (!queue.empty() && len <= queue.back().tailroom) {
    queue.back().len += len;
    queue.back().tailroom -= len;
  } else {
    const std::uint32_t alloc = head_alloc(ip_len);
    const std::uint32_t used = kSharedInfo + kHeadroom + ip_len;
    queue.push_back(Skb{0, len, t, alloc > used ? alloc - used : 0});
    rmem_ += t;
  }
  grow(len, t);
}

void RcvMemory::queue_out_of_order(std::uint64_t at, std::uint32_t len, std::uint32_t ip_len) {
  const std::uint32_t t = truesize(ip_len);
  skbs().ooo.push_back(Skb{at, len, t, 0});
  rmem_ += t;
}

void RcvMemory::ooo_joined(std::uint64_t rcv_total) {
  // Out-of-order segments below RCV.NXT join the in-order queue with their charge.
  if (!skbs_) return;
  std::vector<Skb>& ooo = skbs_->ooo;
  auto it = std::stable_partition(ooo.begin(), ooo.end(), [&](const Skb& s) { return s.at + s.len > rcv_total; });
  for (auto j = it; j != ooo.end(); ++j) skbs_->in_order.push_back(Skb{0, j->len, j->truesize, 0});
  ooo.erase(it, ooo.end());
}

void RcvMemory::on_read(std::uint32_t n) {
  if (!skbs_) return;
  Ring<Skb>& queue = skbs_->in_order;
  while (n > 0 && !queue.empty()) {
    Skb& s = queue.front();
    const std::uint32_t k = std::min(n, s.len);
    s.len -= k;
    n -= k;
    if (s.len == 0) {
      rmem_ -= std::min(rmem_, s.truesize);
      queue.pop_front();
    }
  }
}

void RcvMemory::clear() {
  skbs_.reset();
  rmem_ = 0;
}

void RcvMemory::trim() {
  if (!skbs_) return;
  if (skbs_->in_order.empty() && skbs_->ooo.empty()) return skbs_.reset();
  if (skbs_->in_order.empty()) skbs_->in_order.release();
  if (skbs_->ooo.empty()) std::vector<Skb>().swap(skbs_->ooo);
}

bool RcvMemory::under_pressure() const {
  const std::int64_t full = std::min<std::int64_t>(clamp_, full_space());
  return space() < (full >> 1);
}

std::uint32_t RcvMemory::wanted_window(std::uint32_t rcv_wnd, std::uint8_t wscale) const {
  std::int64_t mss = rcv_mss_;
  std::int64_t free = space();
  const std::int64_t allowed = full_space();
  const std::int64_t full = std::min<std::int64_t>(clamp_, allowed);
  if (mss > full) {
    mss = full;
    if (mss <= 0) return 0;
  }
  if (free < (full >> 1)) {
    // Little room left: offer it only if it is worth a segment (and 1/16 of the share),
    // rounded down to the scale unit so that scaling cannot enlarge it.
    if (free < 0) free = 0;
    free &= ~((std::int64_t{1} << wscale) - 1);
    if (free < (allowed >> 4) || free < mss) return 0;
  }
  free = std::min<std::int64_t>(free, ssthresh_);
  if (wscale) return align_up(static_cast<std::uint32_t>(free), wscale);
  // Unscaled: whole segments, keeping the last offer while it is within one segment.
  std::int64_t window = rcv_wnd;
  if (window <= free - mss || window > free) window = rounddown(static_cast<std::uint32_t>(free), static_cast<std::uint32_t>(mss));
  else if (mss == full && free > window + (full >> 1)) window = free;
  return static_cast<std::uint32_t>(window);
}

std::uint32_t RcvMemory::next_window(std::uint32_t cur_win, std::uint32_t rcv_wnd, std::uint8_t wscale) const {
  const std::uint32_t want = wanted_window(rcv_wnd, wscale);
  // Never shrink what was offered (RFC 9293 3.8.6.2.2 SHLD-14): keep the rest of it.
  if (want < cur_win) return align_up(cur_win, wscale);
  return want;
}

bool RcvMemory::read_opens_window(std::uint32_t cur_win, std::uint32_t rcv_wnd, std::uint8_t wscale) const {
  if (2ULL * cur_win > clamp_) return false;
  const std::uint32_t want = wanted_window(rcv_wnd, wscale);
  return want != 0 && want >= 2ULL * cur_win;
}

}  // namespace tcplab
