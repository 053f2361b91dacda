#include "pkt/kernel_states.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace tcplab::pkt {
namespace {

// /proc/net/tcp's `st` column: include/net/tcp_states.h's numbers, named as `ss` prints them.
const char* ss_state_name(unsigned st) {
  static const char* const names[] = {"?",         "ESTAB",      "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
                                      "FIN-WAIT-2", "TIME-WAIT", "CLOSED",   "CLOSE-WAIT", "LAST-ACK",
                                      "LISTEN",    "CLOSING",    "NEW-SYN-RECV"};
  return st < sizeof names / sizeof names[0] ? names[st] : "?";
}

// Hex as /proc writes it; strtoul rather than stoul: nothing in the poller's thread may throw.
unsigned long hex_value(const std::string& s) { return std::strtoul(s.c_str(), nullptr, 16); }

// "0100A8C0:1F90": the address as the kernel's 32-bit word in host order (x86: the bytes
// reversed), the port in hex.
std::string endpoint_text(const std::string& hex) {
  const auto colon = hex.find(':');
  if (colon != 8) return hex;
  const std::uint32_t a = static_cast<std::uint32_t>(hex_value(hex.substr(0, 8)));
  const unsigned port = static_cast<unsigned>(hex_value(hex.substr(colon + 1)));
  unsigned char b[4];
  std::memcpy(b, &a, 4);
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." + std::to_string(b[3]) +
         ":" + std::to_string(port);
}

}  // namespace

std::string KernelStatePoller::start(const std::string& path, Instant base, Clock now) {
  out_ = std::fopen(path.c_str(), "a");
  if (!out_) return "--kernel-states: cannot open " + path + ": " + std::strerror(errno);
  base_ = base;
  now_ = std::move(now);
  if (!poll_once(now_())) {
    std::fclose(out_);
    out_ = nullptr;
    return "--kernel-states: cannot read /proc/thread-self/net/tcp";
  }
  th_ = std::thread([this] { loop(); });
  return "";
}

void KernelStatePoller::stop() {
  stopping_ = true;
  if (th_.joinable()) th_.join();
  if (out_) std::fclose(out_);
  out_ = nullptr;
}

void KernelStatePoller::loop() {
  Instant prev = now_();
  while (!stopping_) {
    // A state first seen in this read began after the read before started (prev): the clock
    // is read before the file, since the thread may be descheduled anywhere on a loaded machine.
    const Instant started = now_();
    poll_once(prev);
    prev = started;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  poll_once(prev);
}

bool KernelStatePoller::poll_once(Instant prev) {
  // /proc/thread-self: this thread's namespace (/proc/net is the process's, the caller's).
  std::ifstream f("/proc/thread-self/net/tcp");
  if (!f) return false;
  std::map<Key, std::string> cur;
  std::string line;
  std::getline(f, line);  // the header
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string slot, local, peer, st;
    if (!(in >> slot >> local >> peer >> st)) continue;
    cur[{endpoint_text(local), endpoint_text(peer)}] = ss_state_name(static_cast<unsigned>(hex_value(st)));
  }
  const Instant t = now_();
  for (const auto& [k, state] : cur) {
    const auto it = seen_.find(k);
    if (it == seen_.end() || it->second != state)
      std::fprintf(out_, "%lld\tkernel\t%s\t%s\t%s\t%lld\n", static_cast<long long>(base_ + t), state.c_str(),
                   k.first.c_str(), k.second.c_str(), static_cast<long long>(base_ + prev));
  }
  for (const auto& [k, state] : seen_)
    if (!cur.count(k))
      std::fprintf(out_, "%lld\tkernel\tCLOSED\t%s\t%s\t%lld\n", static_cast<long long>(base_ + t), k.first.c_str(),
                   k.second.c_str(), static_cast<long long>(base_ + prev));
  std::fflush(out_);
  seen_ = std::move(cur);
  return true;
}

}  // namespace tcplab::pkt
