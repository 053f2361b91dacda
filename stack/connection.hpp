#pragma once
// One TCP connection: the RFC 9293 state machine over a TCB, send and receive buffers,
// RFC 6298 timers, NewReno/SACK congestion control. Sans-IO: every entry point takes
// `now` and appends what happened to an Output. Every state change goes through
// set_state(), which checks it against the table of stack/transitions.cpp (throwing
// std::logic_error on one the table lacks) and records it with its cause.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stack/boxed.hpp"
#include "stack/byte_queue.hpp"
#include "stack/config.hpp"
#include "stack/congestion.hpp"
#include "stack/conn_record.hpp"
#include "stack/events.hpp"
#include "stack/rack.hpp"
#include "stack/rate_sampler.hpp"
#include "stack/rcv_memory.hpp"
#include "stack/reassembler.hpp"
#include "stack/rtt.hpp"
#include "stack/segment.hpp"
#include "stack/state.hpp"
#include "stack/timers.hpp"
#include "stack/transitions.hpp"

namespace tcplab {

// The Transmission Control Block variables of RFC 9293 3.3.1, named as there.
struct Tcb {
  Seq32 iss, irs;
  Seq32 snd_una, snd_nxt, snd_max;  // snd_max: highest sequence sent (snd_nxt rewinds on RTO)
  std::uint32_t snd_wnd = 0;        // scaled, in bytes
  std::uint32_t max_snd_wnd = 0;    // MAX.SND.WND (RFC 5961 5.2): the largest window the peer offered
  Seq32 snd_wl1, snd_wl2;
  Seq32 rcv_nxt;
  std::uint32_t rcv_wnd = 0;        // what we last advertised, in bytes
  Seq32 rcv_wup;                    // RCV.NXT when we advertised it: the right edge is rcv_wup + rcv_wnd
  std::uint8_t snd_wscale = 0, rcv_wscale = 0;  // shift applied to the peer's / our window field
  std::uint16_t snd_mss = 536;      // largest payload we may send (peer MSS less options)
  bool ts_ok = false, sack_ok = false;
  std::uint32_t ts_recent = 0;
};


// The sender's recovery, RTT-timing, loss-probe, pacing and idle state (about 90 bytes), part of
// the body. When a connection may be compacted everything it sent is acknowledged, and each
// of these is at its resting value (compactable() checks the flags), so TIME_WAIT and
// CLOSED keep none of it.
struct Sending {
  bool rtx_una_pending = false;    // fast retransmit / partial ACK: resend at SND.UNA next
  RetxCause rtx_una_cause = RetxCause::Fast;  // which of the two it is
  bool rack_fast_pending = false;  // RACK: the recovery's first resend is its fast retransmit
  // RTT timing of one segment at a time (Karn: never a retransmitted one).
  bool rtt_timing = false;
  // Tail loss probe state: one probe per tail (Linux tlp_high_seq), until an ACK covers
  // the SND.MAX it was sent at; tail_seq is where the last new segment began (what a probe
  // resends); after an RTO (loss recovery up to loss_recover) no probe is scheduled.
  bool tlp_outstanding = false;
  bool in_loss = false;
  // Was the window what limited sending (Linux tcp_cwnd_validate, RFC 7661's idea)? Kept
  // per window of data: the largest flight since SND.UNA passed cwnd_usage_seq. Linux grows
  // cwnd only then, so an application-limited flow's window does not grow without bound.
  bool cwnd_limited = false;
  Seq32 rtt_seq;
  Seq32 tlp_high_seq;
  Seq32 tail_seq;
  Seq32 loss_recover;
  std::uint32_t max_flight = 0;
  Seq32 cwnd_usage_seq;
  Instant rtt_sent_at = 0;
  // Pacing (an algorithm with pacing_bps() > 0, i.e. BBR; Linux's internal pacing, which BBR
  // asks for when no fq qdisc paces): the next data segment leaves no earlier than
  // pace_next; a silent wake-up (not a traced timer: Linux uses an hrtimer) sends it.
  Instant pace_next = 0;
  // When the first timeout retransmission of the unacknowledged data went out (Linux
  // retrans_stamp): the user timeout counts from it.
  Instant retrans_stamp = kNever;
  Instant last_data_sent_at = 0;  // when data last left, or ESTABLISHED began (Linux lsndtime)
  Instant syn_first_at = 0;       // when our first SYN went out (SYN_SENT's give-up is timed from it;
                                  // read only in SYN_SENT and SYN_RECEIVED, never in a compact state)
  Seq32 snd_sml;                  // end of the last small segment we sent (Linux snd_sml)
};

// The receive side's ACK policy: delayed ACK, quick-ACK and ping-pong modes (RFC 9293
// 3.8.6.3; Linux icsk_ack), and the order of SACK blocks (about 90 bytes), part of the body.
// In TIME_WAIT and CLOSED no data is taken in order (3.10.7.4: the text is ignored) and an
// ACK goes out at once, so only the two "an ACK is owed" flags and a pending D-SACK could
// matter there: compactable() wants them clear, and a fresh body's defaults do the rest.
struct Acking {
  bool ack_now = false;
  bool ack_scheduled = false;      // data or a FIN arrived that our next ACK acknowledges
  bool pingpong = false;           // interactive mode: no quick ACKs (Linux inet_csk_in_pingpong_mode)
  bool data_seen = false;          // some data arrived (Linux: icsk_ack.ato is no longer 0)
  int unacked_full_segments = 0;
  int unacked_small_segments = 0;  // shorter than rcv_mss (Linux ICSK_ACK_PUSHED/PUSHED2), at most 2
  int quickacks_left = 0;
  Instant last_data_at = 0;        // when in-order data last arrived (Linux icsk_ack.lrcvtime)
  // Stream offsets of the latest out-of-order segments, most recent first: the SACK blocks
  // holding them are reported in this order (RFC 2018 4).
  std::array<std::uint64_t, 4> sack_recent{};
  std::uint8_t sack_recent_count = 0;
  // RFC 2883: a duplicate segment to report as the first SACK block of the next ACK.
  bool dsack_pending = false;
  SackBlock dsack{};
  // Two more that only a synchronized state before TIME_WAIT reads: the stream offset of an
  // out-of-order FIN (taken when the gap fills), and when a segment last arrived (the
  // keep-alive's idle time counts from it; a keep-alive timer left in TIME_WAIT or CLOSED
  // returns before reading it).
  std::uint64_t peer_fin_at = UINT64_MAX;
  Instant last_rcv_at = 0;
};

// What only an open connection needs: its queues, the congestion control with its SACK
// scoreboard, the rate sampler, RACK, the sender's state and the ACK policy's (about 830 bytes). A connection
// allocates it on first use and gives it back in TIME_WAIT and CLOSED (Connection::compact),
// keeping only a small summary for the views, as Linux's tcp_timewait_sock keeps only what
// TIME_WAIT needs.
struct ConnBody {
  ByteQueue snd_buf;  // bytes from SND.UNA on (sent-unacked, then unsent)
  ByteQueue rcv_buf;  // in-order bytes the app has not read
  Reassembler ooo;
  Congestion cc;
  RateSampler rate;
  RateSample last_rs;  // what the ACK being processed delivered
  Rack rack;
  Sending tx;
  Acking rx;
  // The segments the ACK being processed delivered (RateSampler::on_ack fills it, RACK reads
  // it): kept between ACKs only so that its storage is reused rather than allocated per ACK.
  std::vector<RateSampler::Delivery> delivered_scratch;
};

class Connection {
 public:
  Connection() = default;
  // A child of a listener starts in LISTEN (it is the listener's clone that takes the SYN).
  Connection(ConnId id, std::shared_ptr<const TcpConfig> cfg, Endpoint local, Endpoint remote,
             State initial = State::Closed);

