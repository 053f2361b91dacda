#pragma once
// Every knob of the endpoint in one plain struct (no registry). Defaults are Linux's,
// because that is what students meet in `ss` and `netstat`. Where real stacks
// legitimately differ, the difference is a named Profile, documented in README.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stack/cc_types.hpp"
#include "stack/time.hpp"

namespace tcplab {

enum class Profile : std::uint8_t { Linux, Rfc9293 };
std::optional<Profile> parse_profile(std::string_view text);

struct TcpConfig {
  Profile profile = Profile::Linux;

  // Segment sizes and buffers.
  std::uint16_t mss = 1460;                  // MSS we announce (MTU 1500 - 40)
  std::uint32_t snd_buf_bytes = 16384 * 4;   // send buffer (Linux tcp_wmem default is 16 KiB, grows)
  // The receive buffer, Linux's net.ipv4.tcp_rmem (min, default, max): sk_rcvbuf starts at
  // the default and may grow to the max; the window scale is chosen for the max (with
  // net.core.rmem_max): 32 MiB gives wscale 10. SO_RCVBUF (or a lab's rcv_buf) fixes the
  // buffer (rcv_buf_locked) and the scale is then chosen for half of it. The min only
  // matters under memory pressure, which is not modelled.
  std::uint32_t rcv_buf_min = 4096;
  std::uint32_t rcv_buf_bytes = 131072;
  std::uint32_t rcv_buf_max = 33554432;
  std::uint32_t core_rmem_max = 4194304;     // net.core.rmem_max: SO_RCVBUF's ceiling
  bool rcv_buf_locked = false;
  // How the receive window is chosen. Linux: a share of the buffer's free memory, after
  // Linux's accounting (stack/rcv_memory.hpp), never shrunk; FreeSpace: the free bytes of
  // the buffer (RFC 9293 3.8.6.2.2), with the smallest scale that covers the buffer
  // (RFC 7323 2.3).
  enum class RcvWindow : std::uint8_t { Linux, FreeSpace };
  RcvWindow rcv_window = RcvWindow::Linux;
  // net.ipv4.tcp_adv_win_scale: the share of the buffer offered before the first full-sized
  // segment measures the real overhead: 1 = half (space - space >> 1). Linux 6.6+ keeps the
  // sysctl but starts every socket at half whatever it says.
  int adv_win_scale = 1;

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
  // net.ipv4.tcp_syncookies: 1 (Linux's default) answers a SYN with a cookie SYN,ACK when the
  // listener's SYN queue is full (stack/syn_cookie.hpp), so real clients still get in during a
  // SYN flood; 2 always does; 0 drops the SYN. RFC 9293 has no cookies (RFC 4987 3.6 describes
  // them): 0 in rfc9293.
  int syn_cookies = 1;
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
  // RACK loss detection (RFC 8985 section 6; Linux with SACK negotiated: net.ipv4.tcp_recovery=1
  // is the default, and Linux 6.18 keeps RACK even with 0; stack/rack.hpp): a segment is lost once one sent after it is delivered
  // and RACK.rtt + reo_wnd (min_rtt/4; 0 in recovery or with 3 segments SACKed while no
  // reordering was seen) has passed since it was sent, else the reordering timer ("REO")
  // waits for that moment. Fast recovery starts when RACK marks a loss (not on the third
  // duplicate ACK), and a lost retransmission is resent without the RTO. rfc9293: false,
  // RFC 9293 does not require RFC 8985: RFC 6675's DupThresh and RFC 5681's 3 duplicate ACKs.
  bool rack = true;

  // Connection teardown.
  Duration msl_ns = sec(30);                   // TIME_WAIT lasts 2*MSL (Linux: fixed 60 s)
  std::optional<Duration> fin_wait_2_timeout_ns = sec(60);  // net.ipv4.tcp_fin_timeout; nullopt = never
  int orphan_retries = 8;     // FIN retransmissions of a closed socket before giving up

