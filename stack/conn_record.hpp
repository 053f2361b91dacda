#pragma once
// A connection that needs no body (TIME_WAIT, CLOSED: Connection::compact) packed into a few
// dozen bytes, the way Linux keeps a tcp_timewait_sock instead of the whole socket: in a run
// of a million connections the 400-byte `Connection`s were most of the memory. Exact: the
// bytes unpack into a connection equal to the one packed, field for field, so that nothing a
// view, a check or a later segment sees can differ (TcpHost keeps the records, and unpacks
// one when anything asks for the connection).
//
// The encoding: a small fixed head that TcpHost reads without unpacking (ConnRecordHead); the
// number of the prototype the record was written against (RecordShared); a bitmap, one bit a
// field, set where the field equals the prototype's; then the other fields: varints (LEB128)
// for counts and sizes, zig-zag varints for signed values, sequence numbers as the difference
// from the previous one (a TCB's are close to each other), times likewise.
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "stack/segment.hpp"
#include "stack/seq.hpp"
#include "stack/state.hpp"
#include "stack/time.hpp"

namespace tcplab {

struct TcpConfig;

// What TcpHost reads from a record without unpacking it: the record's first kHeadBytes.
struct ConnRecordHead {
  static constexpr std::size_t kHeadBytes = 24;
  Instant next_deadline = kNever;  // Connection::next_deadline()
  std::uint8_t armed = 0;          // bit k: timer kind k is armed (kTimerKinds is 8)
  State state = State::Closed;
  bool passive = false, app_closed = false;
  Endpoint local, remote;
  static ConnRecordHead read(const std::uint8_t* p);
  static Instant read_deadline(const std::uint8_t* p) {
    Instant t;
    std::memcpy(&t, p, sizeof t);
    return t;
  }
  static State read_state(const std::uint8_t* p) { return static_cast<State>(p[8]); }
  void write(std::string& out) const;
};

struct Timers;
std::uint8_t armed_timers(const Timers& t);  // ConnRecordHead::armed

// What the records of one host share: configurations by number (a record keeps the number,
// not a shared_ptr; the host's own configuration is nearly everyone's), and prototypes: the
// fields of the first connection packed with each configuration in each state, against which
// later records keep only the fields that differ (a TIME_WAIT's RTT, windows and memory
// figures are mostly its neighbours'), one bit each for the rest.
class RecordShared {
 public:
  std::uint32_t number_of(const std::shared_ptr<const TcpConfig>& cfg);
  const std::shared_ptr<const TcpConfig>& config(std::uint32_t n) const { return configs_[n]; }
  // The prototype for a configuration number and state: its number, or -1 for none yet.
  int prototype_of(std::uint32_t cfg, State state) const;
  int add_prototype(std::uint32_t cfg, State state, std::vector<std::uint64_t> values);
  // A prototype's fields as numbers (field_bits), in record_fields' order.
  const std::vector<std::uint64_t>& prototype(int n) const { return prototypes_[static_cast<std::size_t>(n)]; }

 private:
  std::vector<std::shared_ptr<const TcpConfig>> configs_;
  // Looked up by address, never iterated: numbers are given in the order configurations
  // are first packed, which the run decides.
  std::map<const TcpConfig*, std::uint32_t> number_;
  std::vector<std::vector<std::uint64_t>> prototypes_;
  std::map<std::pair<std::uint32_t, State>, int> prototype_number_;
};

// Any field's value as 64 bits and back (counts, flags, enums, times, sequence numbers, a
// phase's literal): how a field is compared with its prototype's.
template <typename T>
std::uint64_t field_bits(const T& v) {
  if constexpr (std::is_same_v<T, Seq32>) return v.raw();
  else if constexpr (std::is_pointer_v<T>) return reinterpret_cast<std::uintptr_t>(v);
  else return static_cast<std::uint64_t>(v);
}
template <typename T>
T from_field_bits(std::uint64_t b) {
  if constexpr (std::is_same_v<T, Seq32>) return Seq32(static_cast<std::uint32_t>(b));
  else if constexpr (std::is_pointer_v<T>) return reinterpret_cast<T>(static_cast<std::uintptr_t>(b));
  else return static_cast<T>(b);
}

// The visitor that takes a prototype: every field's bits, in order.
class FieldCollector {
 public:
  FieldCollector(RecordShared& shared, std::vector<std::uint64_t>& out) : shared_(shared), out_(out) {}
  template <typename T>
  void num(const T& v) { out_.push_back(field_bits(v)); }
  void num32(std::uint32_t v) { num(v); }
  void seq(Seq32 s) { num(s); }
  void dur(std::int64_t d) { num(d); }
  void instant(Instant t) { num(t); }
  void phase(const char* p) { num(p); }
  void config(const std::shared_ptr<const TcpConfig>& cfg) { num(shared_.number_of(cfg)); }
  void must_be_empty(bool) {}

