#pragma once
// The TCP layer of one host: the port table, listening sockets with their SYN and accept
// queues (a backlog, so a SYN flood can fill them), demultiplexing arriving segments to
// connections, and the replies for segments that match none (RFC 9293 3.10.7.1).
// Sans-IO like Connection: calls take `now` and append to an Output.
#include <cstdint>
#include <optional>
#include <deque>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "stack/chunked.hpp"
#include "stack/config.hpp"
#include "stack/connection.hpp"
#include "stack/demux_table.hpp"
#include "stack/events.hpp"
#include "stack/port_table.hpp"

namespace tcplab {

struct ListenSocket {
  ConnId id = kNoConn;
  int backlog = 128;
  std::uint32_t syn_queue = 0;         // children in SYN_RECEIVED
  std::deque<ConnId> accept_queue;     // children ESTABLISHED, not yet accepted
  std::uint64_t overflows = 0;         // SYNs dropped because a queue was full
};

// Counters in the spirit of `netstat -s` / `nstat`.
struct TcpHostCounters {
  std::uint64_t segs_in = 0, segs_out = 0, rst_out = 0, no_listener = 0, listen_drops = 0;
  std::uint64_t active_opens = 0, passive_opens = 0;
  // nstat's TcpExtSyncookiesSent / Recv / Failed.
  std::uint64_t syncookies_sent = 0, syncookies_recv = 0, syncookies_failed = 0;
};

class TcpHost {
 public:
  TcpHost() = default;
  TcpHost(Ipv4 ip, TcpConfig cfg, std::uint64_t secret);

  Ipv4 ip() const { return ip_; }
  const TcpConfig& config() const { return *cfg_; }
  void set_config(const TcpConfig& cfg) { cfg_ = std::make_shared<const TcpConfig>(cfg); }
  void set_ephemeral_range(std::uint16_t lo, std::uint16_t hi);

  // Socket calls. Errors come back as errno-like values, never as exceptions.
  Errno listen(Instant now, std::uint16_t port, int backlog, ConnId* id, Output& out);
  // local_port 0 picks an ephemeral port; cfg, if given, overrides the host's settings.
  Errno connect(Instant now, Endpoint remote, std::uint16_t local_port, ConnId* id, Output& out,
                const TcpConfig* cfg = nullptr);
  // Takes the oldest established child of a listener, if any.
  ConnId accept(ConnId listener);
  Errno send(Instant now, ConnId c, std::string_view data, std::uint32_t* taken, Output& out);
  Errno send_fill(Instant now, ConnId c, std::uint32_t n, std::uint32_t* taken, Output& out);
  Errno recv(Instant now, ConnId c, std::uint32_t max, std::vector<Payload>* data, Output& out);
  // The same, with the bytes joined into one string (the TUN bridge, the pkt target, tests).
  Errno recv(Instant now, ConnId c, std::uint32_t max, std::string* data, Output& out) {
    std::vector<Payload> parts;
    const Errno e = recv(now, c, max, &parts, out);
    *data = join(parts);
    return e;
  }
  Errno shutdown(Instant now, ConnId c, Output& out);
  Errno close(Instant now, ConnId c, Output& out);
  Errno abort(Instant now, ConnId c, Output& out);

  void on_segment(Instant now, const Segment& seg, Output& out);
  void on_timer(Instant now, ConnId c, Output& out);
  // The host crashed (RFC 9293 3.5.1): every connection not yet CLOSED goes there, in
  // ConnId order, without a segment; each change is reported with the cause
  // "host <host> crashed: all TCP state lost, nothing sent". The caller throws the host away.
  void crash(Instant now, std::string_view host, Output& out);

  // bind(): Linux's rule for a port that connections (TIME_WAIT included) hold: it may be
  // bound again only if the new socket and every one of them have SO_REUSEADDR (verified on
  // Linux 6.18: tests/pkt/scripts/a-bind-time-wait-*.pkt). A listener always holds its port.
  Errno bind_check(std::uint16_t port, bool reuse_addr) const;

