// A connection's compact record (stack/conn_record.hpp): Connection::pack and unpack.
#include "stack/conn_record.hpp"

#include "stack/connection.hpp"

namespace tcplab {

// A member added to one of these must be added to its record_fields below (or the record
// would unpack it as a fresh connection has it): the sizes are the tripwire. Checked where
// pointers are 8 bytes (the native builds); the WebAssembly build's sizes differ.
static_assert(sizeof(void*) != 8 || sizeof(Connection) == 400, "Connection changed: update Connection::record_fields");
static_assert(sizeof(Tcb) == 60, "Tcb changed: update Connection::record_fields");
static_assert(sizeof(Timers) == 8 * kTimerKinds, "Timers changed: update Connection::record_fields");
static_assert(sizeof(void*) != 8 || sizeof(RttEstimator) == 56, "RttEstimator changed: update RttEstimator::record_fields");
static_assert(sizeof(void*) != 8 || sizeof(RcvMemory) == 56, "RcvMemory changed: update RcvMemory::record_fields");

std::uint32_t RecordShared::number_of(const std::shared_ptr<const TcpConfig>& cfg) {
  auto [it, added] = number_.try_emplace(cfg.get(), static_cast<std::uint32_t>(configs_.size()));
  if (added) configs_.push_back(cfg);
  return it->second;
}

int RecordShared::prototype_of(std::uint32_t cfg, State state) const {
  auto it = prototype_number_.find({cfg, state});
  return it == prototype_number_.end() ? -1 : it->second;
}

int RecordShared::add_prototype(std::uint32_t cfg, State state, std::vector<std::uint64_t> values) {
  const int n = static_cast<int>(prototypes_.size());
  prototypes_.push_back(std::move(values));
  prototype_number_[{cfg, state}] = n;
  return n;
}

namespace {
// Every phase cc_phase() names (stack/connection_data.cpp, and BBR's in stack/cc_bbr.cpp).
constexpr const char* kPhases[] = {"", "slow start", "congestion avoidance", "recovery", "loss",
                                   "startup", "drain", "probe_bw", "probe_rtt"};
constexpr std::uint64_t kPhaseCount = sizeof(kPhases) / sizeof(kPhases[0]);

template <typename T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void store(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}
}  // namespace

void FieldEncoder::phase(const char* p) {
  for (std::uint64_t i = 0; i < kPhaseCount; ++i)
    if (std::strcmp(p, kPhases[i]) == 0) return uvar(i + 1);
  uvar(0);
  fixed(p);
}

void FieldDecoder::phase(const char*& p) {
  const std::uint64_t i = uvar();
  if (i == 0) return fixed(p);
  p = kPhases[i - 1];
}

RecordWriter::RecordWriter(std::string& out, RecordShared& shared, const std::vector<std::uint64_t>& prototype)
    : out_(out), shared_(shared), enc_(out), proto_(prototype) {
  const std::size_t n = (proto_.size() + 7) / 8;  // every field has a bit
  enc_.uvar(n);
  bits_at_ = out_.size();
  out_.append(n, '\0');
}

RecordReader::RecordReader(const std::uint8_t* p, const RecordShared& shared, const std::vector<std::uint64_t>& prototype)
    : shared_(shared), dec_(p), proto_(prototype) {
  const std::uint64_t n = dec_.uvar();
  bits_ = dec_.at();
  dec_ = FieldDecoder(bits_ + n);
}

ConnRecordHead ConnRecordHead::read(const std::uint8_t* p) {
  ConnRecordHead h;
  h.next_deadline = read_deadline(p);
  h.state = read_state(p);
  h.passive = p[9] != 0;
  h.app_closed = p[10] != 0;
  h.local = Endpoint{load<Ipv4>(p + 11), load<std::uint16_t>(p + 15)};
  h.remote = Endpoint{load<Ipv4>(p + 17), load<std::uint16_t>(p + 21)};
  h.armed = p[23];
  return h;
}

void ConnRecordHead::write(std::string& out) const {
  store(out, next_deadline);
  store(out, static_cast<std::uint8_t>(state));
  store(out, static_cast<std::uint8_t>(passive));
  store(out, static_cast<std::uint8_t>(app_closed));
  store(out, local.ip);
  store(out, local.port);
  store(out, remote.ip);
  store(out, remote.port);
  store(out, armed);
}

std::uint8_t armed_timers(const Timers& t) {
  static_assert(kTimerKinds <= 8, "the head keeps the armed timers in one byte");
  std::uint8_t m = 0;
  for (int k = 0; k < kTimerKinds; ++k)
    if (t.armed(static_cast<TimerKind>(k))) m = static_cast<std::uint8_t>(m | (1u << k));
  return m;
}

template <typename Self, typename V>
void Connection::record_fields(Self& s, V& v) {
  v.num(s.id_);
  v.config(s.cfg_);
  // Sequence numbers grouped by space, each written as the step from the one before.
  auto& t = s.tcb_;
  v.seq(t.iss), v.seq(t.snd_una), v.seq(t.snd_nxt), v.seq(t.snd_max), v.seq(t.snd_wl2), v.seq(s.fin_seq_);
  v.seq(s.settled_.high_rxt);
  v.seq(t.irs), v.seq(t.rcv_nxt), v.seq(t.rcv_wup), v.seq(t.snd_wl1);
  v.num(t.snd_wnd), v.num(t.max_snd_wnd), v.num(t.rcv_wnd), v.num(t.snd_wscale), v.num(t.rcv_wscale);
  v.num(t.snd_mss), v.num(t.ts_ok), v.num(t.sack_ok), v.num(t.ts_recent);
  for (auto& d : s.timers_.deadline_ns) v.instant(d);
  RttEstimator::record_fields(s.rtt_, v);
  v.must_be_empty(!s.body_);
  auto& z = s.settled_;
  v.num(z.cwnd), v.num32(z.ssthresh), v.num(z.pacing_bps), v.num(z.in_flight);
  v.phase(z.phase);
  v.num(z.kind), v.num(z.in_recovery), v.num(z.taken);
  v.num(s.snd_cap_), v.num(s.rcv_cap_);
  RcvMemory::record_fields(s.rmem_, v);
  v.num(s.rcv_total_), v.num(s.acked_total_), v.instant(s.last_invalid_ack_);
  v.num(s.persist_backoff_), v.num(s.rcv_mss_), v.num(s.tlp_count_), v.num(s.syn_tries_);
  v.num(s.keepalive_sent_), v.num(s.zwp_out_), v.num(s.retx_count_);
  v.num(s.fin_queued_), v.num(s.fin_sent_), v.num(s.fin_received_), v.num(s.error_);
  v.must_be_empty(!s.pace_wakeup_);
}

bool Connection::pack(std::string& out, RecordShared& shared) const {
  if ((state_ != State::TimeWait && state_ != State::Closed) || body_ || pace_wakeup_) return false;
  const std::uint32_t cfg = shared.number_of(cfg_);
  int proto = shared.prototype_of(cfg, state_);
  if (proto < 0) {  // the first of its kind is the prototype
    std::vector<std::uint64_t> values;
    FieldCollector collect(shared, values);
    record_fields(*this, collect);
    proto = shared.add_prototype(cfg, state_, std::move(values));
  }
  const std::size_t start = out.size();
  ConnRecordHead{next_deadline(), armed_timers(timers_), state_, passive_, app_closed_, local_, remote_}.write(out);
  FieldEncoder(out).uvar(static_cast<std::uint64_t>(proto));
  RecordWriter w(out, shared, shared.prototype(proto));
  record_fields(*this, w);
  if (!w.ok()) out.resize(start);
  return w.ok();
}

std::size_t Connection::unpack(const std::uint8_t* rec, const RecordShared& shared) {
  const ConnRecordHead h = ConnRecordHead::read(rec);
  *this = Connection();
  state_ = h.state;
  passive_ = h.passive;
  app_closed_ = h.app_closed;
  local_ = h.local;
  remote_ = h.remote;
  FieldDecoder at(rec + ConnRecordHead::kHeadBytes);
  const int proto = static_cast<int>(at.uvar());
  RecordReader r(at.at(), shared, shared.prototype(proto));
  record_fields(*this, r);
  return static_cast<std::size_t>(r.end() - rec);
}

}  // namespace tcplab
