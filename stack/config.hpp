#pragma once
// Every knob of the endpoint in one plain struct (no registry). Defaults are Linux's,
// because that is what students meet in `ss` and `netstat`. Where real stacks
// legitimately differ, the difference is a named Profile, documented in README.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stack/time.hpp"

namespace tcplab {

enum class Profile : std::uint8_t { Linux, Rfc9293 };
std::optional<Profile> parse_profile(std::string_view text);

struct TcpConfig {
  Profile profile = Profile::Linux;

  // Segment sizes and buffers.
  std::uint16_t mss = 1460;                  // MSS we announce (MTU 1500 - 40)
  std::uint32_t snd_buf_bytes = 16384 * 4;   // send buffer (Linux tcp_wmem default is 16 KiB, grows)
  std::uint32_t rcv_buf_bytes = 131072;      // receive buffer (Linux tcp_rmem default)
  std::uint32_t syn_window = 64240;          // window in our SYN/SYN-ACK (Linux: 44 * 1460)
  std::uint8_t min_wscale = 7;               // Linux picks 7 for its default tcp_rmem max

  // Options (RFC 7323, RFC 2018).
  bool window_scaling = true;
  bool timestamps = true;
  bool sack = true;

  // Retransmission (RFC 6298; Linux: TCP_TIMEOUT_INIT 1 s, TCP_RTO_MIN 200 ms, TCP_RTO_MAX 120 s).
  Duration rto_initial_ns = sec(1);
  Duration rto_min_ns = ms(200);
  Duration rto_max_ns = sec(120);
  // net.ipv4.tcp_syn_retries. SYN_SENT gives up (ETIMEDOUT, no SYN sent) when the
  // retransmission timer fires and either syn_retries + syn_linear_timeouts SYNs were
  // retransmitted or the time since the first SYN reached Linux's tcp_model_timeout:
  // ((2 << n) - 1) * rto_initial for n <= 6 (6: 127 s), then + 120 s (TCP_RTO_MAX) per retry.
  int syn_retries = 6;
  // net.ipv4.tcp_syn_linear_timeouts (Linux 6.5+, default 4): the first syn_linear_timeouts + 1
  // SYN retransmissions each wait rto_initial (1 s), the later ones double (SYNs at 0, 1, 2, 3,
  // 4, 5, 7, 11, 19, 35, 67 s; ETIMEDOUT at 131 s). 0: doubling from the first (RFC 6298 5.5).
  int syn_linear_timeouts = 4;
  int synack_retries = 5;     // net.ipv4.tcp_synack_retries
  int data_retries = 15;      // net.ipv4.tcp_retries2 (simplified: a count of back-offs)
  // TCP_USER_TIMEOUT (RFC 9293 3.8.3 USER TIMEOUT, RFC 5482); 0: off, R2 (data_retries) decides.
  // As Linux does it: when the retransmission timer fires and this long has passed since the
  // first timeout retransmission of the unacknowledged data (in SYN_SENT: since the first
  // SYN), the connection ends with ETIMEDOUT and no RST; the timer is clamped so that it
  // fires at that moment. (Not applied to zero-window probes or keepalive here.)
  Duration user_timeout_ns = 0;
  // Tail loss probe (RFC 8985 section 7; Linux net.ipv4.tcp_early_retrans=3, the default,
  // with SACK negotiated): with data outstanding and no loss recovery under way, a probe
  // timer PTO = 2*SRTT + (one segment in flight ? rto_min : tlp_multi_segment_extra) (1 s
  // before any RTT sample), at most the time left until the RTO, resends the last segment
  // (or sends one new one) so that a lost tail is repaired by an ACK instead of the RTO.
  bool tail_loss_probe = true;
  Duration tlp_multi_segment_extra_ns = ms(8);  // Linux TCP_TIMEOUT_MIN: 2 jiffies at HZ=250

  // Connection teardown.
  Duration msl_ns = sec(30);                   // TIME_WAIT lasts 2*MSL (Linux: fixed 60 s)
  std::optional<Duration> fin_wait_2_timeout_ns = sec(60);  // net.ipv4.tcp_fin_timeout; nullopt = never
  int orphan_retries = 8;     // FIN retransmissions of a closed socket before giving up

  // ACKs and sending.
  bool delayed_ack = true;
  Duration delack_ns = ms(40);  // Linux's minimum delayed-ACK timeout (TCP_DELACK_MIN)
  int quickack_segments = 16;   // Linux acks the first segments at once (quick-ack mode)
  bool nagle = true;
  std::uint32_t initial_window_segments = 10;  // RFC 6928
  // The ACK that answers an ACK without data or SYN that is unacceptable from beyond our
  // window's right edge, or acknowledges something not yet sent (3.10.7.4), is sent at most
  // once per this interval (Linux: net.ipv4.tcp_invalid_ratelimit, 500 ms): two ends that
  // each find the other's ACKs invalid would otherwise answer each other forever.
  Duration invalid_ack_ratelimit_ns = ms(500);

  // Keepalive (SO_KEEPALIVE is off unless asked for, as on Linux).
  bool keepalive = false;
  Duration keepalive_idle_ns = sec(7200);
  Duration keepalive_interval_ns = sec(75);
  int keepalive_probes = 9;

  // Persist (zero-window probes).
  bool zwp_at_snd_una_minus_1 = true;  // Linux probes with SEQ=SND.UNA-1 and no data; RFC sends 1 byte
  // Linux (tcp_ack_probe) restarts the probe timer when a probe's answer arrives with the
  // window still shut: the next probe goes one (backed-off) interval after the answer, not
  // after the probe. false: the interval runs from probe to probe.
  bool zwp_interval_from_answer = true;

  // What happens on a SYN or RST that arrives in TIME_WAIT.
  bool time_wait_syn_reopens = true;   // Linux; RFC 9293 3.6.1 (MAY-2): a new SYN may reuse the pair
  // A RST in TIME_WAIT ends it: Linux with its default net.ipv4.tcp_rfc1337=0
  // (tcp_timewait_state_process) and RFC 9293 3.10.7.4 both close; false is RFC 1337's
  // remedy for TIME-WAIT assassination (ignore it; Linux with tcp_rfc1337=1).
  bool time_wait_rst_closes = true;

  // Sockets.
  bool reuse_addr = false;    // SO_REUSEADDR: allow binding a port held by TIME_WAIT

  // The profile's values for the knobs where stacks differ.
  static TcpConfig for_profile(Profile p);
  Duration time_wait_ns() const { return 2 * msl_ns; }
};

}  // namespace tcplab
