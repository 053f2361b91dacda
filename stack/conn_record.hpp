#pragma once
// A connection that needs no body (TIME_WAIT, CLOSED: Connection::compact) packed into a few
// dozen bytes, the way Linux keeps a tcp_timewait_sock instead of the whole socket: in a run
// of a million connections the 400-byte `Connection`s were most of the memory. Exact: the
// bytes unpack into a connection equal to the one packed, field for field, so that nothing a
// view, a check or a later segment sees can differ (TcpHost keeps the records, and unpacks
// one when anything asks for the connection).
//
// The encoding: varints (LEB128) for counts and sizes, zig-zag varints for signed values,
// sequence numbers as the difference from the previous one written (a TCB's are close to each
// other), times likewise; a small fixed prefix that TcpHost reads without unpacking
// (ConnRecordHead).
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "stack/segment.hpp"
#include "stack/state.hpp"

#include "stack/seq.hpp"
#include "stack/time.hpp"

namespace tcplab {

struct TcpConfig;

// What TcpHost reads from a record without unpacking it: the record's first kHeadBytes.
struct ConnRecordHead {
  static constexpr std::size_t kHeadBytes = 23;
  Instant next_deadline = kNever;  // Connection::next_deadline()
  State state = State::Closed;
  bool passive = false, app_closed = false;
  Endpoint local, remote;
  static ConnRecordHead read(const std::uint8_t* p);
  void write(std::string& out) const;
};

// Configurations by number: a record keeps the number of its connection's configuration
// (the host's own is shared by nearly all), not a shared_ptr.
class ConfigTable {
 public:
  std::uint32_t number_of(const std::shared_ptr<const TcpConfig>& cfg);
  const std::shared_ptr<const TcpConfig>& at(std::uint32_t n) const { return all_[n]; }

 private:
  std::vector<std::shared_ptr<const TcpConfig>> all_;
  // Looked up by address, never iterated: numbers are given in the order configurations
  // are first packed, which the run decides.
  std::map<const TcpConfig*, std::uint32_t> number_;
};

class RecordWriter {
 public:
  RecordWriter(std::string& out, ConfigTable& cfgs) : out_(out), cfgs_(cfgs) {}
  bool ok() const { return ok_; }

  template <typename T>
  void fixed(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  template <typename T>
  void num(const T& v) {
    if constexpr (std::is_enum_v<T>) {
      uvar(static_cast<std::uint64_t>(v));
    } else if constexpr (std::is_signed_v<T>) {
      svar(v);
    } else {
      uvar(static_cast<std::uint64_t>(v));
    }
  }
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
  // A 32-bit count whose "unlimited" is all ones (an initial ssthresh): one byte for it.
  void num32(std::uint32_t v) { svar(static_cast<std::int32_t>(v)); }
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
  void config(const std::shared_ptr<const TcpConfig>& cfg) { uvar(cfgs_.number_of(cfg)); }
  // Something a record cannot hold (a buffer, a pending wake-up): packing fails unless it is
  // empty, and unpacking leaves it as a fresh connection has it.
  void must_be_empty(bool empty) { ok_ = ok_ && empty; }

 private:
  static std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }
  void svar(std::int64_t v) { uvar(zigzag(v)); }
  void uvar(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  std::string& out_;
  ConfigTable& cfgs_;
  Seq32 prev_seq_;
  Instant prev_t_ = 0;
  bool ok_ = true;
};

class RecordReader {
 public:
  RecordReader(const std::uint8_t* p, const ConfigTable& cfgs) : p_(p), cfgs_(cfgs) {}
  std::size_t consumed(const std::uint8_t* start) const { return static_cast<std::size_t>(p_ - start); }

  template <typename T>
  void fixed(T& v) {
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
  }
  template <typename T>
  void num(T& v) {
    const std::uint64_t u = uvar();
    if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(u);
    } else if constexpr (std::is_signed_v<T>) {
      v = static_cast<T>(unzigzag(u));
    } else {
      v = static_cast<T>(u);
    }
  }
  void seq(Seq32& s) {
    s = prev_seq_ + static_cast<std::uint32_t>(unzigzag(uvar()));
    prev_seq_ = s;
  }
  void dur(std::int64_t& d) {
    const std::uint64_t u = uvar();
    d = unzigzag(u >> 2);
    for (std::uint64_t unit = u & 3; unit > 0; --unit) d *= 1000;
  }
  void num32(std::uint32_t& v) { v = static_cast<std::uint32_t>(static_cast<std::int32_t>(unzigzag(uvar()))); }
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
  void config(std::shared_ptr<const TcpConfig>& cfg) { cfg = cfgs_.at(static_cast<std::uint32_t>(uvar())); }
  void must_be_empty(bool) {}

 private:
  static std::int64_t unzigzag(std::uint64_t u) {
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
  }
  std::uint64_t uvar() {
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const std::uint8_t b = *p_++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  }

  const std::uint8_t* p_;
  const ConfigTable& cfgs_;
  Seq32 prev_seq_;
  Instant prev_t_ = 0;
};

}  // namespace tcplab