  // ACKs and sending.
  bool delayed_ack = true;
  // Linux's delayed-ACK timeout (TCP_ATO_MIN / TCP_DELACK_MIN, 40 ms). Linux adapts it to the
  // gaps between arriving segments (icsk_ack.ato); tcplab keeps it fixed. Before the first
  // data segment Linux's timeout is 0 (the next timer tick): a FIN that arrives first is
  // ACKed at once by the timer (tcplab: a delayed-ACK deadline of now).
  Duration delack_ns = ms(40);
  // Receive coalescing: a data segment waits up to this long for the next segment of its
  // connection; one that continues it (same ACK and options) is merged into it, and TCP then
  // takes the two as one segment, ACKing them once. Linux does this with GRO (segments a NIC
  // delivers in one poll) and in the socket backlog (segments that arrive while the
  // application is inside a socket call, tcp_add_backlog): on a veth pair a reader's window
  // update brings the sender's next two segments back while the read still holds the socket,
  // and Linux's zero-window recording is ACKed once per pair (README.md). 0: off.
  Duration gro_ns = 0;
  // Quick-ACK mode: the first data segments are ACKed at once. The budget is granted when the
  // first data arrives (and again after an idle gap longer than the RTO, or on duplicate data):
  // RCV.WND / (2 * rcv_mss), 2 if that is 0, at most quickack_segments (Linux tcp_incr_quickack,
  // TCP_MAX_QUICKACKS = 16); each ACK of new data or of a FIN uses one. Quick ACKs are off in
  // Linux's interactive (ping-pong) mode, entered when the application answers within the
  // delayed-ACK time or a FIN arrives in ESTABLISHED, left when a delayed ACK's timer fires.
  // rfc9293: 0, RFC 9293 3.8.6.3 (SHLD-18), delayed ACKs from the first segment.
  int quickack_segments = 16;
  // A FIN in ESTABLISHED is ACKed like data, with a delayed ACK (Linux tcp_fin enters ping-pong
  // mode): an application that closes at once sends its FIN with the ACK (a three-segment
  // close). In FIN_WAIT_1/2 the FIN is ACKed at once either way. rfc9293: false, RFC 9293
  // 3.10.7.4 eighth step, "send an acknowledgment for the FIN".
  bool delay_fin_ack = true;
  // Reading can send the pending delayed ACK (Linux tcp_cleanup_rbuf): when more than one
  // rcv_mss is unacknowledged, or the read drained the buffer and a small segment was among
  // the unacknowledged ones (outside ping-pong mode). rfc9293: false (an ACK goes when the
  // delayed-ACK timer, 3.8.6.3, or the every-second-full-segment rule sends it).
  bool ack_on_read = true;
  bool nagle = true;
  // Linux's Nagle is Minshall's variant (tcp_minshall_check): a small segment is held only
  // while an earlier small segment is unacknowledged, so a 3000-byte write goes out as
  // 1460+1460+80 at once. rfc9293: false, RFC 896 / RFC 9293 3.7.4: hold a small segment
  // while any data is unacknowledged.
  bool nagle_minshall = true;
  std::uint32_t initial_window_segments = 10;  // RFC 6928
  // net.ipv4.tcp_slow_start_after_idle (1): when the application writes after the connection
  // sent no data for longer than the RTO, with nothing in flight, cwnd is brought back towards
  // the initial window first (RFC 5681 4.1 "Restarting Idle Connections"; Linux
  // tcp_slow_start_after_idle_check; not for BBR, which keeps its own model).
  bool slow_start_after_idle = true;
  // How: Linux (tcp_cwnd_restart) halves cwnd once per RTO of idleness, never below the restart
  // window min(IW, cwnd), and raises ssthresh to at least 3/4 of the old cwnd (RFC 2861's decay);
  // rfc9293: false, RFC 5681 4.1: cwnd = min(RW, cwnd) with RW = min(IW, cwnd), ssthresh kept.
  bool idle_restart_decays = true;
  // Congestion control (stack/cc_*.hpp): net.ipv4.tcp_congestion_control or TCP_CONGESTION.
  // Most Linux distributions default to cubic (this machine's kernel is built with bbr as its
  // default: ../shared/NOTES-kernel.md; the profile follows the common case). rfc9293: NewReno
  // (RFC 5681, RFC 6582).
  CcKind cc = CcKind::Cubic;
  // Proportional Rate Reduction in SACK fast recovery (RFC 6937; Linux since 3.2). rfc9293:
  // false, RFC 6675 5: cwnd = ssthresh, send while pipe < cwnd.
  bool prr = true;
  // CUBIC's HyStart (Linux tcp_cubic module parameter hystart=1): leave slow start early when
  // the RTT grows or ACK trains stretch out. Not used by the other algorithms.
  bool hystart = true;
  // Limited transmit (RFC 3042; RFC 5681 3.2 step 1 says SHOULD): each of the first two
  // duplicate ACKs lets one new segment go, up to cwnd + 2 segments. Linux does the same by
  // counting SACKed (or, without SACK, duplicate-ACKed) segments out of flight.
  bool limited_transmit = true;
  // The ACK that answers an ACK without data or SYN that is unacceptable from beyond our
  // window's right edge, or acknowledges something not yet sent (3.10.7.4), is sent at most
  // once per this interval (Linux: net.ipv4.tcp_invalid_ratelimit, 500 ms): two ends that
  // each find the other's ACKs invalid would otherwise answer each other forever.
  Duration invalid_ack_ratelimit_ns = ms(500);
  // RFC 2883 D-SACK: a duplicate segment is reported as the first SACK block of the ACK it
  // gets (Linux net.ipv4.tcp_dsack=1). RFC 9293 does not include RFC 2883: off in rfc9293.
  bool dsack = true;
  // A retransmission timeout and the SACK scoreboard. RFC 2018 8 (and RFC 6675 5.1, which
  // notes that the rule is now seen as too strong): the receiver may have reneged, so the
  // sender forgets what was SACKed and sends everything from SND.UNA again. Linux
  // (tcp_timeout_mark_lost) keeps it unless the segment at SND.UNA is itself SACKed, which
  // only a receiver that dropped what it had SACKed would show; the recovery then sends
  // only what was not SACKed (tests/pkt/scripts/b-rto-keeps-sack.pkt).
  bool rto_keeps_sack = true;
  // The retransmission timer when a recovery (fast retransmit, SACK or RACK) resends the first
  // unacknowledged segment: Linux (tcp_xmit_retransmit_queue) restarts it then, unless RACK's
  // reordering timer is pending; RFC 6298 5.1 starts it only when it is not running, so it
  // still counts from an earlier transmission (tests/pkt/scripts/b-rto-restarts-on-head-resend.pkt).
  bool rto_restarts_on_head_resend = true;
  // SYN-SENT and a segment whose ACK does not acknowledge our SYN (3.10.7.3 first step): Linux
  // (tcp_rcv_synsent_state_process) suspects that its SYN crossed an old connection's FIN or
  // RST and, unless it has already retransmitted, re-arms the SYN timer to TCP_TIMEOUT_MIN
  // (2 jiffies: 8 ms at HZ=250), so the SYN goes again at once. nullopt: the RFC's plain
  // discard, the timer untouched.
  std::optional<Duration> syn_sent_bad_ack_retry_ns = ms(8);

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
  // The ISS of a connection that reopens a TIME-WAIT pair: the old SND.NXT + this gap (Linux's
  // tcp_timewait_state_process: tw_snd_nxt + 65535 + 2), so no old segment can fall into the
  // new connection's sequence space. nullopt: the clock-driven ISS (RFC 6528), raised above
  // the old connection's highest sequence number if it is not already (RFC 1122 4.2.2.13).
  std::optional<std::uint32_t> time_wait_reopen_iss_gap = 65537;

  // Sockets.
  bool reuse_addr = false;    // SO_REUSEADDR: allow binding a port held by TIME_WAIT

  // The profile's values for the knobs where stacks differ.
  static TcpConfig for_profile(Profile p);
  // Every field equal (padding aside: a byte compare of two equal copies can differ there).
  bool operator==(const TcpConfig&) const = default;
  Duration time_wait_ns() const { return 2 * msl_ns; }
};

}  // namespace tcplab