  // --- user calls (RFC 9293 3.10.1-3.10.6) ---
  void open_passive(Instant now, Output& out);  // CLOSED -> LISTEN
  void open_active(Instant now, Seq32 iss, Output& out);  // CLOSED -> SYN_SENT, sends SYN
  // LISTEN -> SYN_SENT (RFC 9293 Figure 5 "SEND" on a listening socket): becomes active.
  Errno connect_from_listen(Instant now, Endpoint remote, Seq32 iss, Output& out);
  // A child of a listener: takes the SYN that created it (LISTEN -> SYN_RECEIVED).
  void accept_syn(Instant now, const Segment& syn, Seq32 iss, Output& out);
  // A child of a listener made from an ACK that carried a valid SYN cookie: `syn` is the SYN
  // the cookie stands for, `iss` the cookie. No SYN,ACK (the cookie one went out statelessly);
  // the ACK completes the handshake at once: LISTEN -> ESTABLISHED.
  void accept_cookie(Instant now, const Segment& syn, Seq32 iss, const Segment& ack, Output& out);
  // Queues bytes; returns how many fit in the send buffer, or an error.
  Errno send(Instant now, std::string_view data, std::uint32_t* taken, Output& out);
  Errno send_fill(Instant now, std::uint32_t n, std::uint32_t* taken, Output& out);
  // Takes up to max in-order bytes. Returns EAGAIN when none yet, Ok with empty data at EOF.
  Errno recv(Instant now, std::uint32_t max, std::string* data, Output& out);
  // The same, with the bytes as the slices the buffer holds (no copy; for readers that count).
  Errno recv(Instant now, std::uint32_t max, std::vector<Payload>* data, Output& out);
  Errno shutdown_write(Instant now, Output& out);  // half-close: queue our FIN
  Errno close(Instant now, Output& out);            // full close (the app forgets the socket)
  Errno abort(Instant now, Output& out);            // RST if synchronized (3.10.5), then CLOSED
  // The host failed (RFC 9293 3.5.1): the TCB is lost, nothing is sent, no timer fires or
  // is reported cancelled; only the change to CLOSED is reported, with `cause`.
  void crash(Instant now, std::string cause, Output& out);