 private:
  RecordShared& shared_;
  std::vector<std::uint64_t>& out_;
};

// The fields' encodings, one field at a time (no prototype).
class FieldEncoder {
 public:
  explicit FieldEncoder(std::string& out) : out_(out) {}
  template <typename T>
  void fixed(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  template <typename T>
  void num(const T& v) {
    if constexpr (std::is_signed_v<T>) svar(v);
    else uvar(static_cast<std::uint64_t>(v));  // unsigned, bool, enums over unsigned types
  }
  // A 32-bit count whose "unlimited" is all ones (an initial ssthresh): one byte for it.
  void num32(std::uint32_t v) { svar(static_cast<std::int32_t>(v)); }
  void seq(Seq32 s) {
    svar(s - prev_seq_);
    prev_seq_ = s;
  }
  // A duration in the coarsest unit that holds it exactly (s, ms, us, ns: configured
  // timeouts are whole milliseconds or seconds), the unit in the low two bits.
  void dur(std::int64_t d) {
    int unit = 0;
    while (unit < 3 && d % 1000 == 0 && d != 0) d /= 1000, ++unit;
    uvar(zigzag(d) << 2 | static_cast<std::uint64_t>(unit));
  }
  // An absolute time, as the step from the one before: kNever and INT64_MIN (the "never yet"
  // some fields start at) are one byte.
  void instant(Instant t) {
    if (t == kNever) return uvar(0);
    if (t == INT64_MIN) return uvar(1);
    uvar(2);
    dur(t - prev_t_);
    prev_t_ = t;
  }
  // cc_phase()'s string literal: its number among the phases there are, else its address
  // (a record lives and dies in this process).
  void phase(const char* p);
  void uvar(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  // Sequence numbers and times that came from a prototype still count as "the one before".
  void saw_seq(Seq32 s) { prev_seq_ = s; }
  void saw_instant(Instant t) {
    if (t != kNever && t != INT64_MIN) prev_t_ = t;
  }

 private:
  static std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }
  void svar(std::int64_t v) { uvar(zigzag(v)); }

  std::string& out_;
  Seq32 prev_seq_;
  Instant prev_t_ = 0;
};

class FieldDecoder {
 public:
  explicit FieldDecoder(const std::uint8_t* p) : p_(p) {}
  const std::uint8_t* at() const { return p_; }
  template <typename T>
  void fixed(T& v) {
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
  }
  template <typename T>
  void num(T& v) {
    const std::uint64_t u = uvar();
    if constexpr (std::is_enum_v<T>) v = static_cast<T>(u);
    else if constexpr (std::is_signed_v<T>) v = static_cast<T>(unzigzag(u));
    else v = static_cast<T>(u);
  }
  void num32(std::uint32_t& v) { v = static_cast<std::uint32_t>(static_cast<std::int32_t>(unzigzag(uvar()))); }
  void seq(Seq32& s) {
    s = prev_seq_ + static_cast<std::uint32_t>(unzigzag(uvar()));
    prev_seq_ = s;
  }
  void dur(std::int64_t& d) {
    const std::uint64_t u = uvar();
    d = unzigzag(u >> 2);
    for (std::uint64_t unit = u & 3; unit > 0; --unit) d *= 1000;
  }
  void instant(Instant& t) {
    const std::uint64_t u = uvar();
    if (u == 0) {
      t = kNever;
    } else if (u == 1) {
      t = INT64_MIN;
    } else {
      std::int64_t d = 0;
      dur(d);
      t = prev_t_ = prev_t_ + d;
    }
  }
  void phase(const char*& p);
  std::uint64_t uvar() {
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const std::uint8_t b = *p_++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  }
  void saw_seq(Seq32 s) { prev_seq_ = s; }
  void saw_instant(Instant t) {
    if (t != kNever && t != INT64_MIN) prev_t_ = t;
  }

