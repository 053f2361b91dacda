#pragma once
// The receive window as Linux chooses it (measured against Linux 6.18 with the scripts
// tests/pkt/scripts/b-window-*.pkt; the rules are described in README.md "Profiles").
//
// Linux does not offer "free bytes in the buffer". It charges every queued segment the
// memory of its buffer (skb truesize: for a segment read from a TUN device, the power-of-two
// allocation around the packet plus the sk_buff, 2304 bytes for a 1500-byte packet), and
// offers a share of the free memory: sk_rcvbuf minus that charge, times the payload/truesize
// ratio of the first full segment (half, tcp_adv_win_scale = 1, until then). The offer grows
// from the SYN's window by 2 x MSS per arriving segment (rcv_ssthresh), never past the clamp,
// is never taken back (a window that would shrink is kept, rounded up to the scale unit), and
// drops to 0 when the free share is below one segment. Plain data; copying it is a checkpoint.
#include <cstdint>
#include <vector>

#include "stack/boxed.hpp"
#include "stack/config.hpp"
#include "stack/ring.hpp"

namespace tcplab {

class RcvMemory {
 public:
  RcvMemory() = default;
  explicit RcvMemory(const TcpConfig& cfg);

  // The SYN or SYN,ACK (tcp_select_initial_window): the window it carries (unscaled, at
  // most 65535) and the shift we announce. `mss` is our MSS less the timestamp option.
  void choose_initial(std::uint32_t mss, bool wscale_ok);
  std::uint32_t initial_window() const { return rcv_wnd_init_; }
  std::uint8_t wscale() const { return wscale_; }

  // Entering ESTABLISHED (tcp_init_buffer_space, tcp_initialize_rcv_mss).
  void on_established(std::uint32_t advmss, std::uint32_t snd_mss);

  // Before queueing a segment: false when Linux would drop it for want of memory (what is
  // charged is over the buffer, which may not grow further: tcp_prune_queue).
  bool admit();
  // A segment of `len` payload bytes in an IPv4 packet of `ip_len` bytes. Out of order: it
  // stays charged until it joins the in-order queue.
  void queue_in_order(std::uint32_t len, std::uint32_t ip_len);
  void queue_out_of_order(std::uint64_t at, std::uint32_t len, std::uint32_t ip_len);
  void ooo_joined(std::uint64_t rcv_total);  // RCV.NXT reached stream offset rcv_total
  void on_read(std::uint32_t n);             // the application read n bytes
  bool grew() const { return grew_; }        // the last in-order segment grew rcv_ssthresh
  void clear();
  // Frees the queues' storage when they are empty (TIME_WAIT keeps the accounting, not them).
  void trim();
  std::size_t storage_bytes() const {
    return skbs_ ? skbs_->in_order.capacity() * sizeof(Skb) + skbs_->ooo.capacity() * sizeof(Skb) : 0;
  }

  // __tcp_select_window: the window Linux would like to offer now (bytes).
  std::uint32_t wanted_window(std::uint32_t rcv_wnd, std::uint8_t wscale) const;
  // tcp_select_window: the next window to offer, never less than `cur_win` (what is left of
  // the last one), rounded up to the scale unit when it would shrink.
  std::uint32_t next_window(std::uint32_t cur_win, std::uint32_t rcv_wnd, std::uint8_t wscale) const;
  // Free memory below half of the allowed share: Linux leaves quick-ACK mode.
  bool under_pressure() const;
  // tcp_cleanup_rbuf: after a read, a window at least twice what is left is worth an ACK.
  bool read_opens_window(std::uint32_t cur_win, std::uint32_t rcv_wnd, std::uint8_t wscale) const;

  std::uint32_t rcvbuf() const { return rcvbuf_; }
  std::uint32_t rmem() const { return rmem_; }
  std::uint32_t rcv_mss() const { return rcv_mss_; }
  std::uint32_t rcv_ssthresh() const { return ssthresh_; }
  std::uint32_t window_clamp() const { return clamp_; }

  // Every member, for a compact record (stack/conn_record.hpp): no segment may be charged.
  template <typename Self, typename V>
  static void record_fields(Self& s, V& v) {
    v.num(s.rcvbuf_), v.num(s.rcvbuf_max_), v.num(s.rmem_max_), v.num(s.locked_), v.num(s.ratio_);
    v.num(s.rmem_), v.num(s.clamp_), v.num(s.ssthresh_), v.num(s.rcv_wnd_init_), v.num(s.advmss_);
    v.num(s.rcv_mss_), v.num(s.wscale_), v.num(s.grew_);
    v.must_be_empty(!s.skbs_);
  }

  // The memory Linux charges for a packet of ip_len bytes read from a TUN device.
  static std::uint32_t truesize(std::uint32_t ip_len);

 private:
  struct Skb {
    std::uint64_t at = 0;  // stream offset (out-of-order queue only)
    std::uint32_t len = 0, truesize = 0, tailroom = 0;
  };
  std::int64_t win_from_space(std::int64_t space) const { return (space * ratio_) >> 8; }
  std::int64_t space() const { return win_from_space(static_cast<std::int64_t>(rcvbuf_) - rmem_); }
  std::uint32_t full_space() const { return static_cast<std::uint32_t>(win_from_space(rcvbuf_)); }
  void measure(std::uint32_t len, std::uint32_t skb_truesize);
  void grow(std::uint32_t len, std::uint32_t skb_truesize);
  void set_clamp(std::uint32_t clamp);

  std::uint32_t rcvbuf_ = 0, rcvbuf_max_ = 0, rmem_max_ = 0;
  bool locked_ = false;
  std::uint32_t ratio_ = 128;  // payload / truesize in 1/256 (Linux scaling_ratio)
  std::uint32_t rmem_ = 0;     // sk_rmem_alloc: the truesize of every queued segment
  std::uint32_t clamp_ = 0;    // window_clamp
  std::uint32_t ssthresh_ = 0; // rcv_ssthresh
  std::uint32_t rcv_wnd_init_ = 0;
  std::uint32_t advmss_ = 536, rcv_mss_ = 536;
  std::uint8_t wscale_ = 0;
  bool grew_ = false;
  // The segments charged: boxed, as a connection waiting out TIME_WAIT or kept CLOSED has
  // none (and a million of them paid 64 bytes each for the two empty containers).
  struct Skbs {
    Ring<Skb> in_order;    // front first (not a std::deque: ~600 bytes when empty)
    std::vector<Skb> ooo;  // out of order, by arrival
  };
  Skbs& skbs() {
    if (!skbs_) skbs_.emplace(Skbs{});
    return *skbs_;
  }
  Boxed<Skbs> skbs_;  // allocated by the first segment queued, given back by clear() and trim()
};

}  // namespace tcplab