  // --- network and time ---
  void on_segment(Instant now, const Segment& seg, Output& out);
  void on_timer(Instant now, Output& out);  // fires every expired timer
  // TIME-WAIT and a new SYN for the same pair: true (and CLOSED) when the profile lets the
  // SYN open a new incarnation (SEG.SEQ > RCV.NXT: RFC 9293 3.6.1 MAY-2; or, with timestamps,
  // a TSval above TS.Recent: RFC 6191, which 3.10.7.4 notes; Linux does both).
  bool yield_to_new_syn(Instant now, const Segment& syn, Output& out);
  // connect() from a bound port to the pair of this TIME-WAIT (Linux, timestamps in use):
  // may it take the pair over, and taking it over (TIME-WAIT -> CLOSED).
  bool may_yield_to_connect() const;
  void yield_to_connect(Instant now, Output& out);
  // The ISS for the connection that takes over this TIME-WAIT pair, given the clock's ISS.
  Seq32 reincarnation_iss(Seq32 clock_iss) const;
  // RFC 7323 5.3 R1: the segment's TSval is older than TS.Recent (PAWS rejects it).
  bool paws_reject(const Segment& seg) const;
  Instant next_deadline() const { return pace_wakeup_ ? std::min(timers_.next(), body().tx.pace_next) : timers_.next(); }