  bool valid(ConnId c) const { return c < where_.size(); }
  // The connection a segment from `remote` to our `local_port` goes to, or kNoConn.
  ConnId find(std::uint16_t local_port, Endpoint remote) const {
    const ConnId* c = demux_.find(key(local_port, remote));
    return c ? *c : kNoConn;
  }
  // A compact connection (TIME_WAIT, CLOSED) is kept as a record and unpacked when asked
  // for; it stays unpacked until it settles again (settle()). References stay valid until
  // then: the connections never move.
  const Connection& conn(ConnId c) const { return live(c); }
  std::size_t conn_count() const { return where_.size(); }
  // What the world's timers, labels and the views' scans read, without unpacking a record.
  ConnRecordHead head(ConnId c) const;
  // Two of it, for the world's every timer change and the benchmark's scan.
  Instant next_deadline(ConnId c) const {
    const std::uint32_t w = where_[c];
    return w & kRecord ? ConnRecordHead::read_deadline(&records_[(w & ~kRecord) + 1]) : pool_[w].next_deadline();
  }
  State state(ConnId c) const {
    const std::uint32_t w = where_[c];
    return w & kRecord ? ConnRecordHead::read_state(&records_[(w & ~kRecord) + 1]) : pool_[w].state();
  }
  bool packed(ConnId c) const { return (where_[c] & kRecord) != 0; }
  // The bytes the compact records take (the benchmark's breakdown, tests).
  std::size_t record_bytes() const { return records_.size() - garbage_; }
  std::size_t packed_count() const { return packed_; }
  // The records are rebuilt when the garbage is half of them and at least this much (1 MiB;
  // tests lower it to see a rebuild with a few records).
  void set_record_gc_floor(std::size_t bytes) { gc_floor_ = bytes; }
  std::size_t record_rebuilds() const { return rebuilds_; }
  const std::map<std::uint16_t, ListenSocket>& listeners() const { return listeners_; }
  const ListenSocket* listener_of(ConnId child) const;
  const TcpHostCounters& counters() const { return counters_; }

 private:
  static std::uint64_t key(std::uint16_t local_port, Endpoint remote) {
    return static_cast<std::uint64_t>(remote.ip) << 32 | static_cast<std::uint64_t>(remote.port) << 16 | local_port;
  }
  ConnId add_conn(Connection c);
  Connection& live(ConnId c) const;  // unpacks a record
  // After a call: a connection in TIME_WAIT or CLOSED that needs no body becomes a record.
  void settle(ConnId c);
  std::uint32_t take_slot() const;  // a free slot of pool_
  template <typename F>
  Errno with_conn(ConnId c, F&& f);  // f(the connection), or EINVAL for no such connection
  // Keeps the tables in step with what the connections just reported (from event `first` on).
  void bookkeep(std::size_t first, Output& out);
  void reply_no_connection(const Segment& seg, Output& out);
  void send_cookie_synack(Instant now, const ListenSocket& ls, const Segment& syn, Output& out);
  // An ACK to a listener: true when it carried a valid cookie (a child is then ESTABLISHED).
  bool take_cookie_ack(Instant now, ListenSocket& ls, const Segment& ack, Output& out);
  ConnId add_child(ListenSocket& ls, const Segment& seg);  // a listener's new child, registered
  // iss: the ISS to use (a SYN that reopened a TIME-WAIT pair), else the clock's (RFC 6528).
  void on_listen_segment(Instant now, ListenSocket& ls, const Segment& seg, Output& out,
                         std::optional<Seq32> iss = std::nullopt);
  void hold_port(ConnId c);     // c is registered on its local port
  void release_port(ConnId c);

  Ipv4 ip_ = 0;
  std::shared_ptr<const TcpConfig> cfg_ = std::make_shared<const TcpConfig>();
  std::uint64_t secret_ = 0;
  std::uint16_t port_lo_ = 32768, port_hi_ = 60999, next_port_ = 32768;
  // Connections by ConnId (where_): an open one lives in a slot of pool_, a compact one is a
  // record in records_ (stack/conn_record.hpp), as Linux keeps a tcp_timewait_sock rather than
  // the socket. Mutable: conn() unpacks a record when asked, which no caller can tell apart.
  // pool_ is in chunks of 64 that never move: no moves of whole connections and no doubling
  // slack as it grows (not a std::deque: its nodes are 512 bytes, one connection each).
  static constexpr std::uint32_t kRecord = 0x80000000u;  // where_: a record's offset, else a slot
  mutable Chunked<Connection, 6> pool_;
  mutable std::vector<std::uint32_t> free_;     // slots of pool_ to reuse
  mutable std::vector<std::uint32_t> where_;    // per conn
  // Records, each a length byte then the record, never across a 64 KiB chunk; the bytes of
  // unpacked ones are garbage until the next rebuild.
  mutable Chunked<std::uint8_t, 16> records_;
  mutable std::size_t garbage_ = 0;
  std::size_t gc_floor_ = std::size_t{1} << 20;
  std::size_t rebuilds_ = 0;
  mutable std::size_t packed_ = 0;  // records live now
  RecordShared cfgs_;
  std::string scratch_;  // the record being packed (its storage reused)
  void rebuild_records();
  std::vector<std::uint16_t> parent_port_;             // per conn: the listener port of a child, or 0
  std::vector<std::uint8_t> registered_;               // per conn: in demux_ / port_refs_
  DemuxTable demux_;                                   // lookup only; never iterated
  PortTable port_refs_;  // local port -> its users
  std::map<std::uint16_t, ListenSocket> listeners_;
  TcpHostCounters counters_;
};

}  // namespace tcplab