 private:
  static std::int64_t unzigzag(std::uint64_t u) {
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
  }

  const std::uint8_t* p_;
  Seq32 prev_seq_;
  Instant prev_t_ = 0;
};

// The visitor Connection::record_fields writes with, appending to `out`: the bitmap's length
// and the bitmap (one bit a field: set when the field equals the prototype's), then the fields
// that differ.
class RecordWriter {
 public:
  RecordWriter(std::string& out, RecordShared& shared, const std::vector<std::uint64_t>& prototype);
  bool ok() const { return ok_; }

  template <typename T>
  void num(const T& v) { field(v, [&] { enc_.num(v); }); }
  void num32(std::uint32_t v) { field(v, [&] { enc_.num32(v); }); }
  void seq(Seq32 s) {
    field(s, [&] { enc_.seq(s); });
    enc_.saw_seq(s);  // the next one is written as the step from this one, written or not
  }
  void dur(std::int64_t d) { field(d, [&] { enc_.dur(d); }); }
  void instant(Instant t) {
    field(t, [&] { enc_.instant(t); });
    enc_.saw_instant(t);
  }
  void phase(const char* p) { field(p, [&] { enc_.phase(p); }); }
  void config(const std::shared_ptr<const TcpConfig>& cfg) { num(shared_.number_of(cfg)); }
  // Something a record cannot hold (a buffer, a pending wake-up): packing fails unless it is
  // empty, and unpacking leaves it as a fresh connection has it.
  void must_be_empty(bool empty) { ok_ = ok_ && empty; }

 private:
  template <typename T, typename Write>
  void field(const T& v, Write&& write) {
    const bool same = field_bits(v) == proto_[count_];
    if (same) out_[bits_at_ + count_ / 8] = static_cast<char>(out_[bits_at_ + count_ / 8] | (1 << (count_ % 8)));
    ++count_;
    if (!same) write();
  }

  std::string& out_;
  RecordShared& shared_;
  FieldEncoder enc_;
  const std::vector<std::uint64_t>& proto_;
  std::size_t bits_at_ = 0;  // where the bitmap is in out_
  std::size_t count_ = 0;
  bool ok_ = true;
};

// The visitor Connection::record_fields reads with: the layout finish() wrote.
class RecordReader {
 public:
  RecordReader(const std::uint8_t* p, const RecordShared& shared, const std::vector<std::uint64_t>& prototype);
  const std::uint8_t* end() const { return dec_.at(); }

  template <typename T>
  void num(T& v) { field(v, [&] { dec_.num(v); }); }
  void num32(std::uint32_t& v) { field(v, [&] { dec_.num32(v); }); }
  void seq(Seq32& s) {
    field(s, [&] { dec_.seq(s); });
    dec_.saw_seq(s);
  }
  void dur(std::int64_t& d) { field(d, [&] { dec_.dur(d); }); }
  void instant(Instant& t) {
    field(t, [&] { dec_.instant(t); });
    dec_.saw_instant(t);
  }
  void phase(const char*& p) { field(p, [&] { dec_.phase(p); }); }
  void config(std::shared_ptr<const TcpConfig>& cfg) {
    std::uint32_t n = 0;
    num(n);
    cfg = shared_.config(n);
  }
  void must_be_empty(bool) {}

 private:
  template <typename T, typename Read>
  void field(T& v, Read&& read) {
    const bool same = (bits_[count_ / 8] >> (count_ % 8)) & 1;
    if (same) v = from_field_bits<T>(proto_[count_]);
    else read();
    ++count_;
  }

  const RecordShared& shared_;
  FieldDecoder dec_;
  const std::vector<std::uint64_t>& proto_;
  const std::uint8_t* bits_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace tcplab