  // --- queries ---
  ConnId id() const { return id_; }
  State state() const { return state_; }
  const Tcb& tcb() const { return tcb_; }
  const Timers& timers() const { return timers_; }
  // The congestion control of a connection that has its body (tests, live connections);
  // the views read the summaries below, which a compact connection keeps.
  const Congestion& congestion() const { return body().cc; }
  std::uint32_t cwnd() const { return lean() ? settled_.cwnd : body().cc.cwnd(); }
  std::uint32_t ssthresh() const { return lean() ? settled_.ssthresh : body().cc.ssthresh(); }
  CcKind cc_kind() const { return lean() ? settled_.kind : body().cc.kind(); }
  std::uint64_t pacing_bps() const { return lean() ? settled_.pacing_bps : body().cc.pacing_bps(); }
  bool in_recovery() const { return lean() ? settled_.in_recovery : body().cc.in_recovery(); }
  Seq32 high_rxt() const { return lean() ? settled_.high_rxt : body().cc.high_rxt(); }
  std::uint32_t sacked_bytes() const { return body_ ? body_->cc.sacked_bytes() : 0; }
  const RttEstimator& rtt() const { return rtt_; }
  const TcpConfig& config() const { return *cfg_; }
  std::shared_ptr<const TcpConfig> config_ptr() const { return cfg_; }
  Endpoint local() const { return local_; }
  Endpoint remote() const { return remote_; }
  bool passive() const { return passive_; }
  bool app_closed() const { return app_closed_; }  // the app called close(): an orphan
  bool eof_received() const { return fin_received_; }
  Errno error() const { return error_; }
  std::uint32_t readable_bytes() const { return body_ ? body_->rcv_buf.size() : 0; }
  bool linux_window() const { return cfg_->rcv_window == TcpConfig::RcvWindow::Linux; }
  // The receive buffer's size as getsockopt(SO_RCVBUF) reports it (Linux's may have grown).
  std::uint32_t rcv_buf_size() const { return linux_window() ? rmem_.rcvbuf() : rcv_cap_; }
  std::uint32_t send_queue_bytes() const { return body_ ? body_->snd_buf.size() : 0; }  // netstat Send-Q
  std::uint32_t unsent_bytes() const;
  std::uint64_t bytes_acked_total() const { return acked_total_; }
  // Segments sent again by the RTO or fast retransmit; tail loss probes are counted apart.
  std::uint32_t retransmissions() const { return retx_count_; }
  // What a SYN,ACK from this listener to `syn` would offer: its window and window scale (the
  // SYN cookie's SYN,ACK, which keeps no child).
  struct SynAckOffer {
    std::uint16_t wnd = 0;
    std::uint8_t wscale = 0;
  };
  SynAckOffer synack_offer(const Segment& syn) const;
  std::uint32_t loss_probes() const { return tlp_count_; }
  // What ss -i and netstat -o read (Linux's tcp_info and /proc/net/tcp): SYN or SYN,ACK
  // retransmissions so far, keep-alive and zero-window probes unanswered (both count only
  // since the last segment received, as Linux's icsk_probes_out), the persist back-off, the
  // in-order bytes received, and the peer's segment size as seen here.
  int syn_retransmits() const { return syn_tries_; }
  int keepalive_probes_out() const { return keepalive_sent_; }
  int window_probes_out() const { return zwp_out_; }
  int persist_backoff() const { return persist_backoff_; }
  std::uint64_t bytes_received() const { return rcv_total_; }
  std::uint32_t rcv_mss() const { return rcv_mss_; }
  // Congestion control, as the series and the views show it: the phase in words ("slow
  // start", "recovery", ...) and the bytes in flight (RFC 6675 pipe: SACKed and lost holes out).
  std::string_view cc_phase() const;
  // After an RTO everything outstanding counts as lost (Linux CA_Loss marks it so): only what
  // was sent again since SND.NXT went back to SND.UNA is in flight.
  std::uint32_t bytes_in_flight() const {
    if (lean()) return settled_.in_flight;
    return body().tx.in_loss ? static_cast<std::uint32_t>(std::max(0, tcb_.snd_nxt - tcb_.snd_una)) - body().cc.sacked_below(tcb_.snd_nxt)
                             : pipe();
  }
  // RACK loss detection (RFC 8985 6) is in use: the knob, and SACK negotiated (Linux falls
  // back to duplicate ACKs without it).
  bool rack_on() const { return cfg_->rack && tcb_.sack_ok; }
  const Rack& rack() const { return body().rack; }
  // RFC 9293 "can the TCB be deleted": the connection has reached CLOSED.
  bool finished() const { return state_ == State::Closed; }

  // Checks the invariants (SND.UNA <= SND.NXT <= SND.MAX, windows, buffers vs state);
  // returns an empty string or what is broken. Used by tests and the torture run.
  std::string check_invariants() const;
  // A TCP keeps its TCB in CLOSED for the record; its buffers are freed.
  void release_buffers();
  // Heap storage the per-segment records hold (rate samples, receive-memory skbs): none
  // once in TIME_WAIT or CLOSED after a normal close.
  std::size_t record_storage_bytes() const { return (body_ ? body_->rate.storage_bytes() : 0) + rmem_.storage_bytes(); }
  // TIME_WAIT and CLOSED: gives the body back when nothing in it is needed any more
  // (compactable()); a call that needs it later gets a fresh one (body()). Returns true when
  // the connection is compact afterwards.
  bool compact();
  bool compact_now() const { return !body_; }
  // The compact record (stack/conn_record.hpp): pack() appends this connection's record to
  // `out` when it can be one (TIME_WAIT or CLOSED, compact, nothing pending; false and `out`
  // as it was otherwise); unpack() makes this connection the one packed and returns the
  // record's length.
  bool pack(std::string& out, RecordShared& shared) const;
  std::size_t unpack(const std::uint8_t* rec, const RecordShared& shared);
  // The bytes this connection occupies: itself, plus its body while it has one.
  std::size_t footprint_bytes() const;

