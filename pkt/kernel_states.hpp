#pragma once
// `tcplab pkt --against kernel --kernel-states FILE`: the kernel's own socket states while a
// script runs, as `ss` would show them, to check what is inferred from the exchange (issue 21:
// `tcplab import` on the script's pcap) against what the kernel itself had.
//
// A thread in the script's network namespace reads /proc/thread-self/net/tcp about every
// millisecond (no process per poll) and writes a line each time a socket is first seen in a
// state: t_ns <TAB> kernel <TAB> STATE <TAB> local <TAB> peer <TAB> prev_ns, where the state
// began after prev_ns (the read before) and by t_ns; a socket that disappears is CLOSED once.
// Times are the script's, as in its pcap (plus `base`). States are named as `ss` names them
// (ESTAB, SYN-SENT, ...). The format is tests/kernel/record_captures.sh's.
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "stack/time.hpp"

namespace tcplab::pkt {

class KernelStatePoller {
 public:
  using Clock = std::function<Instant()>;
  KernelStatePoller() = default;
  KernelStatePoller(const KernelStatePoller&) = delete;
  KernelStatePoller& operator=(const KernelStatePoller&) = delete;
  ~KernelStatePoller() { stop(); }

  // Opens `path` for appending and starts polling; call it from a thread inside the namespace
  // (the poller's thread inherits it). Returns "" or why it cannot.
  std::string start(const std::string& path, Instant base, Clock now);
  // One last read, then the thread ends and the file is closed.
  void stop();

 private:
  using Key = std::pair<std::string, std::string>;  // local, peer
  void loop();
  bool poll_once(Instant prev);  // false when /proc cannot be read

  std::FILE* out_ = nullptr;
  Instant base_ = 0;
  Clock now_;
  std::map<Key, std::string> seen_;
  std::atomic<bool> stopping_{false};
  std::thread th_;
};

}  // namespace tcplab::pkt