 private:
  // send() and send_fill(): queue a slice (`wanted`: the app asked for at least one byte).
  Errno send_payload(Instant now, const Payload& data, bool wanted, std::uint32_t* taken, Output& out);
  // The one place state_ is written after construction: `on` with state_ and `to` must be
  // a row of transitions(), or it throws std::logic_error.
  void set_state(State to, TcpEvent on, std::string cause, Output& out);
  // Segment arrival, split by RFC 9293 3.10.7 sub-section.
  void on_segment_listen(Instant now, const Segment& seg, Output& out);
  void on_segment_syn_sent(Instant now, const Segment& seg, Output& out);
  void on_segment_synchronized(Instant now, const Segment& seg, Output& out);
  bool acceptable(const Segment& seg) const;
  // The ACK that answers an unacceptable segment (3.10.7.4 first), throttled for pure ACKs;
  // false when the budget withheld it.
  bool ack_unacceptable(Instant now, const Segment& seg, Output& out);
  void on_rst(Instant now, const Segment& seg, Output& out);
  bool on_ack(Instant now, const Segment& seg, Output& out);
  void on_text(Instant now, const Segment& seg, Output& out);
  void on_fin(Instant now, Output& out);
  void process_ack_of_data(Instant now, const Segment& seg, Output& out);
  void update_window(const Segment& seg);
  void set_snd_wnd(std::uint32_t wnd);  // SND.WND, and MAX.SND.WND with it
  // Out-of-window and challenge ACKs share one per-socket budget (Linux tcp_oow_rate_limited,
  // RFC 5961 7 "ACK throttling"): true when one may be sent now, and it is then spent.
  bool oow_ack_allowed(Instant now);
  void send_challenge_ack(Instant now, Output& out);  // RFC 5961 3.2, 4.2, 5.2
  void remember_sack_segment(std::uint64_t at);       // RFC 2018 4: most recent block first
  void note_dsack(SackBlock b);                       // RFC 2883, when SACK and D-SACK are on
  void take_options(const Segment& syn);
  void take_syn(Instant now, const Segment& syn, Seq32 iss);  // a passive open's TCB from the SYN
  bool learn_sack(const Segment& seg);  // true when it told us something new
  // The bytes in the network: RFC 6675 SetPipe (every hole below the highest SACK lost), or
  // with RACK what Linux counts (outstanding, less SACKed, less marked lost and not resent).
  std::uint32_t pipe() const;
  Duration min_rtt() const;  // RACK's minimum RTT (0: none yet)
  // RACK (RFC 8985 6.2): steps 2-3 for what an ACK delivered, then step 5 (marking losses and
  // arming or cancelling the reordering timer); and the timer's expiry.
  void rack_note_delivered(Instant now, const std::vector<RateSampler::Delivery>& delivered, Seq32 prior_fack);
  void rack_detect_loss(Instant now, bool force, Output& out);
  void on_reorder_timeout(Instant now, Output& out);
  // Fast recovery begins (RFC 6675 5 / RFC 6582 3.2; with RACK when it marked a loss).
  void enter_fast_recovery(Instant now, Output& out);
  bool our_fin_acked() const { return fin_sent_ && seq_gt(tcb_.snd_una, fin_seq_); }
  Seq32 snd_data_start() const { return seq_max(tcb_.snd_una, tcb_.iss + 1); }
  std::uint8_t our_wscale() const;
  void choose_initial_window(bool syn_ack, bool wscale_ok);
  // What is left of the window we last advertised: RCV.WUP + RCV.WND - RCV.NXT, at least 0.
  std::uint32_t rcv_window_now() const;
  // The window to advertise in the next ACK, in bytes (before scaling).
  std::uint32_t window_to_offer() const;

  // The IPv4 packet length of a received segment (what Linux charges memory for).
  static std::uint32_t ip_length(const Segment& seg);
  bool read_wants_ack() const;  // after the application read: is a window update due?
  void send_probe(Instant now, RetxCause why, Output& out);  // keep-alive or zero-window probe

  // Output path.
  void output(Instant now, Output& out);        // sends what the windows allow, then ACK if owed
  bool send_one_data(Instant now, Output& out);  // one segment of new or retransmitted data/FIN
  // send_one_data's steps: what to send (false: nothing now), its flags, the segment and its bookkeeping.
  struct DataChoice {
    Seq32 seq;
    std::uint32_t len = 0;
    bool rewrite_nxt = false;  // sending at SND.NXT (new data, or go-back-N after an RTO)
    RetxCause cause = RetxCause::None;  // why, if it turns out to repeat sent sequence space
  };
  bool choose_data(DataChoice& c);               // at SND.UNA, a SACK hole, or at SND.NXT
  bool choose_sack_hole(DataChoice& c) const;    // false: the pipe is full; c.len 0: no hole
  bool choose_at_snd_nxt(DataChoice& c);         // windows, SWS avoidance, Nagle
  std::uint8_t data_flags(const DataChoice& c) const;
  void send_data(Instant now, const DataChoice& c, std::uint8_t flags, Output& out, bool loss_probe = false);
  void send_syn(Instant now, bool with_ack, bool retx, Output& out);
  void send_ack(Instant now, Output& out);
  void send_rst(Instant now, Seq32 seq, Output& out);
  void send_active_reset(Instant now, Output& out);  // ABORT and friends
  void emit(Instant now, Segment seg, bool retx, Output& out, bool loss_probe = false,
            RetxCause cause = RetxCause::None);
  Segment make_segment(Instant now, Seq32 seq, std::uint8_t flags) const;
  void add_sack_blocks(Segment& s) const;  // D-SACK, then RFC 2018 4's order
  std::uint16_t window_field(std::uint32_t wnd_bytes) const;
  std::uint16_t syn_window() const;  // the window a SYN or SYN,ACK carries (never scaled)
  std::uint32_t flight_size() const;
  // What an ACK tells the congestion-control algorithm (stack/cc_types.hpp).
  CcAck cc_ack(Instant now, std::uint32_t acked, std::uint32_t prior_in_flight) const;
  void cwnd_validate(bool limited);
  // Pacing: true when the next data segment must wait (and a wake-up is then due).
  bool pacing_holds(Instant now, Output& out);
  void paced(Instant now, std::uint32_t wire_bytes);
  // Receive-side ACK policy (RFC 9293 3.8.6.3 delayed ACK; Linux quick-ACK and ping-pong modes).
  void note_data_received(Instant now, std::uint32_t len);  // in-order data (Linux tcp_event_data_recv)
  void grant_quickacks();                                     // Linux tcp_incr_quickack
  void decide_ack(Instant now, Output& out);                  // now, or arm the delayed-ACK timer
  bool read_sends_ack(std::uint32_t copied) const;            // Linux tcp_cleanup_rbuf
  bool enough_unacked() const;  // enough data unacknowledged to ACK now (every 2nd segment, Linux rule)
  // Linux: more than a segment arrived since the last ACK (RCV.NXT - RCV.WUP > rcv_mss).
  bool over_a_segment() const { return static_cast<std::uint32_t>(tcb_.rcv_nxt - tcb_.rcv_wup) > rmem_.rcv_mss(); }
  Duration delack_timeout() const;
  bool nagle_holds() const;  // a small segment waits for an ACK (RFC 896 or Minshall's variant)
  void take_in_order(std::uint32_t n, std::uint32_t ip_len);  // Linux's memory charge for in-order data

  // Timers.
  void arm(TimerKind k, Instant at, Output& out);
  void disarm(TimerKind k, Output& out);
  void disarm_all(Output& out);
  void restart_rto(Instant now, Output& out);
  // A write after an idle period brings cwnd back towards the initial window (RFC 5681 4.1).
  void restart_window_after_idle(Instant now);
  void on_rto(Instant now, Output& out);
  bool user_timeout_expired(Instant now) const;
  Instant rto_deadline_after_timeout(Instant now) const;  // clamped to the user timeout
  // Tail loss probe (RFC 8985 7): when one may be scheduled, the PTO, arming its timer
  // (false: the timer is off), and sending the probe when it fires.
  bool loss_probe_allowed() const;
  Duration probe_timeout(Instant now, bool advancing_rto) const;
  bool schedule_loss_probe(Instant now, bool advancing_rto, Output& out);
  void on_loss_probe(Instant now, Output& out);
  bool send_loss_probe(Instant now, Output& out);
  void on_window_probe_answer(Instant now, Output& out);
  void on_persist(Instant now, Output& out);
  Duration persist_timeout() const;  // the next zero-window probe interval
  void on_keepalive(Instant now, Output& out);
  void enter_established(Instant now, TcpEvent on, std::string cause, Output& out);
  void enter_time_wait(Instant now, TcpEvent on, std::string cause, Output& out);
  // TIME_WAIT needs no queues: frees the storage of the empty ones (a connection waiting
  // out 2MSL then holds no heap memory of its own, as Linux's tcp_timewait_sock).
  void free_empty_queues();
  void fail(Instant now, Errno e, TcpEvent on, std::string cause, Output& out);  // -> CLOSED, tell the app
  // The body, allocated if the connection has none: a fresh one with the buffers' capacities
  // (empty queues, no scoreboard: what a compactable connection had, as far as any call in
  // TIME_WAIT or CLOSED can tell; see compactable()).
  ConnBody& body() const {
    if (!body_) make_body();
    return *body_;
  }
  void make_body() const;
  // Compacted once: from then on the views read settled_ (TIME_WAIT and CLOSED change none of
  // it), even while a call borrows a fresh body; a connection never compacted reads its body.
  bool lean() const { return settled_.taken; }
  // Nothing in the body is needed any more: TIME_WAIT with nothing outstanding, unread or
  // out of order, or CLOSED with the buffers released.
  bool compactable() const;
  // Every member not in the record's head, in the order the record keeps them.
  template <typename Self, typename V>
  static void record_fields(Self& s, V& v);
  void notice(Notice what, Errno e, Output& out);
  std::uint32_t ts_now(Instant now) const;

  ConnId id_ = kNoConn;
  State state_ = State::Closed;
  bool passive_ = false;
  std::shared_ptr<const TcpConfig> cfg_;
  Endpoint local_, remote_;
  Tcb tcb_;
  Timers timers_;
  RttEstimator rtt_;

  // The body (ConnBody), allocated on first use; mutable: a const call that needs it (the
  // window a segment offers) in a compact connection gets a fresh one, see body().
  mutable Boxed<ConnBody> body_;
  // What a compact connection tells the views in place of its body (taken by compact()).
  struct Settled {
    std::uint32_t cwnd = 0, ssthresh = 0;  // meaningful once taken
    std::uint64_t pacing_bps = 0;
    Seq32 high_rxt;
    std::uint32_t in_flight = 0;
    const char* phase = "";  // cc_phase(): always a string literal, so its data() ends in a NUL
    CcKind kind = CcKind::NewReno;
    bool in_recovery = false;
    bool taken = false;
  };
  Settled settled_;
  std::uint32_t snd_cap_ = 0, rcv_cap_ = 0;  // the buffers' capacities (a fresh body's)
  RcvMemory rmem_;     // Linux's accounting of the receive buffer, which sets the window it offers
  // Grouped by size (8, 4, then 1 byte), so that no padding sits between them: there are
  // two connections per connection in a run of a million.
  std::uint64_t rcv_total_ = 0;     // in-order bytes received so far (stream offset of RCV.NXT)
  std::uint64_t acked_total_ = 0;
  Instant last_invalid_ack_ = INT64_MIN;  // when we last answered an unacceptable pure ACK

  Seq32 fin_seq_;                   // sequence number our FIN occupies
  int persist_backoff_ = 0;
  // The ACK policy's state is in the body (Acking); the peer's segment size as we see it
  // stays here, for ss -i (Linux icsk_ack.rcv_mss).
  std::uint32_t rcv_mss_ = 536;
  std::uint32_t tlp_count_ = 0;
  int syn_tries_ = 0;         // SYN / SYN-ACK transmissions after the first
  int keepalive_sent_ = 0;
  int zwp_out_ = 0;  // zero-window probes since the last segment received
  std::uint32_t retx_count_ = 0;

  bool fin_queued_ = false;         // the app shut down its write side
  bool fin_sent_ = false;
  bool fin_received_ = false;
  bool app_closed_ = false;
  Errno error_ = Errno::Ok;
  // Pacing: a silent wake-up is due at the body's tx.pace_next (see Sending). Kept here, as
  // next_deadline() reads it for every connection the world looks at, compact ones included.
  bool pace_wakeup_ = false;
};

}  // namespace tcplab
